"""Public event feeds (JSON, .ics) and the ECCP profile export with its readiness check."""

from decimal import Decimal

import icalendar
import pytest

from tests.workshops.factories import EventFactory
from workshops.models import Event


@pytest.fixture
def events(world):
    public = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        title="Open day on recycled fibres",
        online_url="https://meet.example.org/room-42",
    )
    members_only = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PARTNERSHIP,
        title="Partners only",
    )
    draft = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_a],
        audience=Event.Audience.PUBLIC,
        status=Event.Status.DRAFT,
        title="Not yet",
    )
    other = EventFactory(
        partnership=world.partnership,
        organisers=[world.cluster_b],
        audience=Event.Audience.PUBLIC,
        title="Composites in Nantes",
    )
    return public, members_only, draft, other


def test_cluster_feed_json_has_its_public_events_only(world, client, events):
    public, *_ = events
    response = client.get(f"/workshops/public/clusters/{world.cluster_a.pk}/events.json")
    assert response.status_code == 200
    data = response.json()
    assert [e["title"] for e in data["events"]] == ["Open day on recycled fibres"]
    assert data["events"][0]["online"] is True
    assert "meet.example.org" not in response.content.decode()
    assert response["Access-Control-Allow-Origin"] == "*"


def test_partnership_feed_ics_never_carries_the_meeting_link(world, client, events):
    response = client.get(f"/workshops/public/partnerships/{world.partnership.pk}/events.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    titles = sorted(str(c["summary"]) for c in calendar.walk("VEVENT"))
    assert titles == ["Composites in Nantes", "Open day on recycled fibres"]
    assert b"meet.example.org" not in response.content


def test_unknown_cluster_feed_is_404(db, client):
    assert client.get("/workshops/public/clusters/999999/events.json").status_code == 404


def test_feed_query_count_is_flat(world, client, django_assert_max_num_queries):
    for n in (1, 10):
        for _ in range(n):
            EventFactory(
                partnership=world.partnership,
                organisers=[world.cluster_a],
                audience=Event.Audience.PUBLIC,
            )
        with django_assert_max_num_queries(4):
            client.get(f"/workshops/public/clusters/{world.cluster_a.pk}/events.json")


def _ready(cluster):
    cluster.members_sme = 12
    cluster.members_research = 4
    cluster.staff_fte = Decimal("1.5")
    cluster.website_en = "https://cluster.example.org/en/"
    cluster.save()


def test_eccp_readiness_names_what_is_missing(world, login):
    cluster = world.cluster_a
    cluster.members_sme = 14
    cluster.staff_fte = Decimal("0.2")
    cluster.save()
    page = login(world.manager_a).get(f"/members/clusters/{cluster.pk}/").content.decode()
    assert "ECCP readiness" in page
    assert page.count("missing") >= 4
    _ready(cluster)
    page = login(world.manager_a).get(f"/members/clusters/{cluster.pk}/").content.decode()
    assert "missing" not in page


def test_eccp_export_json_and_csv(world, login):
    _ready(world.cluster_a)
    client = login(world.manager_a)
    data = client.get(f"/members/clusters/{world.cluster_a.pk}/eccp.json").json()
    assert data["profile"]["acronym"] == "AEI"
    assert data["profile"]["members_total"] == 16
    assert all(check["passed"] for check in data["readiness"])
    csv = client.get(f"/members/clusters/{world.cluster_a.pk}/eccp.csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("name,acronym") and "AEI" in row


def test_eccp_export_refused_outside_the_partnership(world, login):
    from tests import factories as f

    stranger = f.ClusterManagerFactory().user
    assert (
        login(stranger).get(f"/members/clusters/{world.cluster_a.pk}/eccp.json").status_code == 404
    )
    assert (
        login(world.outsider).get(f"/members/clusters/{world.cluster_a.pk}/eccp.csv").status_code
        == 404
    )


def test_full_profile_and_readiness_for_the_clusters_managers_and_coordinator_only(world, login):
    """As in the API: staff and member figures are the cluster's managers' and the
    coordinator's; another cluster's manager or a member sees the public profile."""
    _ready(world.cluster_a)
    url = f"/members/clusters/{world.cluster_a.pk}/"
    for user in (world.manager_b, world.rep_a):
        client = login(user)
        assert client.get(url + "eccp.json").status_code == 403
        assert client.get(url + "eccp.csv").status_code == 403
        page = client.get(url).content.decode()
        assert "ECCP readiness" not in page and "1.5 FTE" not in page
        assert f"/workshops/public/clusters/{world.cluster_a.pk}/events.json" in page
    coordinator = login(world.coordinator)
    assert coordinator.get(url + "eccp.json").status_code == 200
    page = coordinator.get(url).content.decode()
    assert "ECCP readiness" in page and "1.5 FTE" in page


def test_demo_has_a_webhook_subscription(db):
    from api.models import WebhookSubscription
    from clamtex.core.demo import seed_demo

    seed_demo(with_accounts=False)
    seed_demo(with_accounts=False)  # idempotent
    subscription = WebhookSubscription.objects.get()
    assert subscription.cluster.acronym.startswith("AEI")
    assert not subscription.is_active


def test_demo_has_a_public_feed_with_events_for_every_cluster(db, client):
    """Each demo cluster's token-less feed shows at least one event, in JSON and .ics."""
    from clamtex.core.demo import seed_demo
    from members.models import Cluster

    seed_demo(with_accounts=False)
    clusters = list(Cluster.objects.order_by("acronym"))
    assert len(clusters) == 5
    for cluster in clusters:
        feed = client.get(f"/workshops/public/clusters/{cluster.pk}/events.json")
        assert feed.status_code == 200
        assert feed.json()["events"], cluster.acronym
        assert "meet.example.org" not in feed.content.decode()
        ics = client.get(f"/workshops/public/clusters/{cluster.pk}/events.ics")
        assert b"BEGIN:VEVENT" in ics.content, cluster.acronym
