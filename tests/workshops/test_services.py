"""Writes of the workshops app: seats, waiting list, approval, confirmation by email,
cancellation, check-in, feedback, and the registration workflow."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.models import Email
from workshops import services, workflow
from workshops.models import Event, Feedback, Registration, RegistrationTransition

from .factories import (
    EventFactory,
    QuestionFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db

S = Registration.Status
M = Registration.Mode


@pytest.fixture
def event(world):
    """A published partnership workshop of cluster A, 2 seats in person, 1 online."""
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        capacity_in_person=2,
        capacity_online=1,
    )


def _register(event, by, email, mode=M.IN_PERSON, **kwargs):
    return services.registration_create(
        event=event,
        full_name=email.split("@")[0].title(),
        email=email,
        mode=mode,
        by=by,
        **kwargs,
    )


def _emails_to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


def _status(registration):
    registration.refresh_from_db()
    return registration.status


# --- Seats and waiting list ------------------------------------------------------------


def test_registers_while_seats_remain_then_waitlists_in_order(world, event):
    people = [_register(event, world.rep_a, f"p{i}@alfa.example") for i in range(5)]
    assert [r.status for r in people] == [S.REGISTERED, S.REGISTERED] + [S.WAITLISTED] * 3
    event.refresh_from_db()
    assert event.taken_in_person == 2 and event.seats_left_in_person == 0
    waiting = Registration.objects.filter(event=event, status=S.WAITLISTED).order_by(
        "created_at", "pk"
    )
    assert [r.email for r in waiting] == ["p2@alfa.example", "p3@alfa.example", "p4@alfa.example"]
    history = RegistrationTransition.objects.get(registration=people[0])
    assert (history.from_status, history.to_status, history.by) == (
        S.UNCONFIRMED,
        S.REGISTERED,
        world.rep_a,
    )


def test_capacity_is_counted_per_mode(world, event):
    in_person = [_register(event, world.rep_a, f"ip{i}@alfa.example") for i in range(3)]
    online = [_register(event, world.rep_a, f"on{i}@alfa.example", M.ONLINE) for i in range(2)]
    assert [r.status for r in in_person] == [S.REGISTERED, S.REGISTERED, S.WAITLISTED]
    assert [r.status for r in online] == [S.REGISTERED, S.WAITLISTED]
    event.refresh_from_db()
    assert (event.taken_in_person, event.taken_online) == (2, 1)


def test_cancel_frees_the_seat_and_promotes_the_first_waitlisted(
    world, event, mailoutbox, django_capture_on_commit_callbacks
):
    first, second = (_register(event, world.rep_a, f"s{i}@alfa.example") for i in range(2))
    early = _register(event, world.rep_a, "early@alfa.example")
    late = _register(event, world.rep_a, "late@alfa.example")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first, by=world.rep_a)
    assert _status(first) == S.CANCELLED
    assert _status(early) == S.REGISTERED
    assert _status(late) == S.WAITLISTED
    event.refresh_from_db()
    assert event.taken_in_person == 2
    promoted = _emails_to(mailoutbox, "early@alfa.example")
    assert len(promoted) == 1
    assert Email.objects.get(recipient="early@alfa.example", kind="workshops.promoted").status == (
        Email.Status.SENT
    )
    assert [a[0] for a in promoted[0].attachments] == ["event.ics"]
    assert len(_emails_to(mailoutbox, first.email)) == 1  # the cancellation
    assert not _emails_to(mailoutbox, "late@alfa.example")
    assert _status(second) == S.REGISTERED


def test_cancel_without_waiting_list_leaves_the_seat_free(world, event):
    registration = _register(event, world.rep_a, "solo@alfa.example")
    services.registration_cancel(registration=registration, by=world.rep_a)
    event.refresh_from_db()
    assert event.taken_in_person == 0


def test_cancel_of_a_waitlisted_person_promotes_nobody(world, event):
    for i in range(2):
        _register(event, world.rep_a, f"s{i}@alfa.example")
    first_waiting = _register(event, world.rep_a, "w1@alfa.example")
    second_waiting = _register(event, world.rep_a, "w2@alfa.example")
    services.registration_cancel(registration=first_waiting, by=world.rep_a)
    assert _status(first_waiting) == S.CANCELLED
    assert _status(second_waiting) == S.WAITLISTED
    event.refresh_from_db()
    assert event.taken_in_person == 2
    assert Registration.objects.filter(event=event, status=S.REGISTERED).count() == 2


def test_promotion_stays_within_the_mode(world, event):
    online = _register(event, world.rep_a, "online@alfa.example", M.ONLINE)
    for i in range(2):
        _register(event, world.rep_a, f"s{i}@alfa.example")
    waiting_in_person = _register(event, world.rep_a, "wait@alfa.example")
    services.registration_cancel(registration=online, by=world.rep_a)
    assert _status(waiting_in_person) == S.WAITLISTED
    event.refresh_from_db()
    assert (event.taken_in_person, event.taken_online) == (2, 0)


def test_cancel_twice_changes_nothing(world, event):
    registration = _register(event, world.rep_a, "twice@alfa.example")
    services.registration_cancel(registration=registration, by=world.rep_a)
    services.registration_cancel(registration=registration, by=world.rep_a)
    event.refresh_from_db()
    assert event.taken_in_person == 0
    assert RegistrationTransition.objects.filter(registration=registration).count() == 2


def test_a_seat_of_a_past_event_cannot_be_cancelled(world):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=timezone.now() - timedelta(days=2),
        end=timezone.now() - timedelta(days=1),
    )
    registration = RegistrationFactory(event=event)
    with pytest.raises(ValidationError):
        services.registration_cancel(registration=registration, by=world.manager_a)
    assert _status(registration) == S.REGISTERED


# --- Approval ------------------------------------------------------------------------


@pytest.fixture
def approval_event(world):
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        capacity_in_person=1,
        approval_required=True,
    )


def test_approval_required_then_approved_takes_a_seat(
    world, approval_event, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(approval_event, world.rep_a, "ask@alfa.example")
    assert registration.status == S.PENDING
    approval_event.refresh_from_db()
    assert approval_event.taken_in_person == 0
    assert Email.objects.filter(recipient="ask@alfa.example", kind="workshops.pending").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=world.manager_a)
    assert _status(registration) == S.REGISTERED
    approval_event.refresh_from_db()
    assert approval_event.taken_in_person == 1
    assert Email.objects.filter(
        recipient="ask@alfa.example", kind="workshops.confirmation", status=Email.Status.SENT
    ).exists()
    assert len(_emails_to(mailoutbox, "ask@alfa.example")) == 2


def test_approval_when_full_puts_on_the_waiting_list(world, approval_event):
    first = _register(approval_event, world.rep_a, "first@alfa.example")
    second = _register(approval_event, world.rep_a, "second@alfa.example")
    services.registration_approve(registration=first, by=world.manager_a)
    services.registration_approve(registration=second, by=world.manager_a)
    assert _status(first) == S.REGISTERED
    assert _status(second) == S.WAITLISTED


def test_reject_cancels_and_tells_the_person(
    world, approval_event, mailoutbox, django_capture_on_commit_callbacks
):
    registration = _register(approval_event, world.rep_a, "no@alfa.example")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_reject(
            registration=registration, by=world.manager_a, reason="Members of ATEVAL only"
        )
    assert _status(registration) == S.CANCELLED
    assert len(_emails_to(mailoutbox, "no@alfa.example")) == 1
    row = Email.objects.get(recipient="no@alfa.example", kind="workshops.cancelled")
    assert row.context["reason"] == "Members of ATEVAL only"
    history = registration.history.last()
    assert (history.to_status, history.by, history.note) == (
        S.CANCELLED,
        world.manager_a,
        "Members of ATEVAL only",
    )


def test_only_pending_registrations_can_be_approved_or_rejected(world, event):
    registration = _register(event, world.rep_a, "seated@alfa.example")
    with pytest.raises(ValidationError):
        services.registration_approve(registration=registration, by=world.manager_a)
    with pytest.raises(ValidationError):
        services.registration_reject(registration=registration, by=world.manager_a)
    assert _status(registration) == S.REGISTERED


# --- Public events and confirmation by email ---------------------------------------------


@pytest.fixture
def public_event(world):
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        capacity_in_person=0,
        capacity_online=5,
    )


def test_anonymous_registration_waits_for_the_email_confirmation(
    public_event, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register(public_event, None, "Guest@Example.org", M.ONLINE)
    assert registration.status == S.UNCONFIRMED
    assert registration.email == "guest@example.org"
    assert registration.registered_by is None
    public_event.refresh_from_db()
    assert public_event.taken_online == 0
    confirm = Email.objects.get(recipient="guest@example.org")
    assert confirm.kind == "workshops.confirm_email"
    assert registration.token in confirm.context["confirm_url"]
    assert len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.registration_confirm_email(token=registration.token)
    assert confirmed.status == S.REGISTERED
    public_event.refresh_from_db()
    assert public_event.taken_online == 1
    assert len(mailoutbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = services.registration_confirm_email(token=registration.token)
    assert again.status == S.REGISTERED
    public_event.refresh_from_db()
    assert public_event.taken_online == 1
    assert len(mailoutbox) == 2
    assert registration.history.count() == 1


def test_confirmation_after_the_registration_closed_is_refused(public_event):
    registration = _register(public_event, None, "late@example.org", M.ONLINE)
    Event.objects.filter(pk=public_event.pk).update(
        registration_closes=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        services.registration_confirm_email(token=registration.token)
    assert _status(registration) == S.UNCONFIRMED


def test_non_public_event_refuses_anonymous_registration(event):
    with pytest.raises(PermissionDenied):
        _register(event, None, "guest@example.org")
    assert not Registration.objects.exists()


# --- Rules of registration ---------------------------------------------------------------


def test_same_email_twice_is_refused_until_cancelled(world, event):
    first = _register(event, world.rep_a, "ana@alfa.example")
    with pytest.raises(ValidationError):
        _register(event, world.rep_a, " ANA@alfa.example ")
    assert Registration.objects.filter(event=event).count() == 1
    services.registration_cancel(registration=first, by=world.rep_a)
    again = _register(event, world.rep_a, "ana@alfa.example")
    assert again.status == S.REGISTERED
    event.refresh_from_db()
    assert event.taken_in_person == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": Event.Status.DRAFT},
        {"status": Event.Status.CANCELLED},
        {"registration_closes": timezone.now() - timedelta(hours=1)},
        {"registration_opens": timezone.now() + timedelta(days=1)},
        {
            "start": timezone.now() - timedelta(days=2),
            "end": timezone.now() - timedelta(days=1),
        },
        {"capacity_in_person": 0},
    ],
    ids=["draft", "cancelled", "closed", "not-open-yet", "past", "no-seats-in-person"],
)
def test_registration_refused_when_not_open(world, event, change):
    Event.objects.filter(pk=event.pk).update(**change)
    event.refresh_from_db()
    with pytest.raises(ValidationError):
        _register(event, world.rep_a, "ana@alfa.example")
    assert not Registration.objects.exists()


def test_answers_and_language_are_kept(world, event):
    question = QuestionFactory(event=event, label="Dietary requirements?")
    registration = _register(
        event,
        world.rep_a,
        "ana@alfa.example",
        language="ca",
        answers={question.label: "Vegetarian"},
        organisation=world.org_a,
    )
    registration.refresh_from_db()
    assert registration.language == "ca"
    assert registration.answers == {question.label: "Vegetarian"}
    assert registration.organisation == world.org_a
    assert registration.registered_by == world.rep_a


# --- Events --------------------------------------------------------------------------------


def test_event_cancel_cancels_everyone_and_tells_them(
    world, event, mailoutbox, django_capture_on_commit_callbacks
):
    people = [_register(event, world.rep_a, f"p{i}@alfa.example") for i in range(3)]
    online = _register(event, world.rep_a, "online@alfa.example", M.ONLINE)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=world.manager_a, reason="Storm warning")
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert (event.taken_in_person, event.taken_online) == (0, 0)
    for registration in [*people, online]:
        assert _status(registration) == S.CANCELLED
        assert len(_emails_to(mailoutbox, registration.email)) == 1
    rows = Email.objects.filter(kind="workshops.event_cancelled")
    assert rows.count() == 4
    assert {row.context["reason"] for row in rows} == {"Storm warning"}
    # A second cancellation sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=world.manager_a)
    assert len(mailoutbox) == 4


def test_event_publish(world):
    draft = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], status=Event.Status.DRAFT
    )
    services.event_publish(event=draft, by=world.manager_a)
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED
    with pytest.raises(ValidationError):
        services.event_publish(event=draft, by=world.manager_a)


def test_event_without_seats_cannot_be_published(world):
    draft = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        status=Event.Status.DRAFT,
        capacity_in_person=0,
        capacity_online=0,
    )
    with pytest.raises(ValidationError):
        services.event_publish(event=draft, by=world.manager_a)
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_event_save_creates_with_organisers(world):
    start = timezone.now() + timedelta(days=20)
    event = services.event_save(
        event=Event(partnership=world.partnership),
        data={
            "title": "Digital twins of weaving lines",
            "start": start,
            "end": start + timedelta(hours=4),
            "timezone": "Europe/Lisbon",
            "capacity_in_person": 15,
        },
        organisers=[world.cluster_a, world.cluster_b],
        by=world.manager_a,
    )
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT
    assert event.created_by == world.manager_a
    assert set(event.organisers.all()) == {world.cluster_a, world.cluster_b}


def test_event_save_refuses_capacity_below_seats_taken(world, event):
    _register(event, world.rep_a, "a@alfa.example")
    _register(event, world.rep_a, "b@alfa.example")
    with pytest.raises(ValidationError) as excinfo:
        services.event_save(
            event=event,
            data={"capacity_in_person": 1},
            organisers=[world.cluster_a],
            by=world.manager_a,
        )
    assert "capacity_in_person" in excinfo.value.message_dict
    event.refresh_from_db()
    assert event.capacity_in_person == 2
    services.event_save(
        event=event,
        data={"capacity_in_person": 2},
        organisers=[world.cluster_a],
        by=world.manager_a,
    )


def test_event_save_more_seats_promotes_the_waiting_list(world, event):
    for i in range(2):
        _register(event, world.rep_a, f"s{i}@alfa.example")
    first = _register(event, world.rep_a, "w1@alfa.example")
    second = _register(event, world.rep_a, "w2@alfa.example")
    services.event_save(
        event=event,
        data={"capacity_in_person": 3},
        organisers=[world.cluster_a],
        by=world.manager_a,
    )
    assert _status(first) == S.REGISTERED
    assert _status(second) == S.WAITLISTED
    event.refresh_from_db()
    assert event.taken_in_person == 3


def test_event_duplicate_is_a_draft_copy(world, event):
    speaker = SpeakerFactory(name="Marta Puig")
    SessionFactory(event=event, title="Welcome", speakers=[speaker])
    SessionFactory(event=event, title="Design thinking")
    QuestionFactory(event=event, label="Company size?")
    event.organisers.add(world.cluster_b)
    RegistrationFactory(event=event)
    copy = services.event_duplicate(event=event, by=world.manager_a)
    copy.refresh_from_db()
    assert copy.pk != event.pk
    assert copy.status == Event.Status.DRAFT
    assert event.title in copy.title
    assert (copy.taken_in_person, copy.taken_online) == (0, 0)
    assert copy.created_by == world.manager_a
    assert set(copy.organisers.all()) == {world.cluster_a, world.cluster_b}
    assert sorted(copy.sessions.values_list("title", flat=True)) == ["Design thinking", "Welcome"]
    assert list(copy.sessions.get(title="Welcome").speakers.all()) == [speaker]
    assert list(copy.questions.values_list("label", flat=True)) == ["Company size?"]
    assert not copy.registrations.exists()
    # The original keeps its own agenda.
    assert event.sessions.count() == 2 and event.registrations.count() == 1


# --- Check-in and feedback -----------------------------------------------------------------


def test_registration_mark_attended_and_no_show(world, event):
    registration = RegistrationFactory(event=event)
    services.registration_mark(registration=registration, status=S.ATTENDED, by=world.manager_a)
    assert _status(registration) == S.ATTENDED
    services.registration_mark(registration=registration, status=S.NO_SHOW, by=world.manager_a)
    assert _status(registration) == S.NO_SHOW
    services.registration_mark(registration=registration, status=S.NO_SHOW, by=world.manager_a)
    assert list(registration.history.values_list("to_status", flat=True)) == [
        S.ATTENDED,
        S.NO_SHOW,
    ]
    event.refresh_from_db()
    assert event.taken_in_person == 1  # a no-show still held the seat


def test_registration_mark_refuses_other_statuses(world, event):
    registration = RegistrationFactory(event=event)
    with pytest.raises(ValidationError):
        services.registration_mark(
            registration=registration, status=S.CANCELLED, by=world.manager_a
        )
    assert _status(registration) == S.REGISTERED


@pytest.fixture
def started_event(world):
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=timezone.now() - timedelta(hours=2),
        end=timezone.now() + timedelta(hours=1),
    )


def test_feedback_from_a_participant_after_the_start(started_event):
    registration = RegistrationFactory(event=started_event, status=S.ATTENDED)
    services.feedback_submit(registration=registration, rating=4, comments="Useful")
    services.feedback_submit(registration=registration, rating=5, comments="Very useful")
    feedback = Feedback.objects.get(registration=registration)
    assert (feedback.rating, feedback.comments) == (5, "Very useful")


@pytest.mark.parametrize("status", [S.WAITLISTED, S.CANCELLED, S.NO_SHOW, S.PENDING])
def test_feedback_only_from_participants(started_event, status):
    registration = RegistrationFactory(event=started_event, status=status)
    with pytest.raises(ValidationError):
        services.feedback_submit(registration=registration, rating=3, comments="")
    assert not Feedback.objects.exists()


def test_feedback_not_before_the_start(event):
    registration = RegistrationFactory(event=event)
    with pytest.raises(ValidationError):
        services.feedback_submit(registration=registration, rating=3, comments="")
    assert not Feedback.objects.exists()


# --- The workflow: every allowed transition works, a refused one raises -------------------


def _full(event, mode=M.IN_PERSON):
    """Takes every seat of the mode with direct rows."""
    capacity = event.capacity_in_person if mode == M.IN_PERSON else event.capacity_online
    for _i in range(capacity):
        RegistrationFactory(event=event, mode=mode)


def _unconfirmed(world, *, approval=False, full=False):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        capacity_in_person=1,
        approval_required=approval,
    )
    if full:
        _full(event)
    return _register(event, None, "guest@example.org")


def _pending(world, *, full=False):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        capacity_in_person=1,
        approval_required=True,
    )
    registration = _register(event, world.rep_a, "asks@alfa.example")
    if full:
        _full(event)
    return registration


def _waitlisted(world):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], capacity_in_person=1
    )
    _full(event)
    return _register(event, world.rep_a, "waits@alfa.example")


def _registered(world):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    return _register(event, world.rep_a, "seated@alfa.example")


def _promote(world):
    waiting = _waitlisted(world)
    seated = Registration.objects.get(event=waiting.event, status=S.REGISTERED)
    services.registration_cancel(registration=seated, by=world.manager_a)
    return waiting


def _marked(world, status):
    registration = _registered(world)
    return services.registration_mark(registration=registration, status=status, by=world.manager_a)


ALLOWED = {
    (S.UNCONFIRMED, S.PENDING): lambda w: services.registration_confirm_email(
        token=_unconfirmed(w, approval=True).token
    ),
    (S.UNCONFIRMED, S.REGISTERED): lambda w: services.registration_confirm_email(
        token=_unconfirmed(w).token
    ),
    (S.UNCONFIRMED, S.WAITLISTED): lambda w: services.registration_confirm_email(
        token=_unconfirmed(w, full=True).token
    ),
    (S.UNCONFIRMED, S.CANCELLED): lambda w: services.registration_cancel(
        registration=_unconfirmed(w)
    ),
    (S.PENDING, S.REGISTERED): lambda w: services.registration_approve(
        registration=_pending(w), by=w.manager_a
    ),
    (S.PENDING, S.WAITLISTED): lambda w: services.registration_approve(
        registration=_pending(w, full=True), by=w.manager_a
    ),
    (S.PENDING, S.CANCELLED): lambda w: services.registration_reject(
        registration=_pending(w), by=w.manager_a
    ),
    (S.WAITLISTED, S.REGISTERED): _promote,
    (S.WAITLISTED, S.CANCELLED): lambda w: services.registration_cancel(
        registration=_waitlisted(w), by=w.rep_a
    ),
    (S.REGISTERED, S.CANCELLED): lambda w: services.registration_cancel(
        registration=_registered(w), by=w.rep_a
    ),
    (S.REGISTERED, S.ATTENDED): lambda w: _marked(w, S.ATTENDED),
    (S.REGISTERED, S.NO_SHOW): lambda w: _marked(w, S.NO_SHOW),
    (S.ATTENDED, S.NO_SHOW): lambda w: services.registration_mark(
        registration=_marked(w, S.ATTENDED), status=S.NO_SHOW, by=w.manager_a
    ),
    (S.NO_SHOW, S.ATTENDED): lambda w: services.registration_mark(
        registration=_marked(w, S.NO_SHOW), status=S.ATTENDED, by=w.manager_a
    ),
}


def test_every_transition_of_the_table_has_a_test():
    table = {(a, b) for a, targets in workflow.TRANSITIONS.items() for b in targets}
    assert table == set(ALLOWED)


@pytest.mark.parametrize("move", sorted(ALLOWED), ids=lambda m: f"{m[0]}->{m[1]}")
def test_allowed_transition(world, move):
    registration = ALLOWED[move](world)
    registration.refresh_from_db()
    assert registration.status == move[1]
    last = registration.history.last()
    assert (last.from_status, last.to_status) == move


def _cancelled(world):
    registration = _registered(world)
    return services.registration_cancel(registration=registration, by=world.rep_a)


REFUSED = {
    (S.CANCELLED, S.REGISTERED): (
        _cancelled,
        lambda w, r: services.registration_approve(registration=r, by=w.manager_a),
    ),
    (S.CANCELLED, S.ATTENDED): (
        _cancelled,
        lambda w, r: services.registration_mark(registration=r, status=S.ATTENDED, by=w.manager_a),
    ),
    (S.UNCONFIRMED, S.ATTENDED): (
        _unconfirmed,
        lambda w, r: services.registration_mark(registration=r, status=S.ATTENDED, by=w.manager_a),
    ),
    (S.PENDING, S.NO_SHOW): (
        _pending,
        lambda w, r: services.registration_mark(registration=r, status=S.NO_SHOW, by=w.manager_a),
    ),
    (S.WAITLISTED, S.ATTENDED): (
        _waitlisted,
        lambda w, r: services.registration_mark(registration=r, status=S.ATTENDED, by=w.manager_a),
    ),
    (S.REGISTERED, S.REGISTERED): (
        _registered,
        lambda w, r: services.registration_approve(registration=r, by=w.manager_a),
    ),
    (S.ATTENDED, S.CANCELLED): (
        lambda w: _marked(w, S.ATTENDED),
        lambda w, r: services.registration_cancel(registration=r, by=w.manager_a),
    ),
    (S.NO_SHOW, S.CANCELLED): (
        lambda w: _marked(w, S.NO_SHOW),
        lambda w, r: services.registration_cancel(registration=r, by=w.manager_a),
    ),
}


def test_every_status_has_a_refused_move():
    assert {source for source, _target in REFUSED} == set(workflow.TRANSITIONS)
    for source, target in REFUSED:
        assert not workflow.can_move(source, target)


@pytest.mark.parametrize("move", sorted(REFUSED), ids=lambda m: f"{m[0]}->{m[1]}")
def test_refused_transition(world, move):
    make, attempt = REFUSED[move]
    registration = make(world)
    registration.refresh_from_db()
    assert registration.status == move[0]
    seats = Event.objects.values_list("taken_in_person", flat=True).get(pk=registration.event_id)
    history = registration.history.count()
    with pytest.raises(ValidationError):
        attempt(world, registration)
    registration.refresh_from_db()
    assert registration.status == move[0]
    assert registration.history.count() == history
    assert (
        Event.objects.values_list("taken_in_person", flat=True).get(pk=registration.event_id)
        == seats
    )


def test_pending_registrations_by_cluster_counts_each_organiser_once_per_registration(world):
    """The coordinator's table of every cluster's queue: registrations awaiting approval
    of coming events, per organiser cluster (a co-organised event counts for both)."""
    from workshops.selectors import pending_registrations_by_cluster

    a, b = world.cluster_a, world.cluster_b
    pending = Registration.Status.PENDING
    only_a = EventFactory(partnership=world.partnership, organisers=[a])
    both = EventFactory(partnership=world.partnership, organisers=[a, b])
    past = EventFactory(
        partnership=world.partnership,
        organisers=[b],
        start=timezone.now() - timedelta(days=3),
        end=timezone.now() - timedelta(days=2),
    )
    for event, n in ((only_a, 2), (both, 3), (past, 4)):
        for _ in range(n):
            RegistrationFactory(event=event, status=pending)
    RegistrationFactory(event=only_a)  # registered: not awaiting approval
    RegistrationFactory(event=both, status=Registration.Status.WAITLISTED)
    assert pending_registrations_by_cluster([a.pk, b.pk]) == {a.pk: 5, b.pk: 3}
    assert pending_registrations_by_cluster([b.pk]) == {b.pk: 3}
