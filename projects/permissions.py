"""Small pure functions: may this user do that? Views ask these; templates ask selectors.

The partnership dashboard shows aggregates only, so every manager of a partner cluster
may read it; reports on the whole partnership are the coordinator's. A cluster's
dashboard and reports belong to that cluster's managers and to the coordinator."""

from members.models import Cluster
from members.roles import scope_of

from .models import Deliverable, Project, ReportRun


def can_view_programme(user, partnership_id: int) -> bool:
    scope = scope_of(user)
    if scope.is_admin or partnership_id in scope.partnership_ids:
        return True
    if not scope.managed_cluster_ids:
        return False
    return Cluster.objects.filter(
        pk__in=scope.managed_cluster_ids, partnership_id=partnership_id
    ).exists()


def can_report_on_partnership(user, partnership_id: int) -> bool:
    scope = scope_of(user)
    return scope.is_admin or partnership_id in scope.partnership_ids


def can_view_cluster(user, cluster: Cluster) -> bool:
    """The cluster dashboard and its reports."""
    scope = scope_of(user)
    return (
        scope.is_admin
        or cluster.pk in scope.managed_cluster_ids
        or cluster.partnership_id in scope.partnership_ids
    )


def can_view_report(user, run: ReportRun) -> bool:
    if run.scope == ReportRun.Scope.CLUSTER:
        return can_view_cluster(user, run.cluster)
    return can_report_on_partnership(user, run.project.partnership_id)


def can_approve_deliverable(user, project: Project) -> bool:
    scope = scope_of(user)
    return scope.is_admin or project.partnership_id in scope.partnership_ids


def lead_cluster_id(deliverable: Deliverable) -> int | None:
    lead = deliverable.lead or deliverable.work_package.lead
    return lead.cluster_id if lead else None


def can_upload_deliverable(user, deliverable: Deliverable) -> bool:
    """The coordinator, and the managers of the partner that leads the deliverable (or
    its work package)."""
    scope = scope_of(user)
    project = deliverable.work_package.project
    if scope.is_admin or project.partnership_id in scope.partnership_ids:
        return True
    return lead_cluster_id(deliverable) in scope.managed_cluster_ids
