"""Small pure functions: may this user do that? Views ask these; templates ask selectors."""

from .models import Cluster, Contact, Invitation, Membership, Organisation
from .roles import scope_of


def can_use_directory(user) -> bool:
    scope = scope_of(user)
    return scope.is_staff_role or scope.is_representative


def can_view_organisation(user, organisation: Organisation) -> bool:
    scope = scope_of(user)
    if scope.is_admin or organisation.pk in scope.organisation_ids:
        return True
    if not scope.cluster_ids:
        return False
    return organisation.memberships.filter(cluster_id__in=scope.cluster_ids).exists()


def can_edit_organisation(user, organisation: Organisation) -> bool:
    """Administrators, managers of one of the organisation's clusters, and its
    representatives. The coordinator reads but does not edit other clusters' members."""
    scope = scope_of(user)
    if scope.is_admin or organisation.pk in scope.organisation_ids:
        return True
    if not scope.managed_cluster_ids:
        return False
    return organisation.memberships.filter(cluster_id__in=scope.managed_cluster_ids).exists()


def can_manage_cluster(user, cluster: Cluster) -> bool:
    scope = scope_of(user)
    return scope.is_admin or cluster.pk in scope.managed_cluster_ids


def can_create_organisation(user) -> bool:
    scope = scope_of(user)
    return scope.is_admin or scope.is_manager


def can_edit_membership(user, membership: Membership) -> bool:
    return can_manage_cluster(user, membership.cluster)


def can_edit_contact(user, contact: Contact) -> bool:
    return can_edit_organisation(user, contact.organisation)


def can_invite_representative(user, organisation: Organisation) -> bool:
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if not scope.managed_cluster_ids:
        return False
    return organisation.memberships.filter(cluster_id__in=scope.managed_cluster_ids).exists()


def can_revoke_invitation(user, invitation: Invitation) -> bool:
    return invitation.status == Invitation.Status.PENDING and can_manage_cluster(
        user, invitation.cluster
    )
