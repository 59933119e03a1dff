"""What the periodic sweeps find due: one query each, one small task per batch of items."""

from datetime import timedelta

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from notifications.models import Email

from . import emails
from .models import Event, Registration

S = Registration.Status

# (code, how long before the start)
REMINDERS = (("j7", timedelta(days=7)), ("j1", timedelta(days=1)))
FEEDBACK_WINDOW = timedelta(days=3)


def _occasion(kind, code: str):
    return Concat(
        Value(f"{kind.name}:{code}:registration:"),
        Cast("pk", output_field=CharField()),
        output_field=CharField(),
    )


def reminders_due(code: str, before: timedelta, *, now=None) -> list[int]:
    """Registrations of published events starting within `before` that have not had this
    reminder yet (no outbox row for the occasion). Once a shorter reminder is due, the
    longer one is skipped: someone registering the day before gets J-1 only, not J-7 and
    J-1 at the same moment."""
    now = now or timezone.now()
    shorter = max((b for _code, b in REMINDERS if b < before), default=timedelta(0))
    already = Email.objects.filter(recipient=OuterRef("email"), occasion_key=OuterRef("occasion"))
    return list(
        Registration.objects.filter(
            status=S.REGISTERED,
            event__status=Event.Status.PUBLISHED,
            event__start__gt=now + shorter,
            event__start__lte=now + before,
        )
        .annotate(occasion=_occasion(emails.REMINDER, code))
        .filter(~Exists(already))
        .values_list("pk", flat=True)
    )


def feedback_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    already = Email.objects.filter(recipient=OuterRef("email"), occasion_key=OuterRef("occasion"))
    return list(
        Registration.objects.filter(
            status__in=[S.ATTENDED, S.REGISTERED],
            event__status=Event.Status.PUBLISHED,
            event__end__lte=now,
            event__end__gt=now - FEEDBACK_WINDOW,
        )
        .annotate(occasion=_occasion(emails.FEEDBACK, "after"))
        .filter(~Exists(already))
        .values_list("pk", flat=True)
    )


def _reminder(registration, code: str):
    if registration.status != S.REGISTERED or registration.event.status != Event.Status.PUBLISHED:
        return None
    return emails.registration_email(registration, emails.REMINDER, code, {"code": code})


def _feedback(registration):
    if registration.status not in (S.ATTENDED, S.REGISTERED):
        return None
    return emails.registration_email(registration, emails.FEEDBACK, "after")


def _registrations(ids):
    """The registrations of a batch with their events, in one query (a registration
    deleted meanwhile is simply absent)."""
    return Registration.objects.select_related("event").filter(pk__in=ids).order_by("pk")


def reminder_queue(*, registration_id: int, code: str):
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    return _reminder(registration, code)


def reminders_queue(*, registration_ids: list[int], code: str) -> int:
    """The reminders of a batch: one outbox row each (unique per recipient and occasion,
    so a batch delivered twice queues nothing more). Returns how many were queued."""
    return sum(_reminder(r, code) is not None for r in _registrations(registration_ids))


def feedback_queue(*, registration_id: int):
    registration = Registration.objects.select_related("event").get(pk=registration_id)
    return _feedback(registration)


def feedbacks_queue(*, registration_ids: list[int]) -> int:
    return sum(_feedback(r) is not None for r in _registrations(registration_ids))
