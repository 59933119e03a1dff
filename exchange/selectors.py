"""Reads of ClusterXchange, always scoped to the user asking: nothing unscoped reaches a
template. Permissions are the functions of permissions.py; these only narrow querysets
and say which actions a page may offer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import Cluster, Partnership
from members.roles import scope_of

from . import eligibility, matching, permissions, workflow
from .models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    Exchange,
    MatchProposal,
    Programme,
)

S = Application.Status
RELATED = ("call__partnership", "organisation", "managing_cluster", "applicant")


def calls_open() -> QuerySet[Call]:
    """Open calls are public: the landing page lists them to everyone. No call is open
    while an eligible country has no lump-sum cap (its exchanges could not be costed)."""
    from .programme_data import countries_without_cap

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


# --- Dashboards: work queues -----------------------------------------------------------------


def _org_pair(exchange: Exchange) -> str:
    return f"{exchange.visitor_organisation.legal_name} → {exchange.host_organisation.legal_name}"


def manager_work_queue(user, *, today=None) -> list:
    """What a cluster manager has to do in ClusterXchange, one queue per kind of work,
    newest (or most urgent) first; one query per queue."""
    from datetime import timedelta

    from django.db.models import Case, CharField, DateField, Exists, F, OuterRef, Value, When
    from django.db.models.functions import Cast, Coalesce
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    from clamtex.core.worklist import WorkItem, queue, queues_from_groups, take_groups

    from .lifecycle import PAYMENT_DUE_DAYS
    from .models import ExchangeDocument, Signature

    managed = scope_of(user).managed_cluster_ids
    if not managed:
        return []
    today = today or timezone.localdate()
    X = Exchange.Status
    review_url = reverse("exchange:review_queue")

    def application_item(a: Application) -> WorkItem:
        return WorkItem(
            label=a.organisation.legal_name if a.organisation else str(a.applicant),
            url=reverse("exchange:application_detail", args=[a.pk]),
            note=f"{a.get_role_display()} · {a.call.name}",
            when=a.submitted_at or a.updated_at,
        )

    def exchange_item(note):
        def build(e: Exchange) -> WorkItem:
            text, when, urgent = note(e)
            return WorkItem(
                label=_org_pair(e),
                url=reverse("exchange:exchange_detail", args=[e.pk]),
                note=text,
                when=when,
                urgent=urgent,
            )

        return build

    applications = take_groups(
        Application.objects.filter(
            managing_cluster_id__in=managed,
            status__in=[S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED],
        ).select_related(*RELATED),
        Case(
            When(status=S.INFO_REQUESTED, then=Value("waiting")),
            default=Value("review"),
        ),
        [F("submitted_at").desc(nulls_last=True), F("pk").desc()],
    )
    proposals = (
        MatchProposal.objects.filter(status=MatchProposal.Status.PROPOSED)
        .filter(
            Q(proposer_side="visitor", host__managing_cluster_id__in=managed)
            | Q(proposer_side="host", visitor__managing_cluster_id__in=managed)
        )
        .select_related("visitor__organisation", "host__organisation")
        .order_by("-created_at", "-pk")
    )

    def proposal_item(p: MatchProposal) -> WorkItem:
        answering = p.host if p.proposer_side == "visitor" else p.visitor
        return WorkItem(
            label=f"{p.visitor.organisation.legal_name} → {p.host.organisation.legal_name}",
            url=reverse("exchange:application_detail", args=[answering.pk]),
            note=_("Proposed by the visitor")
            if p.proposer_side == "visitor"
            else _("Proposed by the host"),
            when=p.created_at,
        )

    signed = Signature.objects.filter(document=OuterRef("pk"))
    documents = (
        ExchangeDocument.objects.filter(
            voided_at__isnull=True, exchange__status__in=workflow.PLAN_EDITABLE
        )
        .filter(
            Q(exchange__visitor_cluster_id__in=managed)
            & ~Exists(signed.filter(role=Signature.Role.VOP))
            | Q(
                kind=ExchangeDocument.Kind.COMMITMENT,
                exchange__host_cluster_id__in=managed,
            )
            & ~Exists(signed.filter(role=Signature.Role.HOP))
        )
        .select_related("exchange__visitor_organisation", "exchange__host_organisation")
        .order_by("-created_at", "-pk")
    )

    def document_item(d: ExchangeDocument) -> WorkItem:
        return WorkItem(
            label=f"{d.get_kind_display()} · {_org_pair(d.exchange)}",
            url=reverse("exchange:exchange_detail", args=[d.exchange_id]),
            note=_("version %(n)s") % {"n": d.version},
            when=d.created_at,
        )

    week_end = today + timedelta(days=7)
    this_week = Q(plan__start_date__range=(today, week_end)) | Q(
        plan__end_date__range=(today, week_end)
    )
    as_vop = Q(visitor_cluster_id__in=managed)
    # One query for three queues; each in order of urgency (the longest waiting report,
    # the oldest validation, the next date of the week).
    exchanges = take_groups(
        Exchange.objects.filter(Q(visitor_cluster_id__in=managed) | Q(host_cluster_id__in=managed))
        .exclude(status__in=[X.CANCELLED, X.DECLINED])
        .select_related("visitor_organisation", "host_organisation", "plan", "report"),
        Case(
            When(as_vop & Q(status=X.REPORT_SUBMITTED), then=Value("reports")),
            When(as_vop & Q(status=X.REPORT_VALIDATED, payment__isnull=True), then=Value("pay")),
            When(this_week, then=Value("week")),
            default=Value(None),
            output_field=CharField(),
        ),
        [
            Coalesce(
                Cast("report__validated_at", DateField()),
                Cast("report__submitted_at", DateField()),
                Case(
                    When(plan__start_date__gte=today, then=F("plan__start_date")),
                    default=F("plan__end_date"),
                ),
            ).asc(),
            F("pk").asc(),
        ],
    )

    def week_note(e: Exchange):
        plan = e.plan
        if plan.start_date and today <= plan.start_date <= week_end:
            text = _("starts on %(date)s") % {"date": date_format(plan.start_date)}
            return text, plan.start_date, plan.start_date == today
        return _("ends on %(date)s") % {"date": date_format(plan.end_date)}, plan.end_date, False

    def payment_note(e: Exchange):
        due = timezone.localdate(e.report.validated_at) + timedelta(days=PAYMENT_DUE_DAYS)
        amount = e.plan.grant_amount if getattr(e, "plan", None) else None
        if due < today:
            text = _("overdue since %(date)s") % {"date": date_format(due)}
        else:
            text = _("due on %(date)s") % {"date": date_format(due)}
        if amount is not None:
            from clamtex.core.templatetags.formats import money

            text = f"{money(amount)} · {text}"
        return text, due, due < today

    def report_note(e):
        # An exchange marked "report submitted" whose report row is missing (data loaded
        # by hand or by seed_scale) still shows, without a date.
        report = getattr(e, "report", None)
        return pgettext("report", "submitted"), (report.submitted_at if report else None), False

    application_specs = [
        ("review", "applications_to_review", _("Applications to review")),
        ("waiting", "applications_waiting", _("Applications waiting for the applicant")),
    ]
    exchange_specs = [
        (
            "week",
            "exchanges_this_week",
            _("Exchanges starting or ending this week"),
            exchange_item(week_note),
            reverse("exchange:exchange_list"),
        ),
        (
            "reports",
            "reports_to_validate",
            _("Closing reports to validate"),
            exchange_item(report_note),
            "",
        ),
        (
            "pay",
            "payments",
            _("Payments due and overdue"),
            exchange_item(payment_note),
            reverse("exchange:payments"),
        ),
    ]
    return [
        *queues_from_groups(
            applications,
            [(g, k, t, application_item, review_url) for g, k, t in application_specs],
        ),
        queue("proposals", _("Match proposals to answer"), proposals, proposal_item),
        queue(
            "documents_to_sign",
            _("Documents awaiting your signature"),
            documents,
            document_item,
        ),
        *queues_from_groups(exchanges, exchange_specs),
    ]


def applicant_work_queue(user, *, today=None) -> dict:
    """The applicant's side: the latest application and its next step, and the current
    exchange and what it needs from them (two queries)."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from . import lifecycle

    if not getattr(user, "is_authenticated", False):
        return {}
    today = today or timezone.localdate()
    application = (
        Application.objects.filter(applicant_id=user.pk)
        .exclude(status=S.WITHDRAWN)
        .select_related(*RELATED)
        .order_by("-created_at", "-pk")
        .first()
    )
    result: dict = {}
    if application is not None:
        detail = reverse("exchange:application_detail", args=[application.pk])
        edit = reverse("exchange:application_edit", args=[application.pk])
        steps = {
            S.DRAFT: (_("Finish and submit your application."), edit),
            S.SUBMITTED: (_("Your cluster will review your application."), detail),
            S.UNDER_REVIEW: (_("Your cluster is reviewing your application."), detail),
            S.INFO_REQUESTED: (_("Your cluster asks for more information: answer it."), edit),
            S.ACCEPTED: (_("Find a partner in the catalogue and propose a match."), detail),
            S.REJECTED: (_("Your application was not accepted."), detail),
        }
        text, url = steps.get(application.status, ("", detail))
        result["application"] = {"object": application, "next_step": text, "url": url}
    scope = scope_of(user)
    X = Exchange.Status
    party = Q(visitor_application__applicant_id=user.pk) | Q(host_application__applicant_id=user.pk)
    if scope.organisation_ids:
        party |= Q(visitor_organisation_id__in=scope.organisation_ids)
        party |= Q(host_organisation_id__in=scope.organisation_ids)
    exchange = (
        Exchange.objects.filter(party)
        .exclude(status__in=[X.CANCELLED, X.DECLINED, X.CLOSED])
        .select_related(
            "visitor_organisation",
            "host_organisation",
            "visitor_application",
            "host_application",
            "plan",
            "report",
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if exchange is not None:
        roles = lifecycle.roles_of(user, exchange)
        visitor = "vo" in roles
        plan = getattr(exchange, "plan", None)
        if exchange.status in (X.MATCHED, X.IN_PREPARATION):
            need = _("Complete the plan of the stay, then sign the Commitment to Quality.")
        elif exchange.status == X.COMMITMENT_SIGNED:
            need = _("Sign the financial agreement.")
        elif exchange.status == X.READY and plan and plan.start_date:
            need = _("Everything is signed: the stay starts on %(date)s.") % {
                "date": date_format(plan.start_date)
            }
        elif exchange.status == X.ONGOING:
            need = _("The stay is under way.")
        elif exchange.status in lifecycle.REPORT_OPEN:
            need = (
                _("Write and submit your closing report.")
                if visitor
                else _("Confirm that the visit took place.")
            )
        elif exchange.status == X.REPORT_SUBMITTED:
            need = _("Your cluster is checking the closing report.")
        elif exchange.status == X.REPORT_VALIDATED:
            need = _("The report is validated: the grant will be paid.")
        else:
            need = exchange.get_status_display()
        result["exchange"] = {
            "object": exchange,
            "label": _org_pair(exchange),
            "need": need,
            "url": reverse("exchange:exchange_detail", args=[exchange.pk]),
        }
    return result


def cluster_shares(cluster_ids) -> dict[str, dict[int, int]]:
    """For the coordinator: the exchange queues of every cluster, counted per cluster in
    one grouped query each."""
    X = Exchange.Status
    review = dict(
        Application.objects.filter(
            managing_cluster_id__in=cluster_ids, status__in=[S.SUBMITTED, S.UNDER_REVIEW]
        )
        .order_by()
        .values_list("managing_cluster_id")
        .annotate(n=Count("id"))
    )
    by_status = {}
    for cluster_id, status, n in (
        Exchange.objects.filter(
            visitor_cluster_id__in=cluster_ids,
            status__in=[X.REPORT_SUBMITTED, X.REPORT_VALIDATED],
        )
        .order_by()
        .values_list("visitor_cluster_id", "status")
        .annotate(n=Count("id"))
    ):
        by_status.setdefault(status, {})[cluster_id] = n
    return {
        "applications_to_review": review,
        "reports_to_validate": by_status.get(X.REPORT_SUBMITTED, {}),
        "payments": by_status.get(X.REPORT_VALIDATED, {}),
    }


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
