"""Scoping of each resource: the same rules as the pages, and the token's scope."""

import pytest

from api.models import ApiToken
from exchange.models import Application
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event, Registration


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_organisations_are_scoped_as_the_directory(world, api, token_for):
    raw_a = token_for(world.manager_a)
    raw_b = token_for(world.manager_b)
    assert _ids(api.get("/api/v1/organisations/", raw_a)) == {world.org_a.pk}
    assert _ids(api.get("/api/v1/organisations/", raw_b)) == {world.org_b.pk}
    # another cluster's member is not found, and neither are its contacts
    assert api.get(f"/api/v1/organisations/{world.org_b.pk}/", raw_a).status_code == 404
    assert api.get(f"/api/v1/organisations/{world.org_b.pk}/contacts/", raw_a).status_code == 404
    contacts = api.get(f"/api/v1/organisations/{world.org_a.pk}/contacts/", raw_a).json()
    assert [c["full_name"] for c in contacts] == ["Anna Contacte"]


def test_organisations_use_the_directory_filters(world, api, token_for):
    raw = token_for(world.coordinator)
    assert _ids(api.get("/api/v1/organisations/?country=FR", raw)) == {world.org_b.pk}
    assert _ids(api.get("/api/v1/organisations/?q=alfa", raw)) == {world.org_a.pk}
    bad = api.get("/api/v1/organisations/?org_type=nonsense", raw)
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert "org_type" in bad.json()["errors"]


def test_anonymous_and_outsiders_get_no_members(world, api, token_for):
    assert api.get("/api/v1/organisations/").status_code == 401
    assert api.get("/api/v1/organisations/", token_for(world.outsider)).status_code == 403


def test_clusters_public_fields_for_all_full_profile_for_their_managers(world, api, token_for):
    public = api.get(f"/api/v1/clusters/{world.cluster_b.pk}/").json()
    assert "staff_fte" not in public and public["acronym"] == "EMC2"
    raw_a = token_for(world.manager_a)
    own = api.get(f"/api/v1/clusters/{world.cluster_a.pk}/", raw_a).json()
    other = api.get(f"/api/v1/clusters/{world.cluster_b.pk}/", raw_a).json()
    assert "staff_fte" in own and "staff_fte" not in other
    rows = {c["id"]: c for c in api.get("/api/v1/clusters/", raw_a).json()["results"]}
    assert "staff_fte" in rows[world.cluster_a.pk] and "staff_fte" not in rows[world.cluster_b.pk]


def test_public_events_without_token_online_link_for_organisers_only(world, api, token_for):
    public = EventFactory(
        partnership=world.partnership,
        audience=Event.Audience.PUBLIC,
        online_url="https://meet.example.org/secret",
        organisers=[world.cluster_a],
    )
    EventFactory(partnership=world.partnership, audience=Event.Audience.PARTNERSHIP)
    anonymous = api.get("/api/v1/events/")
    assert anonymous.status_code == 200
    assert _ids(anonymous) == {public.pk}
    assert "meet.example.org" not in anonymous.content.decode()
    organiser = api.get(f"/api/v1/events/{public.pk}/", token_for(world.manager_a)).json()
    assert organiser["online_url"] == "https://meet.example.org/secret"
    other = api.get(f"/api/v1/events/{public.pk}/", token_for(world.manager_b)).json()
    assert "online_url" not in other


def test_organisers_list_create_cancel_and_check_in_registrations(world, api, token_for):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    RegistrationFactory(event=event, full_name="Pau Participant")
    raw = token_for(world.manager_a, scope="write")
    listed = api.get(f"/api/v1/events/{event.pk}/registrations/", raw).json()["results"]
    assert [r["full_name"] for r in listed] == ["Pau Participant"]
    created = api.post(
        f"/api/v1/events/{event.pk}/registrations/",
        {"full_name": "Nova Persona", "email": "nova@example.org", "mode": "in_person"},
        raw,
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.post(f"/api/v1/registrations/{pk}/check-in/", raw=raw).json()["status"] == (
        "attended"
    )
    other = RegistrationFactory(event=event)
    assert api.post(f"/api/v1/registrations/{other.pk}/cancel/", raw=raw).json()["status"] == (
        "cancelled"
    )


def test_registrations_of_another_clusters_event_are_refused(world, api, token_for):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registration = RegistrationFactory(event=event)
    raw_b = token_for(world.manager_b, scope="write")
    assert api.get(f"/api/v1/events/{event.pk}/registrations/", raw_b).status_code == 404
    assert api.get(f"/api/v1/registrations/{registration.pk}/", raw_b).status_code == 404
    assert api.post(f"/api/v1/registrations/{registration.pk}/cancel/", raw=raw_b).status_code == (
        404
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def test_a_read_token_cannot_write(world, api, token_for):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registration = RegistrationFactory(event=event)
    raw = token_for(world.manager_a, scope="read")
    response = api.post(f"/api/v1/registrations/{registration.pk}/cancel/", raw=raw)
    assert response.status_code == 403
    assert response.json()["title"] == "Forbidden"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED


def test_applications_for_the_managing_cluster_and_decisions_through_the_service(
    world, api, token_for
):
    call = CallFactory(partnership=world.partnership)
    mine = ApplicationFactory(
        call=call, organisation=world.org_a, managing_cluster=world.cluster_a, status="submitted"
    )
    theirs = ApplicationFactory(
        call=call, organisation=world.org_b, managing_cluster=world.cluster_b, status="submitted"
    )
    ApplicationFactory(call=call, managing_cluster=world.cluster_a, status="draft")
    raw = token_for(world.manager_a, scope="write")
    assert _ids(api.get("/api/v1/applications/", raw)) == {mine.pk}
    assert api.get(f"/api/v1/applications/{theirs.pk}/", raw).status_code == 404
    # a rejection needs a reason, as on the page
    refused = api.post(f"/api/v1/applications/{mine.pk}/decide/", {"to": "rejected"}, raw)
    assert refused.status_code == 400
    review = api.post(f"/api/v1/applications/{mine.pk}/decide/", {"to": "under_review"}, raw)
    assert review.status_code == 200, review.content
    mine.refresh_from_db()
    assert mine.status == Application.Status.UNDER_REVIEW
    assert api.get("/api/v1/applications/", token_for(world.rep_a)).status_code == 403


def test_catalogue_shows_consented_fields_only(world, api, token_for):
    call = CallFactory(partnership=world.partnership)
    ApplicationFactory(
        call=call,
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        status="accepted",
        catalogue_fields=["country"],
    )
    raw = token_for(world.manager_a)
    rows = api.get(f"/api/v1/catalogue/?partnership={world.partnership.pk}", raw).json()
    assert rows["results"][0]["shown"] == {"country": "FR"}
    assert "Composites" not in str(rows)
    assert api.get("/api/v1/catalogue/?partnership=abc", raw).status_code == 400


def test_kpis_for_staff_only(world, api, token_for):
    from tests.projects.factories import KPIFactory, ProjectFactory

    project = ProjectFactory(partnership=world.partnership)
    KPIFactory(project=project, code="K1", name="SMEs supported")
    rows = api.get("/api/v1/kpis/", token_for(world.coordinator)).json()
    assert [r["code"] for r in rows] == ["K1"]
    assert api.get("/api/v1/kpis/", token_for(world.rep_a)).status_code == 404


def test_lists_answer_an_etag_and_304_when_unchanged(world, api, token_for):
    raw = token_for(world.manager_a)
    first = api.get("/api/v1/organisations/", raw)
    tag = first["ETag"]
    again = api.get("/api/v1/organisations/", raw, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b""
    world.org_a.legal_name = "Renamed"
    world.org_a.save()
    assert api.get("/api/v1/organisations/", raw, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_rate_limit_per_token_with_retry_after(world, api, token_for, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    from api.drf import TokenRateThrottle

    cache.clear()
    raw_a = token_for(world.rep_a)
    other = f.RepresentativeFactory(organisation=world.org_a).user
    raw_other = token_for(other)
    TokenRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min"}
    try:
        codes = [api.get("/api/v1/organisations/", raw_a).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = api.get("/api/v1/organisations/", raw_a)
        assert int(limited["Retry-After"]) > 0
        assert limited.json()["status"] == 429
        # another token is not blocked by the first one's requests
        assert api.get("/api/v1/organisations/", raw_other).status_code == 200
    finally:
        TokenRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_cursor_pagination(world, api, token_for):
    for i in range(3):
        f.MembershipFactory(cluster=world.cluster_a, organisation__legal_name=f"Extra {i}")
    raw = token_for(world.manager_a)
    page = api.get("/api/v1/organisations/?page_size=2", raw).json()
    assert len(page["results"]) == 2 and "cursor=" in page["next"]
    rest = api.get(page["next"].replace("http://testserver", ""), raw).json()
    seen = {r["id"] for r in page["results"]} | {r["id"] for r in rest["results"]}
    assert len(seen) == 4


@pytest.mark.parametrize("size", [2, 12])
def test_list_query_budget_does_not_grow(
    world, api, token_for, django_assert_max_num_queries, size
):
    for _ in range(size):
        m = f.MembershipFactory(cluster=world.cluster_a)
        f.ContactFactory(organisation=m.organisation)
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    for _ in range(size):
        RegistrationFactory(event=event)
    raw = token_for(world.manager_a)
    ApiToken.objects.update(last_used_at=None)
    with django_assert_max_num_queries(9):
        assert api.get("/api/v1/organisations/", raw).status_code == 200
    with django_assert_max_num_queries(9):
        assert api.get("/api/v1/events/", raw).status_code == 200
    with django_assert_max_num_queries(9):
        assert api.get(f"/api/v1/events/{event.pk}/registrations/", raw).status_code == 200


def test_schema_and_docs_are_served(world, client):
    """/api/docs/ shows every resource of the router, with Swagger UI from our own static
    files (no CDN)."""
    import re

    from django.contrib.staticfiles import finders

    from api.urls import router

    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}/" in text, prefix
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith(("/static/", "/api/docs/")), asset  # nothing from elsewhere
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    script = client.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script and "://" not in script.replace("http://testserver", "")


def test_exchanges_for_both_sides_and_nobody_else(world, api, token_for):
    from tests.exchange.lifecycle_factories import matched_exchange

    exchange = matched_exchange(world).exchange
    third = f.ClusterFactory(partnership=world.partnership, acronym="ATEVAL")
    stranger = f.ClusterManagerFactory(cluster=third).user
    for user in (world.manager_a, world.manager_b, world.coordinator):
        assert _ids(api.get("/api/v1/exchanges/", token_for(user))) == {exchange.pk}
    raw = token_for(stranger)
    assert _ids(api.get("/api/v1/exchanges/", raw)) == set()
    assert api.get(f"/api/v1/exchanges/{exchange.pk}/", raw).status_code == 404


def test_calls_are_public(world, api):
    call = CallFactory(partnership=world.partnership)
    assert _ids(api.get("/api/v1/calls/")) == {call.pk}


def test_session_users_need_csrf_for_writes(world, client):
    from django.test import Client

    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registration = RegistrationFactory(event=event)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.manager_a)
    response = strict.post(f"/api/v1/registrations/{registration.pk}/cancel/")
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
