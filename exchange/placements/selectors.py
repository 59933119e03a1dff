"""Reads of the exchange pages (part 2), scoped to the user asking, and the actions a page
may offer. Visibility mirrors lifecycle.can_view_exchange; what a user may do mirrors the
checks of the lifecycle services (which remain the authority)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from members.roles import scope_of

from .. import workflow
from ..models import (
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangeTransition,
    HostConfirmation,
    Signature,
)
from . import services as lifecycle

X = Exchange.Status
R = Signature.Role

LIST_RELATED = (
    "visitor_organisation",
    "host_organisation",
    "visitor_cluster",
    "host_cluster",
    "plan",
)
# A certificate of participation exists once the stay is over (and was not cancelled).
CERTIFICATE_STATUSES = (
    X.COMPLETED,
    X.REPORT_SUBMITTED,
    X.REPORT_REJECTED,
    X.REPORT_VALIDATED,
    X.PAID,
    X.CLOSED,
)
PAYMENT_STATUSES = (X.REPORT_VALIDATED, X.PAID, X.CLOSED)


def exchanges_visible_to(user) -> QuerySet[Exchange]:
    """The parties' own exchanges (applicants and representatives of the two
    organisations), those of the clusters a manager manages (either side), everything of a
    coordinator's partnership; administrators see all."""
    scope = scope_of(user)
    qs = Exchange.objects.select_related(*LIST_RELATED)
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    condition = Q(visitor_application__applicant_id=user.pk) | Q(
        host_application__applicant_id=user.pk
    )
    if scope.organisation_ids:
        condition |= Q(visitor_organisation_id__in=scope.organisation_ids)
        condition |= Q(host_organisation_id__in=scope.organisation_ids)
    if scope.managed_cluster_ids:
        condition |= Q(visitor_cluster_id__in=scope.managed_cluster_ids)
        condition |= Q(host_cluster_id__in=scope.managed_cluster_ids)
    if scope.partnership_ids:
        condition |= Q(visitor_cluster__partnership_id__in=scope.partnership_ids)
        # A visitor of another partnership coming to one of ours (this partnership is HOP).
        condition |= Q(
            visitor_cluster__isnull=True, host_cluster__partnership_id__in=scope.partnership_ids
        )
    return qs.filter(condition)


def status_counts(qs: QuerySet[Exchange]) -> list[dict]:
    """How many exchanges per status (one aggregate query), in the lifecycle's order."""
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return [
        {"status": value, "label": label, "n": counts.get(value, 0)} for value, label in X.choices
    ]


def exchange_detail(user, pk: int) -> Exchange:
    """One visible exchange with everything its page shows, in a fixed number of queries.
    Raises Exchange.DoesNotExist when the user may not see it (the view answers 404)."""
    return (
        exchanges_visible_to(user)
        .select_related(
            "visitor_application__applicant",
            "visitor_application__call",
            "host_application__applicant",
            "host_application__call",
            "visitor_cluster__partnership",
            "report__validated_by",
            "host_confirmation__confirmed_by",
            "payment__recorded_by",
            "bank_details",
        )
        .prefetch_related(
            Prefetch("history", queryset=ExchangeTransition.objects.select_related("by")),
            Prefetch(
                "documents",
                queryset=ExchangeDocument.objects.prefetch_related(
                    Prefetch("signatures", queryset=Signature.objects.select_related("user"))
                ),
            ),
            Prefetch("report__evidence", queryset=Evidence.objects.all()),
        )
        .get(pk=pk)
    )


def exchange_for_document(user, pk: int, document_pk: int) -> tuple[Exchange, ExchangeDocument]:
    """A document of a visible exchange, with its signatures. DoesNotExist otherwise."""
    exchange = exchanges_visible_to(user).get(pk=pk)
    document = (
        ExchangeDocument.objects.filter(exchange=exchange)
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("user")))
        .get(pk=document_pk)
    )
    return exchange, document


def evidence_of(user, pk: int, evidence_pk: int) -> Evidence:
    exchange = exchanges_visible_to(user).get(pk=pk)
    return Evidence.objects.select_related("report").get(pk=evidence_pk, report__exchange=exchange)


def _one(exchange: Exchange, name: str):
    """A reverse one-to-one that may not exist (report, plan, payment …), or None."""
    return getattr(exchange, name, None)


def exchange_actions(user, exchange: Exchange) -> dict:
    """What the user may do on the exchange now. Templates ask this; they never repeat
    the workflow. Administrators act as any role except signing (a signature is personal)."""
    scope = scope_of(user)
    roles = lifecycle.roles_of(user, exchange)
    acting = set(R.values) if scope.is_admin else roles
    status = exchange.status
    plan = _one(exchange, "plan")
    report = _one(exchange, "report")
    confirmation = _one(exchange, "host_confirmation")
    editable = status in workflow.PLAN_EDITABLE
    is_party = bool(acting)
    plan_complete = bool(
        plan and plan.start_date and plan.end_date and plan.objectives.strip() and plan.agenda
    )
    return {
        "roles": roles,
        "edit_plan": editable and is_party,
        "generate": editable and is_party and plan_complete,
        "generate_financial": editable
        and is_party
        and plan_complete
        and plan.grant_amount is not None,
        "sign": editable and bool(roles),
        "reopen_grant": editable and R.VOP in acting and bool(plan and plan.grant_locked),
        "cancel": is_party and X.CANCELLED in workflow.EXCHANGE_TRANSITIONS.get(status, set()),
        "report_edit": R.VO in acting and status in lifecycle.REPORT_OPEN,
        "host_confirm": R.HO in acting and status in lifecycle.HOST_CONFIRMATION_OPEN,
        "review": R.VOP in acting and status == X.REPORT_SUBMITTED,
        "pay": R.VOP in acting and status == X.REPORT_VALIDATED,
        "close": R.VOP in acting and status == X.PAID,
        "outcome": lifecycle.can_record_outcome(user, exchange)
        and status in lifecycle.OUTCOME_OPEN
        and not (
            status == X.READY
            and (plan is None or not plan.start_date or plan.start_date > timezone.localdate())
        ),
        "bank_details": R.VO in acting
        and status
        in (X.ONGOING, X.COMPLETED, X.REPORT_SUBMITTED, X.REPORT_REJECTED, X.REPORT_VALIDATED),
        "correct_location": editable and bool(acting & {R.VOP, R.HOP}),
        "certificates": status in CERTIFICATE_STATUSES
        and not (confirmation is not None and not confirmation.took_place),
        "report_visible": report is not None
        and (report.status != ClosingReport.Status.DRAFT or R.VO in acting),
    }


def signable_roles(user, exchange: Exchange, document: ExchangeDocument) -> list[str]:
    """The roles in which this user may still sign this document (prefetched signatures)."""
    if document.voided_at is not None or exchange.status not in workflow.PLAN_EDITABLE:
        return []
    roles = lifecycle.roles_of(user, exchange)
    return [role for role in lifecycle.signatures_missing(document) if role in roles]


# --- Payments --------------------------------------------------------------------------------


@dataclass
class PaymentRow:
    exchange: Exchange
    amount: object
    validated_on: date | None
    due_on: date | None
    paid_on: date | None
    reference: str
    state: str  # due, overdue or paid

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


PAYMENT_STATES = ("due", "overdue", "paid")


def payments_visible_to(user) -> QuerySet[Exchange]:
    """Exchanges whose payment the user follows: those of the visitor's clusters the user
    manages (the VOP pays), the partnership's for a coordinator (read only), all for
    administrators. Validated reports onwards."""
    scope = scope_of(user)
    qs = Exchange.objects.filter(status__in=PAYMENT_STATUSES).select_related(
        *LIST_RELATED, "report", "payment", "bank_details"
    )
    if scope.is_admin:
        return qs
    condition = Q(pk__in=[])
    if scope.managed_cluster_ids:
        condition |= Q(visitor_cluster_id__in=scope.managed_cluster_ids)
    if scope.partnership_ids:
        condition |= Q(visitor_cluster__partnership_id__in=scope.partnership_ids)
    return qs.filter(condition)


def _overdue_before(today: date) -> datetime:
    """A report validated before this instant has its payment due before today."""
    start = today - timedelta(days=lifecycle.PAYMENT_DUE_DAYS)
    return timezone.make_aware(datetime.combine(start, time.min))


def payments_filter(qs: QuerySet[Exchange], state: str, *, today: date | None = None):
    """Narrow to one state in the database (due: validated and not paid yet, overdue: the
    10 days have passed, paid: recorded)."""
    today = today or timezone.localdate()
    if state == "paid":
        return qs.filter(payment__isnull=False)
    if state == "due":
        return qs.filter(payment__isnull=True, report__validated_at__gte=_overdue_before(today))
    if state == "overdue":
        return qs.filter(payment__isnull=True, report__validated_at__lt=_overdue_before(today))
    return qs


def payment_row(exchange: Exchange, *, today: date | None = None) -> PaymentRow:
    today = today or timezone.localdate()
    payment = _one(exchange, "payment")
    report = _one(exchange, "report")
    plan = _one(exchange, "plan")
    due_on = lifecycle.payment_due_on(exchange)
    if payment is not None:
        state = "paid"
    elif due_on is not None and due_on < today:
        state = "overdue"
    else:
        state = "due"
    return PaymentRow(
        exchange=exchange,
        amount=payment.amount
        if payment
        else (
            report.final_grant_amount
            if report is not None and report.final_grant_amount is not None
            else (plan.grant_amount if plan else None)
        ),
        validated_on=timezone.localdate(report.validated_at)
        if report and report.validated_at
        else None,
        due_on=due_on,
        paid_on=payment.paid_on if payment else None,
        reference=payment.reference if payment else "",
        state=state,
    )


def payments_ordered(qs: QuerySet[Exchange]) -> QuerySet[Exchange]:
    """Oldest validation first: what has waited longest comes first."""
    return qs.order_by("report__validated_at", "pk")


def host_confirmation_of(exchange: Exchange) -> HostConfirmation | None:
    return _one(exchange, "host_confirmation")
