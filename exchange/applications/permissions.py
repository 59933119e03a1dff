from members.roles import scope_of

from ..models import Application
from ..workflow import EDITABLE


def can_review(user, application: Application) -> bool:
    """The managing cluster's managers (and administrators) review an application."""
    scope = scope_of(user)
    return scope.is_admin or (
        application.managing_cluster_id is not None
        and application.managing_cluster_id in scope.managed_cluster_ids
    )


def can_view_application(user, application: Application) -> bool:
    """A draft is the applicant's own until submitted; then the reviewing cluster and the
    partnership's coordinators see it too."""
    scope = scope_of(user)
    if application.status == Application.Status.DRAFT:
        return application.applicant_id == getattr(user, "pk", None)
    return (
        application.applicant_id == getattr(user, "pk", None)
        or can_review(user, application)
        or application.call.partnership_id in scope.partnership_ids
    )


def can_edit_application(user, application: Application) -> bool:
    return application.applicant_id == getattr(user, "pk", None) and application.status in EDITABLE


def can_use_catalogue(user, partnership_id: int) -> bool:
    """Managers and coordinators of the partnership, and accepted participants."""
    from members.models import Cluster

    scope = scope_of(user)
    if scope.is_admin or partnership_id in scope.partnership_ids:
        return True
    if Cluster.objects.filter(
        pk__in=scope.managed_cluster_ids, partnership_id=partnership_id
    ).exists():
        return True
    return Application.objects.filter(
        applicant=user, status=Application.Status.ACCEPTED, call__partnership_id=partnership_id
    ).exists()
