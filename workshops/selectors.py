"""Reads of the workshops app, scoped to the user."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from members.models import Cluster, Membership
from members.roles import scope_of

from .models import Event, Feedback, Registration, Session


def events_visible_to(user) -> QuerySet[Event]:
    """Published events the user may see (audience rules), plus the drafts of the clusters
    they manage."""
    scope = scope_of(user)
    qs = Event.objects.all()
    if scope.is_admin:
        return qs
    visible = Q(
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED], audience=Event.Audience.PUBLIC
    )
    if scope.is_authenticated:
        published = Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])
        organisers = Event.organisers.through.objects
        # The clusters the user belongs to (as a member organisation's representative or as
        # a manager) and their partnerships, in one query; a coordinator's clusters are
        # those of their partnerships, expressed by partnership rather than by 1,100 ids.
        own: set[int] = set(scope.managed_cluster_ids)
        partnerships = set(scope.partnership_ids) | set(scope.managed_partnership_ids)
        if scope.organisation_ids:  # (a manager's clusters came with the roles)
            for cluster_id, partnership_id in (
                Cluster.objects.filter(
                    Q(pk__in=scope.managed_cluster_ids)
                    | Q(
                        memberships__organisation_id__in=scope.organisation_ids,
                        memberships__status=Membership.Status.ACTIVE,
                    )
                )
                .values_list("pk", "partnership_id")
                .distinct()
            ):
                own.add(cluster_id)
                partnerships.add(partnership_id)
        if partnerships:
            visible |= published & Q(
                audience=Event.Audience.PARTNERSHIP, partnership_id__in=partnerships
            )
        in_clusters = Q(cluster_id__in=own) if own else Q(pk__in=[])
        if scope.partnership_ids:
            in_clusters |= Q(cluster__partnership_id__in=scope.partnership_ids)
        if own or scope.partnership_ids:
            visible |= published & Q(
                audience=Event.Audience.CLUSTER,
                id__in=organisers.filter(in_clusters).values("event_id"),
            )
        if scope.coordinated_cluster_ids:
            visible |= published & Q(partnership_id__in=scope.partnership_ids)
        if scope.managed_cluster_ids:
            visible |= Q(
                id__in=organisers.filter(cluster_id__in=scope.managed_cluster_ids).values(
                    "event_id"
                )
            )
    return qs.filter(visible)


def event_list(user, queryset=None):
    qs = queryset if queryset is not None else events_visible_to(user)
    return qs.prefetch_related("organisers")


def event_detail(user, pk: int) -> Event:
    return (
        events_visible_to(user)
        .prefetch_related(
            "organisers",
            Prefetch("sessions", queryset=Session.objects.prefetch_related("speakers")),
            "questions",
        )
        .get(pk=pk)
    )


def registrations_of(event: Event) -> QuerySet[Registration]:
    """Participants of one event (the caller checked can_manage_event)."""
    return (
        Registration.objects.filter(event=event)
        .select_related("organisation", "user")
        .annotate(has_feedback=Exists(Feedback.objects.filter(registration=OuterRef("pk"))))
    )


def participant_counts(event: Event) -> dict:
    rows = Registration.objects.filter(event=event).values("status", "mode").annotate(n=Count("id"))
    counts: dict = {}
    for row in rows:
        counts.setdefault(row["status"], {})[row["mode"]] = row["n"]
        counts.setdefault("_total", {}).setdefault(row["status"], 0)
        counts["_total"][row["status"]] += row["n"]
    return counts


def feedback_summary(event: Event) -> dict:
    qs = Feedback.objects.filter(registration__event=event)
    # Count and average from the distribution: one query instead of two.
    distribution = {
        row["rating"]: row["n"] for row in qs.order_by().values("rating").annotate(n=Count("id"))
    }
    count = sum(distribution.values())
    summary = {
        "average": sum(r * n for r, n in distribution.items()) / count if count else None,
        "count": count,
        "distribution": distribution,
    }
    summary["comments"] = list(
        qs.exclude(comments="").order_by("-created_at").values_list("comments", flat=True)[:50]
    )
    return summary


def registrations_of_user(user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(
            Q(user=user) | Q(registered_by=user) | Q(email__iexact=user.email)
        )
        .select_related("event")
        .order_by("-event__start")
    )


# --- Added for the web layer ---------------------------------------------------------


def registration_by_token(token: str) -> Registration:
    """The registration behind a link in an email (the token is the permission)."""
    return Registration.objects.select_related("event").get(token=token)


def registration_actions(registration: Registration, event: Event | None = None) -> dict:
    """What may happen next to a registration, read from the workflow table, so templates
    never re-implement status rules. Who may act is checked separately (permissions)."""
    from django.utils import timezone

    from . import workflow

    S = Registration.Status
    event = event or registration.event
    status = registration.status
    return {
        "attended": workflow.can_move(status, S.ATTENDED),
        "no_show": workflow.can_move(status, S.NO_SHOW),
        "approve": status == S.PENDING,
        "decline": status == S.PENDING,
        "confirm": status == S.UNCONFIRMED,
        "cancel": workflow.can_move(status, S.CANCELLED)
        and not (event.is_past and status in workflow.SEATED),
        "feedback": status in (S.ATTENDED, S.REGISTERED) and event.start <= timezone.now(),
        "certificate": status == S.ATTENDED,
    }


def feed_events(feed) -> QuerySet[Event]:
    """Events of a personal calendar feed: the owner's registrations that are not
    cancelled (registered, waiting, awaiting approval, attended)."""
    user = feed.user
    S = Registration.Status
    registrations = Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email)).filter(
        status__in=[S.PENDING, S.REGISTERED, S.WAITLISTED, S.ATTENDED, S.NO_SHOW]
    )
    return Event.objects.filter(
        id__in=registrations.values("event_id"), status__in=[Event.Status.PUBLISHED]
    ).order_by("start")


# --- Dashboards: work queues -----------------------------------------------------------------


def manager_work_queue(user) -> list:
    """A manager's events: registrations awaiting approval (newest first) and the
    upcoming events of the clusters they manage with the seats taken (soonest first)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from clamtex.core.worklist import WorkItem, queue

    managed = scope_of(user).managed_cluster_ids
    if not managed:
        return []
    now = timezone.now()
    organised = Event.organisers.through.objects.filter(cluster_id__in=managed).values("event_id")
    pending = (
        Registration.objects.filter(
            status=Registration.Status.PENDING, event_id__in=organised, event__end__gte=now
        )
        .select_related("event", "organisation")
        .order_by("-created_at", "-pk")
    )
    upcoming = (
        Event.objects.filter(id__in=organised, end__gte=now)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("start", "pk")
    )

    def registration_item(r: Registration) -> WorkItem:
        who = r.full_name + (f" ({r.organisation.legal_name})" if r.organisation else "")
        return WorkItem(
            label=who,
            url=reverse("workshops:participants", args=[r.event_id]) + "?status=pending",
            note=r.event.title,
            when=r.created_at,
        )

    def event_item(e: Event) -> WorkItem:
        capacity = e.capacity_in_person + e.capacity_online
        taken = e.taken_in_person + e.taken_online
        note = (
            _("%(taken)s of %(capacity)s seats taken") % {"taken": taken, "capacity": capacity}
            if capacity
            else _("%(taken)s registered") % {"taken": taken}
        )
        if e.status == Event.Status.DRAFT:
            note = f"{e.get_status_display()} · {note}"
        return WorkItem(
            label=e.title,
            url=reverse("workshops:event_detail", args=[e.pk]),
            note=note,
            when=e.start,
            urgent=e.status == Event.Status.DRAFT,
        )

    return [
        queue(
            "registrations_pending",
            _("Registrations awaiting approval"),
            pending,
            registration_item,
        ),
        queue(
            "my_events",
            _("Your upcoming events"),
            upcoming,
            event_item,
            url=reverse("workshops:event_list"),
        ),
    ]


def registrant_work_queue(user) -> list:
    """An SME's events: their upcoming registrations and the events open to them that
    they have not registered for (registration open, soonest first)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from clamtex.core.worklist import WorkItem, queue

    now = timezone.now()
    mine = (
        registrations_of_user(user)
        .filter(event__end__gte=now)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("event__start", "pk")
    )
    registered = Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email)).exclude(
        status=Registration.Status.CANCELLED
    )
    open_events = (
        events_visible_to(user)
        .filter(status=Event.Status.PUBLISHED, start__gte=now)
        .filter(Q(registration_opens__isnull=True) | Q(registration_opens__lte=now))
        .filter(Q(registration_closes__isnull=True) | Q(registration_closes__gte=now))
        .exclude(id__in=registered.values("event_id"))
        .order_by("start", "pk")
    )
    return [
        queue(
            "my_registrations",
            _("Your registrations"),
            mine,
            lambda r: WorkItem(
                label=r.event.title,
                url=reverse("workshops:event_detail", args=[r.event_id]),
                note=r.get_status_display(),
                when=r.event.start,
                urgent=r.status == Registration.Status.PENDING,
            ),
            url=reverse("workshops:mine"),
        ),
        queue(
            "events_open",
            _("Events open to you"),
            open_events,
            lambda e: WorkItem(
                label=e.title,
                url=reverse("workshops:event_detail", args=[e.pk]),
                note=e.get_kind_display(),
                when=e.start,
            ),
            url=reverse("workshops:event_list"),
        ),
    ]


def pending_registrations_by_cluster(cluster_ids) -> dict[int, int]:
    """For the coordinator: registrations awaiting approval per organiser cluster."""
    from django.utils import timezone

    return dict(
        Event.organisers.through.objects.filter(
            cluster_id__in=cluster_ids,
            event__end__gte=timezone.now(),
            event__registrations__status=Registration.Status.PENDING,
        )
        .order_by()
        .values_list("cluster_id")
        # One joined row per pending registration: counting the row (not the
        # registration's id) lets PostgreSQL answer from the (status, event) index alone.
        .annotate(n=Count("id"))
    )


def online_event_ids(user, event_ids) -> set[int]:
    """Of these events, those `user` holds an online seat for (as the event page decides):
    the only ones whose meeting link their calendar may show."""
    if user is None or not user.is_authenticated or not event_ids:
        return set()
    from . import workflow

    return set(
        Registration.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .filter(
            event_id__in=event_ids,
            mode=Registration.Mode.ONLINE,
            status__in=workflow.SEATED,
        )
        .values_list("event_id", flat=True)
    )
