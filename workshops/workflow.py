"""Allowed status changes of a registration, as data."""

from .models import Registration

S = Registration.Status

TRANSITIONS: dict[str, set[str]] = {
    S.UNCONFIRMED: {S.PENDING, S.REGISTERED, S.WAITLISTED, S.CANCELLED},
    S.PENDING: {S.REGISTERED, S.WAITLISTED, S.CANCELLED},
    S.WAITLISTED: {S.REGISTERED, S.CANCELLED},
    S.REGISTERED: {S.CANCELLED, S.ATTENDED, S.NO_SHOW},
    S.ATTENDED: {S.NO_SHOW},
    S.NO_SHOW: {S.ATTENDED},
    S.CANCELLED: set(),
}

# Statuses that hold a seat (the counter on the event counts them).
SEATED = {S.REGISTERED, S.ATTENDED, S.NO_SHOW}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())
