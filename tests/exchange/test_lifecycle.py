"""ClusterXchange part 2 at the service level: the exchange from match to payment.

Every transition of the table allowed and refused; the real path through the services;
signatures voided by a change of the plan; the grant recomputed until the agreement is
signed and fixed after (unless re-opened, recorded); re-authentication; payment only
after validation and only once (also under concurrent clicks on PostgreSQL); another
cluster refused everywhere; the dates moving exchanges on; reminders sent once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from exchange import digest_sections, tasks, workflow
from exchange.models import (
    ClosingReport,
    EligibleCountry,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    Payment,
    Signature,
)
from exchange.placements import reminders
from exchange.placements import services as lifecycle
from notifications.models import Email
from tests import factories as f

from .lifecycle_factories import (
    END,
    PASSWORD,
    PLAN,
    START,
    advance,
    evidence_file,
    matched_exchange,
    sign_all,
)

pytestmark = pytest.mark.django_db

X = Exchange.Status
K = ExchangeDocument.Kind
R = Signature.Role


@pytest.fixture
def parties(world):
    return matched_exchange(world)


@pytest.fixture
def manager_c(world):
    """A manager of a third cluster of the same partnership: not a party."""
    cluster_c = f.ClusterFactory(partnership=world.partnership, acronym="CITEVE", country="PT")
    return f.ClusterManagerFactory(cluster=cluster_c).user


def _reload(exchange):
    return Exchange.objects.get(pk=exchange.pk)


# --- The transition table --------------------------------------------------------------------

ALL = [s.value for s in X]
ALLOWED = [(frm, to) for frm, targets in workflow.EXCHANGE_TRANSITIONS.items() for to in targets]
REFUSED = [
    (frm, to)
    for frm in ALL
    for to in ALL
    if to not in workflow.EXCHANGE_TRANSITIONS.get(frm, set()) and frm != to
]


@pytest.mark.parametrize("frm, to", ALLOWED)
def test_allowed_transition_is_recorded(parties, frm, to):
    exchange = parties.exchange
    Exchange.objects.filter(pk=exchange.pk).update(status=frm)
    locked = lifecycle._locked(exchange)
    lifecycle.exchange_transition(locked, to, by=parties.vop, note="because")
    assert _reload(exchange).status == to
    step = ExchangeTransition.objects.get(exchange=exchange)
    assert (step.from_status, step.to_status, step.by, step.note) == (
        frm,
        to,
        parties.vop,
        "because",
    )


@pytest.mark.parametrize("frm, to", REFUSED)
def test_refused_transition_changes_nothing(parties, frm, to):
    exchange = parties.exchange
    Exchange.objects.filter(pk=exchange.pk).update(status=frm)
    with pytest.raises(ValidationError):
        lifecycle.exchange_transition(lifecycle._locked(exchange), to, by=parties.vop)
    assert _reload(exchange).status == frm
    assert not ExchangeTransition.objects.filter(exchange=exchange).exists()


def test_the_whole_path_through_the_services(parties):
    advance(parties, X.CLOSED)
    steps = list(ExchangeTransition.objects.filter(exchange=parties.exchange))
    assert [(s.from_status, s.to_status) for s in steps] == [
        (X.MATCHED, X.IN_PREPARATION),
        (X.IN_PREPARATION, X.COMMITMENT_SIGNED),
        (X.COMMITMENT_SIGNED, X.READY),
        (X.READY, X.ONGOING),
        (X.ONGOING, X.COMPLETED),
        (X.COMPLETED, X.REPORT_SUBMITTED),
        (X.REPORT_SUBMITTED, X.REPORT_VALIDATED),
        (X.REPORT_VALIDATED, X.PAID),
        (X.PAID, X.CLOSED),
    ]
    # who: people for their actions, nobody for the dates
    assert [s.by for s in steps] == [
        parties.visitor,
        parties.hop,  # the last of the four to sign the commitment
        parties.vop,  # the last to sign the financial agreement
        None,
        None,
        parties.visitor,
        parties.vop,
        parties.vop,
        parties.vop,
    ]
    payment = Payment.objects.get(exchange=parties.exchange)
    assert payment.amount == Decimal("900.00")  # France's cap, 5 working days, > 200 km


def test_returned_report_goes_back_to_the_visitor_and_is_submitted_again(parties):
    advance(parties, X.REPORT_REJECTED)
    report = ClosingReport.objects.get(exchange=parties.exchange)
    assert (report.status, report.review_comment) == ("returned", "Add the invoice")
    step = ExchangeTransition.objects.filter(exchange=parties.exchange).last()
    assert (step.to_status, step.note) == (X.REPORT_REJECTED, "Add the invoice")
    lifecycle.report_save(exchange=parties.exchange, data={"results": "Better"}, by=parties.visitor)
    lifecycle.report_submit(exchange=parties.exchange, by=parties.visitor)
    assert _reload(parties.exchange).status == X.REPORT_SUBMITTED


def test_cancel_needs_a_reason_and_is_final(parties):
    with pytest.raises(ValidationError):
        lifecycle.exchange_cancel(exchange=parties.exchange, by=parties.host, reason=" ")
    lifecycle.exchange_cancel(exchange=parties.exchange, by=parties.host, reason="Host closed")
    exchange = _reload(parties.exchange)
    assert exchange.status == X.CANCELLED
    assert exchange.history.get().note == "Host closed"
    with pytest.raises(ValidationError):
        lifecycle.plan_update(exchange=exchange, data=PLAN, by=parties.visitor)
    with pytest.raises(ValidationError):
        lifecycle.exchange_cancel(exchange=exchange, by=parties.host, reason="again")


def test_an_ongoing_exchange_can_be_cancelled_not_a_completed_one(parties, world):
    advance(parties, X.ONGOING)
    lifecycle.exchange_cancel(exchange=parties.exchange, by=parties.visitor, reason="ill")
    assert _reload(parties.exchange).status == X.CANCELLED
    other = matched_exchange(world, visitor_org=f.OrganisationFactory())
    advance(other, X.COMPLETED)
    with pytest.raises(ValidationError):
        lifecycle.exchange_cancel(exchange=other.exchange, by=other.visitor, reason="late")


# --- Plan, documents and signatures ---------------------------------------------------------


def test_documents_need_a_complete_plan(parties):
    with pytest.raises(ValidationError, match="dates, objectives and agenda"):
        lifecycle.document_generate(exchange=parties.exchange, kind=K.COMMITMENT, by=parties.host)
    lifecycle.plan_update(exchange=parties.exchange, data={**PLAN, "agenda": []}, by=parties.host)
    with pytest.raises(ValidationError):
        lifecycle.document_generate(exchange=parties.exchange, kind=K.COMMITMENT, by=parties.host)


def test_plan_refuses_an_end_before_the_start(parties):
    with pytest.raises(ValidationError) as exc:
        lifecycle.plan_update(
            exchange=parties.exchange,
            data={**PLAN, "end_date": START - timedelta(days=1)},
            by=parties.visitor,
        )
    assert "end_date" in exc.value.message_dict
    assert not ExchangePlan.objects.exists()


def test_a_change_of_the_plan_voids_the_signatures(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    first = sign_all(parties, K.COMMITMENT)
    assert _reload(parties.exchange).status == X.COMMITMENT_SIGNED
    lifecycle.plan_update(
        exchange=parties.exchange, data={"objectives": "Something else"}, by=parties.host
    )
    first.refresh_from_db()
    assert first.voided_at is not None
    assert first.signatures.count() == 4  # kept, on the voided version
    exchange = _reload(parties.exchange)
    assert exchange.status == X.IN_PREPARATION
    assert exchange.history.last().note == "plan changed: signatures needed again"
    # the voided version can no longer be signed; a new version must be signed by all
    second = lifecycle.document_generate(exchange=exchange, kind=K.COMMITMENT, by=parties.vop)
    assert (second.version, second.content["objectives"]) == (2, "Something else")
    assert second.content_hash != first.content_hash
    assert not second.signatures.exists()


def test_saving_the_same_plan_again_voids_nothing(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = sign_all(parties, K.COMMITMENT)
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.host)
    document.refresh_from_db()
    assert document.voided_at is None
    assert _reload(parties.exchange).status == X.COMMITMENT_SIGNED


def test_a_change_when_ready_asks_for_every_signature_again(parties):
    advance(parties, X.READY)
    lifecycle.plan_update(
        exchange=parties.exchange, data={"agenda": ["Day 1: all"] * 5}, by=parties.vop
    )
    assert _reload(parties.exchange).status == X.IN_PREPARATION
    # both documents are generated again from the new plan, with no signature yet
    current = ExchangeDocument.objects.filter(voided_at__isnull=True)
    assert sorted(current.values_list("kind", "version")) == [(K.COMMITMENT, 2), (K.FINANCIAL, 2)]
    assert not Signature.objects.filter(document__in=current).exists()


def test_the_two_documents_never_share_a_fingerprint(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    commitment = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    financial = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.FINANCIAL, by=parties.visitor
    )
    assert commitment.content_hash != financial.content_hash
    assert (commitment.content["kind"], financial.content["kind"]) == (K.COMMITMENT, K.FINANCIAL)


def test_generating_twice_without_change_keeps_the_version(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    a = lifecycle.document_generate(exchange=parties.exchange, kind=K.COMMITMENT, by=parties.host)
    b = lifecycle.document_generate(exchange=parties.exchange, kind=K.COMMITMENT, by=parties.vop)
    assert a.pk == b.pk


def test_signature_records_time_hash_and_needs_the_password(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    with pytest.raises(ValidationError) as exc:
        lifecycle.document_sign(
            document=document, role=R.VO, by=parties.visitor, password="wrong-password"
        )
    assert "password" in exc.value.message_dict
    assert not Signature.objects.exists()
    signature = lifecycle.document_sign(
        document=document, role=R.VO, by=parties.visitor, password=PASSWORD
    )
    assert (
        signature.document_hash == document.content_hash == lifecycle.content_hash(document.content)
    )
    assert abs(signature.signed_at - timezone.now()) < timedelta(minutes=1)
    with pytest.raises(ValidationError, match="already signed"):
        lifecycle.document_sign(document=document, role=R.VO, by=parties.visitor, password=PASSWORD)


def test_a_party_cannot_sign_for_another(parties, world):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    for user, role in [
        (parties.visitor, R.HO),
        (parties.host, R.VO),
        (parties.vop, R.HOP),
        (parties.hop, R.VOP),
        (world.coordinator, R.VOP),
        (world.admin, R.VO),  # an administrator sees all but does not sign for others
    ]:
        with pytest.raises(PermissionDenied):
            lifecycle.document_sign(document=document, role=role, by=user, password=PASSWORD)
    assert not Signature.objects.exists()


def test_only_the_visitor_and_its_cluster_sign_the_financial_agreement(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.FINANCIAL, by=parties.visitor
    )
    with pytest.raises(ValidationError, match="does not sign"):
        lifecycle.document_sign(document=document, role=R.HO, by=parties.host, password=PASSWORD)


def test_a_voided_version_cannot_be_signed(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    lifecycle.plan_update(exchange=parties.exchange, data={"objectives": "new"}, by=parties.host)
    with pytest.raises(ValidationError, match="replaced"):
        lifecycle.document_sign(document=document, role=R.VO, by=parties.visitor, password=PASSWORD)


def test_no_document_generated_or_signed_once_cancelled(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    lifecycle.exchange_cancel(exchange=parties.exchange, by=parties.vop, reason="budget")
    with pytest.raises(ValidationError):
        lifecycle.document_generate(exchange=parties.exchange, kind=K.FINANCIAL, by=parties.vop)
    with pytest.raises(ValidationError):
        lifecycle.document_sign(document=document, role=R.VO, by=parties.visitor, password=PASSWORD)


# --- The grant ----------------------------------------------------------------------------------


def test_grant_follows_the_dates_until_the_agreement_is_signed_then_is_fixed(parties):
    exchange = parties.exchange
    plan = lifecycle.plan_update(exchange=exchange, data=PLAN, by=parties.visitor)
    assert plan.grant_amount == Decimal("900.00")
    plan = lifecycle.plan_update(
        exchange=exchange, data={"end_date": START + timedelta(days=2)}, by=parties.host
    )
    assert plan.grant_amount == Decimal("450.00")  # 3 working days: halved
    assert any("Halved once" in step for step in plan.grant_steps)
    plan = lifecycle.plan_update(exchange=exchange, data={"end_date": END}, by=parties.host)
    assert plan.grant_amount == Decimal("900.00")
    sign_all(parties, K.COMMITMENT)
    sign_all(parties, K.FINANCIAL)
    plan.refresh_from_db()
    assert plan.grant_locked
    assert _reload(exchange).status == X.READY


def test_a_replan_after_signature_recomputes_the_grant_and_regenerates_the_documents(parties):
    # €900 (France, 5 working days) signed; re-planned to 3 days: €450, not €900.
    exchange = parties.exchange
    advance(parties, X.READY)
    old = {d.kind: d for d in ExchangeDocument.objects.filter(voided_at__isnull=True)}
    plan = lifecycle.plan_update(
        exchange=exchange, data={"end_date": START + timedelta(days=2)}, by=parties.host
    )
    assert (plan.grant_amount, plan.grant_locked) == (Decimal("450.00"), False)
    assert any("Working days" in step and "3" in step for step in plan.grant_steps)
    assert not any("5." in step and "Working days" in step for step in plan.grant_steps)
    for document in old.values():
        document.refresh_from_db()
        assert document.voided_at is not None
    new = {d.kind: d for d in ExchangeDocument.objects.filter(voided_at__isnull=True)}
    assert set(new) == {K.COMMITMENT, K.FINANCIAL}
    for document in new.values():
        assert document.content["grant"] == "450.00"
        assert document.content["end"] == (START + timedelta(days=2)).isoformat()
        assert document.content["working_days"] == 3
        assert not document.signatures.exists()
    exchange = _reload(exchange)
    assert exchange.status == X.IN_PREPARATION
    assert "grant recomputed: 900.00 → 450.00" in [t.note for t in exchange.history.all()]


def test_grant_reopen_is_recorded_and_recomputes(parties):
    advance(parties, X.READY)
    exchange = parties.exchange
    with pytest.raises(ValidationError):
        lifecycle.grant_reopen(exchange=exchange, by=parties.vop, reason="  ")
    for user in (parties.visitor, parties.host, parties.hop):
        with pytest.raises(PermissionDenied):
            lifecycle.grant_reopen(exchange=exchange, by=user, reason="no")
    ExchangePlan.objects.filter(exchange=exchange).update(grant_amount=Decimal("1"))  # stale
    plan = lifecycle.grant_reopen(exchange=exchange, by=parties.vop, reason="Cap corrected")
    assert (plan.grant_locked, plan.grant_amount) == (False, Decimal("900.00"))
    notes = list(
        ExchangeTransition.objects.filter(exchange=exchange).values_list("note", flat=True)
    )
    assert "grant re-opened: Cap corrected" in notes
    # the amount changed, so every document is to sign again
    assert _reload(exchange).status == X.IN_PREPARATION
    with pytest.raises(ValidationError, match="not fixed"):
        lifecycle.grant_reopen(exchange=exchange, by=parties.vop, reason="again")


def test_grant_reopen_without_change_voids_only_the_agreement(parties):
    advance(parties, X.READY)
    lifecycle.grant_reopen(exchange=parties.exchange, by=parties.vop, reason="Check")
    assert _reload(parties.exchange).status == X.COMMITMENT_SIGNED
    current = ExchangeDocument.objects.filter(voided_at__isnull=True)
    assert list(current.values_list("kind", flat=True)) == [K.COMMITMENT]
    sign_all(parties, K.FINANCIAL)
    assert _reload(parties.exchange).status == X.READY


def test_grant_reopen_refused_once_the_stay_started(parties):
    advance(parties, X.ONGOING)
    with pytest.raises(ValidationError):
        lifecycle.grant_reopen(exchange=parties.exchange, by=parties.vop, reason="late")


def test_financial_agreement_needs_a_costed_exchange(parties, world):
    EligibleCountry.objects.filter(country="IS").update(host_cap=None)
    host = f.OrganisationFactory(country="IS", latitude="64.1", longitude="-21.9")  # no cap set
    other = matched_exchange(world, visitor_org=f.OrganisationFactory(), host_org=host)
    plan = lifecycle.plan_update(exchange=other.exchange, data=PLAN, by=other.visitor)
    assert plan.grant_amount is None
    assert any("No lump-sum cap" in step for step in plan.grant_steps)
    with pytest.raises(ValidationError, match="cannot be computed"):
        lifecycle.document_generate(exchange=other.exchange, kind=K.FINANCIAL, by=other.visitor)


# --- Dates -----------------------------------------------------------------------------------


def test_follow_dates_moves_ready_to_ongoing_then_completed(parties):
    advance(parties, X.READY)
    assert lifecycle.exchanges_follow_dates(today=START - timedelta(days=1)) == 0
    assert _reload(parties.exchange).status == X.READY
    assert lifecycle.exchanges_follow_dates(today=START) == 1
    assert _reload(parties.exchange).status == X.ONGOING
    assert lifecycle.exchanges_follow_dates(today=END) == 0  # the last day is still a day there
    assert lifecycle.exchanges_follow_dates(today=END + timedelta(days=1)) == 1
    assert _reload(parties.exchange).status == X.COMPLETED
    assert lifecycle.exchanges_follow_dates(today=END + timedelta(days=2)) == 0


def test_follow_dates_catches_up_and_leaves_unsigned_exchanges_alone(parties, world):
    advance(parties, X.READY)
    unsigned = matched_exchange(world, visitor_org=f.OrganisationFactory())
    advance(unsigned, X.COMMITMENT_SIGNED)
    assert lifecycle.exchanges_follow_dates(today=END + timedelta(days=5)) == 2
    assert _reload(parties.exchange).status == X.COMPLETED
    assert _reload(unsigned.exchange).status == X.COMMITMENT_SIGNED


def test_follow_dates_task(parties):
    advance(parties, X.READY)
    # the task uses today's date
    ExchangePlan.objects.filter(exchange=parties.exchange).update(
        start_date=timezone.localdate(), end_date=timezone.localdate() + timedelta(days=4)
    )
    assert tasks.follow_dates.delay().get() == 1
    assert _reload(parties.exchange).status == X.ONGOING


# --- After the stay -------------------------------------------------------------------------------


def test_report_opens_after_the_stay(parties):
    advance(parties, X.ONGOING)
    with pytest.raises(ValidationError):
        lifecycle.report_save(exchange=parties.exchange, data={"results": "x"}, by=parties.visitor)
    with pytest.raises(ValidationError):
        lifecycle.evidence_add(
            exchange=parties.exchange, kind="ticket", upload=evidence_file(), by=parties.visitor
        )


def test_report_submission_needs_content_tickets_and_attendance(parties):
    advance(parties, X.COMPLETED)
    exchange = parties.exchange
    with pytest.raises(ValidationError, match="objectives reached"):
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    lifecycle.report_save(
        exchange=exchange,
        data={"objectives_reached": "All", "results": "A pilot", "rating": 4},
        by=parties.visitor,
    )
    with pytest.raises(ValidationError, match="actually spent"):
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    lifecycle.report_save(
        exchange=exchange, data={"actual_start": START, "actual_end": END}, by=parties.visitor
    )
    with pytest.raises(ValidationError, match="Boarding pass or ticket, Accommodation invoice"):
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    lifecycle.evidence_add(
        exchange=exchange, kind=Evidence.Kind.TICKET, upload=evidence_file(), by=parties.visitor
    )
    # the accommodation invoice is required evidence (programme data), no longer optional
    with pytest.raises(ValidationError, match="Accommodation invoice"):
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    lifecycle.evidence_add(
        exchange=exchange,
        kind=Evidence.Kind.ACCOMMODATION_INVOICE,
        upload=evidence_file("hotel.pdf"),
        by=parties.visitor,
    )
    with pytest.raises(ValidationError, match="attendance"):
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    # the host says it did not take place: an uploaded attendance file does not help
    lifecycle.host_confirm(exchange=exchange, took_place=False, feedback="", by=parties.host)
    lifecycle.evidence_add(
        exchange=exchange,
        kind=Evidence.Kind.ATTENDANCE,
        upload=evidence_file("attendance.pdf"),
        by=parties.visitor,
    )
    with pytest.raises(ValidationError, match="did not take place"):
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    lifecycle.host_confirm(exchange=exchange, took_place=True, feedback="", by=parties.host)
    lifecycle.evidence_delete(evidence=Evidence.objects.get(kind="attendance"), by=parties.visitor)
    lifecycle.evidence_add(
        exchange=exchange,
        kind=Evidence.Kind.ATTENDANCE,
        upload=evidence_file("attendance.pdf"),
        by=parties.visitor,
    )
    report = lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    assert report.status == ClosingReport.Status.SUBMITTED


def test_evidence_is_checked_and_removable_until_submission(parties):
    advance(parties, X.COMPLETED)
    exchange = parties.exchange
    with pytest.raises(ValidationError):
        lifecycle.evidence_add(
            exchange=exchange, kind="selfie", upload=evidence_file(), by=parties.visitor
        )
    with pytest.raises(ValidationError, match="Only PDF"):
        lifecycle.evidence_add(
            exchange=exchange,
            kind="ticket",
            upload=evidence_file().__class__("x.pdf", b"GIF89a...", "application/pdf"),
            by=parties.visitor,
        )
    evidence = lifecycle.evidence_add(
        exchange=exchange, kind="ticket", upload=evidence_file(), by=parties.visitor
    )
    with pytest.raises(PermissionDenied):
        lifecycle.evidence_delete(evidence=evidence, by=parties.host)
    lifecycle.evidence_delete(evidence=evidence, by=parties.visitor)
    assert not Evidence.objects.exists()


def test_host_confirms_only_once_the_stay_started(parties):
    advance(parties, X.READY)
    with pytest.raises(ValidationError):
        lifecycle.host_confirm(
            exchange=parties.exchange, took_place=True, feedback="", by=parties.host
        )
    lifecycle.exchanges_follow_dates(today=START)
    confirmation = lifecycle.host_confirm(
        exchange=parties.exchange, took_place=True, feedback="Very good", by=parties.host
    )
    assert (confirmation.took_place, confirmation.confirmed_by) == (True, parties.host)
    with pytest.raises(PermissionDenied):
        lifecycle.host_confirm(
            exchange=parties.exchange, took_place=True, feedback="", by=parties.visitor
        )


def test_validation_needs_the_evidence_checked_and_return_needs_comments(parties):
    advance(parties, X.REPORT_SUBMITTED)
    exchange = parties.exchange
    with pytest.raises(ValidationError, match="Check the evidence"):
        lifecycle.report_validate(exchange=exchange, by=parties.vop, evidence_checked=False)
    with pytest.raises(ValidationError):
        lifecycle.report_return(exchange=exchange, by=parties.vop, comments=" ")
    with pytest.raises(PermissionDenied):  # the host's cluster does not validate
        lifecycle.report_validate(exchange=exchange, by=parties.hop, evidence_checked=True)
    report = lifecycle.report_validate(exchange=exchange, by=parties.vop, evidence_checked=True)
    assert (report.status, report.evidence_checked, report.validated_by) == (
        "validated",
        True,
        parties.vop,
    )
    assert lifecycle.payment_due_on(_reload(exchange)) == timezone.localdate() + timedelta(days=10)


def test_validation_refused_without_a_submitted_report(parties):
    advance(parties, X.COMPLETED)
    with pytest.raises(ValidationError, match="no submitted"):
        lifecycle.report_validate(exchange=parties.exchange, by=parties.vop, evidence_checked=True)


@pytest.mark.parametrize("stage", [X.READY, X.COMPLETED, X.REPORT_SUBMITTED, X.REPORT_REJECTED])
def test_payment_impossible_before_validation(parties, stage):
    advance(parties, stage)
    with pytest.raises(ValidationError, match="only after the closing report is validated"):
        lifecycle.payment_record(
            exchange=parties.exchange, paid_on=timezone.localdate(), reference="T", by=parties.vop
        )
    assert not Payment.objects.exists()


def test_payment_recorded_once_with_the_grant_amount(parties):
    advance(parties, X.REPORT_VALIDATED)
    exchange = parties.exchange
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        lifecycle.payment_record(exchange=exchange, paid_on=today, reference=" ", by=parties.vop)
    with pytest.raises(ValidationError):
        lifecycle.payment_record(
            exchange=exchange, paid_on=today + timedelta(days=1), reference="T", by=parties.vop
        )
    with pytest.raises(PermissionDenied):
        lifecycle.payment_record(exchange=exchange, paid_on=today, reference="T", by=parties.hop)
    payment = lifecycle.payment_record(
        exchange=exchange, paid_on=today, reference="TR-42", by=parties.vop
    )
    assert (payment.amount, payment.reference) == (Decimal("900.00"), "TR-42")
    with pytest.raises(ValidationError, match="already recorded"):
        lifecycle.payment_record(
            exchange=exchange, paid_on=today, reference="TR-43", by=parties.vop
        )
    assert Payment.objects.count() == 1
    assert _reload(exchange).status == X.PAID


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_payment_recorded_once_under_concurrent_clicks(world):
    parties = matched_exchange(world)
    advance(parties, X.REPORT_VALIDATED)
    second_manager = f.ClusterManagerFactory(cluster=world.cluster_a).user
    barrier = threading.Barrier(2)
    outcomes = []

    def click(user, reference):
        try:
            barrier.wait(timeout=10)
            lifecycle.payment_record(
                exchange=parties.exchange,
                paid_on=timezone.localdate(),
                reference=reference,
                by=user,
            )
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=click, args=(parties.vop, "TR-A")),
        threading.Thread(target=click, args=(second_manager, "TR-B")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Payment.objects.filter(exchange=parties.exchange).count() == 1
    assert (
        ExchangeTransition.objects.filter(exchange=parties.exchange, to_status=X.PAID).count() == 1
    )


# --- Another cluster is refused everywhere ----------------------------------------------------------

# (service, the stage at which the right party could do it, the call)
SERVICES = [
    (
        "plan_update",
        X.MATCHED,
        lambda p, u: lifecycle.plan_update(exchange=p.exchange, data=PLAN, by=u),
    ),
    (
        "document_generate",
        X.IN_PREPARATION,
        lambda p, u: lifecycle.document_generate(exchange=p.exchange, kind=K.COMMITMENT, by=u),
    ),
    (
        "document_sign",
        X.IN_PREPARATION,
        lambda p, u: lifecycle.document_sign(
            document=lifecycle.document_generate(
                exchange=p.exchange, kind=K.COMMITMENT, by=p.visitor
            ),
            role=R.VOP,
            by=u,
            password=PASSWORD,
        ),
    ),
    (
        "grant_reopen",
        X.READY,
        lambda p, u: lifecycle.grant_reopen(exchange=p.exchange, by=u, reason="r"),
    ),
    (
        "exchange_cancel",
        X.READY,
        lambda p, u: lifecycle.exchange_cancel(exchange=p.exchange, by=u, reason="r"),
    ),
    (
        "report_save",
        X.COMPLETED,
        lambda p, u: lifecycle.report_save(exchange=p.exchange, data={"results": "x"}, by=u),
    ),
    (
        "evidence_add",
        X.COMPLETED,
        lambda p, u: lifecycle.evidence_add(
            exchange=p.exchange, kind="ticket", upload=evidence_file(), by=u
        ),
    ),
    ("report_submit", X.COMPLETED, lambda p, u: lifecycle.report_submit(exchange=p.exchange, by=u)),
    (
        "host_confirm",
        X.COMPLETED,
        lambda p, u: lifecycle.host_confirm(
            exchange=p.exchange, took_place=True, feedback="", by=u
        ),
    ),
    (
        "report_validate",
        X.REPORT_SUBMITTED,
        lambda p, u: lifecycle.report_validate(exchange=p.exchange, by=u, evidence_checked=True),
    ),
    (
        "report_return",
        X.REPORT_SUBMITTED,
        lambda p, u: lifecycle.report_return(exchange=p.exchange, by=u, comments="c"),
    ),
    (
        "payment_record",
        X.REPORT_VALIDATED,
        lambda p, u: lifecycle.payment_record(
            exchange=p.exchange, paid_on=timezone.localdate(), reference="T", by=u
        ),
    ),
    ("exchange_close", X.PAID, lambda p, u: lifecycle.exchange_close(exchange=p.exchange, by=u)),
]


@pytest.mark.parametrize("name, stage, call", SERVICES, ids=[s[0] for s in SERVICES])
def test_another_cluster_is_refused_on_every_service(parties, manager_c, world, name, stage, call):
    advance(parties, stage)
    before = list(ExchangeTransition.objects.values_list("pk", flat=True))
    for user in (manager_c, world.outsider, world.coordinator):
        with pytest.raises(PermissionDenied):
            call(parties, user)
    assert _reload(parties.exchange).status == stage
    assert list(ExchangeTransition.objects.values_list("pk", flat=True)) == before


def test_visibility(parties, manager_c, world):
    exchange = _reload(parties.exchange)
    for user in (parties.visitor, parties.host, parties.vop, parties.hop, world.rep_a):
        assert lifecycle.can_view_exchange(user, exchange)
    assert lifecycle.can_view_exchange(world.coordinator, exchange)
    assert lifecycle.can_view_exchange(world.admin, exchange)
    assert not lifecycle.can_view_exchange(manager_c, exchange)
    assert not lifecycle.can_view_exchange(world.outsider, exchange)
    assert lifecycle.roles_of(world.rep_a, exchange) == {R.VO}  # representative of org_a


# --- Reminders ---------------------------------------------------------------------------------------


def _keys(kind_prefix):
    return sorted(Email.objects.filter(kind=kind_prefix).values_list("recipient", "occasion_key"))


def test_signature_reminders_go_once_to_each_missing_signer(
    parties, django_capture_on_commit_callbacks, mailoutbox
):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    lifecycle.document_sign(document=document, role=R.VO, by=parties.visitor, password=PASSWORD)
    parties.host.language = "fr"
    parties.host.save()
    assert reminders.due() == []  # not waiting long enough yet
    later = timezone.now() + reminders.SIGNATURE_WAIT + timedelta(minutes=1)
    occasions = reminders.due(now=later)
    assert sorted(o.role for o in occasions) == [R.HO, R.HOP, R.VOP]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a second sweep sends nothing more
            for o in reminders.due(now=later):
                reminders.reminder_queue(code=o.code, pk=o.pk, role=o.role)
            for o in occasions:
                assert reminders.reminder_queue(code=o.code, pk=o.pk, role=o.role) == 0
    recipients = sorted(r for r, _key in _keys("exchange.signature"))
    assert recipients == sorted([parties.host.email, parties.vop.email, parties.hop.email])
    assert reminders.due(now=later) == []
    assert len(mailoutbox) == 3
    to_host = next(m for m in mailoutbox if m.to == [parties.host.email])
    assert "signature" in to_host.subject  # French: "… attend votre signature" or English
    assert f"/exchange/exchanges/{parties.exchange.pk}/" in to_host.body


def test_no_signature_reminder_once_signed_or_voided(parties):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    lifecycle.document_generate(exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor)
    later = timezone.now() + reminders.SIGNATURE_WAIT + timedelta(minutes=1)
    occasions = reminders.due(now=later)
    assert len(occasions) == 4
    lifecycle.plan_update(exchange=parties.exchange, data={"objectives": "x"}, by=parties.visitor)
    assert all(reminders.reminder_queue(code=o.code, pk=o.pk, role=o.role) == 0 for o in occasions)
    assert not Email.objects.exists()


def test_starting_report_and_payment_reminders(parties, world, django_capture_on_commit_callbacks):
    advance(parties, X.READY)
    exchange = parties.exchange

    def sweep(today):
        with django_capture_on_commit_callbacks(execute=True):
            for o in reminders.due(today=today):
                reminders.reminder_queue(code=o.code, pk=o.pk, role=o.role, today=today)

    sweep(START - timedelta(days=8))
    assert not Email.objects.filter(kind="exchange.starting").exists()
    sweep(START - timedelta(days=7))
    sweep(START - timedelta(days=6))
    starting = Email.objects.filter(kind="exchange.starting")
    # the visitor's applicant and org_a's representative act for the visitor
    assert sorted(starting.values_list("recipient", flat=True)) == sorted(
        [parties.visitor.email, world.rep_a.email, parties.host.email]
    )

    lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))
    sweep(END + timedelta(days=1))
    sweep(END + timedelta(days=2))
    due = Email.objects.filter(kind="exchange.report_due")
    assert sorted(due.values_list("recipient", "context__code")) == sorted(
        [(parties.visitor.email, "due"), (world.rep_a.email, "due")]
    )
    sweep(END + timedelta(days=reminders.REPORT_DUE_DAYS))  # the due day itself
    assert due.count() == 2
    sweep(END + timedelta(days=reminders.REPORT_DUE_DAYS + 1))
    sweep(END + timedelta(days=reminders.REPORT_DUE_DAYS + 2))
    assert sorted(due.values_list("context__code", flat=True)) == [
        "due",
        "due",
        "overdue",
        "overdue",
    ]

    advance(parties, X.REPORT_VALIDATED)
    today = timezone.localdate()
    sweep(today)
    assert not Email.objects.filter(kind="exchange.payment_due").exists()  # due in 10 days
    sweep(today + timedelta(days=8))
    sweep(today + timedelta(days=11))
    sweep(today + timedelta(days=12))
    payment = Email.objects.filter(kind="exchange.payment_due")
    assert sorted(payment.values_list("recipient", "context__code")) == [
        (parties.vop.email, "due"),
        (parties.vop.email, "overdue"),
    ]
    assert payment.first().context["url"].endswith(f"/exchange/exchanges/{exchange.pk}/")


def test_reminders_sweep_task(parties, django_capture_on_commit_callbacks, mailoutbox):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    document = lifecycle.document_generate(
        exchange=parties.exchange, kind=K.COMMITMENT, by=parties.visitor
    )
    ExchangeDocument.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reminders_sweep.delay().get() == 4
        assert tasks.reminders_sweep.delay().get() == 0
    # four parties; two people act for the visitor (its applicant and org_a's representative)
    assert len(mailoutbox) == 5


def test_digest_sections_for_the_visitors_cluster_only(parties, world):
    advance(parties, X.REPORT_SUBMITTED)
    since = timezone.now() - timedelta(days=1)
    assert len(digest_sections.closing_reports_to_validate(world.manager_a, since)) == 1
    assert digest_sections.closing_reports_to_validate(world.manager_b, since) == []
    advance(parties, X.REPORT_VALIDATED)
    items = digest_sections.payments_due(world.manager_a, since)
    assert len(items) == 1 and "€900.00" in items[0]["text"] and "due by" in items[0]["text"]
    assert digest_sections.payments_due(world.manager_b, since) == []
    assert digest_sections.closing_reports_to_validate(world.manager_a, since) == []
    with translation.override("fr"):
        (item,) = digest_sections.payments_due(world.manager_a, since)
    assert "900,00\xa0€" in item["text"] and "€900" not in item["text"]


def test_report_decisions_are_emailed_to_the_visitor(
    parties, mailoutbox, django_capture_on_commit_callbacks
):
    """Returned with comments, then validated: the visitor is told each time."""
    advance(parties, X.REPORT_SUBMITTED)
    exchange = parties.exchange
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_return(exchange=exchange, by=parties.vop, comments="Hotel invoice missing")
    returned = [m for m in mailoutbox if parties.visitor.email in m.to]
    assert len(returned) == 1 and "Hotel invoice missing" in returned[0].body
    lifecycle.report_save(exchange=exchange, data={"results": "better"}, by=parties.visitor)
    lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.report_validate(exchange=exchange, by=parties.vop, evidence_checked=True)
    validated = [m for m in mailoutbox if parties.visitor.email in m.to]
    assert len(validated) == 2
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert due in validated[1].body
