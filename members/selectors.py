"""Reads, always scoped to the user asking. Nothing unscoped reaches a template or export."""

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Cluster, Contact, Invitation, Membership, Organisation, Partnership
from .roles import scope_of


def clusters_visible_to(user) -> QuerySet[Cluster]:
    """Cluster profiles are ECCP public data: every logged-in user of a partnership sees
    the clusters of that partnership."""
    scope = scope_of(user)
    qs = Cluster.objects.select_related("partnership")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    partnership_ids = set(scope.partnership_ids)
    partnership_ids |= set(
        Cluster.objects.filter(
            Q(id__in=scope.managed_cluster_ids)
            | Q(memberships__organisation_id__in=scope.organisation_ids)
        ).values_list("partnership_id", flat=True)
    )
    return qs.filter(partnership_id__in=partnership_ids)


def clusters_managed_by(user) -> QuerySet[Cluster]:
    """Clusters whose members this user may create, import, invite and edit."""
    scope = scope_of(user)
    qs = Cluster.objects.select_related("partnership")
    if scope.is_admin:
        return qs
    return qs.filter(id__in=scope.managed_cluster_ids)


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Administrators: all. Coordinator: members of the partnership's clusters. Manager:
    members of their clusters. Representative: their own organisations."""
    scope = scope_of(user)
    qs = Organisation.objects.all()
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    condition = Q(id__in=scope.organisation_ids)
    if scope.cluster_ids:
        condition |= Q(
            id__in=Membership.objects.filter(cluster_id__in=scope.cluster_ids).values(
                "organisation_id"
            )
        )
    return qs.filter(condition)


def organisations_editable_by(user) -> QuerySet[Organisation]:
    scope = scope_of(user)
    qs = Organisation.objects.all()
    if scope.is_admin:
        return qs
    condition = Q(id__in=scope.organisation_ids)
    if scope.managed_cluster_ids:
        condition |= Q(
            id__in=Membership.objects.filter(cluster_id__in=scope.managed_cluster_ids).values(
                "organisation_id"
            )
        )
    return qs.filter(condition)


def directory_list(user, *, queryset: QuerySet[Organisation] | None = None):
    """The member directory: visible organisations with what a row shows, no N+1."""
    qs = queryset if queryset is not None else organisations_visible_to(user)
    return qs.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("cluster").order_by("cluster__acronym"),
        ),
        "sectors",
    )


def organisation_detail(user, pk: int) -> Organisation:
    return (
        organisations_visible_to(user)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("cluster").order_by("cluster__acronym"),
            ),
            "sectors",
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "full_name")),
            Prefetch("representatives__user"),
        )
        .get(pk=pk)
    )


def contacts_visible_to(user) -> QuerySet[Contact]:
    return Contact.objects.filter(organisation__in=organisations_visible_to(user))


def invitations_visible_to(user) -> QuerySet[Invitation]:
    scope = scope_of(user)
    qs = Invitation.objects.select_related("organisation", "cluster", "invited_by")
    if scope.is_admin:
        return qs
    return qs.filter(cluster_id__in=scope.cluster_ids)


def organisations_of_representative(user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=scope_of(user).organisation_ids)


def member_figures(*, cluster_ids=None, partnership_ids=None) -> dict:
    """Aggregate counts of active members: per cluster, per type, per country. Aggregates
    only, so every manager may see the partnership-wide figures."""
    memberships = Membership.objects.filter(status=Membership.Status.ACTIVE)
    if cluster_ids is not None:
        memberships = memberships.filter(cluster_id__in=cluster_ids)
    if partnership_ids is not None:
        memberships = memberships.filter(cluster__partnership_id__in=partnership_ids)
    per_cluster = list(
        memberships.values("cluster__id", "cluster__acronym", "cluster__country")
        .annotate(n=Count("organisation", distinct=True))
        .order_by("cluster__acronym")
    )
    organisations = Organisation.objects.filter(id__in=memberships.values("organisation_id"))
    per_type = list(organisations.values("org_type").annotate(n=Count("id")).order_by("-n"))
    type_labels = dict(Organisation.Type.choices)
    for row in per_type:
        row["label"] = type_labels.get(row["org_type"], row["org_type"])
    per_country = list(organisations.values("country").annotate(n=Count("id")).order_by("-n"))
    from django_countries import countries

    for row in per_country:
        row["name"] = countries.name(row["country"]) or row["country"]
    return {
        "total": organisations.count(),
        "per_cluster": per_cluster,
        "per_type": per_type,
        "per_country": per_country,
    }


def partnerships_of(user) -> QuerySet[Partnership]:
    scope = scope_of(user)
    if scope.is_admin:
        return Partnership.objects.all()
    return Partnership.objects.filter(
        id__in=clusters_visible_to(user).values("partnership_id")
    ).distinct()


# --- Dashboards: work queues -----------------------------------------------------------------

# The fields of an organisation's profile that matching and the directory rely on.
PROFILE_FIELDS = (
    "vat_number",
    "address",
    "city",
    "website",
    "description",
    "employees",
    "capabilities",
)


def invitations_pending_queue(user):
    """Invitations of the clusters a manager manages not yet accepted, newest first."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from clamtex.core.worklist import WorkItem, queue

    scope = scope_of(user)
    qs = (
        Invitation.objects.filter(
            cluster_id__in=scope.managed_cluster_ids, status=Invitation.Status.PENDING
        )
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )
    return queue(
        "invitations",
        _("Invitations not yet accepted"),
        qs,
        lambda i: WorkItem(
            label=i.email,
            url=reverse("members:organisation_detail", args=[i.organisation_id]),
            note=i.organisation.legal_name,
            when=i.created_at,
        ),
    )


def profile_completeness(user) -> list[dict]:
    """For a representative: how complete each of their organisations' profile is, and
    which fields are missing (one query; the sectors count as one field)."""

    rows = []
    qs = (
        Organisation.objects.filter(id__in=scope_of(user).organisation_ids)
        .annotate(sector_count=Count("sectors"))
        .order_by("legal_name")
    )
    for org in qs:
        missing = [
            Organisation._meta.get_field(name).verbose_name
            for name in PROFILE_FIELDS
            if getattr(org, name) in (None, "")
        ]
        if not org.sector_count:
            missing.append(Organisation._meta.get_field("sectors").verbose_name)
        total = len(PROFILE_FIELDS) + 1
        rows.append(
            {
                "organisation": org,
                "percent": round(100 * (total - len(missing)) / total),
                "missing": missing,
            }
        )
    return rows
