"""The ClusterXchange demo: idempotent, every state, the three countries, proposals and
one matched exchange, and data the rules of the scheme would have let through."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from clamtex.core import uploads
from exchange.applications import eligibility
from exchange.demo import OPEN_CALL
from exchange.models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    EligibleCountry,
    Exchange,
    MatchProposal,
    Programme,
)
from members.models import User
from notifications.models import Email

pytestmark = pytest.mark.django_db

S = Application.Status
VISITING = (Application.Role.VISITOR, Application.Role.BOTH)
HOSTING = (Application.Role.HOST, Application.Role.BOTH)


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Programme,
            EligibleCountry,
            Call,
            Application,
            ApplicationTransition,
            ApplicationDocument,
            MatchProposal,
            Exchange,
            User,
        )
    }


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return _counts()


def test_seeding_twice_gives_the_same_data(seeded):
    call_command("seed_demo")
    assert _counts() == seeded
    assert seeded["Programme"] == 1
    assert seeded["EligibleCountry"] == 38
    assert seeded["Application"] >= 20
    assert not Email.objects.exists()  # seeding writes to nobody


def test_a_call_open_now_and_the_closed_call_of_2021(seeded):
    today = timezone.localdate()
    open_calls = [c for c in Call.objects.all() if c.is_open]
    assert len(open_calls) == 1
    closed = Call.objects.get(opens_on__year=2021)
    assert not closed.is_open and closed.closes_on < today
    assert closed.applications.exists()
    # The open call's exchange window covers the coming months.
    (call,) = open_calls
    assert call.exchanges_from <= today and call.exchanges_until > today + timedelta(days=180)
    # The open call's history ends in the past week: submissions to review are recent
    # (except the visitors accepted in the call's first days, whose stays are over).
    early = call.applications.filter(exchanges_as_visitor__plan__start_date__lt=today)
    assert early.count() == 2
    for application in call.applications.exclude(status=S.DRAFT).exclude(pk__in=early):
        latest = application.history.order_by("-at").first()
        assert today - timedelta(days=7) <= timezone.localdate(latest.at) < today, application
    waiting = call.applications.filter(status=S.SUBMITTED)
    assert waiting.exists()
    assert all(a.submitted_at.date() >= today - timedelta(days=7) for a in waiting)


def test_every_state_for_several_clusters(seeded):
    assert set(Application.objects.values_list("status", flat=True)) == set(S.values)
    for status in S.values:
        if status != S.WITHDRAWN:
            clusters = Application.objects.filter(status=status).values("managing_cluster")
            assert clusters.distinct().count() >= 2, status
    assert Application.objects.values("managing_cluster").distinct().count() == 5


def test_accepted_visitors_and_hosts_in_the_three_countries(seeded):
    accepted = Application.objects.filter(status=S.ACCEPTED, consent_catalogue=True)
    for roles in (VISITING, HOSTING):
        countries = set(
            accepted.filter(role__in=roles).values_list("organisation__country", flat=True)
        )
        assert countries == {"ES", "PT", "FR"}, roles


def test_proposals_and_one_matched_exchange(seeded):
    statuses = list(MatchProposal.objects.values_list("status", flat=True))
    assert statuses.count(MatchProposal.Status.ACCEPTED) == 3  # matched, two after the stay
    assert statuses.count(MatchProposal.Status.PROPOSED) >= 2
    assert statuses.count(MatchProposal.Status.DECLINED) >= 2
    for proposal in MatchProposal.objects.select_related("visitor__organisation", "host"):
        assert proposal.visitor.wants_to_visit and proposal.host.wants_to_host
        assert proposal.visitor.status == proposal.host.status == S.ACCEPTED
        assert proposal.visitor.organisation.country != proposal.host.organisation.country
        assert proposal.proposed_by is not None
        assert (proposal.responded_at is None) == (proposal.status == "proposed")
    exchange = Exchange.objects.get(proposal__isnull=False, status=Exchange.Status.MATCHED)
    assert exchange.status == Exchange.Status.MATCHED
    assert exchange.proposal.status == MatchProposal.Status.ACCEPTED
    assert exchange.visitor_application == exchange.proposal.visitor
    assert exchange.visitor_cluster == exchange.visitor_application.managing_cluster
    assert exchange.host_cluster != exchange.visitor_cluster


def test_one_exchange_with_a_host_of_another_partnership(seeded):
    from exchange.models import ExternalParty

    exchange = Exchange.objects.get(host_organisation__legal_name="Textiles Gamma SRL")
    assert exchange.host_application is None and exchange.host_cluster is None
    assert exchange.visitor_application.status == S.ACCEPTED
    assert exchange.visitor_organisation.country.code != "BE"
    parties = {p.role: p for p in ExternalParty.objects.filter(exchange=exchange)}
    assert set(parties) == {"ho", "hop"}
    assert parties["hop"].partnership_name == "TEXNET Benelux"
    assert not exchange.host_organisation.memberships.exists()


def test_the_rules_of_the_scheme_would_have_let_it_through(seeded):
    """Whatever was submitted passed the blocking rules; what was accepted passes every
    rule (the matched visitor too: its own exchange is not an earlier visit)."""
    for application in Application.objects.exclude(status=S.DRAFT).select_related(
        "call", "organisation"
    ):
        results = eligibility.check(application)
        assert not eligibility.blocking(results), (application, results)
        if application.status == S.ACCEPTED:
            assert all(r.passed for r in results), (application, results)


def test_history_leads_to_the_status(seeded):
    for application in Application.objects.prefetch_related("history"):
        history = list(application.history.all())
        if application.status == S.DRAFT:
            assert history == [] and application.submitted_at is None
            continue
        assert application.submitted_at is not None
        assert history[0].to_status == S.SUBMITTED and history[0].by == application.applicant
        assert history[-1].to_status == application.status
        assert [h.at for h in history] == sorted(h.at for h in history)
        assert all(h.at <= timezone.now() for h in history)
        for step in history:
            if step.to_status in (S.REJECTED, S.INFO_REQUESTED):
                assert step.note and step.by is not None


def test_demo_accounts_apply_and_other_applicants_have_no_password(seeded):
    sme = Application.objects.get(applicant__email="sme.aei@clamtex.example", call__name=OPEN_CALL)
    assert sme.status == S.ACCEPTED
    assert (
        Exchange.objects.get(
            proposal__isnull=False, status=Exchange.Status.MATCHED
        ).visitor_application
        == sme
    )
    others = User.objects.filter(exchange_applications__isnull=False).exclude(
        email__endswith="@clamtex.example"
    )
    assert others.exists()
    assert not any(user.has_usable_password() for user in others.distinct())


def test_documents_are_real_pdfs(seeded):
    documents = ApplicationDocument.objects.select_related("application")
    assert documents.count() == Application.objects.exclude(status=S.DRAFT).count()
    for document in documents:
        with document.file.open("rb") as handle:
            content = handle.read()
        assert len(content) == document.size
        checked = uploads.check_upload(SimpleUploadedFile(document.original_name, content))
        assert checked.kind == "pdf"


def test_seeding_without_accounts_seeds_the_programme_only(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--no-accounts")
    assert Programme.objects.count() == 1 and Call.objects.count() == 2
    assert not Application.objects.exists()
    assert not User.objects.exists()


def test_demo_has_an_exchange_that_did_not_take_place(seeded):
    from exchange.models import Payment

    (exchange,) = Exchange.objects.filter(status=Exchange.Status.NOT_HAPPENED)
    assert exchange.outcome == Exchange.Outcome.NOT_HAPPENED and exchange.outcome_reason
    assert exchange.host_confirmation.took_place is False
    assert not Payment.objects.filter(exchange=exchange).exists()
    assert exchange.history.filter(to_status="not_happened").count() == 1


def test_the_exchange_that_did_not_happen_and_the_external_one_have_different_visitors(seeded):
    from exchange.demo import EXTERNAL_HOST

    call_command("seed_demo")  # seeding again keeps them apart
    not_happened = Exchange.objects.get(status=Exchange.Status.NOT_HAPPENED)
    external = Exchange.objects.get(host_organisation__legal_name=EXTERNAL_HOST)
    assert not_happened.pk != external.pk
    assert not_happened.visitor_organisation_id != external.visitor_organisation_id
    assert not_happened.visitor_application_id != external.visitor_application_id
    assert external.status == Exchange.Status.MATCHED
    assert not_happened.outcome == Exchange.Outcome.NOT_HAPPENED


def test_two_exchanges_after_the_stay_built_through_the_services(seeded):
    """A closing report waiting for the visitor's cluster, and a validated one whose
    payment is due: real states (grant, documents, evidence, history), dated back."""
    from exchange.models import ClosingReport, Payment
    from exchange.placements import rules

    X = Exchange.Status
    today = timezone.localdate()
    submitted = Exchange.objects.get(status=X.REPORT_SUBMITTED)
    validated = Exchange.objects.get(status=X.REPORT_VALIDATED)
    assert submitted.visitor_cluster == validated.visitor_cluster  # one manager's queues
    for exchange in (submitted, validated):
        plan, report = exchange.plan, exchange.report
        assert exchange.proposal.status == MatchProposal.Status.ACCEPTED
        assert plan.start_date.weekday() == 0 and plan.end_date < today
        assert plan.grant_amount and plan.grant_locked
        assert exchange.visitor_organisation.country != exchange.host_organisation.country
        for document in exchange.documents.filter(voided_at__isnull=True):
            assert not rules.signatures_missing(document)
            assert all(
                timezone.localdate(s.signed_at) < plan.start_date for s in document.signatures.all()
            )
        assert exchange.host_confirmation.took_place
        assert set(report.evidence.values_list("kind", flat=True)) >= {
            "ticket",
            "accommodation_invoice",
        }
        assert report.final_grant_amount and report.final_grant_amount <= plan.grant_amount
        assert exchange.bank_details.iban
        history = list(exchange.history.order_by("at", "pk"))
        assert [h.to_status for h in history] == [
            X.IN_PREPARATION,
            X.COMMITMENT_SIGNED,
            X.READY,
            X.ONGOING,
            X.COMPLETED,
            X.REPORT_SUBMITTED,
            *([X.REPORT_VALIDATED] if exchange == validated else []),
        ]
        assert all(timezone.localdate(h.at) < today for h in history)
        accepted = exchange.visitor_application.history.get(to_status=S.ACCEPTED).at
        assert exchange.proposal.created_at > accepted
    assert submitted.report.status == ClosingReport.Status.SUBMITTED
    assert validated.report.status == ClosingReport.Status.VALIDATED
    assert today < rules.payment_due_on(validated) <= today + timedelta(days=10)
    assert not Payment.objects.exists()
