"""Reads of ClusterXchange, always scoped to the user asking: nothing unscoped reaches a
template. Permissions are the functions of permissions.py; these only narrow querysets
and say which actions a page may offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import Cluster, Partnership
from members.roles import scope_of

from .. import workflow
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    Exchange,
    MatchProposal,
    Programme,
)
from . import eligibility, matching, permissions

S = Application.Status
RELATED = ("call__partnership", "organisation", "managing_cluster", "applicant")


def calls_open() -> QuerySet[Call]:
    """Open calls are public: the landing page lists them to everyone. No call is open
    while an eligible country has no lump-sum cap (its exchanges could not be costed)."""
    from ..programme_data import countries_without_cap

    if countries_without_cap():
        return Call.objects.none()
    today = timezone.localdate()
    return (
        Call.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .select_related("partnership")
        .order_by("closes_on", "pk")
    )


def programme_for(partnership_id: int | None) -> Programme:
    """The scheme's rules for a partnership; the model's defaults when none is stored yet."""
    if partnership_id is not None:
        programme = Programme.objects.filter(partnership_id=partnership_id).first()
        if programme is not None:
            return programme
    return Programme()


def applications_visible_to(user) -> QuerySet[Application]:
    """The applicant's own, those of the clusters a manager manages, everything of a
    coordinator's partnership; administrators see all. Mirrors
    permissions.can_view_application."""
    scope = scope_of(user)
    qs = Application.objects.select_related(*RELATED)
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    condition = Q(applicant_id=user.pk)
    if scope.managed_cluster_ids:
        condition |= Q(managing_cluster_id__in=scope.managed_cluster_ids)
    if scope.partnership_ids:
        condition |= Q(call__partnership_id__in=scope.partnership_ids)
    return qs.filter(condition)


def applications_of(user) -> QuerySet[Application]:
    """The user's own applications, with their history, for "My applications"."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return (
        Application.objects.filter(applicant_id=user.pk)
        .select_related(*RELATED)
        .prefetch_related(
            Prefetch("history", queryset=ApplicationTransition.objects.select_related("by")),
            "documents",
            "sectors",
        )
        .order_by("-created_at", "-pk")
    )


def review_queue(user) -> QuerySet[Application]:
    """Submitted applications (drafts stay the applicant's own business) that the user
    reviews: their clusters' for a manager, the partnership's (read only) for the
    coordinator, all for administrators. Newest submission first, so that a new one is
    seen (the page offers other orders)."""
    scope = scope_of(user)
    qs = Application.objects.exclude(status=S.DRAFT).select_related(*RELATED)
    if not scope.is_admin:
        condition = Q(pk__in=[])
        if scope.managed_cluster_ids:
            condition |= Q(managing_cluster_id__in=scope.managed_cluster_ids)
        if scope.partnership_ids:
            condition |= Q(call__partnership_id__in=scope.partnership_ids)
        qs = qs.filter(condition)
    return qs.order_by("-submitted_at", "-pk")


def status_counts(qs: QuerySet[Application]) -> list[dict]:
    """How many applications per status (one aggregate query), in the workflow's order."""
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return [
        {"status": value, "label": label, "n": counts.get(value, 0)}
        for value, label in S.choices
        if value != S.DRAFT
    ]


def application_detail(user, pk: int) -> Application:
    """One visible application with everything its page shows. Raises DoesNotExist when
    the user may not see it, so the view answers 404 and reveals nothing."""
    return (
        applications_visible_to(user)
        .prefetch_related(
            "sectors",
            "documents",
            Prefetch("history", queryset=ApplicationTransition.objects.select_related("by")),
        )
        .get(pk=pk)
    )


def own_application(user, pk: int) -> Application:
    """The applicant's own application (the edit steps): DoesNotExist for anyone else."""
    return applications_of(user).get(pk=pk)


def documents_visible_to(user) -> QuerySet[ApplicationDocument]:
    return ApplicationDocument.objects.filter(
        application_id__in=applications_visible_to(user).values("pk")
    ).select_related("application__call")


def proposals_visible_to(user) -> QuerySet[MatchProposal]:
    """Proposals touching an application the user may see (as applicant or reviewer)."""
    visible = applications_visible_to(user).values("pk")
    return MatchProposal.objects.filter(
        Q(visitor_id__in=visible) | Q(host_id__in=visible)
    ).select_related(
        "visitor__organisation",
        "visitor__applicant",
        "visitor__managing_cluster",
        "host__organisation",
        "host__applicant",
        "host__managing_cluster",
        "proposed_by",
        "exchange",
    )


def proposals_of(user, application: Application) -> QuerySet[MatchProposal]:
    return (
        proposals_visible_to(user)
        .filter(Q(visitor=application) | Q(host=application))
        .prefetch_related("visitor__sectors", "host__sectors")
    )


def exchanges_of(user, application: Application) -> QuerySet[Exchange]:
    if not permissions.can_view_application(user, application):
        return Exchange.objects.none()
    return (
        Exchange.objects.filter(
            Q(visitor_application=application) | Q(host_application=application)
        )
        .select_related("visitor_organisation", "host_organisation", "visitor_cluster")
        .select_related("host_cluster")
    )


def catalogue_partnerships(user) -> QuerySet[Partnership]:
    """Partnerships whose catalogue the user may search (see permissions.can_use_catalogue):
    coordinators', managers', and those where the user has an accepted application."""
    scope = scope_of(user)
    if scope.is_admin:
        return Partnership.objects.order_by("acronym")
    if not scope.is_authenticated:
        return Partnership.objects.none()
    ids = set(scope.partnership_ids)
    ids |= set(
        Cluster.objects.filter(pk__in=scope.managed_cluster_ids).values_list(
            "partnership_id", flat=True
        )
    )
    ids |= set(
        Application.objects.filter(applicant_id=user.pk, status=S.ACCEPTED).values_list(
            "call__partnership_id", flat=True
        )
    )
    return Partnership.objects.filter(pk__in=ids).order_by("acronym")


def catalogue(user, partnership_id: int) -> QuerySet[Application]:
    """The catalogue (matching.catalogue: scoped and consented) with what a row shows."""
    return matching.catalogue(user, partnership_id).select_related("applicant")


def proposable_from(user, partnership_id: int) -> list[Application]:
    """The accepted applications in whose name the user may propose matches: their own,
    and for managers those of their clusters."""
    scope = scope_of(user)
    condition = Q(applicant_id=getattr(user, "pk", None))
    if scope.is_admin:
        condition = Q()
    elif scope.managed_cluster_ids:
        condition |= Q(managing_cluster_id__in=scope.managed_cluster_ids)
    return list(
        applications_visible_to(user).filter(
            condition, status=S.ACCEPTED, call__partnership_id=partnership_id
        )[:20]
    )


def pair_roles(a: Application, b: Application) -> list[tuple[Application, Application]]:
    """The (visitor, host) pairs two accepted applications can form: organisations in
    different countries, one visiting and the other hosting."""
    if not a.organisation_id or not b.organisation_id or a.organisation_id == b.organisation_id:
        return []
    if a.organisation.country == b.organisation.country:
        return []
    pairs = []
    if a.wants_to_visit and b.wants_to_host:
        pairs.append((a, b))
    if a.wants_to_host and b.wants_to_visit:
        pairs.append((b, a))
    return pairs


def organisation_is_private_to(application: Application, organisation) -> bool:
    """An organisation described in this draft and used nowhere else: the applicant may
    still change it. Anything a cluster or another application relies on is never touched."""
    return not (
        organisation.memberships.exists()
        or organisation.representatives.exists()
        or organisation.contacts.exists()
        or organisation.exchange_applications.exclude(pk=application.pk).exists()
        or organisation.visits.exists()
        or organisation.hosted_visits.exists()
    )


def application_progress(application: Application) -> dict[str, bool]:
    """Which steps of the form hold what submission needs (the stepper's ticks). Uses the
    prefetched documents."""
    tcn_ok = not application.third_country_national or application.residence_days is not None
    return {
        "organisation": bool(application.organisation_id and application.managing_cluster_id),
        "participation": bool(
            application.motivation.strip()
            and application.objectives.strip()
            and application.activity_types
        ),
        "preferences": bool(application.available_from and application.available_until and tcn_ok),
        "documents": any(d.kind == "cv" for d in application.documents.all()),
        "consents": application.consent_privacy,
    }


def application_actions(
    user, application: Application, results: list[eligibility.RuleResult] | None = None
) -> dict[str, bool]:
    """What the user may do with the application now: templates ask this, they never
    re-implement the workflow."""
    uid = getattr(user, "pk", None)
    is_applicant = application.applicant_id == uid
    reviewer = permissions.can_review(user, application)

    def reviewer_can(to: str) -> bool:
        return reviewer and workflow.actor_for(application.status, to) == workflow.REVIEWER

    # A failed rule a manager may waive: no acceptance until the exception is granted.
    exception_pending = any(r.exception_possible and not r.passed for r in results or [])
    exception_open = (
        reviewer
        and exception_pending
        and not application.exception_approved
        and application.status not in (S.ACCEPTED, S.REJECTED, S.WITHDRAWN)
    )
    accepted = application.status == S.ACCEPTED
    actions = {
        "edit": permissions.can_edit_application(user, application),
        "withdraw": is_applicant
        and workflow.actor_for(application.status, S.WITHDRAWN) == workflow.APPLICANT,
        "start_review": reviewer_can(S.UNDER_REVIEW),
        "accept": reviewer_can(S.ACCEPTED) and not exception_pending,
        "reject": reviewer_can(S.REJECTED),
        "request_info": reviewer_can(S.INFO_REQUESTED),
        "review_notes": reviewer,
        "grant_exception": bool(exception_open),
        "match": accepted and (is_applicant or reviewer),
    }
    actions["submit"] = actions["edit"]
    actions["decide"] = any(
        actions[k] for k in ("start_review", "accept", "reject", "request_info")
    )
    return actions


@dataclass
class PossibleMatch:
    organisation: object
    differences: list[tuple[str, str, str]]  # (field label, typed, on record)


MATCH_FIELDS = ("legal_name", "city", "org_type", "employees", "vat_number")


def possible_matches(application: Application) -> list[PossibleMatch]:
    """For the reviewer only: organisations already registered with the country and VAT
    number the applicant typed, with the differences between what was typed and the
    record. Never shown to the applicant."""
    from members.models import Organisation

    typed = application.organisation
    vat = (application.vat_number_typed or "").strip()
    if typed is None or not vat:
        return []
    candidates = Organisation.objects.filter(country=typed.country, vat_number__iexact=vat).exclude(
        pk=typed.pk
    )
    result = []
    for candidate in candidates:
        differences = []
        for name in MATCH_FIELDS:
            mine, theirs = getattr(typed, name), getattr(candidate, name)
            if name == "vat_number":
                mine = vat
            if (str(mine or "")).strip().casefold() != (str(theirs or "")).strip().casefold():
                label = str(Organisation._meta.get_field(name).verbose_name)
                differences.append((label, str(mine or "–"), str(theirs or "–")))
        result.append(PossibleMatch(candidate, differences))
    return result
