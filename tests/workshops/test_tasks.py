"""The periodic sweeps: J-7 and J-1 reminders with the .ics, the feedback survey after the
event; each sent once per registration whatever the number of sweeps."""

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone

from notifications.models import Email
from workshops import services, tasks
from workshops.models import Event, Registration

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


def _sweep(task, capture):
    with capture(execute=True):
        return task.delay().get()


def _starting_in(world, delta, **kwargs):
    start = (timezone.now() + delta).replace(microsecond=0)
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=start,
        end=start + timedelta(hours=3),
        **kwargs,
    )


def _move(event, delta):
    start = timezone.now() + delta
    Event.objects.filter(pk=event.pk).update(start=start, end=start + timedelta(hours=3))


def _reminders(registration):
    return sorted(
        Email.objects.filter(recipient=registration.email, kind="workshops.reminder").values_list(
            "context__code", flat=True
        )
    )


@pytest.fixture
def people(world):
    """An event in six days with two participants, and people who get no reminder."""
    event = _starting_in(world, timedelta(days=6), capacity_in_person=2)
    return {
        "ana": RegistrationFactory(event=event, email="ana@alfa.example", language="ca"),
        "bruno": RegistrationFactory(event=event, email="bruno@beta.example", language="fr"),
        "waiting": RegistrationFactory(event=event, status=S.WAITLISTED),
        "cancelled": RegistrationFactory(event=event, status=S.CANCELLED),
        "pending": RegistrationFactory(event=event, status=S.PENDING),
        "unconfirmed": RegistrationFactory(event=event, status=S.UNCONFIRMED),
    }


def test_j7_then_j1_reminders_are_sent_once_each(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    event = people["ana"].event
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 2
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@alfa.example", "bruno@beta.example"]

    _move(event, timedelta(hours=20))
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 2
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 4
    assert _reminders(people["ana"]) == ["j1", "j7"]
    assert _reminders(people["bruno"]) == ["j1", "j7"]
    for name in ("waiting", "cancelled", "pending", "unconfirmed"):
        assert not Email.objects.filter(recipient=people[name].email).exists(), name
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}


def test_a_late_registration_gets_only_the_j1_reminder(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """Someone who registers the day before must not receive the J-7 and the J-1
    reminders at the same moment."""
    event = _starting_in(world, timedelta(hours=20))
    late = RegistrationFactory(event=event)
    _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks)
    assert _reminders(late) == ["j1"]
    assert len(mailoutbox) == 1


def test_no_reminder_before_the_window_nor_after_the_start(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    later = RegistrationFactory(event=_starting_in(world, timedelta(days=8)))
    started = RegistrationFactory(event=_starting_in(world, -timedelta(hours=1)))
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 0
    assert not mailoutbox
    assert not _reminders(later) and not _reminders(started)


def test_a_task_run_twice_sends_one_reminder(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    """Two sweeps at the same moment enqueue the same task twice."""
    registration = people["ana"]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminder_send.delay(registration.pk, "j7").get() is True
        assert tasks.reminder_send.delay(registration.pk, "j7").get() is False
    assert len(mailoutbox) == 1


def test_the_sweep_queues_one_message_per_batch(
    world, people, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """Registrations go to the workers in batches (one broker message per SWEEP_BATCH),
    not one task each; every registration is still reminded once."""
    other = _starting_in(world, timedelta(days=5))
    extra = [RegistrationFactory(event=other) for _ in range(3)]
    monkeypatch.setattr(tasks, "SWEEP_BATCH", 2)
    sent = []
    real = tasks.reminder_send_batch.apply_async

    def spy(args, **kwargs):
        sent.append(list(args[0]))
        return real(args, **kwargs)

    monkeypatch.setattr(tasks.reminder_send_batch, "apply_async", spy)
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 5
    assert [len(batch) for batch in sent] == [2, 2, 1]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        r.email for r in [people["ana"], people["bruno"], *extra]
    )


def test_a_batch_delivered_twice_sends_each_reminder_once(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    ids = [people[name].pk for name in ("ana", "bruno", "waiting", "cancelled")]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminder_send_batch.delay(ids, "j7").get() == 2
        assert tasks.reminder_send_batch.delay(ids, "j7").get() == 0
        assert tasks.reminder_send_batch.delay([10**9], "j7").get() == 0  # deleted meanwhile
    assert sorted(m.to[0] for m in mailoutbox) == ["ana@alfa.example", "bruno@beta.example"]
    assert Email.objects.filter(kind="workshops.reminder").count() == 2


def test_the_sweep_survives_a_broker_outage(people, monkeypatch, mailoutbox):
    """The registrations stay due: the next sweep finds them again."""

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.reminder_send_batch, "apply_async", down)
    assert tasks.reminders_sweep() == 2
    assert not mailoutbox
    assert not Email.objects.filter(kind="workshops.reminder").exists()


def test_reminder_in_the_registrants_language_with_the_ics(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks)
    bruno = people["bruno"]
    row = Email.objects.get(recipient=bruno.email, kind="workshops.reminder")
    assert row.language == "fr"
    assert Email.objects.get(recipient="ana@alfa.example", kind="workshops.reminder").language == (
        "ca"
    )
    (message,) = [m for m in mailoutbox if m.to == [bruno.email]]
    assert 'lang="fr"' in message.alternatives[0][0]
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert (filename, mimetype) == ("event.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == bruno.event.title


def test_reminders_stop_when_the_registration_is_cancelled_before_the_task_runs(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    registration = people["ana"]
    services.registration_cancel(registration=registration)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminder_send.delay(registration.pk, "j7").get() is False
    assert not mailoutbox


def test_cancelled_event_gets_no_reminder(people, mailoutbox, django_capture_on_commit_callbacks):
    event = people["ana"].event
    # Even with registrations left as they were, the event's status stops the reminders.
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminder_send.delay(people["ana"].pk, "j7").get() is False
    assert not mailoutbox


def test_event_cancelled_through_the_service_gets_no_reminder(
    world, people, mailoutbox, django_capture_on_commit_callbacks
):
    event = people["ana"].event
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=world.manager_a)
    mailoutbox.clear()
    assert _sweep(tasks.reminders_sweep, django_capture_on_commit_callbacks) == 0
    assert not mailoutbox


# --- Feedback survey -----------------------------------------------------------------------


def _ended(world, ago, **kwargs):
    end = timezone.now() - ago
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=end - timedelta(hours=4),
        end=end,
        **kwargs,
    )


def test_feedback_survey_once_after_the_event(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    event = _ended(world, timedelta(hours=2))
    attended = RegistrationFactory(event=event, status=S.ATTENDED, language="es")
    registered = RegistrationFactory(event=event, status=S.REGISTERED)
    others = [
        RegistrationFactory(event=event, status=status)
        for status in (S.NO_SHOW, S.WAITLISTED, S.CANCELLED)
    ]
    assert _sweep(tasks.feedback_sweep, django_capture_on_commit_callbacks) == 2
    assert _sweep(tasks.feedback_sweep, django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):  # a batch delivered twice
        assert tasks.feedback_send_batch.delay([attended.pk, registered.pk]).get() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([attended.email, registered.email])
    row = Email.objects.get(recipient=attended.email)
    assert (row.kind, row.language) == ("workshops.feedback", "es")
    assert attended.token in row.context["feedback_url"]
    for registration in others:
        assert not Email.objects.filter(recipient=registration.email).exists()


def test_no_feedback_survey_before_the_end_nor_long_after(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    running = EventFactory(
        partnership=world.partnership,
        start=timezone.now() - timedelta(hours=1),
        end=timezone.now() + timedelta(hours=1),
    )
    RegistrationFactory(event=running, status=S.ATTENDED)
    RegistrationFactory(event=_ended(world, timedelta(days=5)), status=S.ATTENDED)
    assert _sweep(tasks.feedback_sweep, django_capture_on_commit_callbacks) == 0
    assert not mailoutbox


def test_cancelled_event_gets_no_feedback_survey(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    event = _ended(world, timedelta(hours=2), status=Event.Status.CANCELLED)
    RegistrationFactory(event=event, status=S.REGISTERED)
    assert _sweep(tasks.feedback_sweep, django_capture_on_commit_callbacks) == 0
    assert not mailoutbox
