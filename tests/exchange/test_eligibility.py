"""Every eligibility rule, table-driven: what passes and what fails, with the reason."""

import pytest

from exchange.applications import eligibility
from exchange.models import Application, EligibleCountry, Exchange
from members.models import Membership
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db

R = Application.Role


@pytest.fixture
def call(world):
    return CallFactory(partnership=world.partnership)


def _app(call, world, *, org=None, member=True, **kwargs):
    org = org or f.OrganisationFactory(country="ES")
    if member:
        f.MembershipFactory(organisation=org, cluster=world.cluster_a)
    return ApplicationFactory(
        call=call, organisation=org, managing_cluster=world.cluster_a, **kwargs
    )


def _rule(app, code):
    return next(r for r in eligibility.check(app) if r.code == code)


@pytest.mark.parametrize(
    "org_type, role, passed",
    [
        ("sme", R.VISITOR, True),
        ("startup", R.VISITOR, True),
        ("rto", R.VISITOR, True),
        ("support", R.VISITOR, True),
        ("large", R.VISITOR, False),
        ("public", R.VISITOR, False),
        ("university", R.VISITOR, False),
        ("large", R.HOST, True),
        ("public", R.HOST, True),
        ("university", R.HOST, True),
        ("sme", R.HOST, True),
        ("large", R.BOTH, False),
    ],
)
def test_org_type_rule(call, world, org_type, role, passed):
    org = f.OrganisationFactory(org_type=org_type, employees=1000 if org_type == "large" else 40)
    assert _rule(_app(call, world, org=org, role=role), "org_type").passed is passed


@pytest.mark.parametrize(
    "country, passed",
    [
        ("ES", True),
        ("PT", True),
        ("TR", True),
        ("UA", True),
        ("XK", True),
        ("NO", False),
        ("US", False),
        ("CH", False),
    ],
)
def test_country_rule(call, world, country, passed):
    assert EligibleCountry.objects.count() == 38  # seeded by a migration (COSME 2018 list)
    result = _rule(_app(call, world, org=f.OrganisationFactory(country=country)), "country")
    assert result.passed is passed
    assert result.reason


@pytest.mark.parametrize(
    "employees, turnover, balance, org_type, passed",
    [
        (40, 5_000_000, None, "sme", True),
        (300, 5_000_000, None, "sme", False),
        (100, 60_000_000, 50_000_000, "sme", False),
        (None, None, None, "sme", False),
        (300, 90_000_000, None, "rto", True),  # not applying as an SME: the rule does not apply
    ],
)
def test_sme_rule(call, world, employees, turnover, balance, org_type, passed):
    org = f.OrganisationFactory(
        employees=employees, turnover_eur=turnover, balance_sheet_eur=balance, org_type=org_type
    )
    assert _rule(_app(call, world, org=org), "sme").passed is passed


def test_membership_rule(call, world):
    assert _rule(_app(call, world), "member").passed
    registered = f.OrganisationFactory(country="ES")
    f.ContactFactory(organisation=registered)  # a registered organisation, not a member
    outsider = _app(call, world, org=registered, member=False)
    result = _rule(outsider, "member")
    assert not result.passed and result.blocks
    # An organisation described in the application (linked to no record): to be confirmed
    # by the cluster; it does not block submission, and acceptance needs it passed.
    described = _rule(_app(call, world, member=False), "member")
    assert not described.passed and not described.blocks
    assert described.reason == "To be confirmed by the cluster during the review."


def test_membership_must_be_active_and_in_this_partnership(call, world):
    org = f.OrganisationFactory()
    f.MembershipFactory(organisation=org, cluster=world.cluster_a, status=Membership.Status.ENDED)
    f.MembershipFactory(organisation=org, cluster=f.ClusterFactory())  # another partnership
    app = ApplicationFactory(call=call, organisation=org, managing_cluster=world.cluster_a)
    assert not _rule(app, "member").passed


def test_non_member_sme_may_host_only_with_exception(call, world):
    host = _app(call, world, member=False, role=R.HOST)
    member_rule = _rule(host, "member")
    assert not member_rule.passed and not member_rule.blocks  # a manager may grant it
    assert _rule(host, "non_member_sme").passed
    host.exception_approved = True
    assert _rule(host, "member").passed
    registered = f.OrganisationFactory(country="ES")
    f.ContactFactory(organisation=registered)
    visitor = _app(call, world, org=registered, member=False, role=R.BOTH)
    assert not _rule(visitor, "non_member_sme").passed
    assert _rule(visitor, "non_member_sme").blocks


def test_visits_once_rule(call, world):
    first = _app(call, world, status=Application.Status.ACCEPTED)
    second = ApplicationFactory(
        call=call, organisation=first.organisation, managing_cluster=world.cluster_a
    )
    assert not _rule(second, "visits_once").passed
    host_again = ApplicationFactory(
        call=call, organisation=first.organisation, role=R.HOST, managing_cluster=world.cluster_a
    )
    assert _rule(host_again, "visits_once").passed  # hosts may host many times


def test_visits_once_counts_existing_exchange(call, world):
    app = _app(call, world)
    host = ApplicationFactory(
        call=call,
        role=R.HOST,
        organisation=f.OrganisationFactory(country="FR"),
        managing_cluster=world.cluster_b,
    )
    Exchange.objects.create(
        visitor_application=app,
        host_application=host,
        visitor_organisation=app.organisation,
        host_organisation=host.organisation,
        visitor_cluster=world.cluster_a,
        host_cluster=world.cluster_b,
    )
    later = ApplicationFactory(
        call=call, organisation=app.organisation, managing_cluster=world.cluster_a
    )
    assert not _rule(later, "visits_once").passed


@pytest.mark.parametrize(
    "national, days, permit, business, passed",
    [
        (False, None, False, False, True),
        (True, 183, True, True, True),
        (True, 182, True, True, False),
        (True, 400, False, True, False),
        (True, 400, True, False, False),
    ],
)
def test_third_country_rule(call, world, national, days, permit, business, passed):
    app = _app(
        call,
        world,
        third_country_national=national,
        residence_days=days,
        has_residence_permit=permit,
        business_in_eligible_country=business,
    )
    assert _rule(app, "third_country").passed is passed


def test_residence_threshold_is_programme_data(call, world):
    from exchange.models import Programme

    Programme.objects.update_or_create(
        partnership=world.partnership, defaults={"third_country_residence_days": 90}
    )
    app = _app(
        call,
        world,
        third_country_national=True,
        residence_days=100,
        has_residence_permit=True,
        business_in_eligible_country=True,
    )
    assert _rule(app, "third_country").passed


def test_all_rules_explained(call, world):
    results = eligibility.check(_app(call, world))
    assert {r.code for r in results} == {
        "org_type",
        "country",
        "sme",
        "member",
        "visits_once",
        "third_country",
        "non_member_sme",
    }
    assert all(r.passed and r.reason and r.label for r in results)
