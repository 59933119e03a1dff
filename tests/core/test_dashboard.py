"""The dashboards as work queues: what each role has to do next, with counts, newest or
most urgent first, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from exchange.models import (
    Application,
    ClosingReport,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    MatchProposal,
    Signature,
)
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.projects import factories as pf
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Registration

pytestmark = pytest.mark.django_db
X = Exchange.Status


def populate(world, n: int) -> dict:
    """n items in every queue of manager_a (cluster AEI); one of each for cluster EMC2."""
    today = timezone.localdate()
    call = CallFactory(partnership=world.partnership)
    made = {}
    for i in range(n):
        made.setdefault("review", []).append(
            ApplicationFactory(
                call=call,
                managing_cluster=world.cluster_a,
                status=Application.Status.SUBMITTED,
                submitted_at=timezone.now() - timedelta(days=i),
            )
        )
        ApplicationFactory(
            call=call,
            managing_cluster=world.cluster_a,
            status=Application.Status.INFO_REQUESTED,
            submitted_at=timezone.now() - timedelta(days=10 + i),
        )
        visitor = ApplicationFactory(
            call=call, managing_cluster=world.cluster_b, status=Application.Status.ACCEPTED
        )
        host = ApplicationFactory(
            call=call,
            managing_cluster=world.cluster_a,
            status=Application.Status.ACCEPTED,
            role=Application.Role.HOST,
        )
        MatchProposal.objects.create(visitor=visitor, host=host, proposer_side="visitor")
        matched = pf.exchange(world.cluster_a, world.cluster_b, status=X.MATCHED)
        ExchangeDocument.objects.create(
            exchange=matched, kind=ExchangeDocument.Kind.COMMITMENT, version=1, content_hash="h"
        )
        ready = pf.exchange(world.cluster_a, world.cluster_b, status=X.READY)
        ExchangePlan.objects.create(
            exchange=ready, start_date=today + timedelta(days=2), end_date=today + timedelta(20)
        )
        submitted = pf.exchange(world.cluster_a, world.cluster_b, status=X.REPORT_SUBMITTED)
        ClosingReport.objects.create(
            exchange=submitted, status=ClosingReport.Status.SUBMITTED, submitted_at=timezone.now()
        )
        validated = pf.exchange(world.cluster_a, world.cluster_b, status=X.REPORT_VALIDATED)
        ExchangePlan.objects.create(exchange=validated, grant_amount=Decimal("1100"))
        ClosingReport.objects.create(
            exchange=validated,
            status=ClosingReport.Status.VALIDATED,
            validated_at=timezone.now() - timedelta(days=20 + i),
        )
        event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
        RegistrationFactory(event=event, status=Registration.Status.PENDING)
        f.InvitationFactory(cluster=world.cluster_a, organisation=world.org_a)
    project = pf.ProjectFactory(partnership=world.partnership)
    lead = pf.PartnerFactory(project=project, cluster=world.cluster_a)
    package = pf.WorkPackageFactory(project=project, lead=lead)
    for i in range(n):
        pf.DeliverableFactory(work_package=package, due_date=today - timedelta(days=5 + i))
    other = pf.WorkPackageFactory(
        project=project, lead=pf.PartnerFactory(project=project, cluster=world.cluster_b)
    )
    pf.DeliverableFactory(work_package=other, due_date=today - timedelta(days=3))
    pf.KPIFactory(project=project, name="Organisations supported", unit="organisations")
    # Another cluster's work never shows in manager_a's queues.
    ApplicationFactory(
        call=call,
        managing_cluster=world.cluster_b,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return made


def queues_of(response) -> dict:
    return {q.key: q for q in response.context["queues"]}


@pytest.mark.parametrize("n", [1, 6])
def test_manager_dashboard_lists_every_queue_in_a_fixed_number_of_queries(
    world, client, n, django_assert_max_num_queries
):
    made = populate(world, n)
    client.force_login(world.manager_a)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    queues = queues_of(response)
    expected = {
        "applications_to_review": n,
        "applications_waiting": n,
        "proposals": n,
        "documents_to_sign": n,
        "exchanges_this_week": n,
        "reports_to_validate": n,
        "payments": n,
        "registrations_pending": n,
        "my_events": n,
        "invitations": n,
        "late_deliverables": n,
    }
    assert {key: queues[key].total for key in expected} == expected
    assert all(len(q.items) == min(n, 5) for q in queues.values())
    # Newest submission first; each item links to where the work is done.
    newest = made["review"][0]
    first = queues["applications_to_review"].items[0]
    assert first.url == reverse("exchange:application_detail", args=[newest.pk])
    content = response.content.decode()
    assert "Applications to review" in content and first.url in content
    assert queues["payments"].items[0].urgent  # overdue
    assert "1,100.00" in queues["payments"].items[0].note


def test_another_clusters_manager_sees_only_their_own_queues(world, client):
    populate(world, 2)
    client.force_login(world.manager_b)
    queues = queues_of(client.get(reverse("home")))
    assert queues["applications_to_review"].total == 1
    assert queues["reports_to_validate"].total == 0  # manager_b is only the HOP
    assert queues["documents_to_sign"].total == 2  # HOP signs the commitment
    assert queues["late_deliverables"].total == 1


def test_a_signed_document_leaves_the_queue(world, client):
    populate(world, 1)
    document = ExchangeDocument.objects.get()
    Signature.objects.create(
        document=document, role=Signature.Role.VOP, user=world.manager_a, document_hash="h"
    )
    client.force_login(world.manager_a)
    assert queues_of(client.get(reverse("home")))["documents_to_sign"].total == 0


@pytest.mark.parametrize("n", [1, 5])
def test_coordinator_sees_kpis_late_deliverables_and_cluster_shares(
    world, client, n, django_assert_max_num_queries
):
    populate(world, n)
    client.force_login(world.coordinator)
    # The first request after a write computes the programme figures (cached then, see
    # projects.selectors.dashboard_figures); the next ones read them.
    with django_assert_max_num_queries(30):
        client.get(reverse("home"))
    with django_assert_max_num_queries(9):  # 16 before
        response = client.get(reverse("home"))
    content = response.content.decode()
    assert "Organisations supported" in content
    overview = response.context["overview"]
    assert overview["late"].total == n + 1
    rows = {row["key"]: row for row in response.context["shares"]["rows"]}
    review = rows["applications_to_review"]
    assert review["total"] == n + 1
    assert [c["n"] for c in review["cells"]] == [n, 1]  # AEI, EMC2
    assert review["cells"][0]["share"] == round(100 * n / (n + 1))
    assert rows["late_deliverables"]["total"] == n + 1


def test_sme_dashboard_shows_the_next_steps(world, client, django_assert_max_num_queries):
    call = CallFactory(partnership=world.partnership)
    application = ApplicationFactory(
        call=call,
        applicant=world.rep_a,
        organisation=world.org_a,
        managing_cluster=world.cluster_a,
        status=Application.Status.INFO_REQUESTED,
    )
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registered = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    RegistrationFactory(event=registered, user=world.rep_a, email=world.rep_a.email)
    client.force_login(world.rep_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    content = response.content.decode()
    assert "answer it" in content
    assert reverse("exchange:application_edit", args=[application.pk]) in content
    queues = {q.key: q for q in response.context["sme_queues"]}
    assert [i.label for i in queues["my_registrations"].items] == [registered.title]
    assert [i.label for i in queues["events_open"].items] == [event.title]
    profile = response.context["profiles"][0]
    assert profile["organisation"] == world.org_a and 0 < profile["percent"] < 100
    assert "complete" in content


def test_sme_exchange_says_what_it_needs(world, client):
    exchange = pf.exchange(world.cluster_a, world.cluster_b, status=X.COMPLETED)
    f.RepresentativeFactory(organisation=exchange.visitor_organisation, user=world.rep_a)
    client.force_login(world.rep_a)
    response = client.get(reverse("home"))
    assert "Write and submit your closing report." in response.content.decode()


def test_the_applicants_of_both_sides_see_their_exchange_and_no_one_else(world, client):
    """The applicants (not representatives of the organisations) find the exchange through
    their applications, on the visitor's and the host's side."""
    exchange = pf.exchange(world.cluster_a, world.cluster_b, status=X.COMPLETED)
    for application in (exchange.visitor_application, exchange.host_application):
        client.force_login(application.applicant)
        home = client.get(reverse("home"))
        assert home.context["applicant"]["exchange"]["object"] == exchange
    client.force_login(f.UserFactory())
    assert "exchange" not in client.get(reverse("home")).context["applicant"]


def test_member_figures_load_separately(world, client):
    client.force_login(world.manager_a)
    content = client.get(reverse("home_figures")).content.decode()
    assert "Members of your cluster" in content and "The whole partnership" in content
    client.force_login(world.rep_a)
    assert "Members" not in client.get(reverse("home_figures")).content.decode()


def test_a_submitted_exchange_without_its_report_row_still_shows(world, client):
    """Data loaded outside the services (seed_scale, a hand repair) may mark an exchange
    "report submitted" with no report row: the queue lists it instead of failing."""
    exchange = pf.exchange(world.cluster_a, world.cluster_b, status=X.REPORT_SUBMITTED)
    client.force_login(world.manager_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    items = queues_of(response)["reports_to_validate"].items
    assert [i.url for i in items] == [reverse("exchange:exchange_detail", args=[exchange.pk])]
