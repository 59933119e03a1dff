"""The outbox: created once, sent once, retried when it may help, never lost."""

import smtplib
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import kinds, services, tasks
from notifications.models import Email, Unsubscription
from tests import factories as f

pytestmark = pytest.mark.django_db


def _queue(to="ana@example.org", occasion="test:1", kind=kinds.MANAGER_DIGEST.name, language="en"):
    return services.email_queue(
        kind=kind,
        to=to,
        language=language,
        occasion_key=occasion,
        context={
            "name": "Ana",
            "day": "2026-12-01",
            "sections": [{"title": "T", "items": [{"text": "item", "url": "http://x/"}]}],
        },
    )


def test_same_occasion_is_created_once(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue()
        second = _queue()
    assert first is not None and second is None
    assert Email.objects.count() == 1
    assert len(mailoutbox) == 1
    assert Email.objects.get().status == Email.Status.SENT


def test_nothing_is_queued_while_the_outbox_is_muted(mailoutbox):
    with services.outbox_muted():
        assert _queue() is None
    assert not Email.objects.exists()
    assert _queue() is not None  # muted inside the block only


def test_sent_in_recipient_language_with_unsubscribe_header(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _queue(language="fr")
    message = mailoutbox[0]
    assert "CLAMTEX" in message.subject
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    html = message.alternatives[0][0]
    assert 'lang="fr"' in html
    assert "/notifications/unsubscribe/" in message.body


def test_essential_email_has_no_unsubscribe(world, mailoutbox, django_capture_on_commit_callbacks):
    from members import services as member_services

    Unsubscription.objects.create(email="x@alfa.example", category="digest")
    with django_capture_on_commit_callbacks(execute=True):
        member_services.invitation_create(
            organisation=world.org_a,
            cluster=world.cluster_a,
            email="x@alfa.example",
            language="es",
            by=world.manager_a,
        )
    message = mailoutbox[0]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()
    row = Email.objects.get()
    assert row.kind == "members.invitation" and row.about.organisation == world.org_a


def test_unsubscribed_person_gets_no_reminder(client, mailoutbox):
    token = services.unsubscribe_token("ana@example.org", "digest")
    url = reverse("notifications:unsubscribe", args=[token])
    # Opening the link (as a mail scanner would) changes nothing; the button does.
    assert "Stop sending ana@example.org" in client.get(url).content.decode()
    assert not Unsubscription.objects.exists()
    response = client.post(url)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert Unsubscription.objects.filter(email="ana@example.org", category="digest").exists()
    assert _queue() is None
    assert Email.objects.count() == 0


def test_one_click_post_and_bad_token(client):
    token = services.unsubscribe_token("bob@example.org", "reminders")
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 200
    assert Unsubscription.objects.filter(email="bob@example.org", category="reminders").exists()
    assert client.get(reverse("notifications:unsubscribe", args=[token + "x"])).status_code == 400


def test_a_claimed_row_is_not_sent_twice(mailoutbox):
    row = _queue()
    assert services.email_send(email_id=row.pk) == Email.Status.SENT
    assert services.email_send(email_id=row.pk) == "skipped"
    assert len(mailoutbox) == 1


class _FailingBackend:
    error: Exception = smtplib.SMTPServerDisconnected("connection lost")

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise type(self).error


def test_transient_failure_is_retried_then_sent(settings, mailoutbox):
    row = _queue()
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox._FailingBackend"
    with pytest.raises(services.TransientSendError):
        services.email_send(email_id=row.pk)
    row.refresh_from_db()
    assert row.status == Email.Status.PENDING
    assert "connection lost" in row.last_error
    assert row.attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.email_send(email_id=row.pk) == Email.Status.SENT
    row.refresh_from_db()
    assert row.attempts == 2 and row.status == Email.Status.SENT
    assert len(mailoutbox) == 1


def test_task_schedules_a_retry_on_transient_errors(settings, mailoutbox):
    row = _queue()
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox._FailingBackend"
    with pytest.raises(Retry):  # Celery schedules the retry with backoff
        tasks.email_send.apply(args=(row.pk,), throw=True)
    row.refresh_from_db()
    assert row.status == Email.Status.PENDING and row.attempts == 1


def test_gives_up_after_max_attempts(settings):
    row = _queue()
    Email.objects.filter(pk=row.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox._FailingBackend"
    assert services.email_send(email_id=row.pk) == Email.Status.FAILED
    row.refresh_from_db()
    assert row.status == Email.Status.FAILED
    assert "gave up after" in row.last_error


def test_permanent_failure_marks_failed_and_admin_shows_it(settings, world, client):
    row = _queue(to="gone@example.org")
    _FailingBackend.error = smtplib.SMTPRecipientsRefused(
        {"gone@example.org": (550, b"No such user")}
    )
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox._FailingBackend"
    try:
        assert services.email_send(email_id=row.pk) == Email.Status.FAILED
    finally:
        _FailingBackend.error = smtplib.SMTPServerDisconnected("connection lost")
    row.refresh_from_db()
    assert row.status == Email.Status.FAILED and "No such user" in row.last_error
    client.force_login(world.admin)
    response = client.get(
        reverse("admin:notifications_email_changelist"), {"status__exact": "failed"}
    )
    assert "gone@example.org" in response.content.decode()


def test_admin_resend_and_cancel(
    settings, world, client, mailoutbox, django_capture_on_commit_callbacks
):
    failed = _queue(to="a@example.org", occasion="o:1")
    Email.objects.filter(pk=failed.pk).update(status=Email.Status.FAILED, last_error="boom")
    pending = _queue(to="b@example.org", occasion="o:2")
    client.force_login(world.admin)
    url = reverse("admin:notifications_email_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "resend", "_selected_action": [failed.pk]})
    client.post(url, {"action": "cancel", "_selected_action": [pending.pk]})
    failed.refresh_from_db()
    pending.refresh_from_db()
    assert failed.status == Email.Status.SENT
    assert pending.status == Email.Status.CANCELLED
    assert [m.to for m in mailoutbox] == [["a@example.org"]]


def test_worker_dying_after_claim_is_recovered_and_sent_once(mailoutbox):
    row = _queue()
    assert services.email_claim(row.pk)  # the worker claimed it ... and died
    assert services.outbox_recover() == []  # too early: it may still be working
    later = timezone.now() + services.STALE_CLAIM + timedelta(minutes=1)
    assert services.outbox_recover(now=later) == [row.pk]
    row.refresh_from_db()
    assert row.status == Email.Status.PENDING
    assert services.email_send(email_id=row.pk) == Email.Status.SENT
    assert services.email_send(email_id=row.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_broker_down_request_succeeds_and_sweep_sends_later(
    world, client, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.email_send, "apply_async", broker_down)
    client.force_login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:invitation_create", args=[world.org_a.pk]),
            {"email": "late@alfa.example", "language": "ca", "cluster": world.cluster_a.pk},
        )
    assert response.status_code == 302
    row = Email.objects.get(recipient="late@alfa.example")
    assert row.status == Email.Status.PENDING
    assert mailoutbox == []
    monkeypatch.undo()  # the broker is back
    Email.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert tasks.outbox_sweep() == 1
    assert tasks.outbox_sweep() == 0
    row.refresh_from_db()
    assert row.status == Email.Status.SENT
    assert len(mailoutbox) == 1


def test_preferences_on_profile_page(world, client):
    client.force_login(world.manager_a)
    response = client.get(reverse("profile"))
    assert "Email preferences" in response.content.decode()
    client.post(reverse("profile"), {"form": "preferences", "cat_reminders": "on"})
    categories = set(
        Unsubscription.objects.filter(email=world.manager_a.email).values_list(
            "category", flat=True
        )
    )
    assert categories == set(kinds.CATEGORIES) - {"reminders"}
    assert services.preferences_of(world.manager_a) == {"reminders"}
    client.post(
        reverse("profile"),
        {
            "form": "preferences",
            **{f"cat_{key}": "on" for key in kinds.CATEGORIES},
            "cat_reminders": "on",
            "cat_digest": "on",
            "cat_announcements": "on",
        },
    )
    assert not Unsubscription.objects.filter(email=world.manager_a.email).exists()


def test_mail_outbox_is_not_touched_by_queueing_alone():
    _queue()
    assert mail.outbox == []


def test_unknown_category_is_refused():
    with pytest.raises(ValueError):
        kinds.register("x.y", "x", category="nope")


def test_invitation_can_be_queued_for_user_without_account(world):
    assert f.InvitationFactory(organisation=world.org_a, cluster=world.cluster_a).pk
