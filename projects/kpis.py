"""KPI values computed from the portal's data, never typed in.

Each computation is a function of (partnership, cluster=None, period) registered under a
key; a KPI row names that key as its source (and may pass options through its
`parameters`). With a cluster the value is that cluster's share; without one it is the
partnership's. Each computation is one or two queries, whatever the amount of data.

Definitions (written once here, so the dashboard, the PDF and the XLSX agree):

- SMEs supported: distinct member organisations declared as SMEs or start-ups that had a
  seat at an event of the partnership (registered or attended) or an accepted
  ClusterXchange application. The declared type is used rather than the EU size test,
  which needs figures many members never give.
- Events held: published events of the partnership that have ended. A cluster's are
  those it (co-)organised.
- Participants: attended registrations of those events.
- Exchanges completed: exchanges whose closing report is validated (status "report
  validated", "paid" or "closed"), counted once, for the visitor's partnership (VOP) only;
  a cluster counts those of its visitors. Dated by the validation of their report (their
  creation when no history was recorded). An exchange that did not take place never counts.
- Paid (funnel): exchanges with a recorded payment.
- Grants paid: recorded payments (amount and date, ClusterXchange part 2), for the VOP
  only, plus exchanges marked paid or closed without a recorded payment, whose amount is
  reported as not available, never guessed.
- Strategies delivered: strategy documents with a final version.
- Labels obtained: label records (Bronze, Silver, Gold) awarded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Cluster, Organisation, Partnership


@dataclass(frozen=True)
class Period:
    """Inclusive dates; None on a side means "unbounded"."""

    start: date | None = None
    end: date | None = None

    def datetime_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as aware datetimes in the portal's time zone."""
        start = timezone.make_aware(datetime.combine(self.start, time.min)) if self.start else None
        end = (
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))
            if self.end
            else None
        )
        return start, end

    def q_datetime(self, field_name: str) -> Q:
        start, end = self.datetime_range()
        q = Q()
        if start:
            q &= Q(**{f"{field_name}__gte": start})
        if end:
            q &= Q(**{f"{field_name}__lt": end})
        return q

    def q_date(self, field_name: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field_name}__lte": self.end})
        return q


ALL_TIME = Period()


@dataclass
class Measure:
    value: Decimal | int | None
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Computation:
    key: str
    label: object
    func: Callable[..., Measure]
    unit: object = ""


REGISTRY: dict[str, Computation] = {}


def register(key: str, label, unit=""):
    def decorator(func):
        REGISTRY[key] = Computation(key=key, label=label, func=func, unit=unit)
        return func

    return decorator


def compute(
    key: str,
    *,
    partnership: Partnership,
    cluster: Cluster | None = None,
    period: Period = ALL_TIME,
    **params,
) -> Measure:
    return REGISTRY[key].func(partnership, cluster, period, **params)


def source_choices() -> list[tuple[str, str]]:
    return [("manual", str(_("Entered manually")))] + [
        (c.key, str(c.label)) for c in REGISTRY.values()
    ]


SME_TYPES = (Organisation.Type.SME, Organisation.Type.STARTUP)


# --- Workshops -----------------------------------------------------------------------


def _events_held(partnership, cluster, period, kinds=None):
    from workshops.models import Event

    qs = Event.objects.filter(
        partnership=partnership, status=Event.Status.PUBLISHED, end__lt=timezone.now()
    ).filter(period.q_datetime("end"))
    if cluster is not None:
        qs = qs.filter(
            id__in=Event.organisers.through.objects.filter(cluster=cluster).values("event_id")
        )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs


@register("events_held", _("Events held"), _("events"))
def events_held(partnership, cluster=None, period=ALL_TIME, kinds=None) -> Measure:
    return Measure(_events_held(partnership, cluster, period, kinds).count())


@register("participants", _("Participants in events held"), _("participants"))
def participants(partnership, cluster=None, period=ALL_TIME, kinds=None) -> Measure:
    from workshops.models import Registration

    return Measure(
        Registration.objects.filter(
            event__in=_events_held(partnership, cluster, period, kinds),
            status=Registration.Status.ATTENDED,
        ).count()
    )


# --- SMEs supported ----------------------------------------------------------------------


def _accepted_at():
    """When an application was accepted: its history row, else its submission (rows
    created without history, e.g. imported)."""
    from exchange.models import ApplicationTransition

    accepted = (
        ApplicationTransition.objects.filter(application=OuterRef("pk"), to_status="accepted")
        .order_by("-at")
        .values("at")[:1]
    )
    return Coalesce(Subquery(accepted), "submitted_at", "created_at")


@register("smes_supported", _("SMEs supported"), _("SMEs"))
def smes_supported(partnership, cluster=None, period=ALL_TIME) -> Measure:
    from exchange.models import Application
    from workshops.models import Event, Registration

    registrations = Registration.objects.filter(
        event__partnership=partnership,
        event__status=Event.Status.PUBLISHED,
        status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED],
        organisation__isnull=False,
    ).filter(period.q_datetime("event__start"))
    applications = (
        Application.objects.filter(
            call__partnership=partnership,
            status=Application.Status.ACCEPTED,
            organisation__isnull=False,
        )
        .annotate(accepted_at=_accepted_at())
        .filter(period.q_datetime("accepted_at"))
    )
    if cluster is not None:
        registrations = registrations.filter(organisation__memberships__cluster=cluster)
        applications = applications.filter(managing_cluster=cluster)
    count = (
        Organisation.objects.filter(org_type__in=SME_TYPES)
        .filter(
            Q(id__in=registrations.values("organisation_id"))
            | Q(id__in=applications.values("organisation_id"))
        )
        .count()
    )
    return Measure(count)


# --- ClusterXchange ---------------------------------------------------------------------

# Completed = the closing report is validated (ClusterXchange rule, issue 12).
COMPLETED_OR_LATER = (
    "report_validated",
    "paid",
    "closed",
)
PAID = ("paid", "closed")
NOT_MATCHED = ("proposed", "cancelled", "declined")


def _completed_at():
    """When an exchange was completed (its report validated): its history row, else its
    creation."""
    from exchange.models import ExchangeTransition

    completed = (
        ExchangeTransition.objects.filter(exchange=OuterRef("pk"), to_status="report_validated")
        .order_by("at")
        .values("at")[:1]
    )
    return Coalesce(Subquery(completed), "created_at")


def _exchanges(partnership, cluster, period=ALL_TIME, *, by_completion=False):
    """Exchanges counted for the visitor's side only (VOP), never for the host's. The
    period applies to their creation, or with `by_completion` to their completion."""
    from exchange.models import Exchange

    qs = Exchange.objects.filter(visitor_cluster__partnership=partnership)
    if by_completion:
        qs = qs.annotate(completed_at=_completed_at()).filter(period.q_datetime("completed_at"))
    else:
        qs = qs.filter(period.q_datetime("created_at"))
    if cluster is not None:
        qs = qs.filter(visitor_cluster=cluster)
    return qs


@register("exchanges_completed", _("ClusterXchange exchanges completed"), _("exchanges"))
def exchanges_completed(partnership, cluster=None, period=ALL_TIME) -> Measure:
    return Measure(
        _exchanges(partnership, cluster, period, by_completion=True)
        .filter(status__in=COMPLETED_OR_LATER)
        .count()
    )


@register("grants_paid", _("ClusterXchange grants paid"), _("grants"))
def grants_paid(partnership, cluster=None, period=ALL_TIME) -> Measure:
    """Count and amount of the recorded payments (paid on a date in the period), plus the
    exchanges marked paid without a recorded payment (their amount is unknown)."""
    from exchange.models import Payment

    payments = Payment.objects.filter(exchange__visitor_cluster__partnership=partnership).filter(
        period.q_date("paid_on")
    )
    if cluster is not None:
        payments = payments.filter(exchange__visitor_cluster=cluster)
    recorded = payments.aggregate(n=Count("id"), amount=Sum("amount"))
    unrecorded = (
        _exchanges(partnership, cluster, period, by_completion=True)
        .filter(status__in=PAID, payment__isnull=True)
        .count()
    )
    amount = recorded["amount"] or Decimal("0")
    note = ""
    if unrecorded:
        note = str(
            _("%(n)d paid without a recorded payment: their amount is not available.")
            % {"n": unrecorded}
        )
    return Measure(
        recorded["n"] + unrecorded,
        note=note,
        extra={"amount": amount, "unrecorded": unrecorded},
    )


def exchange_funnel(partnership, cluster=None, period=ALL_TIME) -> list[dict]:
    """Applications → accepted → matched → completed → paid, in two queries."""
    from exchange.models import Application

    applications = (
        Application.objects.filter(call__partnership=partnership)
        .exclude(status=Application.Status.DRAFT)
        .annotate(at=Coalesce("submitted_at", "created_at"))
        .filter(period.q_datetime("at"))
    )
    if cluster is not None:
        applications = applications.filter(managing_cluster=cluster)
    apps = applications.aggregate(
        total=Count("id"), accepted=Count("id", filter=Q(status=Application.Status.ACCEPTED))
    )
    exchanges = _exchanges(partnership, cluster, period).aggregate(
        matched=Count("id", filter=~Q(status__in=NOT_MATCHED)),
        completed=Count("id", filter=Q(status__in=COMPLETED_OR_LATER)),
        paid=Count("id", filter=Q(payment__isnull=False)),
    )
    return [
        {"key": "applications", "label": str(_("Applications")), "value": apps["total"]},
        {"key": "accepted", "label": str(_("Accepted")), "value": apps["accepted"]},
        {"key": "matched", "label": str(_("Matched")), "value": exchanges["matched"]},
        {"key": "completed", "label": str(_("Completed")), "value": exchanges["completed"]},
        {"key": "paid", "label": str(_("Paid")), "value": exchanges["paid"]},
    ]


# --- Strategies and labels ------------------------------------------------------------------


# --- Impact follow-up (exchange/impact/services.py) ---------------------------------------------------
# Surveys 3, 6 and 12 months after a validated exchange (counted for the visitor's
# partnership and cluster, like the exchange) or after a training of the partnership
# (a cluster counts the trainings it organised). Dated by their answer (or sending).


def _impact_surveys(partnership, cluster, *, trainings: bool = True):
    from exchange.models import ImpactSurvey
    from workshops.models import Event

    about = Q(exchange__visitor_cluster__partnership=partnership)
    if cluster is not None:
        about = Q(exchange__visitor_cluster=cluster)
    if trainings:
        events = Event.objects.filter(partnership=partnership)
        if cluster is not None:
            events = events.filter(
                id__in=Event.organisers.through.objects.filter(cluster=cluster).values("event_id")
            )
        about |= Q(registration__event__in=events)
    return ImpactSurvey.objects.filter(about)


@register(
    "impact_collaboration_agreements",
    _("Collaboration agreements after exchanges (follow-up surveys)"),
    _("exchanges"),
)
def impact_collaboration_agreements(partnership, cluster=None, period=ALL_TIME) -> Measure:
    """Exchanges where the visitor or the host answered that a collaboration agreement
    was signed (an exchange counts once, whoever said so and however often)."""
    answered = _impact_surveys(partnership, cluster, trainings=False).filter(
        status="answered", collaboration_agreement=True
    )
    return Measure(
        answered.filter(period.q_datetime("answered_at")).values("exchange_id").distinct().count()
    )


@register(
    "impact_joint_projects",
    _("Joint projects after exchanges and trainings (follow-up surveys)"),
    _("projects"),
)
def impact_joint_projects(partnership, cluster=None, period=ALL_TIME) -> Measure:
    answered = (
        _impact_surveys(partnership, cluster)
        .filter(status="answered", joint_project=True)
        .filter(period.q_datetime("answered_at"))
    )
    exchanges = answered.filter(exchange__isnull=False).values("exchange_id").distinct().count()
    return Measure(exchanges + answered.filter(registration__isnull=False).count())


@register("impact_response_rate", _("Response rate of the follow-up surveys"), _("% answered"))
def impact_response_rate(partnership, cluster=None, period=ALL_TIME) -> Measure:
    summary = impact_summary(partnership, cluster, period)
    return Measure(
        summary["rate"],
        note=str(_("%(answered)d of %(sent)d answered") % summary),
        extra=summary,
    )


def impact_summary(partnership, cluster=None, period=ALL_TIME) -> dict:
    """What the follow-up surveys say, in one query: sent, answered, response rate (None
    when nothing was sent), and the answers' totals."""
    surveys = (
        _impact_surveys(partnership, cluster)
        .filter(status__in=["sent", "answered"])
        .filter(period.q_datetime("sent_at"))
    )
    row = surveys.aggregate(
        sent=Count("id"),
        answered=Count("id", filter=Q(status="answered")),
        agreements=Count("id", filter=Q(status="answered", collaboration_agreement=True)),
        joint_projects=Count("id", filter=Q(status="answered", joint_project=True)),
        new_partners=Count("id", filter=Q(status="answered", new_clients_or_suppliers=True)),
        investment=Sum("investment_eur", filter=Q(status="answered")),
        jobs=Sum("jobs_created", filter=Q(status="answered")),
    )
    row["investment"] = row["investment"] or Decimal("0")
    row["jobs"] = row["jobs"] or 0
    row["rate"] = (
        (Decimal(row["answered"] * 100) / row["sent"]).quantize(Decimal("1"))
        if row["sent"]
        else None
    )
    return row


@register("strategies_delivered", _("Strategies delivered"), _("strategies"))
def strategies_delivered(
    partnership, cluster=None, period=ALL_TIME, joint=None, kind="strategy"
) -> Measure:
    """`joint`: True for the joint strategy only, False for the clusters' only."""
    from .models import StrategyDocument, StrategyVersion

    final = StrategyVersion.objects.filter(is_final=True).filter(period.q_datetime("uploaded_at"))
    qs = StrategyDocument.objects.filter(
        project__partnership=partnership, kind=kind, id__in=final.values("document_id")
    )
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    elif joint is True:
        qs = qs.filter(cluster__isnull=True)
    elif joint is False:
        qs = qs.filter(cluster__isnull=False)
    return Measure(qs.count())


@register("labels_obtained", _("Cluster labels obtained"), _("labels"))
def labels_obtained(partnership, cluster=None, period=ALL_TIME, labels=None) -> Measure:
    from .models import LabelRecord

    qs = LabelRecord.objects.filter(
        cluster__partnership=partnership, awarded_on__isnull=False
    ).filter(period.q_date("awarded_on"))
    qs = qs.filter(label__in=labels or ["bronze", "silver", "gold"])
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    return Measure(qs.count())


@register("benchmarkings", _("Benchmarking visits"), _("visits"))
def benchmarkings(partnership, cluster=None, period=ALL_TIME) -> Measure:
    from .models import LabelRecord

    qs = LabelRecord.objects.filter(
        cluster__partnership=partnership, benchmarked_on__isnull=False
    ).filter(period.q_date("benchmarked_on"))
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    return Measure(qs.count())


# --- Manual KPIs and the table of a project ---------------------------------------------


def manual_values(kpis, *, cluster=None, period=ALL_TIME) -> dict[int, Decimal]:
    """Sums of the manual values of several KPIs, in one query. A value belongs to the
    period its own period ends in."""
    from .models import KPIValue

    qs = KPIValue.objects.filter(kpi__in=kpis).filter(period.q_date("period_end"))
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    return {
        row["kpi_id"]: row["total"]
        for row in qs.values("kpi_id").annotate(total=Sum("value")).order_by()
    }


@dataclass
class KpiRow:
    kpi: object
    value: Decimal | int | None
    cumulative: Decimal | int | None
    note: str = ""

    @property
    def target(self):
        return self.kpi.target

    @property
    def percent(self) -> int | None:
        """Progress of the cumulative value against the target, in whole per cent."""
        if self.cumulative is None or not self.kpi.target:
            return None
        return int(Decimal(self.cumulative) * 100 / self.kpi.target)

    @property
    def percent_capped(self) -> int:
        return min(self.percent or 0, 100)


def _value(kpi, partnership, cluster, period, manual: dict) -> Measure:
    if kpi.is_manual:
        return Measure(manual.get(kpi.pk, Decimal("0")))
    if kpi.source not in REGISTRY:
        return Measure(None, note=str(_("Unknown source “%(key)s”.") % {"key": kpi.source}))
    return compute(
        kpi.source,
        partnership=partnership,
        cluster=cluster,
        period=period,
        **(kpi.parameters or {}),
    )


def project_period(project) -> Period:
    """The project from its start to its end (extensions included)."""
    return Period(project.start_date, project.end_date)


def kpi_table(
    project, *, cluster: Cluster | None = None, period: Period = ALL_TIME
) -> list[KpiRow]:
    """Every KPI of a project: its value in the period, and its cumulative value from the
    start of the project to the end of the period (what the target is compared with).
    Without a period, the whole project. A KPI not measured per cluster is left out of a
    cluster's table."""
    if period == ALL_TIME:
        period = project_period(project)
    kpis = [k for k in project.kpis.all() if cluster is None or k.per_cluster]
    manual_kpis = [k for k in kpis if k.is_manual]
    cumulative_period = Period(project.start_date, period.end)
    manual_period = (
        manual_values(manual_kpis, cluster=cluster, period=period) if manual_kpis else {}
    )
    manual_cumulative = (
        manual_values(manual_kpis, cluster=cluster, period=cumulative_period) if manual_kpis else {}
    )
    rows = []
    partnership = project.partnership
    for kpi in kpis:
        cumulative = _value(kpi, partnership, cluster, cumulative_period, manual_cumulative)
        if period == cumulative_period:
            current = cumulative
        else:
            current = _value(kpi, partnership, cluster, period, manual_period)
        rows.append(
            KpiRow(
                kpi=kpi,
                value=current.value,
                cumulative=cumulative.value,
                note=cumulative.note,
            )
        )
    return rows
