"""Per resource and per token scope: a read token never writes, another cluster's token is
refused; the pages' filters; query budgets of every list at two data sizes."""

import pytest

from api.models import ApiToken
from exchange.models import Application, Exchange
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.projects.factories import KPIFactory, ProjectFactory
from tests.projects.factories import exchange as make_exchange
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event, Registration

CHECKED = ["membership_confirmed", "documents_complete", "objectives_clear"]


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def things(world):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registration = RegistrationFactory(event=event)
    org = f.OrganisationFactory(country="ES")
    f.MembershipFactory(organisation=org, cluster=world.cluster_a)
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        organisation=org,
        managing_cluster=world.cluster_a,
        status="submitted",
    )
    return event, registration, application


def _writes(event, registration, application):
    return [
        (
            f"/api/v1/events/{event.pk}/registrations/",
            {"full_name": "Nova", "email": "nova@example.org", "mode": "in_person"},
        ),
        (f"/api/v1/registrations/{registration.pk}/cancel/", {}),
        (f"/api/v1/registrations/{registration.pk}/check-in/", {}),
        (f"/api/v1/applications/{application.pk}/decide/", {"to": "under_review"}),
    ]


def test_a_read_token_cannot_write_anywhere(world, api, token_for, things):
    event, registration, application = things
    raw = token_for(world.manager_a, scope="read")
    for url, body in _writes(*things):
        response = api.post(url, body, raw)
        assert response.status_code == 403, url
        assert response["Content-Type"] == "application/problem+json"
    assert Registration.objects.filter(event=event).count() == 1
    registration.refresh_from_db()
    application.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert application.status == Application.Status.SUBMITTED


def test_the_same_writes_pass_with_a_read_write_token(world, api, token_for, things):
    """The refusals above come from the scope, not from the request."""
    raw = token_for(world.manager_a, scope="write")
    codes = [api.post(url, body, raw).status_code for url, body in _writes(*things)]
    assert codes == [201, 200, 400, 200]  # check-in after a cancellation is refused (400)


def test_another_clusters_write_token_is_refused_everywhere(world, api, token_for, things):
    event, registration, application = things
    raw_b = token_for(world.manager_b, scope="write")
    for url, body in _writes(*things):
        assert api.post(url, body, raw_b).status_code in (403, 404), url
    registration.refresh_from_db()
    application.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
    assert application.status == Application.Status.SUBMITTED


def test_another_clusters_token_reads_nothing_private(world, api, token_for, things):
    event, registration, application = things
    raw_b = token_for(world.manager_b)
    for url in (
        f"/api/v1/organisations/{world.org_a.pk}/",
        f"/api/v1/organisations/{world.org_a.pk}/contacts/",
        f"/api/v1/events/{event.pk}/registrations/",
        f"/api/v1/registrations/{registration.pk}/",
        f"/api/v1/applications/{application.pk}/",
    ):
        assert api.get(url, raw_b).status_code == 404, url
    assert application.pk not in _ids(api.get("/api/v1/applications/", raw_b))
    assert world.org_a.pk not in _ids(api.get("/api/v1/organisations/", raw_b))
    cluster = api.get(f"/api/v1/clusters/{world.cluster_a.pk}/", raw_b).json()
    assert "staff_fte" not in cluster
    # another partnership's catalogue and KPIs
    other = f.ClusterFactory()
    stranger = token_for(f.ClusterManagerFactory(cluster=other).user)
    catalogue = api.get(f"/api/v1/catalogue/?partnership={world.partnership.pk}", stranger)
    assert catalogue.status_code == 403
    KPIFactory(project=ProjectFactory(partnership=world.partnership))
    assert api.get("/api/v1/kpis/", stranger).status_code == 404


def test_contacts_follow_the_directory_selector(world, api, token_for):
    f.ContactFactory(organisation=world.org_a, full_name="Zoe Primera", is_primary=True)
    rows = api.get(f"/api/v1/organisations/{world.org_a.pk}/contacts/", token_for(world.rep_a))
    assert [c["full_name"] for c in rows.json()] == ["Zoe Primera", "Anna Contacte"]
    coordinator = token_for(world.coordinator)
    rows = api.get(f"/api/v1/organisations/{world.org_b.pk}/contacts/", coordinator).json()
    assert [c["full_name"] for c in rows] == ["Bruno Contact"]


def test_accepting_through_the_api_needs_the_checklist_as_on_the_page(
    world, api, token_for, things
):
    _event, _registration, application = things
    raw = token_for(world.manager_a, scope="write")
    url = f"/api/v1/applications/{application.pk}/decide/"
    refused = api.post(url, {"to": "accepted", "checklist": CHECKED[:2]}, raw)
    assert refused.status_code == 400 and "Objectives clear" in str(refused.json()["errors"])
    accepted = api.post(url, {"to": "accepted", "checklist": CHECKED}, raw)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"


def test_lists_take_the_pages_filters(world, api, token_for, things):
    from datetime import timedelta

    from django.utils import timezone

    event, registration, application = things
    past = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        kind=Event.Kind.WEBINAR if event.kind != Event.Kind.WEBINAR else Event.Kind.WORKSHOP,
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10) + timedelta(hours=2),
    )
    raw = token_for(world.manager_a, scope="write")
    assert _ids(api.get("/api/v1/events/", raw)) >= {event.pk, past.pk}  # every date
    assert _ids(api.get("/api/v1/events/?when=past", raw)) == {past.pk}
    assert _ids(api.get(f"/api/v1/events/?kind={past.kind}", raw)) == {past.pk}
    bad = api.get("/api/v1/events/?when=yesterday", raw)
    assert bad.status_code == 400 and "when" in bad.json()["errors"]

    other = RegistrationFactory(event=event, full_name="Quim Filtrat")
    api.post(f"/api/v1/registrations/{other.pk}/cancel/", raw=raw)
    url = f"/api/v1/events/{event.pk}/registrations/"
    assert _ids(api.get(url + "?status=cancelled", raw)) == {other.pk}
    assert _ids(api.get(url + "?q=quim", raw)) == {other.pk}
    assert api.get(url + "?status=nonsense", raw).status_code == 400

    assert _ids(api.get("/api/v1/applications/?status=submitted", raw)) == {application.pk}
    assert _ids(api.get("/api/v1/applications/?status=accepted", raw)) == set()
    assert api.get("/api/v1/applications/?role=nonsense", raw).status_code == 400

    done = make_exchange(world.cluster_a, world.cluster_b, status=Exchange.Status.COMPLETED)
    make_exchange(world.cluster_a, world.cluster_b, status=Exchange.Status.READY)
    assert _ids(api.get("/api/v1/exchanges/?status=completed", raw)) == {done.pk}
    name = done.visitor_organisation.legal_name
    assert done.pk in _ids(api.get(f"/api/v1/exchanges/?q={name}", raw))
    assert api.get("/api/v1/exchanges/?status=nonsense", raw).status_code == 400

    entry = ApplicationFactory(
        call=application.call,
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        status="accepted",
        role=Application.Role.HOST,
        catalogue_fields=["country"],
    )
    base = f"/api/v1/catalogue/?partnership={world.partnership.pk}"
    assert entry.pk in _ids(api.get(base + "&role=host", raw))
    assert entry.pk not in _ids(api.get(base + "&role=visitor", raw))
    assert entry.pk in _ids(api.get(base + "&country=FR", raw))
    assert entry.pk not in _ids(api.get(base + "&country=ES", raw))
    assert api.get(base + "&activity=nonsense", raw).status_code == 400


def _grow(world, size):
    """`size` more rows behind every list."""
    call = CallFactory(partnership=world.partnership)
    project = ProjectFactory(partnership=world.partnership)
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    for _ in range(size):
        membership = f.MembershipFactory(cluster=world.cluster_a)
        f.ContactFactory(organisation=membership.organisation)
        f.ClusterFactory(partnership=world.partnership)
        EventFactory(
            partnership=world.partnership,
            organisers=[world.cluster_a, world.cluster_b],
            audience=Event.Audience.PUBLIC,
        )
        RegistrationFactory(event=event)
        CallFactory(partnership=world.partnership)
        ApplicationFactory(
            call=call,
            organisation=membership.organisation,
            managing_cluster=world.cluster_a,
            status="accepted",
            catalogue_fields=["organisation", "country", "sectors", "objectives", "contact"],
        )
        make_exchange(world.cluster_a, world.cluster_b)
        KPIFactory(project=project)
    return event, project


# Every list endpoint: the same number of queries at 2 and at 12 rows of everything.
LISTS = [
    "/api/v1/partnerships/",
    "/api/v1/clusters/",
    "/api/v1/organisations/",
    "/api/v1/events/",
    "/api/v1/events/{event}/registrations/",
    "/api/v1/calls/",
    "/api/v1/catalogue/?partnership={partnership}",
    "/api/v1/applications/",
    "/api/v1/exchanges/",
    "/api/v1/kpis/?project={project}",
]


def _count(api, raw, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        ApiToken.objects.update(last_used_at=None)  # the same write on every request
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, raw)
        assert response.status_code == 200, (url, response.content)
        counts[url] = len(queries)
    return counts


def test_list_query_counts_do_not_grow_with_the_data(world, api, token_for):
    raw = token_for(world.manager_a)  # an organiser, a reviewer, a visitor's manager
    event, project = _grow(world, 2)
    urls = [
        u.format(event=event.pk, partnership=world.partnership.pk, project=project.pk)
        for u in LISTS
    ]
    small = _count(api, raw, urls)
    _grow(world, 10)
    large = _count(api, raw, urls)
    assert large == small
    assert max(small.values()) <= 12, small


def test_a_filter_naming_something_unseen_matches_nothing(world, api, token_for, things):
    """Choices that depend on what the caller sees (another partnership's cluster or call,
    a country without members) are valid searches with no result, not errors."""
    raw = token_for(world.manager_a)
    other = f.ClusterFactory()
    assert _ids(api.get(f"/api/v1/organisations/?cluster={other.pk}", raw)) == set()
    mine = _ids(api.get(f"/api/v1/organisations/?cluster={world.cluster_a.pk}", raw))
    assert world.org_a.pk in mine and world.org_b.pk not in mine
    assert _ids(api.get("/api/v1/organisations/?country=XX", raw)) == set()
    assert _ids(api.get(f"/api/v1/events/?organiser={other.pk}", raw)) == set()
    assert _ids(api.get("/api/v1/applications/?call=999999", raw)) == set()
    assert _ids(api.get("/api/v1/applications/?call=-5", raw)) == set()
    base = f"/api/v1/catalogue/?partnership={world.partnership.pk}"
    assert _ids(api.get(base + "&sector=abc", raw)) == set()


def test_serving_the_schema_leaves_the_filters_working(world, api, token_for, client, login):
    """The schema generator builds the filters' form fields once, without a request's
    choices; neither the API's lists nor the directory page may keep those."""
    assert client.get("/api/schema/").status_code == 200
    raw = token_for(world.coordinator)
    ids = _ids(api.get(f"/api/v1/organisations/?cluster={world.cluster_b.pk}", raw))
    assert ids == {world.org_b.pk}
    page = login(world.coordinator).get(f"/members/?cluster={world.cluster_b.pk}")
    text = page.content.decode()
    assert world.org_b.legal_name in text and world.org_a.legal_name not in text


def test_exchange_cancel_through_the_page_service(world, api, token_for):
    from api.models import WebhookDelivery
    from api.webhooks import subscription_create
    from tests.exchange.lifecycle_factories import matched_exchange

    exchange = matched_exchange(world).exchange
    url = f"/api/v1/exchanges/{exchange.pk}/cancel/"
    assert api.post(url, {"reason": "x"}, token_for(world.manager_a)).status_code == 403  # read
    third = f.ClusterManagerFactory(cluster=f.ClusterFactory(partnership=world.partnership))
    assert api.post(url, {"reason": "x"}, token_for(third.user, "write")).status_code == 404
    raw = token_for(world.manager_b, scope="write")  # the host's cluster
    missing = api.post(url, {"reason": "  "}, raw)
    assert missing.status_code == 400
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.MATCHED
    subscription_create(
        cluster=world.cluster_a,
        url="https://a.example.org/hook",
        event_types=["exchange.status_changed"],
        by=world.manager_a,
    )
    done = api.post(url, {"reason": "The host closed for the summer."}, raw)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled"
    delivery = WebhookDelivery.objects.get(event_type="exchange.status_changed")
    assert delivery.payload["data"]["to"] == "cancelled"
