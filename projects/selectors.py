"""Reads of the programme, scoped to the user asking and with their related rows loaded:
a page costs the same number of queries whatever the amount of data."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from clamtex.core.versions import new_version, version
from members.models import Cluster
from members.roles import scope_of

from . import kpis, permissions, workflow
from .models import (
    Deliverable,
    DeliverableTransition,
    DeliverableVersion,
    Milestone,
    Project,
    ReportRun,
    StrategyDocument,
    StrategyVersion,
)


def projects_visible_to(user) -> QuerySet[Project]:
    """Administrators: all. Coordinator: the partnership's. Manager: the projects of the
    partnership their cluster belongs to (aggregates only are shown to them)."""
    scope = scope_of(user)
    qs = Project.objects.select_related("partnership")
    if scope.is_admin:
        return qs
    if not scope.is_staff_role:
        return qs.none()
    return qs.filter(partnership_id__in=scope.partnership_ids | scope.managed_partnership_ids)


def project_for(user, *, project_id=None, partnership_id=None) -> Project | None:
    """The project a dashboard shows: the one asked for, else the most recent one."""
    qs = projects_visible_to(user)
    if partnership_id is not None:
        qs = qs.filter(partnership_id=partnership_id)
    if project_id:
        return qs.filter(pk=project_id).first()
    return qs.order_by("-start_date", "pk").first()


def project_among(projects: list[Project], *, project_id=None) -> Project | None:
    """project_for over the projects already loaded: the one asked for (None if it is not
    among them), else the most recent one."""
    if project_id:
        return next((p for p in projects if str(p.pk) == str(project_id)), None)
    return min(projects, key=lambda p: (-p.start_date.toordinal(), p.pk), default=None)


def clusters_for_dashboards(user, project: Project) -> list[Cluster]:
    """The cluster dashboards this user may open within the project's partnership."""
    scope = scope_of(user)
    qs = Cluster.objects.filter(partnership_id=project.partnership_id).order_by("acronym")
    if not (scope.is_admin or project.partnership_id in scope.partnership_ids):
        qs = qs.filter(pk__in=scope.managed_cluster_ids)
    return list(qs)


def late_q() -> Q:
    """ "Late" as a filter: due and neither submitted nor approved (the same rule as
    Deliverable.is_late)."""
    return Q(due_date__lt=timezone.localdate()) & ~Q(status__in=Deliverable.DONE)


def deliverables_of(project: Project) -> QuerySet[Deliverable]:
    return (
        Deliverable.objects.filter(work_package__project=project)
        .select_related("work_package__lead__cluster", "lead__cluster", "approved_by")
        .annotate(version_count=Count("versions"), last_upload=Max("versions__uploaded_at"))
        .order_by("due_date", "code")
    )


def milestones_of(project: Project) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project=project).select_related("work_package")


def strategies_of(
    project: Project, cluster: Cluster | None = None, *, counts_only: bool = False
) -> QuerySet:
    """The strategy documents with their versions and actions; `counts_only` (the
    dashboard): the numbers of versions and actions and the date of the last final
    version, in the same query, instead of the rows."""
    qs = StrategyDocument.objects.filter(project=project).select_related("cluster")
    if counts_only:
        qs = qs.annotate(
            version_count=Count("versions", distinct=True),
            action_count=Count("actions", distinct=True),
            final_uploaded_at=Max("versions__uploaded_at", filter=Q(versions__is_final=True)),
        )
    else:
        qs = qs.prefetch_related(
            Prefetch("versions", queryset=StrategyVersion.objects.order_by("-number")), "actions"
        )
    if cluster is not None:
        qs = qs.filter(Q(cluster=cluster) | Q(cluster__isnull=True))
    return qs


def upcoming_events(user, project: Project, cluster: Cluster | None = None, limit: int = 5):
    from workshops.models import Event
    from workshops.selectors import events_visible_to

    qs = events_visible_to(user).filter(
        partnership_id=project.partnership_id,
        status=Event.Status.PUBLISHED,
        end__gte=timezone.now(),
    )
    if cluster is not None:
        qs = qs.filter(
            id__in=Event.organisers.through.objects.filter(cluster=cluster).values("event_id")
        )
    return list(qs.prefetch_related("organisers").order_by("start")[:limit])


def report_runs_visible_to(user) -> QuerySet[ReportRun]:
    scope = scope_of(user)
    qs = ReportRun.objects.select_related("project__partnership", "cluster", "requested_by")
    if scope.is_admin:
        return qs
    return qs.filter(
        Q(scope=ReportRun.Scope.PARTNERSHIP, project__partnership_id__in=scope.partnership_ids)
        | Q(scope=ReportRun.Scope.CLUSTER, cluster_id__in=scope.cluster_ids)
    )


def recent_runs(user, project: Project, cluster: Cluster | None = None, limit: int = 8):
    qs = report_runs_visible_to(user).filter(project=project)
    qs = qs.filter(cluster=cluster) if cluster else qs.filter(scope=ReportRun.Scope.PARTNERSHIP)
    return list(qs[:limit])


def deliverable_detail(user, pk: int) -> Deliverable:
    """Raises Deliverable.DoesNotExist when the user may not see it (partners of the
    project only)."""
    deliverable = (
        Deliverable.objects.select_related(
            "work_package__project__partnership",
            "work_package__lead__cluster",
            "lead__cluster",
            "approved_by",
        )
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DeliverableVersion.objects.select_related("uploaded_by").order_by(
                    "-number"
                ),
            ),
            Prefetch("history", queryset=DeliverableTransition.objects.select_related("by")),
        )
        .get(pk=pk)
    )
    if not permissions.can_view_programme(user, deliverable.work_package.project.partnership_id):
        raise Deliverable.DoesNotExist
    return deliverable


def deliverable_actions(user, deliverable: Deliverable) -> dict[str, bool]:
    """What the page offers: asked of the transition table and the permissions."""
    project = deliverable.work_package.project
    coordinator = permissions.can_approve_deliverable(user, project)
    partner = permissions.can_upload_deliverable(user, deliverable)
    status = deliverable.status

    def allowed(to):
        actor = workflow.actor_for(status, to)
        return (actor == workflow.COORDINATOR and coordinator) or (
            actor == workflow.PARTNER and partner
        )

    S = Deliverable.Status
    return {
        "upload": partner and status != S.APPROVED,
        "submit": allowed(S.SUBMITTED),
        "approve": allowed(S.APPROVED),
        "return": status == S.SUBMITTED and allowed(S.IN_PROGRESS),
    }


# The figures of a dashboard (the KPI table, the exchange funnel, grants, the impact
# follow-up and the report form's default period) take about twenty aggregate queries over
# the whole partnership. They are cached for FIGURES_TTL seconds per project, cluster and
# language, and every write to a model they are computed from starts a new version
# (signals, see apps.py): what a person just entered shows at once.
FIGURES_TTL = 60
FIGURES_VERSION_KEY = "projects:figures:version"
FIGURE_SOURCES = (
    "projects.Project",
    "projects.KPI",
    "projects.KPIValue",
    "projects.LabelRecord",
    "projects.StrategyDocument",
    "projects.StrategyVersion",
    "workshops.Event",
    "workshops.Registration",
    "exchange.Call",
    "exchange.Application",
    "exchange.ApplicationTransition",
    "exchange.Exchange",
    "exchange.ExchangeTransition",
    "exchange.Payment",
    "exchange.ImpactSurvey",
    "members.Organisation",
)


def figures_invalidate(**kwargs) -> None:
    new_version(FIGURES_VERSION_KEY)


def dashboard_figures(project: Project, cluster: Cluster | None = None) -> dict:
    key = f"projects:figures:{version(FIGURES_VERSION_KEY)}:{project.pk}:{cluster.pk if cluster else 0}:{get_language()}:{timezone.localdate().isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = {
            "kpi_rows": kpis.kpi_table(project, cluster=cluster),
            "funnel": kpis.exchange_funnel(project.partnership, cluster),
            "grants": kpis.grants_paid(project.partnership, cluster),
            "impact": kpis.impact_summary(project.partnership, cluster),  # follow-up surveys
            "default_period": report_default_period(project, today=timezone.localdate()),
        }
        cache.set(key, figures, FIGURES_TTL)
    return figures


def dashboard(user, project: Project, cluster: Cluster | None = None) -> dict:
    """Everything a dashboard shows, in a fixed number of queries (the figures from the
    cache when they are there)."""
    figures = dashboard_figures(project, cluster)
    kpi_rows = figures["kpi_rows"]
    deliverables = list(deliverables_of(project))
    if cluster is not None:
        for d in deliverables:
            d.led_here = permissions.lead_cluster_id(d) == cluster.pk
    today = timezone.localdate()
    return {
        "project": project,
        "cluster": cluster,
        "kpi_rows": kpi_rows,
        "chart_height": 40 + 26 * len(kpi_rows),
        "chart": {
            "labels": [row.kpi.code for row in kpi_rows],
            "names": [row.kpi.display_name for row in kpi_rows],
            "percent": [row.percent or 0 for row in kpi_rows],
            "values": [float(row.cumulative or 0) for row in kpi_rows],
            "targets": [float(row.kpi.target) for row in kpi_rows],
        },
        "deliverables": deliverables,
        "late_count": sum(1 for d in deliverables if d.is_late),
        "milestones": list(milestones_of(project)),
        "funnel": figures["funnel"],
        "grants": figures["grants"],
        "impact": figures["impact"],
        "default_period": figures["default_period"],
        "events": upcoming_events(user, project, cluster),
        "strategies": list(strategies_of(project, cluster, counts_only=True)),
        "today": today,
    }


# --- Dashboards: work queues -----------------------------------------------------------------


def _late_deliverables(project_filter: Q):
    return (
        Deliverable.objects.filter(project_filter)
        .filter(late_q())
        .select_related("work_package__lead__cluster", "lead__cluster")
        .order_by("due_date", "code")
    )


def _deliverable_item(d: Deliverable):
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from clamtex.core.worklist import WorkItem

    lead = d.lead or d.work_package.lead
    return WorkItem(
        label=f"{d.code} {d.title}",
        url=reverse("projects:deliverable_detail", args=[d.pk]),
        note=_("due on %(date)s") % {"date": date_format(d.due_date, "SHORT_DATE_FORMAT")}
        + (f" · {lead.cluster.acronym}" if lead else ""),
        urgent=True,
    )


def late_deliverables_queue(user):
    """Late deliverables led by the clusters a manager manages (the deliverable's lead, or
    its work package's when the deliverable has none), most overdue first."""
    from django.utils.translation import gettext as _

    from clamtex.core.worklist import queue

    managed = scope_of(user).managed_cluster_ids
    led = Q(lead__cluster_id__in=managed) | Q(
        lead__isnull=True, work_package__lead__cluster_id__in=managed
    )
    return queue(
        "late_deliverables",
        _("Late deliverables of your cluster"),
        _late_deliverables(led),
        _deliverable_item,
    )


def coordinator_overview(user, project: Project) -> dict:
    """The coordinator's view of a project: KPIs against targets, the late deliverables,
    and late deliverables per lead cluster."""
    from django.db.models.functions import Coalesce
    from django.utils.translation import gettext as _

    from clamtex.core.worklist import queue

    late = queue(
        "late_deliverables",
        _("Late deliverables"),
        _late_deliverables(Q(work_package__project=project)),
        _deliverable_item,
    )
    per_cluster = dict(
        Deliverable.objects.filter(work_package__project=project)
        .filter(late_q())
        .annotate(cluster_id=Coalesce("lead__cluster_id", "work_package__lead__cluster_id"))
        .order_by()
        .values_list("cluster_id")
        .annotate(n=Count("id"))
    )
    return {
        "project": project,
        "kpi_rows": dashboard_figures(project)["kpi_rows"],  # cached, as on the dashboard
        "late": late,
        "late_per_cluster": per_cluster,
    }


def report_default_period(project: Project, *, today):
    """The current call of the project's partnership, from its opening to today; when no
    call is open, the last 12 months."""
    from datetime import timedelta

    from exchange.models import Call

    call = (
        Call.objects.filter(
            partnership_id=project.partnership_id, opens_on__lte=today, closes_on__gte=today
        )
        .order_by("-opens_on")
        .first()
    )
    if call is not None:
        return call.opens_on, today
    return today - timedelta(days=365), today
