"""Application workflow, review permissions, decisions emailed, matching, visits once."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from exchange import workflow
from exchange.applications import matching, permissions, selectors, services
from exchange.applications.eligibility import check as eligibility_check
from exchange.models import Application, ApplicationTransition, Exchange, MatchProposal
from members.models import Organisation
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory

S = Application.Status
R = Application.Role


@pytest.fixture
def call(world):
    return CallFactory(partnership=world.partnership)


def _member_app(call, cluster, *, country="ES", status=S.DRAFT, role=R.VISITOR, **kwargs):
    org = f.OrganisationFactory(country=country)
    f.MembershipFactory(organisation=org, cluster=cluster)
    return ApplicationFactory(
        call=call, organisation=org, managing_cluster=cluster, status=status, role=role, **kwargs
    )


@pytest.mark.django_db
def test_submit_records_history_and_emails_in_applicant_language(
    call, world, mailoutbox, django_capture_on_commit_callbacks
):
    app = _member_app(call, world.cluster_a, applicant=f.UserFactory(language="ca"))
    with django_capture_on_commit_callbacks(execute=True):
        results = services.application_submit(application=app, by=app.applicant)
    app.refresh_from_db()
    assert app.status == S.SUBMITTED and app.submitted_at
    assert all(r.passed for r in results)
    step = ApplicationTransition.objects.get(application=app)
    assert (step.from_status, step.to_status, step.by) == ("draft", "submitted", app.applicant)
    assert mailoutbox[0].to == [app.applicant.email]


@pytest.mark.django_db
def test_submit_emails_each_manager_of_the_cluster_unless_they_opted_out(
    call, world, mailoutbox, django_capture_on_commit_callbacks
):
    from notifications.services import preferences_update

    second = f.ClusterManagerFactory(cluster=world.cluster_a, user__language="fr").user
    preferences_update(user=second, enabled={"digest", "reminders"})  # not "submissions"
    world.manager_a.language = "es"
    world.manager_a.save()
    app = _member_app(call, world.cluster_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=app, by=app.applicant)
    to_managers = [m for m in mailoutbox if m.to == [world.manager_a.email]]
    assert len(to_managers) == 1
    assert app.organisation.legal_name in to_managers[0].subject
    assert f"/exchange/applications/{app.pk}/" in to_managers[0].body
    assert not [m for m in mailoutbox if m.to in ([second.email], [world.manager_b.email])]


@pytest.mark.django_db
def test_submit_blocked_by_a_failed_rule(call, world):
    app = _member_app(call, world.cluster_a)
    app.organisation.employees = 900
    app.organisation.save()
    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=app, by=app.applicant)
    assert "EU SME definition" in " ".join(exc.value.messages)
    app.refresh_from_db()
    assert app.status == S.DRAFT


@pytest.mark.django_db
def test_submit_requires_consent_and_motivation(call, world):
    app = _member_app(call, world.cluster_a, consent_privacy=False, motivation="")
    with pytest.raises(ValidationError, match="privacy notice"):
        services.application_submit(application=app, by=app.applicant)


@pytest.mark.django_db
def test_non_member_host_may_submit_and_manager_grants_exception(call, world):
    app = ApplicationFactory(call=call, role=R.HOST, managing_cluster=world.cluster_a)
    services.application_submit(application=app, by=app.applicant)
    with pytest.raises(ValidationError):
        services.application_review(
            application=app, to=S.ACCEPTED, by=world.manager_a, checklist=CHECKED
        )
    with pytest.raises(ValidationError, match="Say why"):
        services.application_grant_exception(application=app, by=world.manager_a, reason=" ")
    services.application_grant_exception(
        application=app, by=world.manager_a, reason="Unique finishing line; no member has one"
    )
    assert app.history.last().note.endswith("Unique finishing line; no member has one")
    services.application_review(
        application=app, to=S.ACCEPTED, by=world.manager_a, checklist=CHECKED
    )
    app.refresh_from_db()
    assert app.status == S.ACCEPTED


CHECKED = {"membership_confirmed": True, "documents_complete": True, "objectives_clear": True}


@pytest.mark.django_db
def test_acceptance_needs_every_checklist_item_on_the_server(call, world):
    app = _member_app(call, world.cluster_a, status=S.SUBMITTED)
    with pytest.raises(ValidationError, match="Tick every item"):
        services.application_review(application=app, to=S.ACCEPTED, by=world.manager_a)
    with pytest.raises(ValidationError, match="Documents complete"):
        services.application_review(
            application=app,
            to=S.ACCEPTED,
            by=world.manager_a,
            checklist={**CHECKED, "documents_complete": False},
        )
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    services.application_review(
        application=app, to=S.ACCEPTED, by=world.manager_a, checklist=CHECKED
    )
    app.refresh_from_db()
    assert app.status == S.ACCEPTED


@pytest.mark.django_db
def test_membership_is_to_be_confirmed_until_the_cluster_ticks_it(call, world):
    from exchange.applications import eligibility

    app = _member_app(call, world.cluster_a, status=S.SUBMITTED)
    member = next(r for r in eligibility.check(app) if r.code == "member")
    assert member.reason == "Active membership on record: to be confirmed by the cluster."
    services.application_review_notes_save(
        application=app, by=world.manager_a, checklist={"membership_confirmed": True}, notes=""
    )
    app.refresh_from_db()
    member = next(r for r in eligibility.check(app) if r.code == "member")
    assert member.reason == "Active membership confirmed by the cluster."


@pytest.mark.django_db
def test_a_typed_vat_never_links_nor_reveals_and_the_reviewer_links_it(call, world):
    # the registered organisation already has an application as visitor (private)
    ApplicationFactory(call=call, organisation=world.org_b, status=S.SUBMITTED)
    app = ApplicationFactory(call=call, organisation=None)
    services.application_organisation_set(
        application=app,
        by=app.applicant,
        data={
            "legal_name": "Alfa (typed)",
            "country": "FR",
            "org_type": "sme",
            "employees": 5,
            "turnover_eur": 400000,
            "vat_number": "fr1",  # world.org_b's
            "city": "Nantes",
        },
        managing_cluster=world.cluster_b,
    )
    app.refresh_from_db()
    assert app.organisation != world.org_b
    assert app.organisation.legal_name == "Alfa (typed)"
    assert app.vat_number_typed == "fr1"
    assert app.organisation.employees == 5  # what the applicant typed, not the record's
    visits = next(r for r in eligibility_check(app) if r.code == "visits_once")
    assert visits.passed  # nothing about the registered organisation's applications
    assert "another application" not in " ".join(r.reason for r in eligibility_check(app))
    services.application_save(application=app, data={"role": R.HOST}, by=app.applicant)
    # drafts stay private: the reviewing cluster does not see the draft
    assert not permissions.can_view_application(world.manager_b, app)
    assert permissions.can_view_application(app.applicant, app)
    services.application_submit(application=app, by=app.applicant)
    app.refresh_from_db()
    assert permissions.can_view_application(world.manager_b, app)
    matches = selectors.possible_matches(app)
    assert [m.organisation for m in matches] == [world.org_b]
    labels = {label for label, _typed, _record in matches[0].differences}
    assert "legal name" in labels and "VAT / registration number" not in labels
    with pytest.raises(PermissionDenied):
        services.application_organisation_link(
            application=app, organisation=world.org_b, by=world.manager_a
        )
    with pytest.raises(ValidationError):
        services.application_organisation_link(
            application=app, organisation=world.org_a, by=world.manager_b
        )
    typed = app.organisation
    services.application_organisation_link(
        application=app, organisation=world.org_b, by=world.manager_b
    )
    app.refresh_from_db()
    assert app.organisation == world.org_b
    assert not Organisation.objects.filter(pk=typed.pk).exists()  # the described one goes
    world.org_b.refresh_from_db()
    assert world.org_b.legal_name == "Composites Bêta SAS"  # never changed


ALLOWED = [
    (frm, to, who) for frm, targets in workflow.TRANSITIONS.items() for to, who in targets.items()
]
ALL = [s.value for s in S]
REFUSED = [
    (frm, to)
    for frm in ALL
    for to in ALL
    if to not in workflow.TRANSITIONS.get(frm, {}) and frm != to
]


@pytest.mark.django_db
@pytest.mark.parametrize("frm, to, who", ALLOWED)
def test_allowed_transition(call, world, frm, to, who):
    app = _member_app(call, world.cluster_a, status=frm)
    actor = app.applicant if who == workflow.APPLICANT else world.manager_a
    app = services._transition(services._locked(app), to, by=actor, note="because")
    assert app.status == to
    assert app.history.get().note == "because"


@pytest.mark.django_db
@pytest.mark.parametrize("frm, to", REFUSED)
def test_refused_transition(call, world, frm, to):
    app = _member_app(call, world.cluster_a, status=frm)
    with pytest.raises(ValidationError):
        services._transition(services._locked(app), to, by=world.admin)
    app.refresh_from_db()
    assert app.status == frm


@pytest.mark.django_db
def test_other_clusters_manager_cannot_review(call, world):
    app = _member_app(call, world.cluster_a, status=S.SUBMITTED)
    for to in (S.ACCEPTED, S.REJECTED, S.INFO_REQUESTED, S.UNDER_REVIEW):
        with pytest.raises(PermissionDenied):
            services.application_review(application=app, to=to, by=world.manager_b, note="x")
    with pytest.raises(PermissionDenied):
        services.application_grant_exception(application=app, by=world.manager_b, reason="x")


@pytest.mark.django_db
def test_reviewer_cannot_act_for_applicant(call, world):
    app = _member_app(call, world.cluster_a)
    with pytest.raises(PermissionDenied):
        services.application_submit(application=app, by=world.manager_a)


@pytest.mark.django_db
def test_reject_and_info_request_need_a_reason(call, world):
    app = _member_app(call, world.cluster_a, status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.application_review(application=app, to=S.REJECTED, by=world.manager_a, note=" ")
    services.application_review(
        application=app, to=S.INFO_REQUESTED, by=world.manager_a, note="Add your CV"
    )
    app.refresh_from_db()
    assert app.status == S.INFO_REQUESTED
    services.application_save(application=app, data={"objectives": "clearer"}, by=app.applicant)
    services.application_submit(application=app, by=app.applicant)
    app.refresh_from_db()
    assert app.status == S.SUBMITTED and app.objectives == "clearer"


@pytest.mark.django_db
def test_draft_save_keeps_partial_data_and_is_applicant_only(call, world):
    app = ApplicationFactory(call=call, organisation=None, motivation="", objectives="")
    services.application_save(
        application=app, data={"motivation": "half a thought"}, by=app.applicant
    )
    app.refresh_from_db()
    assert app.motivation == "half a thought"
    with pytest.raises(PermissionDenied):
        services.application_save(application=app, data={"motivation": "x"}, by=world.manager_a)


def _pair(call, world):
    visitor = _member_app(
        call,
        world.cluster_a,
        status=S.ACCEPTED,
        objectives="digital printing sustainable finishing",
        preferred_countries=["FR"],
    )
    host = _member_app(
        call,
        world.cluster_b,
        country="FR",
        status=S.ACCEPTED,
        role=R.HOST,
        objectives="sustainable finishing lines",
    )
    return visitor, host


@pytest.mark.django_db
def test_suggestions_ranked_with_reasons(call, world):
    visitor, host = _pair(call, world)
    sector = f.SectorFactory(code="C13.3", name="Finishing")
    visitor.sectors.add(sector)
    host.sectors.add(sector)
    _member_app(
        call, world.cluster_b, country="FR", status=S.ACCEPTED, role=R.HOST, objectives="unrelated"
    )
    _member_app(
        call, world.cluster_a, country="ES", status=S.ACCEPTED, role=R.HOST
    )  # same country: never
    found = matching.suggestions(world.manager_a, visitor)
    assert [s.counterpart for s in found][0] == host
    assert len(found) == 2
    reasons = " ".join(found[0].reasons)
    assert (
        "Shared sectors: C13.3" in reasons
        and "Preferred host country" in reasons
        and "finishing" in reasons
    )


@pytest.mark.django_db
def test_proposal_accept_creates_matched_exchange(call, world):
    visitor, host = _pair(call, world)
    proposal = services.proposal_create(
        visitor=visitor, host=host, by=visitor.applicant, message="Hola"
    )
    with pytest.raises(PermissionDenied):
        services.proposal_respond(proposal=proposal, accept=True, by=visitor.applicant)
    services.proposal_respond(proposal=proposal, accept=True, by=host.applicant)
    exchange = Exchange.objects.get()
    assert exchange.status == Exchange.Status.MATCHED
    assert (exchange.visitor_cluster, exchange.host_cluster) == (world.cluster_a, world.cluster_b)


@pytest.mark.django_db
def test_proposal_refused_same_country_and_for_outsiders(call, world):
    visitor, _host = _pair(call, world)
    same = _member_app(call, world.cluster_a, status=S.ACCEPTED, role=R.HOST)
    with pytest.raises(ValidationError):
        services.proposal_create(visitor=visitor, host=same, by=visitor.applicant)
    _v, host = _pair(call, world)
    with pytest.raises(PermissionDenied):
        services.proposal_create(visitor=visitor, host=host, by=world.outsider)


@pytest.mark.django_db
def test_visitor_visits_once_even_with_two_proposals(call, world):
    visitor, host = _pair(call, world)
    other_host = _member_app(call, world.cluster_b, country="PT", status=S.ACCEPTED, role=R.HOST)
    p1 = services.proposal_create(visitor=visitor, host=host, by=visitor.applicant)
    p2 = services.proposal_create(visitor=visitor, host=other_host, by=visitor.applicant)
    services.proposal_respond(proposal=p1, accept=True, by=host.applicant)
    with pytest.raises(ValidationError, match="visit once"):
        services.proposal_respond(proposal=p2, accept=True, by=other_host.applicant)
    assert Exchange.objects.count() == 1
    p2.refresh_from_db()
    assert p2.status == MatchProposal.Status.PROPOSED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_matches_accepted_at_the_same_moment_make_one_visit(call, world):
    visitor, host = _pair(call, world)
    other_host = _member_app(call, world.cluster_b, country="PT", status=S.ACCEPTED, role=R.HOST)
    proposals = [
        services.proposal_create(visitor=visitor, host=h, by=visitor.applicant)
        for h in (host, other_host)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(proposal, user):
        try:
            barrier.wait(timeout=10)
            services.proposal_respond(proposal=proposal, accept=True, by=user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(proposals[0], host.applicant)),
        threading.Thread(target=accept, args=(proposals[1], other_host.applicant)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Exchange.objects.filter(visitor_organisation=visitor.organisation).count() == 1


@pytest.mark.django_db
def test_the_described_organisation_is_located_from_its_city(call, world):
    app = ApplicationFactory(call=call, organisation=None)
    services.application_organisation_set(
        application=app,
        by=app.applicant,
        data={"legal_name": "Filats", "country": "ES", "org_type": "sme", "city": "Sabadell"},
        managing_cluster=world.cluster_a,
    )
    app.refresh_from_db()
    assert abs(float(app.organisation.latitude) - 41.55) < 0.05


@pytest.mark.django_db
def test_the_organisation_step_needs_the_city(call, world):
    from exchange.applications.forms import OrganisationStepForm

    app = ApplicationFactory(call=call, organisation=None, managing_cluster=world.cluster_a)
    data = {"legal_name": "Filats", "country": "ES", "org_type": "large"}
    form = OrganisationStepForm(data, application=app, user=app.applicant)
    assert form.is_valid()  # a draft keeps whatever was typed
    assert not form.check_complete()
    assert "city" in form.errors
    form = OrganisationStepForm({**data, "city": "Sabadell"}, application=app, user=app.applicant)
    assert form.is_valid() and form.check_complete(), form.errors
