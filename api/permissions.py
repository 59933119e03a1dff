"""Who may do what with tokens and webhooks; pure functions of the user's scope."""

from allauth.mfa.utils import is_mfa_enabled

from members.roles import scope_of


def can_create_token(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if scope_of(user).is_staff_role:
        return is_mfa_enabled(user)
    return True


def can_manage_webhooks(user, cluster) -> bool:
    scope = scope_of(user)
    return scope.is_admin or cluster.pk in scope.managed_cluster_ids
