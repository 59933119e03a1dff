"""No enumeration: when a public form (ClusterXchange application, event registration)
is used with an address the portal already knows, the page answers exactly as for a new
address, and the owner of the address is told by email to log in and continue. At most
one such email per address, purpose and hour (the outbox's occasion key)."""

from django.utils import timezone

from . import kinds
from .services import email_queue

KNOWN_ADDRESS = kinds.register("notifications.known_address", "notifications/email/known_address")

PURPOSES = ("exchange_apply", "event_registration")


def known_address_notify(
    *, email: str, language: str, purpose: str, continue_url: str, subject: str = ""
):
    """`purpose` picks the wording; `continue_url` is where the owner continues (the login
    page with a `next`, or their registration's own page); `subject` names the event. The
    email speaks the account's language when the address has an account."""
    from django.contrib.auth import get_user_model

    if purpose not in PURPOSES:
        raise ValueError(purpose)
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    language = getattr(user, "language", "") or language
    hour = timezone.now().strftime("%Y%m%d%H")
    return email_queue(
        kind=KNOWN_ADDRESS.name,
        to=email,
        language=language,
        occasion_key=f"{KNOWN_ADDRESS.name}:{purpose}:{email.strip().lower()}:{hour}",
        context={"purpose": purpose, "url": continue_url, "subject": subject},
        user=user,
    )
