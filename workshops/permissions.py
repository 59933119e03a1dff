"""May this user see, register for, or organise that event?"""

from members.roles import scope_of

from .models import Event, Registration


def organiser_ids(event: Event) -> set[int]:
    cached = getattr(event, "_organiser_ids", None)
    if cached is None:
        cached = {c.pk for c in event.organisers.all()}
        event._organiser_ids = cached
    return cached


def can_manage_event(user, event: Event) -> bool:
    """Administrators and the managers of an organiser cluster."""
    scope = scope_of(user)
    return scope.is_admin or bool(organiser_ids(event) & scope.managed_cluster_ids)


def can_create_event(user) -> bool:
    scope = scope_of(user)
    return scope.is_admin or scope.is_manager


def _member_cluster_ids(user) -> set[int]:
    from members.models import Membership

    scope = scope_of(user)
    if not scope.organisation_ids:
        return set()
    return set(
        Membership.objects.filter(
            organisation_id__in=scope.organisation_ids, status=Membership.Status.ACTIVE
        ).values_list("cluster_id", flat=True)
    )


def can_register(user, event: Event) -> bool:
    """Audience rules: public events are open to anyone (people without an account confirm
    their email); partnership events to everyone with a role in the partnership; cluster
    events to the organiser clusters' members and managers."""
    if event.audience == Event.Audience.PUBLIC:
        return True
    scope = scope_of(user)
    if not scope.is_authenticated:
        return False
    if scope.is_admin or can_manage_event(user, event):
        return True
    if event.audience == Event.Audience.PARTNERSHIP:
        if event.partnership_id in scope.partnership_ids:
            return True
        from members.models import Cluster

        cluster_ids = _member_cluster_ids(user) | set(scope.managed_cluster_ids)
        return Cluster.objects.filter(
            pk__in=cluster_ids, partnership_id=event.partnership_id
        ).exists()
    return bool(_member_cluster_ids(user) & organiser_ids(event))


def can_see_event(user, event: Event) -> bool:
    if event.status == Event.Status.DRAFT:
        return can_manage_event(user, event)
    return (
        can_register(user, event)
        or can_manage_event(user, event)
        or (
            scope_of(user).is_coordinator and event.partnership_id in scope_of(user).partnership_ids
        )
    )


def can_register_colleagues(user) -> bool:
    return scope_of(user).is_representative


def can_cancel_registration(user, registration: Registration) -> bool:
    # A visitor's pk is None, like the user of a registration made without an account:
    # never compare the two (people without an account cancel through their token link).
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    return (
        registration.user_id == user_id
        or registration.registered_by_id == user_id
        or can_manage_event(user, registration.event)
    )
