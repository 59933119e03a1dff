"""Pages of the workshops app with the Django test client: who may open which page (and
that refused POSTs change nothing), query budgets at two data sizes, what the pages show,
and the forms and emailed links that change data."""

import csv
import io
import re
import zoneinfo
from datetime import datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from notifications.models import Email
from tests import factories as f
from workshops.models import Event, Feedback, Registration, RegistrationTransition

from .factories import (
    EventFactory,
    FeedbackFactory,
    QuestionFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
)

pytestmark = pytest.mark.django_db

S = Registration.Status
LOGIN_URL = "/accounts/login/"
ROLES = ["admin", "coordinator", "manager_a", "manager_b", "rep_a", "outsider", "anonymous"]


@pytest.fixture
def event(world):
    """A published partnership workshop organised by cluster A: 20 seats in person, 5
    online."""
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        title="Smart textiles workshop",
        capacity_online=5,
        online_url="https://meet.example.org/smart",
    )


@pytest.fixture
def registration(world, event):
    return RegistrationFactory(
        event=event, organisation=world.org_a, full_name="Laia Serra", email="laia@alfa.example"
    )


@pytest.fixture
def pending(event):
    return RegistrationFactory(
        event=event, status=S.PENDING, full_name="Pau Pendent", email="pau@alfa.example"
    )


@pytest.fixture
def draft(world):
    return EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        title="Draft of a design thinking session",
        status=Event.Status.DRAFT,
    )


@pytest.fixture
def as_role(client, world):
    def _as(role):
        if role != "anonymous":
            client.force_login(getattr(world, role))
        return client

    return _as


def _html(response) -> str:
    return response.content.decode()


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _snapshot():
    """Everything an organiser action could change."""
    return (
        list(
            Event.objects.order_by("pk").values_list(
                "pk", "title", "status", "taken_in_person", "taken_online", "capacity_in_person"
            )
        ),
        list(Registration.objects.order_by("pk").values_list("pk", "status", "mode")),
        RegistrationTransition.objects.count(),
        Email.objects.count(),
    )


def _assert_status(response, expected: int):
    assert response.status_code == expected, (response.status_code, expected)
    if expected == 302 and response.status_code == 302:
        assert response.url.startswith(LOGIN_URL)


# --- Who gets which page ----------------------------------------------------------------

# Object URLs of an event organised by cluster A (published, partnership audience). Each
# row: the URL name, its argument, then the status for each role of ROLES.
# 302 always means "to the login page".
GET_MATRIX = [
    ("event_list", None, 200, 200, 200, 200, 200, 200, 200),
    ("calendar", None, 200, 200, 200, 200, 200, 200, 200),
    ("calendar_month", "month", 200, 200, 200, 200, 200, 200, 200),
    ("mine", None, 200, 200, 200, 200, 200, 200, 302),
    ("feed", None, 200, 200, 200, 200, 200, 200, 302),
    ("feed_ics", "feed", 200, 200, 200, 200, 200, 200, 200),
    ("event_create", None, 200, 403, 200, 200, 403, 403, 302),
    ("event_detail", "event", 200, 200, 200, 200, 200, 404, 404),
    ("event_ics", "event", 200, 200, 200, 200, 200, 404, 404),
    ("register", "event", 200, 200, 200, 200, 200, 404, 404),
    ("event_edit", "event", 200, 403, 200, 403, 403, 404, 302),
    ("event_cancel", "event", 200, 403, 200, 403, 403, 404, 302),
    ("participants", "event", 200, 403, 200, 403, 403, 404, 302),
    ("participants_csv", "event", 200, 403, 200, 403, 403, 404, 302),
    ("participants_xlsx", "event", 200, 403, 200, 403, 403, 404, 302),
    ("participants_message", "event", 200, 403, 200, 403, 403, 404, 302),
    ("registration_decline", "pending", 200, 404, 200, 404, 404, 404, 302),
    ("registration_cancel_by_organiser", "registration", 200, 404, 200, 404, 404, 404, 302),
    # POST only: a GET is refused without changing anything.
    ("event_publish", "event", 405, 405, 405, 405, 405, 405, 302),
    ("event_duplicate", "event", 405, 405, 405, 405, 405, 405, 302),
    ("registration_mark", "registration", 405, 405, 405, 405, 405, 405, 302),
    ("registration_approve", "pending", 405, 405, 405, 405, 405, 405, 302),
    # The registrant's links: the secret token is the permission.
    ("registration_cancel", "token", 200, 200, 200, 200, 200, 200, 200),
    ("registration_confirm", "token", 200, 200, 200, 200, 200, 200, 200),
    ("feedback", "token", 200, 200, 200, 200, 200, 200, 200),
    ("certificate", "token", 403, 403, 403, 403, 403, 403, 403),  # not attended (yet)
    # Open data for the clusters' websites: published public events only, no login.
    ("cluster_events_json", "cluster", 200, 200, 200, 200, 200, 200, 200),
    ("cluster_events_ics", "cluster", 200, 200, 200, 200, 200, 200, 200),
    ("partnership_events_json", "partnership", 200, 200, 200, 200, 200, 200, 200),
    ("partnership_events_ics", "partnership", 200, 200, 200, 200, 200, 200, 200),
]


@pytest.fixture
def url_of(world, event, registration, pending):
    from workshops import services

    feed = services.calendar_feed_get(user=world.rep_a)

    def _url(name, arg):
        args = {
            None: [],
            "month": [2030, 5],
            "feed": [feed.token],
            "event": [event.pk],
            "registration": [registration.pk],
            "pending": [pending.pk],
            "token": [registration.token],
            "cluster": [world.cluster_a.pk],
            "partnership": [world.partnership.pk],
            "unknown": [987654],
        }[arg]
        return reverse(f"workshops:{name}", args=args)

    return _url


@pytest.mark.parametrize(
    ("name", "arg", "role", "expected"),
    [
        pytest.param(name, arg, role, expected, id=f"{name}-{role}")
        for name, arg, *statuses in GET_MATRIX
        for role, expected in zip(ROLES, statuses, strict=True)
    ],
)
def test_get_access(as_role, url_of, name, arg, role, expected):
    before = _snapshot()
    response = as_role(role).get(url_of(name, arg))
    _assert_status(response, expected)
    assert _snapshot() == before


@pytest.mark.parametrize(
    "name",
    [
        "cluster_events_json",
        "cluster_events_ics",
        "partnership_events_json",
        "partnership_events_ics",
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_public_feed_of_an_unknown_cluster_or_partnership_is_404(as_role, url_of, name, role):
    _assert_status(as_role(role).get(url_of(name, "unknown")), 404)


def test_every_url_of_the_app_is_in_the_access_matrix():
    from workshops.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {row[0] for row in GET_MATRIX}


@pytest.mark.parametrize(
    ("role", "expected"), list(zip(ROLES, [200, 404, 200, 404, 404, 404, 404], strict=True))
)
def test_draft_is_seen_only_by_its_organisers(as_role, draft, role, expected):
    _assert_status(as_role(role).get(reverse("workshops:event_detail", args=[draft.pk])), expected)


def test_other_cluster_manager_sees_no_organiser_tools(as_role, world, event, registration):
    html = _html(as_role("manager_b").get(reverse("workshops:event_detail", args=[event.pk])))
    assert "Smart textiles workshop" in html
    assert "Participants and check-in" not in html
    assert reverse("workshops:participants", args=[event.pk]) not in html
    assert reverse("workshops:event_edit", args=[event.pk]) not in html
    assert registration.email not in html


# Organiser actions POSTed by people who do not organise the event. "event" actions answer
# 403 to those who see the event and 404 to those who do not; actions on one registration
# always answer 404; the draft is invisible to them (404).
def _refused(role: str, level: str) -> int:
    if role == "anonymous":
        return 302
    if level == "event" and role != "outsider":
        return 403
    return 404


def _event_form_data(event, **changes):
    tz = event.tz
    data = {
        "organisers": [c.pk for c in event.organisers.all()] if event.pk else [],
        "title": event.title,
        "kind": event.kind,
        "axis": event.axis,
        "summary": event.summary,
        "description": event.description,
        "language": event.language,
        "timezone": event.timezone,
        "start": timezone.localtime(event.start, tz).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(event.end, tz).strftime("%Y-%m-%dT%H:%M"),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "city": event.city,
        "country": str(event.country),
        "online_url": event.online_url,
        "audience": event.audience,
        "registration_opens": "",
        "registration_closes": "",
        "capacity_in_person": event.capacity_in_person,
        "capacity_online": event.capacity_online,
    }
    for prefix in ("sessions", "questions"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(changes)
    return data


ORGANISER_POSTS = [
    ("event_edit", "event", "event", {"title": "Renamed by someone else"}),
    ("event_cancel", "event", "event", {"reason": "Cancelled by someone else"}),
    ("event_duplicate", "event", "event", {}),
    ("event_publish", "draft", "draft", {}),
    (
        "participants_message",
        "event",
        "event",
        {"recipients": "active", "mode": "", "subject": "Hi", "body": "Spam"},
    ),
    ("registration_mark", "registration", "registration", {"status": "attended"}),
    ("registration_approve", "pending", "registration", {}),
    ("registration_decline", "pending", "registration", {"reason": "No"}),
    ("registration_cancel_by_organiser", "registration", "registration", {"reason": "No"}),
]


@pytest.mark.parametrize("role", ["manager_b", "coordinator", "rep_a", "outsider", "anonymous"])
@pytest.mark.parametrize(
    ("name", "target", "level", "data"),
    [pytest.param(*row, id=row[0]) for row in ORGANISER_POSTS],
)
def test_organiser_posts_are_refused_and_change_nothing(
    as_role, event, registration, pending, draft, django_capture_on_commit_callbacks, mailoutbox,
    name, target, level, data, role
):  # fmt: skip
    obj = {"event": event, "draft": draft, "registration": registration, "pending": pending}
    if name == "event_edit":
        data = _event_form_data(event, **data)
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role(role).post(
            reverse(f"workshops:{name}", args=[obj[target].pk]), data, HTTP_HX_REQUEST="true"
        )
    _assert_status(response, _refused(role, "draft" if target == "draft" else level))
    assert _snapshot() == before
    assert mailoutbox == []


def test_other_cluster_manager_cannot_name_cluster_a_as_organiser(as_role, world):
    start = timezone.localtime(timezone.now() + timedelta(days=30))
    data = _event_form_data(
        EventFactory.build(partnership=world.partnership),
        organisers=[world.cluster_a.pk],
        title="Hijacked workshop",
        start=start.strftime("%Y-%m-%dT%H:%M"),
        end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = as_role("manager_b").post(reverse("workshops:event_create"), data)
    assert response.status_code == 200
    assert "One of the organisers must be a cluster you manage." in _html(response)
    assert not Event.objects.filter(title="Hijacked workshop").exists()


def test_a_cluster_of_another_partnership_cannot_co_organise(as_role, world):
    stranger = f.ClusterFactory(acronym="FAR")
    start = timezone.localtime(timezone.now() + timedelta(days=30))
    data = _event_form_data(
        EventFactory.build(partnership=world.partnership),
        organisers=[world.cluster_b.pk, stranger.pk],
        title="Far workshop",
        start=start.strftime("%Y-%m-%dT%H:%M"),
        end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = as_role("manager_b").post(reverse("workshops:event_create"), data)
    assert "Select a valid choice" in _html(response)
    assert not Event.objects.filter(title="Far workshop").exists()


def test_co_organised_event_is_managed_by_both_clusters(as_role, world):
    start = timezone.localtime(timezone.now() + timedelta(days=30))
    data = _event_form_data(
        EventFactory.build(partnership=world.partnership),
        organisers=[world.cluster_b.pk, world.cluster_a.pk],
        title="Joint workshop",
        start=start.strftime("%Y-%m-%dT%H:%M"),
        end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = as_role("manager_b").post(reverse("workshops:event_create"), data)
    event = Event.objects.get(title="Joint workshop")
    assert response.url == reverse("workshops:event_edit", args=[event.pk])
    assert set(event.organisers.all()) == {world.cluster_a, world.cluster_b}
    # The co-organiser's manager manages it too; a draft offers Publish on its edit page.
    edit = as_role("manager_a").get(reverse("workshops:event_edit", args=[event.pk]))
    assert edit.status_code == 200
    assert reverse("workshops:event_publish", args=[event.pk]) in _html(edit)


def test_new_event_form_defaults_to_the_managers_language_and_clusters_zone(as_role, world):
    world.manager_b.language = "fr"
    world.manager_b.save()
    form = as_role("manager_b").get(reverse("workshops:event_create")).context["form"]
    assert form.initial["language"] == "fr"
    assert form.initial["timezone"] == "Europe/Paris"  # EMC2 is in France
    groups = form.fields["timezone"].choices
    first = [zone for zone, _label in groups[0][1]]
    assert {"Europe/Madrid", "Europe/Paris"} <= set(first)  # the partnership's countries
    assert len([z for _g, zones in groups for z in zones]) < 60  # not 600 raw names
    html = _html(as_role("manager_b").get(reverse("workshops:event_create")))
    assert "France – Paris" in html
    assert "Type d" in html or "Type of event" in html


# --- What organisers may do -------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager_a", "admin"])
def test_organiser_edits_the_event(as_role, event, role):
    response = as_role(role).post(
        reverse("workshops:event_edit", args=[event.pk]),
        _event_form_data(event, title="Smart textiles workshop (room 2)", capacity_in_person=30),
    )
    assert response.status_code == 302
    assert response.url == reverse("workshops:event_detail", args=[event.pk])
    event.refresh_from_db()
    assert event.title == "Smart textiles workshop (room 2)"
    assert event.capacity_in_person == 30


def test_edit_errors_keep_the_input(as_role, event):
    response = as_role("manager_a").post(
        reverse("workshops:event_edit", args=[event.pk]),
        _event_form_data(event, title="Typed title", capacity_in_person=-1),
    )
    assert response.status_code == 200
    html = _html(response)
    assert 'value="Typed title"' in html
    assert "Please correct the errors below." in html
    event.refresh_from_db()
    assert event.title == "Smart textiles workshop"


def test_manager_creates_a_draft(as_role, world):
    start = timezone.localtime(timezone.now() + timedelta(days=30), zoneinfo.ZoneInfo("UTC"))
    data = _event_form_data(
        EventFactory.build(partnership=world.partnership),
        title="Weaving 4.0",
        timezone="Europe/Lisbon",
        start=start.strftime("%Y-%m-%dT10:00"),
        end=start.strftime("%Y-%m-%dT12:00"),
    )
    data["organisers"] = [world.cluster_a.pk]
    response = as_role("manager_a").post(reverse("workshops:event_create"), data)
    created = Event.objects.get(title="Weaving 4.0")
    assert response.status_code == 302
    assert response.url == reverse("workshops:event_edit", args=[created.pk])
    assert created.status == Event.Status.DRAFT
    assert list(created.organisers.all()) == [world.cluster_a]
    assert created.local_start.strftime("%H:%M") == "10:00"  # on the Lisbon clock


def test_organiser_publishes_a_draft(as_role, draft):
    response = as_role("manager_a").post(reverse("workshops:event_publish", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED


def test_organiser_duplicates_the_event(as_role, event):
    SessionFactory(event=event, title="Opening")
    response = as_role("manager_a").post(reverse("workshops:event_duplicate", args=[event.pk]))
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.url == reverse("workshops:event_edit", args=[copy.pk])
    assert copy.status == Event.Status.DRAFT
    assert [s.title for s in copy.sessions.all()] == ["Opening"]


def test_organiser_cancels_the_event_and_everyone_is_told(
    as_role, event, registration, pending, django_capture_on_commit_callbacks, mailoutbox
):
    url = reverse("workshops:event_cancel", args=[event.pk])
    client = as_role("manager_a")
    assert "2 people registered, waiting or awaiting approval" in _html(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "The venue is closed."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert set(event.registrations.values_list("status", flat=True)) == {S.CANCELLED}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([pending.email, registration.email])


def test_organiser_approves_and_declines(as_role, event, pending):
    other = RegistrationFactory(event=event, status=S.PENDING, email="other@alfa.example")
    client = as_role("manager_a")
    response = client.post(reverse("workshops:registration_approve", args=[pending.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("workshops:registration_decline", args=[other.pk]), {"reason": "Full of SMEs"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    other.refresh_from_db()
    assert pending.status == S.REGISTERED
    assert other.status == S.CANCELLED
    assert other.history.last().note == "Full of SMEs"


def test_organiser_cancels_a_registration_and_the_first_waiting_gets_the_seat(as_role, world):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], capacity_in_person=1
    )
    seated = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=S.WAITLISTED)
    back = reverse("workshops:participants", args=[event.pk]) + "?status=registered"
    url = reverse("workshops:registration_cancel_by_organiser", args=[seated.pk])
    response = as_role("manager_a").post(url, {"reason": "", "next": back})
    assert response.url == back
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (S.CANCELLED, S.REGISTERED)


# --- Query budgets at two data sizes ----------------------------------------------------


def _events(world, n, **kwargs):
    return [
        EventFactory(
            partnership=world.partnership, organisers=[world.cluster_a, world.cluster_b], **kwargs
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("n", [3, 30])
def test_event_list_query_budget(as_role, world, django_assert_max_num_queries, n):
    for event in _events(world, n):
        RegistrationFactory(event=event, user=world.rep_a, email=world.rep_a.email)
    client = as_role("rep_a")
    with django_assert_max_num_queries(9):  # 14 before issue 11's second pass
        response = client.get(reverse("workshops:event_list"))
    assert response.status_code == 200
    assert f"{n} events" in _html(response)


@pytest.mark.parametrize("n", [3, 30])
def test_calendar_month_query_budget(as_role, world, django_assert_max_num_queries, n):
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    for i in range(n):
        start = datetime(2030, 5, 1 + i % 28, 10, 0, tzinfo=madrid)
        _events(world, 1, start=start, end=start + timedelta(hours=2))
    client = as_role("rep_a")
    with django_assert_max_num_queries(4):  # 9 before issue 11's second pass
        response = client.get(reverse("workshops:calendar_month", args=[2030, 5]))
    assert response.status_code == 200
    assert _html(response).count('class="d-block mb-2 text-decoration-none"') == n


@pytest.mark.parametrize("n", [3, 30])
def test_event_detail_query_budget(as_role, world, django_assert_max_num_queries, n):
    (event,) = _events(world, 1, capacity_in_person=100)
    for i in range(n):
        speakers = [SpeakerFactory(), SpeakerFactory()]
        SessionFactory(event=event, start=event.start + timedelta(minutes=i), speakers=speakers)
        QuestionFactory(event=event)
        RegistrationFactory(event=event, organisation=world.org_a)
    RegistrationFactory(event=event, user=world.manager_a, email=world.manager_a.email)
    client = as_role("manager_a")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("workshops:event_detail", args=[event.pk]))
    assert response.status_code == 200
    assert _html(response).count('class="fw-semibold">Session') == n


@pytest.mark.parametrize("n", [3, 30])
def test_participants_query_budget(as_role, world, django_assert_max_num_queries, n):
    (event,) = _events(world, 1, capacity_in_person=100)
    questions = [QuestionFactory(event=event) for _ in range(3)]
    for i in range(n):
        org = f.OrganisationFactory()
        user = f.UserFactory()
        registration = RegistrationFactory(
            event=event,
            organisation=org,
            user=user,
            email=user.email,
            answers={q.label: f"answer {i}" for q in questions},
            status=S.ATTENDED if i % 2 else S.REGISTERED,
        )
        if i % 2:
            FeedbackFactory(registration=registration, comments=f"comment {i}")
    client = as_role("manager_a")
    with django_assert_max_num_queries(10):  # 16 before issue 11's second pass
        response = client.get(reverse("workshops:participants", args=[event.pk]))
    assert response.status_code == 200
    assert f"{n} registrations" in _html(response)
    with django_assert_max_num_queries(7):  # 12 before
        response = client.get(
            reverse("workshops:participants", args=[event.pk]), HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_my_registrations_query_budget(as_role, world, django_assert_max_num_queries, n):
    for i, event in enumerate(_events(world, n)):
        if i % 2:
            RegistrationFactory(event=event, user=world.rep_a, email=world.rep_a.email)
        else:
            RegistrationFactory(event=event, registered_by=world.rep_a, status=S.WAITLISTED)
    client = as_role("rep_a")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("workshops:mine"))
    assert response.status_code == 200
    assert _html(response).count("<tr>") == min(n, 25) + 1  # header row + one page


# --- What the pages show ----------------------------------------------------------------


def test_event_page_shows_seats_left(as_role, event, registration):
    html = _html(as_role("rep_a").get(reverse("workshops:event_detail", args=[event.pk])))
    assert "In person: 19 seats left of 20" in " ".join(html.split())
    assert "Online: 5 seats left of 5" in " ".join(html.split())
    assert ">Register</a>" in html


def test_full_event_offers_the_waiting_list(as_role, world):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], capacity_in_person=1
    )
    RegistrationFactory(event=event)
    client = as_role("rep_a")
    html = _html(client.get(reverse("workshops:event_detail", args=[event.pk])))
    assert "The event is full." in html
    assert "Join the waiting list" in html
    url = reverse("workshops:register", args=[event.pk])
    assert "In person (full: waiting list)" in _html(client.get(url))

    response = client.post(url, {"full_name": "Rita Alfa", "mode": "in_person"}, follow=True)

    assert "Rita Alfa is on the waiting list" in _html(response)
    mine = Registration.objects.get(email=world.rep_a.email)
    assert mine.status == S.WAITLISTED
    event.refresh_from_db()
    assert event.taken_in_person == 1


def test_agenda_with_speakers_on_the_event_clock(as_role, world):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=datetime(2030, 6, 12, 9, 30, tzinfo=tokyo),
        end=datetime(2030, 6, 12, 12, 0, tzinfo=tokyo),
        timezone="Asia/Tokyo",
    )
    SessionFactory(
        event=event,
        title="Carbon fibre recycling",
        start=datetime(2030, 6, 12, 10, 0, tzinfo=tokyo),
        end=datetime(2030, 6, 12, 11, 15, tzinfo=tokyo),
        speakers=[SpeakerFactory(name="Kenji Sato", affiliation="Toray")],
    )
    html = _html(as_role("rep_a").get(reverse("workshops:event_detail", args=[event.pk])))
    assert "Wednesday 12 June 2030, 09:30–12:00" in html
    assert "Asia/Tokyo" in html
    assert "02:30" not in html  # the same moment on the server's clock (Madrid)
    assert "Carbon fibre recycling" in html
    assert "10:00–11:15" in html
    assert "Kenji Sato (Toray)" in html
    assert "The agenda will be published soon." not in html


def test_online_link_only_for_people_registered_online(as_role, world, event):
    url = reverse("workshops:event_detail", args=[event.pk])
    client = as_role("rep_a")
    assert event.online_url not in _html(client.get(url))
    RegistrationFactory(
        event=event, user=world.rep_a, email=world.rep_a.email, mode=Registration.Mode.ONLINE
    )
    assert event.online_url in _html(client.get(url))


def test_empty_states(as_role, event):
    client = as_role("manager_a")
    html = _html(client.get(reverse("workshops:event_detail", args=[event.pk])))
    assert "The agenda will be published soon." in html
    html = _html(client.get(reverse("workshops:participants", args=[event.pk])))
    assert "No registration matches these filters." in html
    assert "No feedback yet." in html
    html = _html(client.get(reverse("workshops:mine")))
    assert "You have not registered for any event yet." in html
    html = _html(client.get(reverse("workshops:calendar_month", args=[2031, 2])))
    assert "No event this month." in html
    html = _html(client.get(reverse("workshops:event_list"), {"q": "no such thing"}))
    assert "No event matches these filters." in html


def test_event_list_search_and_htmx_partial(as_role, world, event):
    EventFactory(partnership=world.partnership, organisers=[world.cluster_a], title="Circular")
    client = as_role("rep_a")
    response = client.get(reverse("workshops:event_list"), {"q": "Smart"}, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert "<html" not in html
    assert "Smart textiles workshop" in html
    assert "Circular" not in html


@pytest.mark.parametrize("name", ["event_list", "participants"])
def test_page_and_fragment_urls_vary_on_hx_request(as_role, event, name):
    """The same URL serves the page or the htmx fragment (hx-push-url): without Vary, Back
    shows the browser's cached bare fragment."""
    url = reverse(f"workshops:{name}", args=[event.pk] if name == "participants" else [])
    client = as_role("manager_a")
    page = client.get(url)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" in _html(page) and "<html" not in _html(fragment)
    for response in (page, fragment):
        assert "hx-request" in response["Vary"].lower()


def test_event_list_hides_other_clusters_cluster_only_events(as_role, world, event):
    EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_b],
        title="EMC2 members only",
        audience=Event.Audience.CLUSTER,
    )
    html = _html(as_role("rep_a").get(reverse("workshops:event_list")))
    assert "Smart textiles workshop" in html
    assert "EMC2 members only" not in html


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def test_event_filter_choices_are_each_scopes_own_and_fresh(as_role, world, event):
    """The organiser and country choices are cached per scope (the scoped query is the
    key) and renewed when an event, its organisers or a cluster change."""
    EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_b],
        title="EMC2 members only",
        audience=Event.Audience.CLUSTER,
        country="FR",
    )
    url = reverse("workshops:event_list")
    html = _html(as_role("manager_b").get(url))
    assert "EMC2" in _select(html, "organiser") and 'value="FR"' in _select(html, "country")
    html = _html(as_role("rep_a").get(url))  # another scope: its own entry
    assert "EMC2" not in _select(html, "organiser") and 'value="FR"' not in _select(html, "country")
    other = EventFactory(partnership=world.partnership, organisers=[world.cluster_a], country="PT")
    html = _html(as_role("rep_a").get(url))
    assert 'value="PT"' in _select(html, "country")
    other.organisers.add(world.cluster_b)  # a co-organiser, open to the partnership
    assert "EMC2" in _select(_html(as_role("rep_a").get(url)), "organiser")
    world.cluster_b.acronym = "EMC2-FR"
    world.cluster_b.save()
    assert "EMC2-FR" in _select(_html(as_role("rep_a").get(url)), "organiser")


def test_calendar_places_events_on_their_own_day(as_role, world):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    # 1 June 01:00 in Tokyo is still 31 May in Madrid: the calendar shows it on 1 June.
    early = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        title="Early bird in Tokyo",
        start=datetime(2030, 6, 1, 1, 0, tzinfo=tokyo),
        end=datetime(2030, 6, 1, 3, 0, tzinfo=tokyo),
        timezone="Asia/Tokyo",
    )
    client = as_role("rep_a")
    june = _html(client.get(reverse("workshops:calendar_month", args=[2030, 6])))
    may = _html(client.get(reverse("workshops:calendar_month", args=[2030, 5])))
    assert "01:00 Early bird in Tokyo" in " ".join(june.split())
    # the grid and the list both link to the event's page
    assert june.count(f'href="{reverse("workshops:event_detail", args=[early.pk])}"') == 2
    assert "No event this month." not in june
    assert "No event this month." in may


def test_calendar_hides_other_clusters_cluster_only_events(as_role, world):
    start = datetime(2030, 5, 7, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))
    for cluster in (world.cluster_a, world.cluster_b):
        EventFactory(
            partnership=world.partnership,
            organisers=[cluster],
            title=f"{cluster.acronym} members only",
            audience=Event.Audience.CLUSTER,
            start=start,
            end=start + timedelta(hours=2),
        )
    html = _html(as_role("rep_a").get(reverse("workshops:calendar_month", args=[2030, 5])))
    assert "AEI members only" in html
    assert "EMC2 members only" not in html


@pytest.mark.parametrize("path", ["2030/13", "2030/0", "1800/1", "2300/1"])
def test_calendar_with_an_invalid_month_is_404(client, path):
    assert client.get(f"/workshops/calendar/{path}/").status_code == 404


# --- Registration form ------------------------------------------------------------------


def test_member_registers_themselves(as_role, world, event, mailoutbox):
    question = QuestionFactory(event=event, label="Dietary needs?", required=True)
    client = as_role("rep_a")
    url = reverse("workshops:register", args=[event.pk])
    form = _html(client.get(url))
    assert f'value="{world.rep_a.email}"' in form
    assert "Dietary needs?" in form

    response = client.post(
        url,
        {
            "full_name": "Rita Alfa",
            "email": "someone.else@example.org",  # disabled field: ignored
            "organisation": world.org_a.pk,
            "mode": "online",
            f"q_{question.pk}": "Vegetarian",
        },
        follow=True,
    )

    registration = Registration.objects.get(event=event)
    assert registration.user == world.rep_a
    assert registration.email == world.rep_a.email
    assert registration.full_name == "Rita Alfa"
    assert registration.organisation == world.org_a
    assert registration.mode == Registration.Mode.ONLINE
    assert registration.status == S.REGISTERED
    assert registration.answers == {"Dietary needs?": "Vegetarian"}
    html = _html(response)
    assert "Rita Alfa is registered." in html
    assert "Your registrations" in html
    assert event.online_url in html


def test_representative_registers_a_colleague(as_role, world, event):
    client = as_role("rep_a")
    url = reverse("workshops:register", args=[event.pk]) + "?for=colleague"
    assert "Your colleague&#x27;s email" in _html(client.get(url))
    response = client.post(
        url,
        {
            "full_name": "Jordi Colom",
            "email": "Jordi.Colom@Alfa.example",
            "language": "ca",
            "organisation": world.org_a.pk,
            "mode": "in_person",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    assert registration.email == "jordi.colom@alfa.example"
    assert registration.user is None
    assert registration.registered_by == world.rep_a
    assert registration.organisation == world.org_a
    assert registration.language == "ca"
    assert registration.status == S.REGISTERED
    # The representative sees it among their registrations.
    html = _html(client.get(reverse("workshops:mine")))
    assert "Jordi Colom" in html and "jordi.colom@alfa.example" in html


def test_colleague_form_requires_the_organisation(as_role, world, event):
    url = reverse("workshops:register", args=[event.pk]) + "?for=colleague"
    data = {"full_name": "Jordi Colom", "email": "jordi@alfa.example", "language": "ca"}
    response = as_role("rep_a").post(url, {**data, "mode": "in_person"})
    assert response.status_code == 200
    assert "This field is required." in _html(response)
    assert not Registration.objects.exists()


def test_visitor_registers_for_a_public_event_and_confirms_by_email(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        title="Open day",
    )
    url = reverse("workshops:register", args=[event.pk])
    assert "We will email you a link to confirm your address" in _html(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "full_name": "Marta Puig",
                "email": "marta@visitor.example",
                "language": "es",
                "mode": "in_person",
            },
            follow=True,
        )
    assert "we sent a link to marta@visitor.example" in _html(response)
    registration = Registration.objects.get(event=event)
    assert registration.status == S.UNCONFIRMED
    assert registration.user is None and registration.registered_by is None
    event.refresh_from_db()
    assert event.taken_in_person == 0  # no seat before the email is confirmed
    assert Email.objects.get().kind == "workshops.confirm_email"
    (message,) = mailoutbox
    assert message.to == ["marta@visitor.example"]
    confirm_url = reverse("workshops:registration_confirm", args=[registration.token])
    assert confirm_url in message.body


def test_registration_errors_keep_the_input(client, world):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
    )
    question = QuestionFactory(event=event, label="Company size?", required=False)
    url = reverse("workshops:register", args=[event.pk])
    response = client.post(
        url,
        {
            "full_name": "Marta Puig",
            "email": "not-an-email",
            "language": "es",
            "mode": "in_person",
            f"q_{question.pk}": "About 40 people",
        },
    )
    assert response.status_code == 200
    html = _html(response)
    assert "Enter a valid email address." in html
    assert 'value="Marta Puig"' in html
    assert 'value="not-an-email"' in html
    assert "About 40 people</textarea>" in html
    assert not Registration.objects.exists()


def test_registering_twice_shows_an_error(as_role, world, event):
    RegistrationFactory(event=event, user=world.rep_a, email=world.rep_a.email)
    response = as_role("rep_a").post(
        reverse("workshops:register", args=[event.pk]),
        {"full_name": "Rita Alfa Again", "mode": "in_person"},
    )
    assert response.status_code == 200
    html = _html(response)
    assert f"{world.rep_a.email} is already registered for this event." in html
    assert 'value="Rita Alfa Again"' in html
    assert Registration.objects.filter(event=event).count() == 1


def test_closed_registration_redirects_with_a_message(as_role, world):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        registration_closes=timezone.now() - timedelta(hours=1),
    )
    response = as_role("rep_a").post(
        reverse("workshops:register", args=[event.pk]),
        {"full_name": "Late", "mode": "in_person"},
        follow=True,
    )
    assert "Registration for this event is closed." in _html(response)
    assert not Registration.objects.exists()


def test_member_of_another_cluster_cannot_register_for_a_cluster_event(as_role, world):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_b],
        audience=Event.Audience.CLUSTER,
    )
    # rep_a does not even see it; manager_b (an organiser) may register.
    url = reverse("workshops:register", args=[event.pk])
    client = as_role("rep_a")
    assert client.post(url, {"full_name": "X", "mode": "in_person"}).status_code == 404
    assert not Registration.objects.exists()


# --- Links from the emails (token pages) ------------------------------------------------


def test_cancel_link_get_changes_nothing_post_cancels(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], capacity_in_person=1
    )
    seated = RegistrationFactory(event=event, full_name="Laia Serra")
    waiting = RegistrationFactory(event=event, status=S.WAITLISTED, full_name="Wai Ting")
    url = reverse("workshops:registration_cancel", args=[seated.token])
    before = _snapshot()

    response = client.get(url)

    assert response.status_code == 200
    assert "Yes, cancel the registration" in _html(response)
    assert "no-store" in response["Cache-Control"]  # never_cache
    assert _snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert "is cancelled" in _html(response)
    seated.refresh_from_db()
    waiting.refresh_from_db()
    event.refresh_from_db()
    assert seated.status == S.CANCELLED
    assert waiting.status == S.REGISTERED  # the freed seat went to the first waiting
    assert event.taken_in_person == 1
    assert {m.to[0] for m in mailoutbox} == {seated.email, waiting.email}


def test_confirm_link_get_changes_nothing_post_confirms(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
    )
    unconfirmed = RegistrationFactory(event=event, status=S.UNCONFIRMED)
    url = reverse("workshops:registration_confirm", args=[unconfirmed.token])
    before = _snapshot()

    response = client.get(url)

    assert "Confirm my registration" in _html(response)
    assert _snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    unconfirmed.refresh_from_db()
    event.refresh_from_db()
    assert unconfirmed.status == S.REGISTERED
    assert event.taken_in_person == 1
    assert "Your email address is confirmed." in _html(response)
    assert [m.to for m in mailoutbox] == [[unconfirmed.email]]
    # A second click changes nothing.
    client.post(url)
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == S.REGISTERED
    assert RegistrationTransition.objects.filter(registration=unconfirmed).count() == 1


@pytest.mark.parametrize(
    "name", ["registration_cancel", "registration_confirm", "feedback", "certificate", "feed_ics"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_token_is_404(client, registration, name, method):
    before = _snapshot()
    response = getattr(client, method)(reverse(f"workshops:{name}", args=["not-a-token"]))
    assert response.status_code == 404
    assert _snapshot() == before


def test_feedback_after_the_event(client, world):
    start = timezone.now() - timedelta(days=2)
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=start,
        end=start + timedelta(hours=3),
    )
    attended = RegistrationFactory(event=event, status=S.ATTENDED)
    url = reverse("workshops:feedback", args=[attended.token])
    assert "How useful was the event for you?" in _html(client.get(url))
    response = client.post(url, {"rating": 5, "comments": "Great demos"}, follow=True)
    assert "Thank you for your feedback." in _html(response)
    feedback = Feedback.objects.get(registration=attended)
    assert (feedback.rating, feedback.comments) == (5, "Great demos")


def test_feedback_is_refused_before_the_event(client, registration):
    url = reverse("workshops:feedback", args=[registration.token])
    response = client.post(url, {"rating": 5})
    assert "Feedback opens when the event starts." in _html(response)
    assert not Feedback.objects.exists()


def test_certificate_pdf_for_an_attended_registration(client, world):
    start = timezone.now() - timedelta(days=2)
    event = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        start=start,
        end=start + timedelta(hours=3),
    )
    attended = RegistrationFactory(event=event, status=S.ATTENDED, organisation=world.org_a)
    response = client.get(reverse("workshops:certificate", args=[attended.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("status", [S.REGISTERED, S.NO_SHOW, S.WAITLISTED, S.CANCELLED])
def test_certificate_is_refused_without_attendance(client, event, status):
    registration = RegistrationFactory(event=event, status=status)
    response = client.get(reverse("workshops:certificate", args=[registration.token]))
    assert response.status_code == 403
    assert "once the organisers have recorded your attendance" in _html(response)
    assert not response.content.startswith(b"%PDF")


# --- Participants: check-in, exports, message -------------------------------------------


def test_check_in_with_htmx_returns_the_row(as_role, event, registration):
    url = reverse("workshops:registration_mark", args=[registration.pk])
    response = as_role("manager_a").post(url, {"status": "attended"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = _html(response).strip()
    assert html.startswith(f'<tr id="registration-{registration.pk}">')
    assert "<html" not in html
    assert '<span class="badge text-bg-success">Attended</span>' in html
    registration.refresh_from_db()
    assert registration.status == S.ATTENDED
    assert registration.history.last().note == "check-in"


def test_check_in_then_no_show_without_htmx_redirects(as_role, event, registration):
    url = reverse("workshops:registration_mark", args=[registration.pk])
    client = as_role("manager_a")
    client.post(url, {"status": "attended"})
    response = client.post(url, {"status": "no_show"}, follow=True)
    assert "Laia Serra: attendance recorded." in _html(response)
    registration.refresh_from_db()
    assert registration.status == S.NO_SHOW


def test_check_in_of_a_waiting_person_shows_the_error_in_the_row(as_role, event):
    waiting = RegistrationFactory(event=event, status=S.WAITLISTED)
    response = as_role("manager_a").post(
        reverse("workshops:registration_mark", args=[waiting.pk]),
        {"status": "attended"},
        HTTP_HX_REQUEST="true",
    )
    html = _html(response)
    assert 'role="alert"' in html and "cannot go from" in html
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED


@pytest.fixture
def participants_data(world, event, registration):
    """Two questions, three people (one waiting) on the event, one on another event."""
    diet = QuestionFactory(event=event, label="Dietary needs?", position=1)
    size = QuestionFactory(event=event, label="Company size?", position=2)
    registration.answers = {diet.label: "Vegetarian", size.label: "40"}
    registration.save()
    RegistrationFactory(event=event, full_name="Bruno Online", mode=Registration.Mode.ONLINE)
    RegistrationFactory(
        event=event, full_name="Wai Ting", status=S.WAITLISTED, answers={size.label: "=1+1"}
    )
    other = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    RegistrationFactory(event=other, full_name="Elsewhere Person")
    return event


def test_participants_page(as_role, participants_data):
    html = _html(
        as_role("manager_a").get(reverse("workshops:participants", args=[participants_data.pk]))
    )
    assert "3 registrations" in html
    assert "Laia Serra" in html and "Vegetarian" in html
    assert "Elsewhere Person" not in html
    assert "Seats left: 19 in person, 4 online." in html


def test_participants_filter(as_role, participants_data):
    url = reverse("workshops:participants", args=[participants_data.pk])
    html = _html(as_role("manager_a").get(url, {"status": "waitlisted"}, HTTP_HX_REQUEST="true"))
    assert "<html" not in html
    assert "Wai Ting" in html
    assert "Laia Serra" not in html


def test_export_csv_has_the_participants_and_their_answers(as_role, participants_data):
    response = as_role("manager_a").get(
        reverse("workshops:participants_csv", args=[participants_data.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Full name", "Email"]
    assert header[-2:] == ["Dietary needs?", "Company size?"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_name) == {"Laia Serra", "Bruno Online", "Wai Ting"}
    assert by_name["Laia Serra"]["Dietary needs?"] == "Vegetarian"
    assert by_name["Laia Serra"]["Organisation"] == "Teixits Alfa S.L."
    assert by_name["Bruno Online"]["Attendance"] == "Online"
    assert by_name["Wai Ting"]["Status"] == "On the waiting list"
    assert by_name["Wai Ting"]["Company size?"] == "'=1+1"  # no formula injection


def test_export_csv_follows_the_filters(as_role, participants_data):
    response = as_role("manager_a").get(
        reverse("workshops:participants_csv", args=[participants_data.pk]), {"mode": "online"}
    )
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Bruno Online"]


def test_export_xlsx_opens_with_openpyxl(as_role, participants_data):
    response = as_role("manager_a").get(
        reverse("workshops:participants_xlsx", args=[participants_data.pk])
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(_body(response)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Full name"
    assert rows[0][-2:] == ("Dietary needs?", "Company size?")
    assert sorted(row[0] for row in rows[1:]) == ["Bruno Online", "Laia Serra", "Wai Ting"]


def test_message_queues_outbox_emails_to_the_filtered_participants(
    as_role, participants_data, django_capture_on_commit_callbacks, mailoutbox
):
    url = reverse("workshops:participants_message", args=[participants_data.pk])
    client = as_role("manager_a")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "recipients": "registered",
                "mode": "in_person",
                "subject": "Parking at the venue",
                "body": "Use the north entrance.",
            },
            follow=True,
        )
    assert "1 email was queued" in _html(response)
    (row,) = Email.objects.all()
    assert row.kind == "workshops.announcement"
    assert row.recipient == "laia@alfa.example"
    assert row.context["subject"] == "Parking at the venue"
    assert [m.to for m in mailoutbox] == [["laia@alfa.example"]]
    assert "Use the north entrance." in mailoutbox[0].body


def test_message_to_nobody_warns(as_role, participants_data):
    response = as_role("manager_a").post(
        reverse("workshops:participants_message", args=[participants_data.pk]),
        {"recipients": "attended", "mode": "", "subject": "Thanks", "body": "Thanks"},
        follow=True,
    )
    assert "No email was queued" in _html(response)
    assert not Email.objects.exists()


# --- Calendar files -----------------------------------------------------------------------


def test_event_ics_parses(as_role, event):
    response = as_role("rep_a").get(reverse("workshops:event_ics", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Smart textiles workshop"
    assert vevent["DTSTART"].dt == event.start
    assert vevent["DTSTART"].params["TZID"] == "Europe/Madrid"


def test_private_feed_lists_my_events_and_can_be_regenerated(client, world, event):
    other = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    RegistrationFactory(event=event, user=world.rep_a, email=world.rep_a.email)
    RegistrationFactory(event=other, user=world.rep_a, email=world.rep_a.email, status=S.CANCELLED)
    client.force_login(world.rep_a)
    html = _html(client.get(reverse("workshops:feed")))
    feed_url = world.rep_a.calendar_feed.token
    old = reverse("workshops:feed_ics", args=[feed_url])
    assert old in html
    client.logout()  # calendar apps do not log in

    response = client.get(old)

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["Smart textiles workshop"]

    client.force_login(world.rep_a)
    client.post(reverse("workshops:feed"))
    client.logout()
    assert client.get(old).status_code == 404
    world.rep_a.calendar_feed.refresh_from_db()
    new = reverse("workshops:feed_ics", args=[world.rep_a.calendar_feed.token])
    assert client.get(new).status_code == 200


# --- My registrations ---------------------------------------------------------------------


def test_my_registrations_lists_mine_with_their_actions(as_role, world, event):
    RegistrationFactory(event=event, user=world.rep_a, email=world.rep_a.email)
    start = timezone.now() - timedelta(days=3)
    past = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        title="Past workshop",
        start=start,
        end=start + timedelta(hours=2),
    )
    attended = RegistrationFactory(
        event=past, user=world.rep_a, email=world.rep_a.email, status=S.ATTENDED
    )
    RegistrationFactory(event=event, full_name="Somebody Else")
    html = _html(as_role("rep_a").get(reverse("workshops:mine")))
    assert "Smart textiles workshop" in html and "Past workshop" in html
    assert "Somebody Else" not in html
    assert reverse("workshops:certificate", args=[attended.token]) in html
    assert reverse("workshops:feedback", args=[attended.token]) in html
    assert html.count(">Cancel</button>") == 1  # the past attended one cannot be cancelled
