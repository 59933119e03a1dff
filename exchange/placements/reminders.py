"""Reminders of the exchange lifecycle, through the outbox.

The daily sweep (tasks.reminders_sweep) asks `due()` what is due: a few queries, then one
small task per occasion. The task (`reminder_queue`) checks again that the occasion still
applies and queues one email per recipient. Each email is created at most once per
recipient and occasion: the outbox's unique (recipient, occasion key) holds even when two
sweeps run at once; the rows of one occasion are created in one transaction, so a worker
dying half-way leaves nothing behind and the next sweep does the occasion again.

Occasions:
- signature: a current document has waited SIGNATURE_WAIT for a party's signature → each
  person who may sign for that party (once per document version and party);
- starting: the stay starts within STARTING_NOTICE_DAYS → visitor and host (once per
  first day: new dates, new reminder);
- report due / overdue: the stay is over and the closing report is not submitted → the
  visitor; due REPORT_DUE_DAYS after the last day at the host;
- payment due / overdue: the report is validated and the payment not recorded → the
  managers of the visitor's cluster, PAYMENT_NOTICE_DAYS before the due date and after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from notifications.models import Email
from notifications.services import email_queue

from .. import emails, workflow
from ..models import Exchange, ExchangeDocument, ExternalParty, Signature
from . import rules

X = Exchange.Status
R = Signature.Role

# The closing report is due this many days after the last day at the host. The public
# rules give no figure; 30 days is CLAMTEX's practice. A constant rather than a Programme
# field until a partnership needs another value (then: a field and its migration).
REPORT_DUE_DAYS = 30
# A document waiting this long for a party's signature triggers a reminder to that party.
SIGNATURE_WAIT = timedelta(days=2)
# "Your exchange starts soon": this many days before the first day at the host.
STARTING_NOTICE_DAYS = 7
# "Payment due": this many days before the due date (validation + 10 days).
PAYMENT_NOTICE_DAYS = 3


@dataclass(frozen=True)
class Occasion:
    code: str  # signature, starting, report_due, report_overdue, payment_due, payment_overdue
    pk: int  # the document (signature) or the exchange (others)
    role: str = ""  # signature: the party that has not signed


def occasion_key(code: str, pk: int, role: str = "", start: date | None = None) -> str:
    if code == "signature":
        return f"{emails.SIGNATURE.name}:document:{pk}:{role}"
    if code == "starting":
        return f"{emails.STARTING.name}:exchange:{pk}:{start}"
    kind = emails.REPORT_DUE if code.startswith("report") else emails.PAYMENT_DUE
    return f"{kind.name}:{code.split('_')[1]}:exchange:{pk}"


def report_due_on(exchange: Exchange) -> date | None:
    plan = getattr(exchange, "plan", None)
    if plan is None or plan.end_date is None:
        return None
    return plan.end_date + timedelta(days=REPORT_DUE_DAYS)


# --- What is due (the sweep) ---------------------------------------------------------------


def _not_done(candidates: list[tuple[Occasion, str]]) -> list[Occasion]:
    """Drops the occasions that already have an outbox row (one query)."""
    keys = {key for _occasion, key in candidates}
    done = set(Email.objects.filter(occasion_key__in=keys).values_list("occasion_key", flat=True))
    return [occasion for occasion, key in candidates if key not in done]


def due(*, today: date | None = None, now=None) -> list[Occasion]:
    today = today or timezone.localdate()
    now = now or timezone.now()
    candidates: list[tuple[Occasion, str]] = []

    documents = ExchangeDocument.objects.filter(
        voided_at__isnull=True,
        exchange__status__in=workflow.PLAN_EDITABLE,
        created_at__lte=now - SIGNATURE_WAIT,
    ).prefetch_related("signatures")
    for document in documents:
        for role in rules.signatures_missing(document):
            key = occasion_key("signature", document.pk, role)
            candidates.append((Occasion("signature", document.pk, role), key))

    starting = Exchange.objects.filter(
        status__in=workflow.PLAN_EDITABLE,
        plan__start_date__gt=today,
        plan__start_date__lte=today + timedelta(days=STARTING_NOTICE_DAYS),
    ).values_list("pk", "plan__start_date")
    for pk, start in starting:
        candidates.append((Occasion("starting", pk), occasion_key("starting", pk, start=start)))

    ended = Exchange.objects.filter(status=X.COMPLETED, plan__end_date__isnull=False)
    for pk, end in ended.values_list("pk", "plan__end_date"):
        code = "report_overdue" if end + timedelta(days=REPORT_DUE_DAYS) < today else "report_due"
        candidates.append((Occasion(code, pk), occasion_key(code, pk)))

    validated = Exchange.objects.filter(
        status=X.REPORT_VALIDATED, payment__isnull=True, report__validated_at__isnull=False
    )
    for pk, validated_at in validated.values_list("pk", "report__validated_at"):
        due_on = timezone.localdate(validated_at) + timedelta(days=rules.PAYMENT_DUE_DAYS)
        if due_on < today:
            code = "payment_overdue"
        elif due_on <= today + timedelta(days=PAYMENT_NOTICE_DAYS):
            code = "payment_due"
        else:
            continue
        candidates.append((Occasion(code, pk), occasion_key(code, pk)))
    return _not_done(candidates)


# --- Who receives it -------------------------------------------------------------------------


def _party_users(exchange: Exchange, role: str) -> list:
    """The people who act for a party: the applicant and the representatives of the
    organisation (VO, HO), the managers of the cluster (VOP, HOP). Active accounts only."""
    User = get_user_model()
    if role in _external_roles(exchange):
        return []  # a party of another partnership: reached through its link (external/services.py)
    if role in (R.VO, R.HO):
        application = exchange.visitor_application if role == R.VO else exchange.host_application
        organisation_id = (
            exchange.visitor_organisation_id if role == R.VO else exchange.host_organisation_id
        )
        condition = Q(pk=application.applicant_id) | Q(
            representative_roles__organisation_id=organisation_id
        )
    else:
        cluster_id = exchange.visitor_cluster_id if role == R.VOP else exchange.host_cluster_id
        condition = Q(manager_roles__cluster_id=cluster_id)
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _base_context(exchange: Exchange) -> dict:
    plan = getattr(exchange, "plan", None)
    return {
        "visitor": exchange.visitor_organisation.legal_name,
        "host": exchange.host_organisation.legal_name,
        "start": plan.start_date.isoformat() if plan and plan.start_date else "",
        "end": plan.end_date.isoformat() if plan and plan.end_date else "",
        "url": settings.SITE_URL + reverse("exchange:exchange_detail", args=[exchange.pk]),
    }


def _send(kind, key: str, users, exchange: Exchange, context: dict) -> int:
    sent = 0
    for user in users:
        row = email_queue(
            kind=kind.name,
            to=user.email,
            language=user.language,
            occasion_key=key,
            context={**context, "name": user.get_short_name()},
            about=exchange,
            user=user,
        )
        sent += row is not None
    return sent


def _exchange(pk: int) -> Exchange:
    return Exchange.objects.select_related(
        "visitor_application",
        "host_application",
        "visitor_organisation",
        "host_organisation",
        "plan",
        "report",
    ).get(pk=pk)


@transaction.atomic
def reminder_queue(*, code: str, pk: int, role: str = "", today: date | None = None) -> int:
    """Queues the emails of one occasion if it still applies; returns how many were
    created (0 when everyone already had it)."""
    today = today or timezone.localdate()
    if code == "signature":
        document = (
            ExchangeDocument.objects.filter(pk=pk, voided_at__isnull=True)
            .prefetch_related("signatures")
            .first()
        )
        if document is None or role not in rules.signatures_missing(document):
            return 0
        exchange = _exchange(document.exchange_id)
        if exchange.status not in workflow.PLAN_EDITABLE:
            return 0
        context = {
            **_base_context(exchange),
            "document": document.kind,
            "version": document.version,
            "role": role,
        }
        return _send(
            emails.SIGNATURE,
            occasion_key(code, pk, role),
            _party_users(exchange, role),
            exchange,
            context,
        )

    exchange = _exchange(pk)
    plan = getattr(exchange, "plan", None)
    if code == "starting":
        if exchange.status not in workflow.PLAN_EDITABLE or plan is None or not plan.start_date:
            return 0
        if not today < plan.start_date <= today + timedelta(days=STARTING_NOTICE_DAYS):
            return 0
        users = {u.pk: u for u in _party_users(exchange, R.VO) + _party_users(exchange, R.HO)}
        context = {**_base_context(exchange), "ready": exchange.status == X.READY}
        key = occasion_key(code, pk, start=plan.start_date)
        return _send(emails.STARTING, key, users.values(), exchange, context)
    if code in ("report_due", "report_overdue"):
        if exchange.status != X.COMPLETED:
            return 0
        due_on = report_due_on(exchange)
        context = {
            **_base_context(exchange),
            "code": code.split("_")[1],
            "due_on": due_on.isoformat() if due_on else "",
        }
        return _send(
            emails.REPORT_DUE,
            occasion_key(code, pk),
            _party_users(exchange, R.VO),
            exchange,
            context,
        )
    if code in ("payment_due", "payment_overdue"):
        if exchange.status != X.REPORT_VALIDATED or hasattr(exchange, "payment"):
            return 0
        due_on = rules.payment_due_on(exchange)
        context = {
            **_base_context(exchange),
            "code": code.split("_")[1],
            "due_on": due_on.isoformat() if due_on else "",
            "amount": str(plan.grant_amount) if plan and plan.grant_amount is not None else "",
        }
        return _send(
            emails.PAYMENT_DUE,
            occasion_key(code, pk),
            _party_users(exchange, R.VOP),
            exchange,
            context,
        )
    raise ValueError(f"unknown reminder {code!r}")


def report_decision_queue(*, exchange: Exchange, validated: bool, comments: str = "") -> int:
    """Tells the visitor's people that the closing report was validated (payment within
    10 days) or returned with the cluster's comments. Essential: not suppressible."""
    from ..emails import REPORT_DECISION
    from .rules import payment_due_on

    exchange = _exchange(exchange.pk)
    attempt = exchange.history.count()
    context = {
        **_base_context(exchange),
        "validated": validated,
        "comments": comments,
        "due_on": (payment_due_on(exchange) or "").__str__() if validated else "",
    }
    return _send(
        REPORT_DECISION,
        f"{REPORT_DECISION.name}:{exchange.pk}:{attempt}",
        _party_users(exchange, R.VO),
        exchange,
        context,
    )


def outcome_queue(*, exchange: Exchange) -> int:
    """Tells the four parties (visitor, host and their clusters), each in their language,
    that the exchange did not take place or was cut short, with the reason. Essential."""
    exchange = _exchange(exchange.pk)
    users = {}
    for role in (R.VO, R.HO, R.VOP, R.HOP):
        for user in _party_users(exchange, role):
            users.setdefault(user.pk, user)
    report = getattr(exchange, "report", None)
    context = {
        **_base_context(exchange),
        "outcome": exchange.outcome,
        "reason": exchange.outcome_reason,
        "last_day": report.actual_end.isoformat() if report and report.actual_end else "",
    }
    key = f"{emails.OUTCOME.name}:{exchange.pk}:{exchange.outcome}"
    sent = _send(emails.OUTCOME, key, users.values(), exchange, context)
    return sent + _send_external(emails.OUTCOME, key, exchange, context)


def _send_external(kind, key: str, exchange: Exchange, context: dict) -> int:
    """The same email to the parties of another partnership (exchange/external/services.py), to
    their contact person in the contact's language. Their link is stored only as a hash,
    so the email carries no link to the portal's exchange page (they have no account)."""
    roles = _external_roles(exchange)
    if not roles:
        return 0
    sent = 0
    parties = ExternalParty.objects.filter(exchange=exchange, role__in=roles).order_by("pk")
    for party in parties:
        row = email_queue(
            kind=kind.name,
            to=party.contact_email,
            language=party.contact_language,
            occasion_key=key,
            context={**context, "name": party.contact_name, "url": ""},
            about=exchange,
        )
        sent += row is not None
    return sent


def _external_roles(exchange: Exchange) -> set[str]:
    """Roles held by parties of another partnership (no application, no cluster here)."""
    roles = set()
    if exchange.visitor_application_id is None:
        roles.add(R.VO)
    if exchange.host_application_id is None:
        roles.add(R.HO)
    if exchange.visitor_cluster_id is None:
        roles.add(R.VOP)
    if exchange.host_cluster_id is None:
        roles.add(R.HOP)
    return roles
