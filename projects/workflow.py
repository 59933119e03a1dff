"""Allowed status changes of a deliverable, and who makes them."""

from .models import Deliverable

S = Deliverable.Status

PARTNER = "partner"  # the lead partner's managers (and the coordinator, who may do anything)
COORDINATOR = "coordinator"

# from -> {to: who may do it}
TRANSITIONS: dict[str, dict[str, str]] = {
    S.PLANNED: {S.IN_PROGRESS: PARTNER, S.SUBMITTED: PARTNER},
    S.IN_PROGRESS: {S.SUBMITTED: PARTNER, S.PLANNED: PARTNER},
    # The coordinator approves a submitted deliverable or sends it back for changes.
    S.SUBMITTED: {S.APPROVED: COORDINATOR, S.IN_PROGRESS: COORDINATOR},
    S.APPROVED: {},
}


def actor_for(from_status: str, to_status: str) -> str | None:
    return TRANSITIONS.get(from_status, {}).get(to_status)
