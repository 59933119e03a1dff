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


# --- Exchanges (part 2) -------------------------------------------------------------------

from .models import Exchange  # noqa: E402

X = Exchange.Status

# from -> allowed targets. "ongoing" and "completed" follow the dates (a periodic task).
EXCHANGE_TRANSITIONS: dict[str, set[str]] = {
    X.PROPOSED: {X.MATCHED, X.DECLINED, X.CANCELLED},
    X.MATCHED: {X.IN_PREPARATION, X.CANCELLED},
    X.IN_PREPARATION: {X.COMMITMENT_SIGNED, X.CANCELLED},
    X.COMMITMENT_SIGNED: {X.READY, X.IN_PREPARATION, X.CANCELLED},
    # ready → commitment signed: a re-opened grant voids the signed financial agreement only.
    # → not happened: recorded by the visitor's cluster after the first day (never paid).
    X.READY: {X.ONGOING, X.IN_PREPARATION, X.COMMITMENT_SIGNED, X.CANCELLED, X.NOT_HAPPENED},
    X.ONGOING: {X.COMPLETED, X.CANCELLED, X.NOT_HAPPENED},
    X.COMPLETED: {X.REPORT_SUBMITTED, X.NOT_HAPPENED},
    X.REPORT_SUBMITTED: {X.REPORT_VALIDATED, X.REPORT_REJECTED, X.NOT_HAPPENED},
    X.REPORT_REJECTED: {X.REPORT_SUBMITTED, X.NOT_HAPPENED},
    X.REPORT_VALIDATED: {X.PAID},
    X.PAID: {X.CLOSED},
    X.CLOSED: set(),
    X.CANCELLED: set(),
    X.DECLINED: set(),
    X.NOT_HAPPENED: set(),
}

# A change of the plan is possible until the stay starts.
PLAN_EDITABLE = {X.MATCHED, X.IN_PREPARATION, X.COMMITMENT_SIGNED, X.READY}
