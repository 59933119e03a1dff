"""The CLAMTEX demo events: idempotent, consistent seat counters, the promised shapes."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from notifications.models import Email
from workshops import workflow
from workshops.models import Event, Feedback, Question, Registration, Session, Speaker

pytestmark = pytest.mark.django_db

S = Registration.Status


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Event, Session, Speaker, Question, Registration, Feedback)
    }


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return _counts()


def test_seeding_twice_gives_the_same_data(seeded):
    call_command("seed_demo")
    assert _counts() == seeded
    assert seeded["Event"] == 10
    assert seeded["Feedback"] >= 3
    twin = Event.objects.get(capacity_in_person=20, title__startswith="Digitalisation")
    assert twin.taken_in_person == twin.registrations.filter(status=S.REGISTERED).count() == 19
    assert not Email.objects.exists()  # seeding writes to nobody


def test_seat_counters_match_the_registrations(seeded):
    seated = Q(registrations__status__in=workflow.SEATED)
    events = Event.objects.annotate(
        in_person=Count("registrations", filter=seated & Q(registrations__mode="in_person")),
        online=Count("registrations", filter=seated & Q(registrations__mode="online")),
    )
    for event in events:
        assert (event.taken_in_person, event.taken_online) == (event.in_person, event.online), event
        assert event.taken_in_person <= event.capacity_in_person
        assert event.taken_online <= event.capacity_online
        # Nobody waits while a seat of their kind is free.
        for mode, left in (
            ("in_person", event.seats_left_in_person),
            ("online", event.seats_left_online),
        ):
            if left:
                assert not event.registrations.filter(status=S.WAITLISTED, mode=mode).exists()


def test_kick_off_at_terrassa_is_hybrid_over_two_days(seeded):
    kickoff = Event.objects.get(title="CLAMTEX kick-off meeting")
    assert kickoff.kind == Event.Kind.PARTNER_MEETING
    assert kickoff.timezone == "Europe/Madrid" and kickoff.city == "Terrassa"
    assert (kickoff.local_start.date(), kickoff.local_end.date()) == (
        date(2020, 3, 4),
        date(2020, 3, 5),
    )
    assert kickoff.local_start.hour == 9  # in Terrassa's time, not UTC
    assert kickoff.is_hybrid
    online = kickoff.registrations.filter(mode="online")
    assert online.count() == 1 and online.get().status == S.ATTENDED
    design = kickoff.sessions.get(title__icontains="design thinking")
    assert timezone.localtime(design.start, kickoff.tz).date() == date(2020, 3, 5)
    assert design.speakers.exists()


def test_past_and_upcoming_events(seeded):
    now = timezone.now()
    titles = set(Event.objects.values_list("title", flat=True))
    assert {"Lean Management training", "Study visit to Norway"} <= titles
    norway = Event.objects.get(title="Study visit to Norway")
    today_in_oslo = now.astimezone(norway.tz).date()
    assert norway.timezone == "Europe/Oslo"
    assert norway.local_start.date() == today_in_oslo - timedelta(days=9)
    # Besides the 2020 history, the past events are of the past few weeks, with attendance
    # and feedback.
    recent = Event.objects.filter(end__lt=now, start__year__gt=2020)
    assert recent.count() == 4
    for event in recent:
        assert now - timedelta(days=45) < event.start, event
        assert event.registrations.filter(status=S.ATTENDED).exists(), event
    assert Feedback.objects.filter(registration__event__in=recent).exists()
    for event in Event.objects.filter(end__lt=now):
        assert set(event.registrations.values_list("status", flat=True)) <= {
            S.ATTENDED,
            S.NO_SHOW,
        }, event
    upcoming = Event.objects.filter(start__gt=now, title__startswith="Digitalisation")
    assert upcoming.count() == 4
    days = sorted((e.local_start.date() - now.astimezone(e.tz).date()).days for e in upcoming)
    assert days == [5, 12, 30, 45]
    for event in upcoming:
        assert set(event.registrations.values_list("status", flat=True)) <= {
            S.REGISTERED,
            S.WAITLISTED,
            S.PENDING,
        }, event
    nearly_full = upcoming.get(capacity_in_person=20)
    assert nearly_full.taken_in_person == 19 and nearly_full.seats_left_in_person == 1
    assert upcoming.filter(approval_required=True, registrations__status=S.PENDING).exists()
    public = upcoming.get(audience=Event.Audience.PUBLIC, capacity_online=12)  # the webinar
    assert public.registrations.filter(status=S.WAITLISTED).exists()
    assert Question.objects.filter(event__in=upcoming).exists()


def test_demo_accounts_have_registrations(seeded):
    assert Registration.objects.filter(user__email="sme.aei@clamtex.example").exists()
    assert Registration.objects.filter(
        user__email="manager.ateval@clamtex.example", event__title="CLAMTEX kick-off meeting"
    ).exists()


def test_seeding_without_accounts(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--no-accounts")
    assert Event.objects.count() == 10
    assert not Registration.objects.filter(user__isnull=False).exists()
    twin = Event.objects.get(capacity_in_person=20, title__startswith="Digitalisation")
    assert twin.taken_in_person == 19
