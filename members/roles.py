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
    # The partnerships of the clusters managed, and of the clusters the represented
    # organisations are (or were) members of: read with the roles, in the same query.
    managed_partnership_ids: frozenset[int] = field(default_factory=frozenset)
    member_partnership_ids: frozenset[int] = field(default_factory=frozenset)
    managed_clusters: tuple[tuple[int, str], ...] = ()  # (id, acronym) by acronym

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
    from django.db.models import CharField, F, Value

    from .models import Cluster, ClusterManager, PartnershipCoordinator, Representative

    # Every role in one query (a UNION of the role tables), rather than one query each.
    def kind(qs, label: str, column: str, name=None):
        return (
            qs.annotate(
                kind=Value(label, output_field=CharField()),
                role_label=name if name is not None else Value("", output_field=CharField()),
            )
            .values_list("kind", column, "role_label")
            .order_by()
        )

    rows = (
        kind(PartnershipCoordinator.objects.filter(user=user), "p", "partnership_id")
        .union(
            kind(Cluster.objects.filter(partnership__coordinators__user=user), "c", "id"),
            kind(
                ClusterManager.objects.filter(user=user), "m", "cluster_id", F("cluster__acronym")
            ),
            kind(Representative.objects.filter(user=user), "r", "organisation_id"),
            kind(Cluster.objects.filter(managers__user=user), "mp", "partnership_id"),
            kind(
                Cluster.objects.filter(memberships__organisation__representatives__user=user),
                "op",
                "partnership_id",
            ),
            all=True,
        )
        .order_by()
    )
    ids: dict[str, set[int]] = {k: set() for k in ("p", "c", "m", "r", "mp", "op")}
    managed = []
    for label, pk, name in rows:
        ids[label].add(pk)
        if label == "m":
            managed.append((name, pk))
    scope = Scope(
        is_authenticated=True,
        is_admin=user.is_superuser,
        partnership_ids=frozenset(ids["p"]),
        managed_cluster_ids=frozenset(ids["m"]),
        coordinated_cluster_ids=frozenset(ids["c"]),
        organisation_ids=frozenset(ids["r"]),
        managed_partnership_ids=frozenset(ids["mp"]),
        member_partnership_ids=frozenset(ids["op"]),
        managed_clusters=tuple((pk, name) for name, pk in sorted(managed)),
    )
    user._clamtex_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after a role changes within the same request."""
    if hasattr(user, "_clamtex_scope"):
        del user._clamtex_scope
