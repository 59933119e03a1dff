"""Every write of the workshops app: events, registrations with seats and a waiting list,
attendance, feedback.

Seats: each event keeps counters of seats taken per mode, changed only by conditional
UPDATEs (`taken < capacity`) and guarded by check constraints, so two requests at the
same moment can never overbook, on PostgreSQL as on SQLite."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.roles import scope_of
from privacy.consents import consent_record

from . import emails, permissions, workflow
from .models import Event, Feedback, Registration, RegistrationTransition

S = Registration.Status
M = Registration.Mode

_SEAT_FIELDS = {
    M.IN_PERSON: ("taken_in_person", "capacity_in_person"),
    M.ONLINE: ("taken_online", "capacity_online"),
}


def _seat_claim(event_id: int, mode: str) -> bool:
    taken, capacity = _SEAT_FIELDS[mode]
    return bool(
        Event.objects.filter(pk=event_id, **{f"{taken}__lt": F(capacity)}).update(
            **{taken: F(taken) + 1}
        )
    )


def _seat_release(event_id: int, mode: str) -> None:
    taken, _capacity = _SEAT_FIELDS[mode]
    Event.objects.filter(pk=event_id, **{f"{taken}__gt": 0}).update(**{taken: F(taken) - 1})


def _transition(registration: Registration, to: str, *, by=None, note: str = "") -> Registration:
    """The one place a registration changes status: checks the workflow table, saves the
    status only, and records the history row. The caller holds the row lock."""
    if not workflow.can_move(registration.status, to):
        raise ValidationError(
            _("A registration cannot go from “%(from)s” to “%(to)s”.")
            % {"from": registration.get_status_display(), "to": S(to).label}
        )
    RegistrationTransition.objects.create(
        registration=registration,
        from_status=registration.status,
        to_status=to,
        by=by if getattr(by, "is_authenticated", False) else None,
        note=note[:300],
    )
    registration.status = to
    registration.save(update_fields=["status", "updated_at"])
    return registration


def _locked(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)


def _place(registration: Registration, *, by=None) -> Registration:
    """Takes a seat if one is left, otherwise joins the waiting list (in order of arrival).
    With approval required, the organiser decides first."""
    event = registration.event
    if event.approval_required and registration.status == S.UNCONFIRMED:
        _transition(registration, S.PENDING, by=by)
        emails.registration_email(registration, emails.PENDING, "pending")
        return registration
    if _seat_claim(event.pk, registration.mode):
        _transition(registration, S.REGISTERED, by=by)
        emails.registration_email(registration, emails.CONFIRMATION, "confirmed")
    else:
        _transition(registration, S.WAITLISTED, by=by, note="no seat left")
        emails.registration_email(registration, emails.WAITLISTED, "waitlisted")
    return registration


def _check_open(event: Event, mode: str) -> None:
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("This event is not open for registration."))
    if not event.registration_is_open:
        raise ValidationError(_("Registration for this event is closed."))
    capacity = event.capacity_in_person if mode == M.IN_PERSON else event.capacity_online
    if capacity == 0:
        raise ValidationError(_("This event has no seats for this kind of attendance."))


@transaction.atomic
def registration_create(
    *,
    event: Event,
    full_name: str,
    email: str,
    mode: str,
    language: str = "en",
    answers: dict | None = None,
    user=None,
    organisation=None,
    by=None,
) -> Registration:
    """Registers a person. A logged-in member registers themselves or a colleague; a person
    without an account (public events only) must confirm their email first."""
    if not permissions.can_register(by, event):
        raise PermissionDenied(_("You may not register for this event."))
    _check_open(event, mode)
    email = email.strip().lower()
    anonymous = not getattr(by, "is_authenticated", False)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=user,
                organisation=organisation,
                full_name=full_name.strip(),
                email=email,
                language=language,
                mode=mode,
                answers=answers or {},
                registered_by=None if anonymous else by,
                status=S.UNCONFIRMED,
            )
    except IntegrityError as exc:
        if anonymous:
            # No enumeration: a visitor learns nothing about who registered; the owner of
            # the address gets a link to their registration instead.
            return _known_address(event=event, email=email, language=language)
        raise ValidationError(
            _("%(email)s is already registered for this event.") % {"email": email}
        ) from exc
    consent_record(purpose="registration", record=registration, user=user, email=email)
    if anonymous:
        emails.registration_email(registration, emails.CONFIRM_EMAIL, "confirm")
        return registration
    return _place(registration, by=by)


def _known_address(*, event: Event, email: str, language: str) -> Registration:
    from notifications.known_address import known_address_notify

    existing = Registration.objects.get(event=event, email=email)
    known_address_notify(
        email=email,
        language=existing.language or language,
        purpose="event_registration",
        continue_url=emails.registration_context(existing)["cancel_url"],
        subject=event.title,
    )
    return existing


@transaction.atomic
def registration_confirm_email(*, token: str) -> Registration:
    registration = Registration.objects.select_for_update().select_related("event").get(token=token)
    if registration.status != S.UNCONFIRMED:
        return registration  # a second click on the link changes nothing
    _check_open(registration.event, registration.mode)
    return _place(registration)


@transaction.atomic
def registration_approve(*, registration: Registration, by) -> Registration:
    if not permissions.can_manage_event(by, registration.event):
        raise PermissionDenied
    registration = _locked(registration)
    if registration.status != S.PENDING:
        raise ValidationError(_("Only registrations awaiting approval can be approved."))
    return _place(registration, by=by)


@transaction.atomic
def registration_reject(*, registration: Registration, by, reason: str = "") -> Registration:
    if not permissions.can_manage_event(by, registration.event):
        raise PermissionDenied
    registration = _locked(registration)
    if registration.status != S.PENDING:
        raise ValidationError(_("Only registrations awaiting approval can be declined."))
    _transition(registration, S.CANCELLED, by=by, note=reason or "declined by the organiser")
    emails.registration_email(registration, emails.CANCELLED, "declined", {"reason": reason})
    return registration


def _promote_waitlisted(event_id: int, mode: str, *, by=None) -> Registration | None:
    """Gives a freed seat to the first person on the waiting list, and tells them."""
    candidate = (
        Registration.objects.select_for_update(skip_locked=True)
        .select_related("event")
        .filter(event_id=event_id, mode=mode, status=S.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    if candidate is None or not _seat_claim(event_id, mode):
        return None
    _transition(candidate, S.REGISTERED, by=by, note="promoted from the waiting list")
    emails.registration_email(candidate, emails.PROMOTED, "promoted")
    return candidate


@transaction.atomic
def registration_cancel(*, registration: Registration, by=None, note: str = "") -> Registration:
    """The registrant (link in the email or account page) or an organiser cancels. A freed
    seat goes to the first person on the waiting list."""
    registration = _locked(registration)
    if registration.status == S.CANCELLED:
        return registration
    if registration.event.is_past and registration.status in workflow.SEATED:
        raise ValidationError(_("The event is over; this registration can no longer be cancelled."))
    held_seat = registration.status in workflow.SEATED
    _transition(registration, S.CANCELLED, by=by, note=note or "cancelled")
    emails.registration_email(registration, emails.CANCELLED, "cancelled")
    if held_seat:
        _seat_release(registration.event_id, registration.mode)
        _promote_waitlisted(registration.event_id, registration.mode, by=by)
    return registration


@transaction.atomic
def registration_mark(*, registration: Registration, status: str, by) -> Registration:
    """Check-in: attended or no-show."""
    if not permissions.can_manage_event(by, registration.event):
        raise PermissionDenied
    if status not in (S.ATTENDED, S.NO_SHOW):
        raise ValidationError(_("Unknown attendance status."))
    registration = _locked(registration)
    if registration.status == status:
        return registration
    return _transition(registration, status, by=by, note="check-in")


@transaction.atomic
def event_publish(*, event: Event, by) -> Event:
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied
    if event.status != Event.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    if event.capacity_in_person == 0 and event.capacity_online == 0:
        raise ValidationError(_("Give the event seats in person or online before publishing it."))
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)
    event.status = Event.Status.PUBLISHED
    return event


@transaction.atomic
def event_cancel(*, event: Event, by, reason: str = "") -> Event:
    """Cancels the event and tells everyone registered or waiting."""
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        return event
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status"])
    active = Registration.objects.select_for_update().filter(
        event=event, status__in=[S.UNCONFIRMED, S.PENDING, S.REGISTERED, S.WAITLISTED]
    )
    for registration in active.select_related("event"):
        _transition(registration, S.CANCELLED, by=by, note="event cancelled")
        emails.registration_email(
            registration, emails.EVENT_CANCELLED, "event-cancelled", {"reason": reason}
        )
    Event.objects.filter(pk=event.pk).update(taken_in_person=0, taken_online=0)
    return event


@transaction.atomic
def event_save(*, event: Event, data: dict, organisers, by) -> Event:
    """Creates or edits an event. Capacity cannot drop below the seats already taken."""
    creating = event.pk is None
    if creating:
        if not permissions.can_create_event(by):
            raise PermissionDenied
    else:
        if not permissions.can_manage_event(by, event):
            raise PermissionDenied
        event = Event.objects.select_for_update().get(pk=event.pk)
    scope = scope_of(by)
    organisers = list(organisers)
    if not organisers:
        raise ValidationError({"organisers": _("Choose at least one organiser cluster.")})
    if not scope.is_admin:
        # Joint events are the norm: a manager may invite other clusters of the same
        # partnership as co-organisers, but must manage at least one of the organisers.
        if not any(c.pk in scope.managed_cluster_ids for c in organisers):
            raise PermissionDenied(_("At least one organiser must be a cluster you manage."))
        partnership = data.get("partnership") or event.partnership
        if any(c.partnership_id != partnership.pk for c in organisers):
            raise ValidationError(
                {"organisers": _("Organisers must belong to the event's partnership.")}
            )
    for name, value in data.items():
        setattr(event, name, value)
    errors = {}
    if event.capacity_in_person < event.taken_in_person:
        errors["capacity_in_person"] = ngettext(
            "%(n)d person already holds a seat in person.",
            "%(n)d people already hold a seat in person.",
            event.taken_in_person,
        ) % {"n": event.taken_in_person}
    if event.capacity_online < event.taken_online:
        errors["capacity_online"] = ngettext(
            "%(n)d person already holds a seat online.",
            "%(n)d people already hold a seat online.",
            event.taken_online,
        ) % {"n": event.taken_online}
    if errors:
        raise ValidationError(errors)
    if creating:
        event.created_by = by
    event.full_clean()
    event.save()
    event.organisers.set(organisers)
    if hasattr(event, "_organiser_ids"):
        del event._organiser_ids
    if not creating:
        # Seats added to a full event go to the waiting list first, in order.
        for mode in (M.IN_PERSON, M.ONLINE):
            while _promote_waitlisted(event.pk, mode, by=by):
                pass
        event.refresh_from_db(fields=["taken_in_person", "taken_online"])
    return event


@transaction.atomic
def event_duplicate(*, event: Event, by) -> Event:
    """A draft copy with the same agenda, questions and organisers, for the organiser to
    edit (dates included)."""
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied
    sessions = list(event.sessions.prefetch_related("speakers"))
    questions = list(event.questions.all())
    organisers = list(event.organisers.all())
    copy = Event.objects.get(pk=event.pk)
    copy.pk = None
    copy.title = _("%(title)s (copy)") % {"title": event.title}
    copy.status = Event.Status.DRAFT
    copy.taken_in_person = copy.taken_online = 0
    copy.created_by = by
    copy.save()
    copy.organisers.set(organisers)
    for session in sessions:
        speakers = list(session.speakers.all())
        session.pk = None
        session.event = copy
        session.save()
        # add(), not set(): set() would diff against the prefetched speakers of the
        # original session and add nothing.
        session.speakers.add(*speakers)
    for question in questions:
        question.pk = None
        question.event = copy
        question.save()
    return copy


@transaction.atomic
def feedback_submit(*, registration: Registration, rating: int, comments: str) -> Feedback:
    """Attendees rate the event once it has started; a second submission edits the first."""
    if registration.status not in (S.ATTENDED, S.REGISTERED):
        raise ValidationError(_("Only participants can give feedback."))
    if registration.event.start > timezone.now():
        raise ValidationError(_("Feedback opens when the event starts."))
    feedback, _created = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "comments": comments}
    )
    return feedback


def participants_message(*, event: Event, registrations, subject: str, body: str, by) -> int:
    """Emails a (filtered) group of participants through the outbox. Returns the number of
    emails queued."""
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    count = 0
    for registration in registrations:
        if emails.registration_email(
            registration,
            emails.ANNOUNCEMENT,
            f"message-{stamp}",
            {"subject": subject, "body": body},
        ):
            count += 1
    return count


# --- Added for the web layer ---------------------------------------------------------


@transaction.atomic
def event_agenda_save(*, event: Event, sessions_formset, questions_formset, by) -> Event:
    """Saves the agenda sessions and registration questions edited on the event page (the
    caller validated both formsets). Only the event's organisers may change them."""
    if not permissions.can_manage_event(by, event):
        raise PermissionDenied
    for formset in (sessions_formset, questions_formset):
        if formset.instance.pk != event.pk:
            raise ValidationError(_("The agenda does not belong to this event."))
        formset.save()
    return event


def calendar_feed_get(*, user):
    """The user's secret calendar feed, created on first use."""
    from .models import CalendarFeed

    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, user):
    """A new secret address: the old one stops working at once (for a leaked link)."""
    from .models import CalendarFeed, _token

    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    feed.token = _token()
    feed.save(update_fields=["token"])
    return feed
