"""Allowed status changes of an application, and who makes them."""

from .models import Application

S = Application.Status

APPLICANT = "applicant"
REVIEWER = "reviewer"

# from -> {to: who may do it}
TRANSITIONS: dict[str, dict[str, str]] = {
    S.DRAFT: {S.SUBMITTED: APPLICANT, S.WITHDRAWN: APPLICANT},
    S.SUBMITTED: {
        S.UNDER_REVIEW: REVIEWER,
        S.ACCEPTED: REVIEWER,
        S.REJECTED: REVIEWER,
        S.INFO_REQUESTED: REVIEWER,
        S.WITHDRAWN: APPLICANT,
    },
    S.UNDER_REVIEW: {
        S.ACCEPTED: REVIEWER,
        S.REJECTED: REVIEWER,
        S.INFO_REQUESTED: REVIEWER,
        S.WITHDRAWN: APPLICANT,
    },
    S.INFO_REQUESTED: {S.SUBMITTED: APPLICANT, S.WITHDRAWN: APPLICANT, S.REJECTED: REVIEWER},
    S.ACCEPTED: {S.WITHDRAWN: APPLICANT},
    S.REJECTED: {},
    S.WITHDRAWN: {},
}

EDITABLE = {S.DRAFT, S.INFO_REQUESTED}


def actor_for(from_status: str, to_status: str) -> str | None:
    return TRANSITIONS.get(from_status, {}).get(to_status)
