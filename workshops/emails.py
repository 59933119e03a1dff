"""Email kinds of the workshops app (registered with the outbox) and their queueing."""

from django.conf import settings
from django.urls import reverse

from notifications import kinds
from notifications.services import email_queue

from .models import Event, Registration


def _ics_attachment(row):
    from .ics import calendar_bytes

    event = Event.objects.get(pk=row.context["event_id"])
    online = [event.pk] if row.context.get("online_url") else []  # registered online
    return [("event.ics", calendar_bytes([event], online_event_ids=online), "text/calendar")]


CONFIRMATION = kinds.register(
    "workshops.confirmation", "workshops/email/confirmation", attachments=_ics_attachment
)
WAITLISTED = kinds.register("workshops.waitlisted", "workshops/email/waitlisted")
PENDING = kinds.register("workshops.pending", "workshops/email/pending")
PROMOTED = kinds.register(
    "workshops.promoted", "workshops/email/promoted", attachments=_ics_attachment
)
CONFIRM_EMAIL = kinds.register("workshops.confirm_email", "workshops/email/confirm_email")
CANCELLED = kinds.register("workshops.cancelled", "workshops/email/cancelled")
EVENT_CANCELLED = kinds.register("workshops.event_cancelled", "workshops/email/event_cancelled")
REMINDER = kinds.register(
    "workshops.reminder", "workshops/email/reminder", "reminders", attachments=_ics_attachment
)
FEEDBACK = kinds.register("workshops.feedback", "workshops/email/feedback", "reminders")
ANNOUNCEMENT = kinds.register(
    "workshops.announcement", "workshops/email/announcement", "announcements"
)


def _url(name, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def registration_context(registration: Registration) -> dict:
    event = registration.event
    local = event.local_start
    return {
        "event_id": event.pk,
        "event": event.title,
        "name": registration.full_name,
        "when": f"{local:%Y-%m-%d %H:%M} ({event.timezone})",
        "where": ", ".join(p for p in (event.venue_name, event.city) if p),
        "online_url": event.online_url if registration.mode == Registration.Mode.ONLINE else "",
        "mode": registration.get_mode_display(),
        "event_url": _url("workshops:event_detail", event.pk),
        "cancel_url": _url("workshops:registration_cancel", registration.token),
        "confirm_url": _url("workshops:registration_confirm", registration.token),
        "feedback_url": _url("workshops:feedback", registration.token),
        "certificate_url": _url("workshops:certificate", registration.token),
    }


def registration_email(registration: Registration, kind, occasion: str, extra: dict | None = None):
    return email_queue(
        kind=kind.name,
        to=registration.email,
        language=registration.language,
        occasion_key=f"{kind.name}:{occasion}:registration:{registration.pk}",
        context={**registration_context(registration), **(extra or {})},
        about=registration,
        user=registration.user,
    )
