"""Services of ClusterXchange part 2: the exchange from match to payment.

(Part 1's services — applications, review, matching — live in services.py.)"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.roles import scope_of

from . import grant, uploads, workflow
from .models import (
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    HostConfirmation,
    Payment,
    Programme,
    Signature,
)

X = Exchange.Status
R = Signature.Role
PAYMENT_DUE_DAYS = 10
SIGNERS = {
    ExchangeDocument.Kind.COMMITMENT: (R.VO, R.HO, R.VOP, R.HOP),
    ExchangeDocument.Kind.FINANCIAL: (R.VO, R.VOP),
}


# --- Who is who ----------------------------------------------------------------------------


def roles_of(user, exchange: Exchange) -> set[str]:
    """The roles a user holds on an exchange: VO / HO (the applicants or representatives of
    the organisations), VOP / HOP (managers of the two managing clusters)."""
    if getattr(user, "is_external_party", False):  # exchange/external.py: a private link
        return user.roles_on(exchange)
    scope = scope_of(user)
    uid = getattr(user, "pk", None)
    roles = set()
    if (
        uid is not None
        and exchange.visitor_application_id
        and exchange.visitor_application.applicant_id == uid
    ) or exchange.visitor_organisation_id in scope.organisation_ids:
        roles.add(R.VO)
    if (
        uid is not None
        and exchange.host_application_id
        and exchange.host_application.applicant_id == uid
    ) or exchange.host_organisation_id in scope.organisation_ids:
        roles.add(R.HO)
    if exchange.visitor_cluster_id in scope.managed_cluster_ids:
        roles.add(R.VOP)
    if exchange.host_cluster_id in scope.managed_cluster_ids:
        roles.add(R.HOP)
    return roles


def can_view_exchange(user, exchange: Exchange) -> bool:
    scope = scope_of(user)
    return (
        bool(roles_of(user, exchange))
        or scope.is_admin
        or (responsible_partnership_id(exchange) in scope.partnership_ids)
    )


def _require(user, exchange, allowed: set[str]) -> set[str]:
    roles = roles_of(user, exchange)
    if scope_of(user).is_admin:
        return roles or set(allowed)
    if not roles & allowed:
        raise PermissionDenied(_("You may not do this on this exchange."))
    return roles


def _locked(exchange: Exchange) -> Exchange:
    # of=("self",): lock the exchange row only, not the applications, organisations and
    # clusters joined for reading (locking those would serialise every exchange of a
    # cluster, and block anyone editing the cluster meanwhile).
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related(
            "visitor_application",
            "host_application",
            "visitor_organisation",
            "host_organisation",
            "visitor_cluster__partnership",
            "host_cluster",
        )
        .get(pk=exchange.pk)
    )


def exchange_transition(exchange: Exchange, to: str, *, by=None, note: str = "") -> Exchange:
    """The one place an exchange changes status (caller holds the lock)."""
    if to not in workflow.EXCHANGE_TRANSITIONS.get(exchange.status, set()):
        raise ValidationError(
            _("An exchange cannot go from “%(from)s” to “%(to)s”.")
            % {"from": exchange.get_status_display(), "to": X(to).label}
        )
    ExchangeTransition.objects.create(
        exchange=exchange,
        from_status=exchange.status,
        to_status=to,
        by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )
    exchange.status = to
    exchange.save(update_fields=["status"])
    return exchange


# --- Preparation -------------------------------------------------------------------------------


def _programme(exchange) -> Programme:
    programme, _created = Programme.objects.get_or_create(
        partnership_id=exchange.visitor_cluster.partnership_id
    )
    return programme


def grant_compute(exchange: Exchange, plan: ExchangePlan) -> grant.GrantComputation | None:
    if not (plan.start_date and plan.end_date):
        return None
    if exchange.visitor_cluster_id is None:
        return None  # a visitor of another partnership: its own partnership pays the grant
    return grant.compute(
        programme=_programme(exchange),
        visitor_org=exchange.visitor_organisation,
        host_org=exchange.host_organisation,
        start=plan.start_date,
        end=plan.end_date,
    )


@transaction.atomic
def plan_update(*, exchange: Exchange, data: dict, by) -> ExchangePlan:
    """Visitor, host or their clusters agree on dates, objectives, agenda and activities.
    Any change after a signature voids the documents and their signatures; the grant is
    recomputed until the financial agreement is signed."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO, R.HO, R.VOP, R.HOP})
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The plan can no longer be changed."))
    plan, _created = ExchangePlan.objects.select_for_update().get_or_create(exchange=exchange)
    before = _canonical(exchange, plan)
    for name in ("start_date", "end_date", "objectives", "agenda", "activity_types"):
        if name in data:
            setattr(plan, name, data[name])
    if plan.start_date and plan.end_date and plan.end_date < plan.start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
    if not plan.grant_locked:
        _grant_refresh(exchange, plan)
    plan.save()
    if _canonical(exchange, plan) != before:
        voided = ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True).update(
            voided_at=timezone.now()
        )
        if voided and exchange.status in (X.COMMITMENT_SIGNED, X.READY):
            exchange_transition(
                exchange,
                X.IN_PREPARATION,
                by=by,
                note=gettext_noop("plan changed: signatures needed again"),
            )
    if exchange.status == X.MATCHED:
        exchange_transition(exchange, X.IN_PREPARATION, by=by)
    return plan


def _grant_refresh(exchange: Exchange, plan: ExchangePlan) -> None:
    computation = grant_compute(exchange, plan)
    plan.grant_amount = computation.amount if computation else None
    plan.grant_steps = (computation.steps + computation.errors) if computation else []


def _canonical(exchange: Exchange, plan: ExchangePlan) -> dict:
    """The exact content a signature covers."""
    return {
        "exchange": exchange.pk,
        "visitor": exchange.visitor_organisation.legal_name,
        "host": exchange.host_organisation.legal_name,
        "vop": cluster_label(exchange, R.VOP),
        "hop": cluster_label(exchange, R.HOP),
        "start": plan.start_date.isoformat() if plan.start_date else None,
        "end": plan.end_date.isoformat() if plan.end_date else None,
        "objectives": plan.objectives,
        "agenda": plan.agenda,
        "activity_types": sorted(plan.activity_types or []),
        "grant": str(plan.grant_amount) if plan.grant_amount is not None else None,
    }


def _hash(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


@transaction.atomic
def document_generate(*, exchange: Exchange, kind: str, by) -> ExchangeDocument:
    """A new version of the Commitment to Quality or the financial agreement from the
    current plan; the previous version (and its signatures) is voided. Only while the plan
    may change (not once the stay started, nor on a cancelled exchange)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO, R.HO, R.VOP, R.HOP})
    if kind not in ExchangeDocument.Kind.values:
        raise ValidationError(_("Unknown kind of document."))
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The documents of this exchange can no longer be changed."))
    plan = ExchangePlan.objects.filter(exchange=exchange).first()
    if plan is None or not (
        plan.start_date and plan.end_date and plan.objectives.strip() and plan.agenda
    ):
        raise ValidationError(_("Agree on the dates, objectives and agenda first."))
    if kind == ExchangeDocument.Kind.FINANCIAL and plan.grant_amount is None:
        raise ValidationError(_("The grant cannot be computed yet: see the computation."))
    # The kind is part of what is signed: the two documents never share a fingerprint.
    content = {**_canonical(exchange, plan), "kind": kind}
    current = ExchangeDocument.objects.filter(
        exchange=exchange, kind=kind, voided_at__isnull=True
    ).first()
    if current and current.content_hash == _hash(content):
        return current
    ExchangeDocument.objects.filter(exchange=exchange, kind=kind, voided_at__isnull=True).update(
        voided_at=timezone.now()
    )
    version = (
        ExchangeDocument.objects.filter(exchange=exchange, kind=kind).aggregate(v=Max("version"))[
            "v"
        ]
        or 0
    ) + 1
    return ExchangeDocument.objects.create(
        exchange=exchange, kind=kind, version=version, content=content, content_hash=_hash(content)
    )


@transaction.atomic
def document_sign(*, document: ExchangeDocument, role: str, by, password: str) -> Signature:
    """Signing asks for the password again, and records the time and the hash of the exact
    version signed. When every party has signed, the exchange moves on."""
    # The exchange first, then the document: the same order as plan_update and
    # document_generate, so a signature and a plan change cannot deadlock.
    exchange = _locked(Exchange(pk=document.exchange_id))
    document = ExchangeDocument.objects.select_for_update().get(pk=document.pk)
    if document.voided_at is not None:
        raise ValidationError(_("This version was replaced: sign the current one."))
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The documents of this exchange can no longer be signed."))
    if role not in SIGNERS[document.kind]:
        raise ValidationError(_("This party does not sign this document."))
    if role not in roles_of(by, exchange):
        raise PermissionDenied(_("You cannot sign for this party."))
    if not by.check_password(password or ""):
        raise ValidationError({"password": _("The password is not correct.")})
    if _hash(document.content) != document.content_hash:
        raise ValidationError(_("The document does not match its fingerprint."))
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                document=document, role=role, user=by, document_hash=document.content_hash
            )
    except IntegrityError as exc:
        raise ValidationError(_("This party has already signed.")) from exc
    _after_signature(exchange, by)
    return signature


def _fully_signed(exchange: Exchange, kind: str) -> bool:
    document = ExchangeDocument.objects.filter(
        exchange=exchange, kind=kind, voided_at__isnull=True
    ).first()
    if document is None:
        return False
    return set(document.signatures.values_list("role", flat=True)) >= set(SIGNERS[kind])


def _after_signature(exchange: Exchange, by) -> None:
    commitment = _fully_signed(exchange, ExchangeDocument.Kind.COMMITMENT)
    financial = _fully_signed(exchange, ExchangeDocument.Kind.FINANCIAL)
    if exchange.visitor_cluster_id is None:
        financial = True  # the visitor's partnership signs its financial agreement elsewhere
    if financial:
        ExchangePlan.objects.filter(exchange=exchange).update(grant_locked=True)
    if commitment and exchange.status == X.IN_PREPARATION:
        exchange_transition(
            exchange, X.COMMITMENT_SIGNED, by=by, note=gettext_noop("all parties signed")
        )
    if commitment and financial and exchange.status == X.COMMITMENT_SIGNED:
        exchange_transition(exchange, X.READY, by=by, note=gettext_noop("documents signed"))


# The history note of a re-opened grant starts with this (the page translates it).
GRANT_REOPENED = "grant re-opened: "


@transaction.atomic
def grant_reopen(*, exchange: Exchange, by, reason: str) -> ExchangePlan:
    """A manager of the visitor's cluster re-opens a fixed grant, before the stay, with a
    reason (recorded). The grant is computed again from the current plan; the financial
    agreement must be signed again, and if the amount changed, the commitment too (its
    content includes the grant)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if not reason.strip():
        raise ValidationError(_("Say why the grant is re-opened."))
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The grant can no longer be re-opened: the stay has started."))
    plan = ExchangePlan.objects.select_for_update().filter(exchange=exchange).first()
    if plan is None or not plan.grant_locked:
        raise ValidationError(
            _(
                "The grant is not fixed: it follows the plan until the financial agreement is signed."
            )
        )
    before = _canonical(exchange, plan)
    plan.grant_locked = False
    _grant_refresh(exchange, plan)
    plan.save(update_fields=["grant_locked", "grant_amount", "grant_steps", "updated_at"])
    changed = _canonical(exchange, plan) != before
    current = ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True)
    if not changed:
        current = current.filter(kind=ExchangeDocument.Kind.FINANCIAL)
    current.update(voided_at=timezone.now())
    ExchangeTransition.objects.create(
        exchange=exchange,
        from_status=exchange.status,
        to_status=exchange.status,
        by=by,
        note=f"{GRANT_REOPENED}{reason.strip()}",
    )
    if changed and exchange.status in (X.COMMITMENT_SIGNED, X.READY):
        exchange_transition(
            exchange,
            X.IN_PREPARATION,
            by=by,
            note=gettext_noop("grant changed: signatures needed again"),
        )
    elif exchange.status == X.READY:
        exchange_transition(
            exchange,
            X.COMMITMENT_SIGNED,
            by=by,
            note=gettext_noop("financial agreement to sign again"),
        )
    return plan


def exchanges_follow_dates(*, today: date | None = None) -> int:
    """ready → ongoing on the first day, ongoing → completed after the last day."""
    today = today or timezone.localdate()
    moved = 0
    due = list(
        Exchange.objects.filter(
            status__in=[X.READY, X.ONGOING], plan__start_date__lte=today
        ).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to
            # the plan (a reverse one-to-one).
            exchange = (
                Exchange.objects.select_for_update(of=("self",)).select_related("plan").get(pk=pk)
            )
            if exchange.status == X.READY and exchange.plan.start_date <= today:
                exchange_transition(exchange, X.ONGOING, note=gettext_noop("the stay started"))
                moved += 1
            if exchange.status == X.ONGOING and exchange.plan.end_date < today:
                exchange_transition(exchange, X.COMPLETED, note=gettext_noop("the stay ended"))
                moved += 1
    return moved


@transaction.atomic
def exchange_cancel(*, exchange: Exchange, by, reason: str) -> Exchange:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO, R.HO, R.VOP, R.HOP})
    if not reason.strip():
        raise ValidationError(_("Say why the exchange is cancelled."))
    return exchange_transition(exchange, X.CANCELLED, by=by, note=reason)


# --- After the stay ------------------------------------------------------------------------------

# The visitor writes the closing report (and adds evidence) in these states.
REPORT_OPEN = (X.COMPLETED, X.REPORT_REJECTED)
# The host confirms the visit from its first day until the report is validated.
HOST_CONFIRMATION_OPEN = (X.ONGOING, X.COMPLETED, X.REPORT_SUBMITTED, X.REPORT_REJECTED)


@transaction.atomic
def report_save(*, exchange: Exchange, data: dict, by) -> ClosingReport:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("The closing report opens after the stay."))
    if data.get("rating") not in (None, 1, 2, 3, 4, 5):
        raise ValidationError({"rating": _("Rate the exchange from 1 to 5.")})
    report, _created = ClosingReport.objects.select_for_update().get_or_create(exchange=exchange)
    for name in ("objectives_reached", "results", "follow_up", "rating"):
        if name in data:
            setattr(report, name, data[name])
    report.save()
    return report


@transaction.atomic
def evidence_add(*, exchange: Exchange, kind: str, upload, by) -> Evidence:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("Evidence is added to the closing report after the stay."))
    if kind not in Evidence.Kind.values:
        raise ValidationError({"kind": _("Choose what this document is.")})
    checked = uploads.check_upload(upload, images=True)
    report, _created = ClosingReport.objects.get_or_create(exchange=exchange)
    evidence = Evidence(
        report=report,
        kind=kind,
        original_name=upload.name[:255],
        content_type=checked.content_type,
        size=checked.size,
    )
    evidence.file.save("evidence", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def report_submit(*, exchange: Exchange, by) -> ClosingReport:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("This closing report cannot be submitted now."))
    report = ClosingReport.objects.select_for_update().filter(exchange=exchange).first()
    if report is None or not (
        report.objectives_reached.strip() and report.results.strip() and report.rating
    ):
        raise ValidationError(
            _("Fill in the objectives reached, the results and the rating first.")
        )
    # Tickets are always needed; the host's confirmation in the portal (that the visit
    # took place) replaces an uploaded attendance confirmation, not the tickets.
    kinds = set(report.evidence.values_list("kind", flat=True))
    if Evidence.Kind.TICKET not in kinds:
        raise ValidationError(_("Add your boarding passes or travel tickets."))
    confirmed = HostConfirmation.objects.filter(exchange=exchange, took_place=True).exists()
    if Evidence.Kind.ATTENDANCE not in kinds and not confirmed:
        raise ValidationError(
            _(
                "Add the host's attendance confirmation (or ask the host to confirm the visit in the portal)."
            )
        )
    report.status = ClosingReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    exchange_transition(exchange, X.REPORT_SUBMITTED, by=by)
    return report


@transaction.atomic
def host_confirm(*, exchange: Exchange, took_place: bool, feedback: str, by) -> HostConfirmation:
    exchange = _locked(exchange)
    _require(by, exchange, {R.HO})
    if exchange.status not in HOST_CONFIRMATION_OPEN:
        raise ValidationError(
            _("The visit can be confirmed once it has started, until the report is validated.")
        )
    confirmation, _created = HostConfirmation.objects.update_or_create(
        exchange=exchange,
        defaults={"took_place": took_place, "feedback": feedback, "confirmed_by": by},
    )
    return confirmation


@transaction.atomic
def report_validate(*, exchange: Exchange, by, evidence_checked: bool) -> ClosingReport:
    """The visitor's cluster (VOP) validates; payment becomes due within 10 days."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if exchange.status != X.REPORT_SUBMITTED:
        raise ValidationError(_("There is no submitted closing report to validate."))
    if not evidence_checked:
        raise ValidationError(_("Check the evidence before validating the report."))
    report = ClosingReport.objects.select_for_update().get(exchange=exchange)
    report.status = ClosingReport.Status.VALIDATED
    report.evidence_checked = True
    report.validated_by = by
    report.validated_at = timezone.now()
    report.save(update_fields=["status", "evidence_checked", "validated_by", "validated_at"])
    exchange_transition(exchange, X.REPORT_VALIDATED, by=by)
    from .reminders import report_decision_queue

    report_decision_queue(exchange=exchange, validated=True)
    return report


@transaction.atomic
def report_return(*, exchange: Exchange, by, comments: str) -> ClosingReport:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if exchange.status != X.REPORT_SUBMITTED:
        raise ValidationError(_("There is no submitted closing report to return."))
    if not comments.strip():
        raise ValidationError(_("Say what the visitor must correct."))
    report = ClosingReport.objects.select_for_update().get(exchange=exchange)
    report.status = ClosingReport.Status.RETURNED
    report.review_comment = comments
    report.save(update_fields=["status", "review_comment"])
    exchange_transition(exchange, X.REPORT_REJECTED, by=by, note=comments)
    from .reminders import report_decision_queue

    report_decision_queue(exchange=exchange, validated=False, comments=comments)
    return report


def payment_due_on(exchange: Exchange) -> date | None:
    report = getattr(exchange, "report", None)
    if report is None or report.validated_at is None:
        return None
    return timezone.localdate(report.validated_at) + timedelta(days=PAYMENT_DUE_DAYS)


@transaction.atomic
def payment_record(*, exchange: Exchange, paid_on: date, reference: str, by) -> Payment:
    """Only after validation with the evidence checked, and only once (database key)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if exchange.status != X.REPORT_VALIDATED:
        if Payment.objects.filter(exchange=exchange).exists():
            raise ValidationError(_("The payment of this exchange is already recorded."))
        raise ValidationError(
            _("A payment is possible only after the closing report is validated.")
        )
    if not reference.strip():
        raise ValidationError({"reference": _("Give the reference of the transfer.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("Record a payment once it is made.")})
    report = ClosingReport.objects.get(exchange=exchange)
    plan = ExchangePlan.objects.get(exchange=exchange)
    if not report.evidence_checked or plan.grant_amount is None:
        raise ValidationError(_("The evidence must be checked and the grant fixed before payment."))
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                exchange=exchange,
                amount=plan.grant_amount,
                paid_on=paid_on,
                reference=reference.strip(),
                recorded_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("The payment of this exchange is already recorded.")) from exc
    exchange_transition(
        exchange, X.PAID, by=by, note=f"{payment.amount} paid on {paid_on} ({reference})"
    )
    return payment


@transaction.atomic
def exchange_close(*, exchange: Exchange, by) -> Exchange:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    return exchange_transition(exchange, X.CLOSED, by=by)


# --- Additions of the exchange pages ---------------------------------------------------------


@transaction.atomic
def evidence_delete(*, evidence: Evidence, by) -> None:
    """The visitor removes a wrong file while the report is still theirs to change."""
    exchange = _locked(Exchange(pk=evidence.report.exchange_id))
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("The evidence of a submitted report cannot be changed."))
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    # The file goes once the row is gone for good (not if the transaction rolls back).
    transaction.on_commit(lambda: storage.delete(name))


def signatures_missing(document: ExchangeDocument) -> list[str]:
    """The roles that still have to sign a current document (uses prefetched signatures)."""
    if document.voided_at is not None:
        return []
    signed = {s.role for s in document.signatures.all()}
    return [role for role in SIGNERS[document.kind] if role not in signed]


def content_hash(content: dict) -> str:
    """The fingerprint a signature covers (SHA-256 of the canonical JSON)."""
    return _hash(content)


# --- Parties of other partnerships (exchange/external.py) ------------------------------------


def cluster_label(exchange: Exchange, role: str) -> str:
    """VOP / HOP as written in the documents: the cluster's acronym, or the partnership
    and cluster organisation of an external party."""
    cluster = exchange.visitor_cluster if role == R.VOP else exchange.host_cluster
    if cluster is not None:
        return cluster.acronym
    from .external import party_label

    return party_label(exchange, role)


def responsible_partnership_id(exchange: Exchange) -> int | None:
    """The partnership of this portal responsible for the exchange: the visitor's, or the
    host's when the visitor comes from another partnership."""
    cluster = exchange.visitor_cluster or exchange.host_cluster
    return cluster.partnership_id if cluster else None


# Used by exchange/external.py, which acts for parties without an account.
lock_exchange = _locked
after_signature = _after_signature
document_fingerprint = _hash
