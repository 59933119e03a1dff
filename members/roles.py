"""What a user is, computed once per request: the single source every selector and
permission function reads from."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    is_authenticated: bool = False
    is_admin: bool = False
    partnership_ids: frozenset[int] = field(default_factory=frozenset)  # coordinator of
    managed_cluster_ids: frozenset[int] = field(default_factory=frozenset)  # manager of
    coordinated_cluster_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)  # representative of

    @property
    def cluster_ids(self) -> frozenset[int]:
        """Clusters whose members' private data this user may see."""
        return self.managed_cluster_ids | self.coordinated_cluster_ids

    @property
    def is_coordinator(self) -> bool:
        return bool(self.partnership_ids)

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_cluster_ids)

    @property
    def is_representative(self) -> bool:
        return bool(self.organisation_ids)

    @property
    def is_staff_role(self) -> bool:
        """Administrator, coordinator or cluster manager: the people who run the portal."""
        return self.is_admin or self.is_coordinator or self.is_manager


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_clamtex_scope", None)
    if cached is not None:
        return cached
    from .models import Cluster

    partnership_ids = frozenset(user.coordinator_roles.values_list("partnership_id", flat=True))
    coordinated = (
        frozenset(
            Cluster.objects.filter(partnership_id__in=partnership_ids).values_list("id", flat=True)
        )
        if partnership_ids
        else frozenset()
    )
    scope = Scope(
        is_authenticated=True,
        is_admin=user.is_superuser,
        partnership_ids=partnership_ids,
        managed_cluster_ids=frozenset(user.manager_roles.values_list("cluster_id", flat=True)),
        coordinated_cluster_ids=coordinated,
        organisation_ids=frozenset(
            user.representative_roles.values_list("organisation_id", flat=True)
        ),
    )
    user._clamtex_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after a role changes within the same request."""
    if hasattr(user, "_clamtex_scope"):
        del user._clamtex_scope
