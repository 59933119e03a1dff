"""KPI computations against known data: each figure is counted by hand in the test."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from exchange.models import (
    Application,
    ApplicationTransition,
    Exchange,
    ExchangeTransition,
    Payment,
)
from members.models import Organisation
from projects import kpis
from projects.kpis import Period
from projects.models import StrategyDocument
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event, Registration

from .factories import (
    KPIValueFactory,
    LabelRecordFactory,
    ProjectFactory,
    StrategyFactory,
    StrategyVersionFactory,
    days_ago,
    exchange,
)

pytestmark = pytest.mark.django_db

X = Exchange.Status
R = Registration.Status


def _value(key, partnership, cluster=None, period=kpis.ALL_TIME, **params):
    return kpis.compute(key, partnership=partnership, cluster=cluster, period=period, **params)


@pytest.fixture
def other_partnership(world):
    """A second partnership with one cluster C in Portugal."""
    partnership = f.PartnershipFactory(acronym="EXTRATEX")
    world.cluster_c = f.ClusterFactory(partnership=partnership, acronym="CTEX", country="PT")
    return partnership


def test_exchange_counts_only_for_the_visitors_partnership(world, other_partnership):
    a, b, c = world.cluster_a, world.cluster_b, world.cluster_c
    exchange(a, b, X.REPORT_VALIDATED)  # completed = its report is validated
    exchange(b, a, X.PAID)
    exchange(a, c, X.REPORT_VALIDATED)  # hosted in the other partnership: counts here
    exchange(c, a, X.REPORT_VALIDATED)  # visitor of the other partnership: never counts here
    exchange(a, b, X.COMPLETED)  # stay over, report not validated: not counted yet
    exchange(a, b, X.MATCHED)  # not completed yet
    exchange(b, a, X.CANCELLED)
    exchange(a, b, X.NOT_HAPPENED)  # did not take place: never counts
    external_visitor = exchange(a, a, X.REPORT_VALIDATED)
    # A visitor of another partnership (no application, no cluster on its side here):
    # counts for its own partnership, never for the host's.
    Exchange.objects.filter(pk=external_visitor.pk).update(
        visitor_application=None, visitor_cluster=None
    )

    assert _value("exchanges_completed", world.partnership).value == 3
    assert _value("exchanges_completed", world.partnership, a).value == 2
    assert _value("exchanges_completed", world.partnership, b).value == 1
    assert _value("exchanges_completed", other_partnership).value == 1
    assert _value("exchanges_completed", other_partnership, c).value == 1


def test_grants_paid_are_recorded_payments_and_invent_no_amount(world):
    a, b = world.cluster_a, world.cluster_b
    for status, amount in [(X.PAID, "390"), (X.CLOSED, "780")]:
        Payment.objects.create(
            exchange=exchange(a, b, status),
            amount=Decimal(amount),
            paid_on=days_ago(3),
            reference="SEPA",
            recorded_by=world.manager_a,
        )
    exchange(a, b, X.PAID)  # marked paid, no payment recorded: its amount is unknown
    exchange(b, a, X.REPORT_VALIDATED)  # not paid yet
    measure = _value("grants_paid", world.partnership)
    assert measure.value == 3
    assert measure.extra == {"amount": Decimal("1170"), "unrecorded": 1}
    assert "1 paid without a recorded payment" in measure.note
    assert _value("grants_paid", world.partnership, b).value == 0
    last_year = Period(days_ago(400), days_ago(300))
    assert _value("grants_paid", world.partnership, period=last_year).extra["amount"] == 0


def test_exchanges_are_dated_by_their_completion(world):
    done = exchange(world.cluster_a, world.cluster_b, X.REPORT_VALIDATED)
    ExchangeTransition.objects.create(
        exchange=done,
        from_status="report_submitted",
        to_status="report_validated",
        at=timezone.now() - timedelta(days=200),
    )
    exchange(world.cluster_a, world.cluster_b, X.REPORT_VALIDATED)  # no history: creation
    recent = Period(days_ago(30), None)
    assert _value("exchanges_completed", world.partnership, period=recent).value == 1
    assert _value("exchanges_completed", world.partnership).value == 2


def test_exchange_funnel(world):
    a, b = world.cluster_a, world.cluster_b
    exchange(a, b, X.REPORT_VALIDATED)  # 2 accepted applications (visitor and host)
    paid = exchange(a, b, X.PAID)  # 2 more; "paid" = a payment is recorded
    Payment.objects.create(
        exchange=paid,
        amount=Decimal("390"),
        paid_on=days_ago(1),
        reference="T",
        recorded_by=world.manager_a,
    )
    exchange(a, b, X.MATCHED)  # 2 more
    call = CallFactory(partnership=world.partnership)
    ApplicationFactory(call=call, managing_cluster=a, status=Application.Status.SUBMITTED)
    ApplicationFactory(call=call, managing_cluster=a, status=Application.Status.DRAFT)
    funnel = {s["key"]: s["value"] for s in kpis.exchange_funnel(world.partnership)}
    assert funnel == {"applications": 7, "accepted": 6, "matched": 3, "completed": 2, "paid": 1}
    funnel_a = {s["key"]: s["value"] for s in kpis.exchange_funnel(world.partnership, a)}
    assert funnel_a == {"applications": 4, "accepted": 3, "matched": 3, "completed": 2, "paid": 1}


def _past(days, **kwargs):
    start = timezone.now() - timedelta(days=days)
    return EventFactory(start=start, end=start + timedelta(hours=3), **kwargs)


def test_events_held_and_participants(world):
    p, a, b = world.partnership, world.cluster_a, world.cluster_b
    training = _past(10, partnership=p, organisers=[a], kind=Event.Kind.TRAINING)
    for status in (R.ATTENDED, R.ATTENDED, R.ATTENDED, R.NO_SHOW, R.REGISTERED):
        RegistrationFactory(event=training, status=status)
    workshop = _past(20, partnership=p, organisers=[b], kind=Event.Kind.WORKSHOP)
    RegistrationFactory.create_batch(2, event=workshop, status=R.ATTENDED)
    _past(5, partnership=p, organisers=[a], status=Event.Status.DRAFT)
    _past(5, partnership=p, organisers=[a], status=Event.Status.CANCELLED)
    upcoming = EventFactory(partnership=p, organisers=[a])  # in ten days
    RegistrationFactory(event=upcoming, status=R.REGISTERED)
    old = _past(400, partnership=p, organisers=[a])
    RegistrationFactory(event=old, status=R.ATTENDED)

    year = Period(days_ago(365), timezone.localdate())
    assert _value("events_held", p, period=year).value == 2
    assert _value("events_held", p).value == 3  # with the old one
    assert _value("events_held", p, a, year).value == 1
    assert _value("events_held", p, period=year, kinds=["training"]).value == 1
    assert _value("participants", p, period=year).value == 5
    assert _value("participants", p, a, year).value == 3
    assert _value("participants", p, b, year).value == 2
    assert _value("participants", p).value == 6


def test_smes_supported_are_distinct_smes_with_a_seat_or_an_accepted_application(world):
    p, a = world.partnership, world.cluster_a
    first = _past(10, partnership=p, organisers=[a])
    second = _past(5, partnership=p, organisers=[a])
    RegistrationFactory(event=first, organisation=world.org_a, status=R.ATTENDED)
    RegistrationFactory(event=second, organisation=world.org_a, status=R.REGISTERED)  # same SME
    large = f.OrganisationFactory(org_type=Organisation.Type.LARGE)
    f.MembershipFactory(organisation=large, cluster=a)
    RegistrationFactory(event=first, organisation=large, status=R.ATTENDED)  # not an SME
    cancelled = f.OrganisationFactory()
    f.MembershipFactory(organisation=cancelled, cluster=a)
    RegistrationFactory(event=first, organisation=cancelled, status=R.CANCELLED)
    call = CallFactory(partnership=p)
    accepted = ApplicationFactory(
        call=call,
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        status=Application.Status.ACCEPTED,
    )
    ApplicationTransition.objects.create(
        application=accepted, from_status="under_review", to_status="accepted"
    )
    ApplicationFactory(
        call=call,
        organisation=f.OrganisationFactory(),
        managing_cluster=a,
        status=Application.Status.REJECTED,
    )

    assert _value("smes_supported", p).value == 2
    assert _value("smes_supported", p, a).value == 1
    assert _value("smes_supported", p, world.cluster_b).value == 1
    long_ago = Period(days_ago(1000), days_ago(900))
    assert _value("smes_supported", p, period=long_ago).value == 0


def test_strategies_and_labels(world):
    project = ProjectFactory(partnership=world.partnership)
    for cluster in (world.cluster_a, world.cluster_b):
        doc = StrategyFactory(project=project, cluster=cluster)
        StrategyVersionFactory(document=doc, number=1, is_final=False)
    StrategyVersionFactory(document=doc, number=2, is_final=True)  # B's is delivered
    joint = StrategyFactory(project=project, cluster=None)
    StrategyVersionFactory(document=joint, number=1)
    StrategyFactory(project=project, cluster=world.cluster_a, kind=StrategyDocument.Kind.ROADMAP)

    p = world.partnership
    assert _value("strategies_delivered", p).value == 2
    assert _value("strategies_delivered", p, joint=False).value == 1
    assert _value("strategies_delivered", p, joint=True).value == 1
    assert _value("strategies_delivered", p, world.cluster_a).value == 0

    LabelRecordFactory(cluster=world.cluster_a, label="bronze", awarded_on=days_ago(700))
    LabelRecordFactory(cluster=world.cluster_a, label="silver", awarded_on=days_ago(10))
    LabelRecordFactory(cluster=world.cluster_b, label="none", awarded_on=days_ago(10))
    LabelRecordFactory(
        cluster=world.cluster_b, label="gold", awarded_on=None, benchmarked_on=days_ago(3)
    )
    assert _value("labels_obtained", p).value == 2
    assert _value("labels_obtained", p, period=Period(days_ago(30), None)).value == 1
    assert _value("labels_obtained", p, labels=["silver", "gold"]).value == 1
    assert _value("benchmarkings", p, world.cluster_b).value == 1


def test_kpi_table_sums_manual_values_and_compares_with_the_target(world, project):
    k3 = project.kpis.get(code="K3")
    KPIValueFactory(kpi=k3, cluster=world.cluster_a, value=4)
    KPIValueFactory(kpi=k3, cluster=world.cluster_b, value=Decimal("1.5"))
    KPIValueFactory(  # before the project: not counted
        kpi=k3, period_start=days_ago(900), period_end=days_ago(800), value=100
    )
    exchange(world.cluster_a, world.cluster_b, X.REPORT_VALIDATED)

    rows = {row.kpi.code: row for row in kpis.kpi_table(project)}
    assert rows["K3"].cumulative == Decimal("5.5")
    assert rows["K3"].percent == 22  # 5.5 of 25
    assert rows["K1"].cumulative == 1
    assert rows["K1"].percent == 2  # 1 of 40
    cluster_rows = {row.kpi.code: row for row in kpis.kpi_table(project, cluster=world.cluster_b)}
    assert cluster_rows["K3"].cumulative == Decimal("1.5")
    assert cluster_rows["K1"].cumulative == 0
    # In a period of the last 20 days: nothing manual (the values end 30 days ago), but
    # the cumulative value still counts from the start of the project.
    recent = {
        row.kpi.code: row
        for row in kpis.kpi_table(project, period=Period(days_ago(20), timezone.localdate()))
    }
    assert recent["K3"].value == 0
    assert recent["K3"].cumulative == Decimal("5.5")
