"""Private links stay private: the public .ics has no meeting link (a participant
registered online gets it in their own files), and unsubscribe links are random stored
tokens that say nothing about the person and can be revoked."""

import base64
import contextlib
import zlib

import icalendar
import pytest
from django.core import signing
from django.urls import reverse

from notifications import services as notification_services
from notifications.models import UnsubscribeToken, Unsubscription
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops import services as workshop_services
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db

MEET = "https://meet.example.org/secret-room"


@pytest.fixture
def hybrid_event(world):
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        capacity_online=10,
        online_url=MEET,
    )


def _location(content: bytes) -> str:
    (vevent,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return str(vevent.get("LOCATION", ""))


@pytest.mark.parametrize("who", ["anonymous", "rep_a", "outsider"])
def test_public_ics_has_no_meeting_link(client, world, hybrid_event, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.get(reverse("workshops:event_ics", args=[hybrid_event.pk]))
    assert response.status_code == 200
    assert "meet.example.org" not in response.content.decode()
    assert "AEI" in _location(response.content) or _location(response.content)


def test_in_person_participant_does_not_get_the_link(client, world, hybrid_event):
    RegistrationFactory(event=hybrid_event, user=world.rep_a, email=world.rep_a.email)
    client.force_login(world.rep_a)
    content = client.get(reverse("workshops:event_ics", args=[hybrid_event.pk])).content
    assert "meet.example.org" not in content.decode()


def test_online_participant_gets_the_link_in_their_files(client, world, hybrid_event):
    RegistrationFactory(
        event=hybrid_event,
        user=world.rep_a,
        email=world.rep_a.email,
        mode=Registration.Mode.ONLINE,
    )
    client.force_login(world.rep_a)
    content = client.get(reverse("workshops:event_ics", args=[hybrid_event.pk])).content
    assert MEET in _location(content)
    feed = workshop_services.calendar_feed_get(user=world.rep_a)
    client.logout()
    feed_content = client.get(reverse("workshops:feed_ics", args=[feed.token])).content
    assert MEET in feed_content.decode().replace("\r\n ", "")


def test_confirmation_attachment_follows_the_mode(
    client, world, hybrid_event, mailoutbox, django_capture_on_commit_callbacks
):
    for mode, email in (("online", "on@example.org"), ("in_person", "off@example.org")):
        with django_capture_on_commit_callbacks(execute=True):
            registration = workshop_services.registration_create(
                event=hybrid_event,
                full_name="P",
                email=email,
                mode=mode,
                by=world.rep_a,
            )
        assert registration.status == Registration.Status.REGISTERED
    attachments = {m.to[0]: m.attachments[0][1] for m in mailoutbox}
    as_text = {k: (v if isinstance(v, str) else v.decode()) for k, v in attachments.items()}
    assert MEET in as_text["on@example.org"].replace("\r\n ", "")
    assert "meet.example.org" not in as_text["off@example.org"]


# --- Unsubscribe tokens ------------------------------------------------------------------


def _readable(token: str) -> str:
    """Everything an observer could decode from the token (base64, zlib)."""
    texts = [token]
    for candidate in token.split(":") + [token]:
        padded = candidate + "=" * (-len(candidate) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded.lstrip("."))
        except Exception:
            continue
        texts.append(raw.decode("latin-1"))
        with contextlib.suppress(Exception):
            texts.append(zlib.decompress(raw).decode("latin-1"))
    return " ".join(texts)


def test_unsubscribe_token_is_opaque():
    token = notification_services.unsubscribe_token("ana.garcia@example.org", "digest")
    assert "ana" not in _readable(token).lower()
    assert len(token) >= 30
    row = UnsubscribeToken.objects.get(token=token)
    assert (row.email, row.category) == ("ana.garcia@example.org", "digest")


def test_unsubscribe_token_is_reused_within_a_month():
    first = notification_services.unsubscribe_token("Ana@Example.org", "digest")
    assert notification_services.unsubscribe_token("ana@example.org", "digest") == first
    assert notification_services.unsubscribe_token("ana@example.org", "reminders") != first


def test_revoked_token_no_longer_works(client):
    token = notification_services.unsubscribe_token("ana@example.org", "digest")
    url = reverse("notifications:unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert notification_services.unsubscribe_tokens_revoke(email="ana@example.org") == 1
    assert client.post(url).status_code == 400
    assert not Unsubscription.objects.exists()


def test_unknown_token_is_refused(client):
    url = reverse("notifications:unsubscribe", args=["x" * 32])
    assert client.post(url).status_code == 400


def test_links_of_emails_sent_before_keep_working(client):
    legacy = signing.dumps(
        {"e": "old@example.org", "c": "digest"},
        salt=notification_services.UNSUBSCRIBE_SALT,
        compress=True,
    )
    response = client.post(reverse("notifications:unsubscribe", args=[legacy]))
    assert response.status_code == 200
    assert Unsubscription.objects.filter(email="old@example.org").exists()


def test_calendar_feed_token_is_random_and_revocable(client, world):
    feed = workshop_services.calendar_feed_get(user=world.rep_a)
    assert world.rep_a.email.split("@")[0] not in _readable(feed.token)
    old = reverse("workshops:feed_ics", args=[feed.token])
    assert client.get(old).status_code == 200
    workshop_services.calendar_feed_regenerate(user=world.rep_a)
    assert client.get(old).status_code == 404
