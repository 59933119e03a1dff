"""Services of ClusterXchange part 2: the exchange from match to payment.

(Part 1's services — applications, review, matching — live in applications/services.py.)"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clamtex.core import uploads
from clamtex.core.audit import audit_record
from members.roles import scope_of

from .. import places, workflow
from ..models import (
    BankDetails,
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    HostConfirmation,
    Payment,
    Programme,
    Signature,
)
from . import grant, reminders

# Shared with reminders.py (defined in rules.py, so that neither imports the other
# back): re-exported here for the views and PDFs.
from .rules import (  # noqa: E402, F401 (re-exported)
    PAYMENT_DUE_DAYS,
    SIGNERS,
    payment_due_on,
    signatures_missing,
)

X = Exchange.Status
R = Signature.Role
OUTCOME = Exchange.Outcome


# --- Who is who ----------------------------------------------------------------------------


def roles_of(user, exchange: Exchange) -> set[str]:
    """The roles a user holds on an exchange: VO / HO (the applicants or representatives of
    the organisations), VOP / HOP (managers of the two managing clusters)."""
    if getattr(user, "is_external_party", False):  # exchange/external/services.py: a private link
        return user.roles_on(exchange)
    scope = scope_of(user)
    uid = getattr(user, "pk", None)
    roles = set()
    if (
        uid is not None
        and exchange.visitor_application_id
        and exchange.visitor_application.applicant_id == uid
    ) or exchange.visitor_organisation_id in scope.organisation_ids:
        roles.add(R.VO)
    if (
        uid is not None
        and exchange.host_application_id
        and exchange.host_application.applicant_id == uid
    ) or exchange.host_organisation_id in scope.organisation_ids:
        roles.add(R.HO)
    if exchange.visitor_cluster_id in scope.managed_cluster_ids:
        roles.add(R.VOP)
    if exchange.host_cluster_id in scope.managed_cluster_ids:
        roles.add(R.HOP)
    return roles


def can_view_exchange(user, exchange: Exchange) -> bool:
    scope = scope_of(user)
    return (
        bool(roles_of(user, exchange))
        or scope.is_admin
        or (responsible_partnership_id(exchange) in scope.partnership_ids)
    )


def outcome_role(exchange: Exchange) -> str:
    """Who records that an exchange did not take place or was cut short: the visitor's
    cluster (VOP); for a visitor of another partnership, the host's cluster in this
    partnership (this partnership is HOP)."""
    return R.VOP if exchange.visitor_cluster_id is not None else R.HOP


def can_record_outcome(user, exchange: Exchange) -> bool:
    """The managers of the cluster that records the outcome, and administrators (an
    external party never records it: it acts for the other partnership)."""
    if getattr(user, "is_external_party", False):
        return False
    return scope_of(user).is_admin or outcome_role(exchange) in roles_of(user, exchange)


def _require(user, exchange, allowed: set[str]) -> set[str]:
    roles = roles_of(user, exchange)
    if scope_of(user).is_admin:
        return roles or set(allowed)
    if not roles & allowed:
        raise PermissionDenied(_("You may not do this on this exchange."))
    return roles


def _locked(exchange: Exchange) -> Exchange:
    # of=("self",): lock the exchange row only, not the applications, organisations and
    # clusters joined for reading (locking those would serialise every exchange of a
    # cluster, and block anyone editing the cluster meanwhile).
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related(
            "visitor_application",
            "host_application",
            "visitor_organisation",
            "host_organisation",
            "visitor_cluster__partnership",
            "host_cluster",
        )
        .get(pk=exchange.pk)
    )


def exchange_transition(exchange: Exchange, to: str, *, by=None, note: str = "") -> Exchange:
    """The one place an exchange changes status (caller holds the lock)."""
    if to not in workflow.EXCHANGE_TRANSITIONS.get(exchange.status, set()):
        raise ValidationError(
            _("An exchange cannot go from “%(from)s” to “%(to)s”.")
            % {"from": exchange.get_status_display(), "to": X(to).label}
        )
    ExchangeTransition.objects.create(
        exchange=exchange,
        from_status=exchange.status,
        to_status=to,
        by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )
    exchange.status = to
    exchange.save(update_fields=["status"])
    return exchange


# --- Preparation -------------------------------------------------------------------------------


def _programme(exchange) -> Programme:
    programme, _created = Programme.objects.get_or_create(
        partnership_id=exchange.visitor_cluster.partnership_id
    )
    return programme


def grant_compute(exchange: Exchange, plan: ExchangePlan) -> grant.GrantComputation | None:
    if not (plan.start_date and plan.end_date):
        return None
    if exchange.visitor_cluster_id is None:
        return None  # a visitor of another partnership: its own partnership pays the grant
    return grant.compute(
        programme=_programme(exchange),
        visitor_org=exchange.visitor_organisation,
        host_org=exchange.host_organisation,
        start=plan.start_date,
        end=plan.end_date,
        subdiv=plan.host_subdivision,
    )


def _locate(exchange: Exchange) -> None:
    """Fills the organisations' missing coordinates from their city and country (offline
    gazetteer); the distance rule needs both."""
    for organisation in (exchange.visitor_organisation, exchange.host_organisation):
        if organisation.latitude is None and places.locate(organisation):
            organisation.save(update_fields=["latitude", "longitude"])


def stay_window(exchange: Exchange) -> tuple[date | None, date | None]:
    """The first and last day a stay of this exchange may have: inside the call's exchange
    window (from its opening when none is set) and the project period of the partnership.
    A visitor of another partnership (no application here) follows the host's call and
    partnership."""
    call = (exchange.visitor_application or exchange.host_application).call
    partnership = (exchange.visitor_cluster or exchange.host_cluster).partnership
    first = [d for d in (call.exchanges_from or call.opens_on, partnership.start_date) if d]
    last = [d for d in (call.exchanges_until, partnership.end_date) if d]
    return (max(first) if first else None, min(last) if last else None)


def _check_dates(exchange: Exchange, plan: ExchangePlan) -> None:
    if not (plan.start_date and plan.end_date):
        return
    if plan.end_date < plan.start_date:
        raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
    first, last = stay_window(exchange)
    if first and plan.start_date < first:
        raise ValidationError(
            {
                "start_date": _(
                    "The stay must start on or after %(date)s (the call's exchange window and the project period)."
                )
                % {"date": first}
            }
        )
    if last and plan.end_date > last:
        raise ValidationError(
            {
                "end_date": _(
                    "The stay must end on or before %(date)s (the call's exchange window and the project period)."
                )
                % {"date": last}
            }
        )


@transaction.atomic
def plan_update(*, exchange: Exchange, data: dict, by) -> ExchangePlan:
    """Visitor, host or their clusters agree on dates, objectives, agenda, activities and
    the host's region. The grant is computed again from the plan — also after the
    financial agreement was signed (a re-plan re-opens it). Any change after a signature
    voids the documents and their signatures, and the documents that existed are
    generated again from the new plan (to be signed again)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO, R.HO, R.VOP, R.HOP})
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The plan can no longer be changed."))
    plan, _created = ExchangePlan.objects.select_for_update().get_or_create(exchange=exchange)
    before = _canonical(exchange, plan)
    amount_before = plan.grant_amount
    for name in (
        "start_date",
        "end_date",
        "objectives",
        "agenda",
        "activity_types",
        "host_subdivision",
    ):
        if name in data:
            setattr(plan, name, data[name] if data[name] is not None else "")
            if name in ("start_date", "end_date") and data[name] is None:
                setattr(plan, name, None)
    if plan.host_subdivision and plan.host_subdivision not in grant.subdivisions(
        exchange.host_organisation.country.code
    ):
        raise ValidationError({"host_subdivision": _("Choose a region of the host's country.")})
    _check_dates(exchange, plan)
    _locate(exchange)
    if plan.grant_locked:
        # Re-planned (or a location corrected) after the financial agreement was signed:
        # the grant follows the plan again; both documents are signed again.
        computation = grant_compute(exchange, plan)
        amount = computation.amount if computation else None
        if _canonical(exchange, plan) != before or amount != plan.grant_amount:
            plan.grant_locked = False
    if not plan.grant_locked:
        _grant_refresh(exchange, plan)
    plan.save()
    if _canonical(exchange, plan) != before:
        current = list(
            ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True).values_list(
                "kind", flat=True
            )
        )
        ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True).update(
            voided_at=timezone.now()
        )
        if plan.grant_amount != amount_before and amount_before is not None:
            ExchangeTransition.objects.create(
                exchange=exchange,
                from_status=exchange.status,
                to_status=exchange.status,
                by=by if getattr(by, "is_authenticated", False) else None,
                note=f"{GRANT_RECOMPUTED}{amount_before} → {plan.grant_amount}",
            )
        if current and exchange.status in (X.COMMITMENT_SIGNED, X.READY):
            exchange_transition(
                exchange,
                X.IN_PREPARATION,
                by=by,
                note=gettext_noop("plan changed: signatures needed again"),
            )
        for kind in current:
            if _documentable(plan, kind):
                _document_new(exchange, plan, kind)
    if exchange.status == X.MATCHED:
        exchange_transition(exchange, X.IN_PREPARATION, by=by)
    return plan


# The history note of a grant computed again after a re-plan starts with this.
GRANT_RECOMPUTED = "grant recomputed: "


def _documentable(plan: ExchangePlan, kind: str) -> bool:
    if not (plan.start_date and plan.end_date and plan.objectives.strip() and plan.agenda):
        return False
    return kind != ExchangeDocument.Kind.FINANCIAL or plan.grant_amount is not None


def _grant_refresh(exchange: Exchange, plan: ExchangePlan) -> None:
    computation = grant_compute(exchange, plan)
    plan.grant_amount = computation.amount if computation else None
    plan.grant_steps = (computation.steps + computation.errors) if computation else []


# The funding statement every document and certificate carries (EU visibility rules).
FUNDING_STATEMENT = gettext_noop(
    "Funded by the European Union. Views and opinions expressed are however those of the "
    "author(s) only and do not necessarily reflect those of the European Union or the "
    "European Innovation Council and SMEs Executive Agency (EISMEA). Neither the European "
    "Union nor the granting authority can be held responsible for them."
)


def _party(organisation) -> dict:
    return {
        "name": organisation.legal_name,
        "address": organisation.address,
        "city": organisation.city,
        "country": organisation.country.code if organisation.country else "",
    }


def _traveller(exchange: Exchange) -> str:
    if exchange.visitor_application is None:  # a visitor of another partnership
        from ..models import ExternalParty

        party = ExternalParty.objects.filter(exchange=exchange, role=R.VO).first()
        return party.contact_name if party else ""
    applicant = exchange.visitor_application.applicant
    return applicant.get_full_name() or applicant.email


def _canonical(exchange: Exchange, plan: ExchangePlan) -> dict:
    """The exact content a signature covers: who travels, both organisations (address and
    country), both partnerships and their clusters, the dates, working days, distance,
    the amount and its computation, and the EU funding statement."""
    computation = grant_compute(exchange, plan)
    return {
        "exchange": exchange.pk,
        "traveller": _traveller(exchange),
        "visitor": exchange.visitor_organisation.legal_name,
        "host": exchange.host_organisation.legal_name,
        "visitor_party": _party(exchange.visitor_organisation),
        "host_party": _party(exchange.host_organisation),
        "vop": cluster_label(exchange, R.VOP),
        "hop": cluster_label(exchange, R.HOP),
        "visitor_partnership": partnership_label(exchange, R.VOP),
        "host_partnership": partnership_label(exchange, R.HOP),
        "start": plan.start_date.isoformat() if plan.start_date else None,
        "end": plan.end_date.isoformat() if plan.end_date else None,
        "host_region": plan.host_subdivision,
        "working_days": computation.working_days if computation else None,
        "distance_km": round(computation.distance_km)
        if computation and computation.distance_km is not None
        else None,
        "objectives": plan.objectives,
        "agenda": plan.agenda,
        "activity_types": sorted(plan.activity_types or []),
        "grant": str(plan.grant_amount) if plan.grant_amount is not None else None,
        "grant_steps": list(plan.grant_steps or []),
        "funding_statement": FUNDING_STATEMENT,
    }


def _hash(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


@transaction.atomic
def document_generate(*, exchange: Exchange, kind: str, by) -> ExchangeDocument:
    """A new version of the Commitment to Quality or the financial agreement from the
    current plan; the previous version (and its signatures) is voided. Only while the plan
    may change (not once the stay started, nor on a cancelled exchange)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO, R.HO, R.VOP, R.HOP})
    if kind not in ExchangeDocument.Kind.values:
        raise ValidationError(_("Unknown kind of document."))
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The documents of this exchange can no longer be changed."))
    plan = ExchangePlan.objects.filter(exchange=exchange).first()
    if plan is None or not (
        plan.start_date and plan.end_date and plan.objectives.strip() and plan.agenda
    ):
        raise ValidationError(_("Agree on the dates, objectives and agenda first."))
    if kind == ExchangeDocument.Kind.FINANCIAL and plan.grant_amount is None:
        raise ValidationError(_("The grant cannot be computed yet: see the computation."))
    return _document_new(exchange, plan, kind)


def _document_new(exchange: Exchange, plan: ExchangePlan, kind: str) -> ExchangeDocument:
    # The kind is part of what is signed: the two documents never share a fingerprint.
    content = {**_canonical(exchange, plan), "kind": kind}
    current = ExchangeDocument.objects.filter(
        exchange=exchange, kind=kind, voided_at__isnull=True
    ).first()
    if current and current.content_hash == _hash(content):
        return current
    ExchangeDocument.objects.filter(exchange=exchange, kind=kind, voided_at__isnull=True).update(
        voided_at=timezone.now()
    )
    version = (
        ExchangeDocument.objects.filter(exchange=exchange, kind=kind).aggregate(v=Max("version"))[
            "v"
        ]
        or 0
    ) + 1
    return ExchangeDocument.objects.create(
        exchange=exchange, kind=kind, version=version, content=content, content_hash=_hash(content)
    )


@transaction.atomic
def document_sign(*, document: ExchangeDocument, role: str, by, password: str) -> Signature:
    """Signing asks for the password again, and records the time and the hash of the exact
    version signed. When every party has signed, the exchange moves on."""
    # The exchange first, then the document: the same order as plan_update and
    # document_generate, so a signature and a plan change cannot deadlock.
    exchange = _locked(Exchange(pk=document.exchange_id))
    document = ExchangeDocument.objects.select_for_update().get(pk=document.pk)
    sign_check(exchange=exchange, document=document, role=role)
    if role not in roles_of(by, exchange):
        raise PermissionDenied(_("You cannot sign for this party."))
    if not by.check_password(password or ""):
        raise ValidationError({"password": _("The password is not correct.")})
    signature = signature_record(document=document, role=role, user=by)
    _after_signature(exchange, by)
    return signature


def sign_check(
    *, exchange: Exchange, document: ExchangeDocument, role: str, plan: ExchangePlan | None = None
) -> None:
    """The rules every signature obeys, a portal user's or an external party's
    (exchange/external/services.py); the caller holds the locks on the exchange and the document.
    Only the current version, while the plan may change, by a party that signs this
    document, before the stay starts, with the grant computed (when this partnership pays
    one: a visitor of another partnership has none here), on an intact fingerprint. A page
    may pass the plan it read (without locks) to say beforehand why one cannot sign."""
    if document.voided_at is not None:
        raise ValidationError(_("This version was replaced: sign the current one."))
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The documents of this exchange can no longer be signed."))
    if role not in SIGNERS[document.kind]:
        raise ValidationError(_("This party does not sign this document."))
    if plan is None:
        plan = ExchangePlan.objects.filter(exchange=exchange).first()
    if plan is None or plan.start_date is None or plan.start_date <= timezone.localdate():
        raise ValidationError(_("The documents can be signed only before the stay starts."))
    if exchange.visitor_cluster_id is not None and plan.grant_amount is None:
        raise ValidationError(
            _("The grant cannot be computed yet (see the computation): nothing can be signed.")
        )
    if _hash(document.content) != document.content_hash:
        raise ValidationError(_("The document does not match its fingerprint."))


def signature_record(*, document: ExchangeDocument, role: str, user=None, external_party=None):
    """One signature per role on a version (the database constraint decides a race)."""
    try:
        with transaction.atomic():
            return Signature.objects.create(
                document=document,
                role=role,
                user=user,
                external_party=external_party,
                document_hash=document.content_hash,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This party has already signed.")) from exc


def _fully_signed(exchange: Exchange, kind: str) -> bool:
    document = ExchangeDocument.objects.filter(
        exchange=exchange, kind=kind, voided_at__isnull=True
    ).first()
    if document is None:
        return False
    return set(document.signatures.values_list("role", flat=True)) >= set(SIGNERS[kind])


def _after_signature(exchange: Exchange, by) -> None:
    commitment = _fully_signed(exchange, ExchangeDocument.Kind.COMMITMENT)
    financial = _fully_signed(exchange, ExchangeDocument.Kind.FINANCIAL)
    if exchange.visitor_cluster_id is None:
        financial = True  # the visitor's partnership signs its financial agreement elsewhere
    if financial:
        ExchangePlan.objects.filter(exchange=exchange).update(grant_locked=True)
    if commitment and exchange.status == X.IN_PREPARATION:
        exchange_transition(
            exchange, X.COMMITMENT_SIGNED, by=by, note=gettext_noop("all parties signed")
        )
    if commitment and financial and exchange.status == X.COMMITMENT_SIGNED:
        exchange_transition(exchange, X.READY, by=by, note=gettext_noop("documents signed"))


# The history note of a re-opened grant starts with this (the page translates it).
GRANT_REOPENED = "grant re-opened: "


@transaction.atomic
def grant_reopen(*, exchange: Exchange, by, reason: str) -> ExchangePlan:
    """A manager of the visitor's cluster re-opens a fixed grant, before the stay, with a
    reason (recorded). The grant is computed again from the current plan; the financial
    agreement must be signed again, and if the amount changed, the commitment too (its
    content includes the grant)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if not reason.strip():
        raise ValidationError(_("Say why the grant is re-opened."))
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The grant can no longer be re-opened: the stay has started."))
    plan = ExchangePlan.objects.select_for_update().filter(exchange=exchange).first()
    if plan is None or not plan.grant_locked:
        raise ValidationError(
            _(
                "The grant is not fixed: it follows the plan until the financial agreement is signed."
            )
        )
    before = _canonical(exchange, plan)
    plan.grant_locked = False
    _grant_refresh(exchange, plan)
    plan.save(update_fields=["grant_locked", "grant_amount", "grant_steps", "updated_at"])
    changed = _canonical(exchange, plan) != before
    current = ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True)
    if not changed:
        current = current.filter(kind=ExchangeDocument.Kind.FINANCIAL)
    current.update(voided_at=timezone.now())
    ExchangeTransition.objects.create(
        exchange=exchange,
        from_status=exchange.status,
        to_status=exchange.status,
        by=by,
        note=f"{GRANT_REOPENED}{reason.strip()}",
    )
    if changed and exchange.status in (X.COMMITMENT_SIGNED, X.READY):
        exchange_transition(
            exchange,
            X.IN_PREPARATION,
            by=by,
            note=gettext_noop("grant changed: signatures needed again"),
        )
    elif exchange.status == X.READY:
        exchange_transition(
            exchange,
            X.COMMITMENT_SIGNED,
            by=by,
            note=gettext_noop("financial agreement to sign again"),
        )
    return plan


def exchanges_follow_dates(*, today: date | None = None) -> int:
    """ready → ongoing on the first day, ongoing → completed after the last day."""
    today = today or timezone.localdate()
    moved = 0
    due = list(
        Exchange.objects.filter(
            status__in=[X.READY, X.ONGOING], plan__start_date__lte=today
        ).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to
            # the plan (a reverse one-to-one).
            exchange = (
                Exchange.objects.select_for_update(of=("self",)).select_related("plan").get(pk=pk)
            )
            if exchange.status == X.READY and exchange.plan.start_date <= today:
                exchange_transition(exchange, X.ONGOING, note=gettext_noop("the stay started"))
                moved += 1
            if exchange.status == X.ONGOING and exchange.plan.end_date < today:
                exchange_transition(exchange, X.COMPLETED, note=gettext_noop("the stay ended"))
                moved += 1
    return moved


@transaction.atomic
def exchange_cancel(*, exchange: Exchange, by, reason: str) -> Exchange:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO, R.HO, R.VOP, R.HOP})
    if not reason.strip():
        raise ValidationError(_("Say why the exchange is cancelled."))
    return exchange_transition(exchange, X.CANCELLED, by=by, note=reason)


# --- When it did not happen ---------------------------------------------------------------------

# An outcome may be recorded from the first day at the host until the report is validated.
OUTCOME_OPEN = (
    X.READY,
    X.ONGOING,
    X.COMPLETED,
    X.REPORT_SUBMITTED,
    X.REPORT_REJECTED,
)


@transaction.atomic
def outcome_record(
    *, exchange: Exchange, outcome: str, reason: str, by, last_day: date | None = None
) -> Exchange:
    """A manager of the visitor's cluster (of the host's cluster when the visitor is of
    another partnership: outcome_role) records, after the first day at the host, that
    the exchange did not take place (never payable: it ends there) or was cut short (the
    last day actually spent at the host; the grant is computed again from it and the
    report goes on). All four parties are told, each in their language."""
    exchange = _locked(exchange)
    if not can_record_outcome(by, exchange):
        if outcome_role(exchange) == R.VOP:
            raise PermissionDenied(_("Only a manager of the visitor's cluster records this."))
        raise PermissionDenied(_("You may not do this on this exchange."))
    if outcome not in OUTCOME.values:
        raise ValidationError({"outcome": _("Choose what happened.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say what happened (and what the host said).")})
    plan = ExchangePlan.objects.select_for_update().filter(exchange=exchange).first()
    today = timezone.localdate()
    # "ongoing" and later follow the dates (the stay has started); "ready" is checked here.
    if (
        plan is None
        or plan.start_date is None
        or (exchange.status == X.READY and plan.start_date > today)
    ):
        raise ValidationError(_("This is recorded after the first day at the host."))
    if exchange.status not in OUTCOME_OPEN:
        raise ValidationError(_("The outcome of this exchange can no longer be recorded."))
    exchange.outcome = outcome
    exchange.outcome_reason = reason.strip()
    exchange.outcome_recorded_at = timezone.now()
    exchange.save(update_fields=["outcome", "outcome_reason", "outcome_recorded_at"])
    if outcome == OUTCOME.NOT_HAPPENED:
        exchange_transition(exchange, X.NOT_HAPPENED, by=by, note=reason.strip())
    else:
        if last_day is None or not (plan.start_date <= last_day < plan.end_date):
            raise ValidationError(
                {
                    "last_day": _(
                        "Give the last day actually spent at the host, before the planned last day."
                    )
                }
            )
        report, _created = ClosingReport.objects.select_for_update().get_or_create(
            exchange=exchange
        )
        report.actual_start = report.actual_start or plan.start_date
        report.actual_end = last_day
        _final_refresh(exchange, plan, report)
        report.save()
        ExchangeTransition.objects.create(
            exchange=exchange,
            from_status=exchange.status,
            to_status=exchange.status,
            by=by,
            note=f"{CUT_SHORT}{reason.strip()}",
        )
        if exchange.status == X.ONGOING and last_day < today:
            exchange_transition(exchange, X.COMPLETED, by=by, note=gettext_noop("cut short"))
    reminders.outcome_queue(exchange=exchange)
    return exchange


@transaction.atomic
def location_correct(
    *, exchange: Exchange, side: str, latitude, longitude, by, city: str | None = None
) -> ExchangePlan:
    """A manager of either cluster corrects where an organisation is (the gazetteer may
    have picked the wrong place); the grant is computed again (and the documents voided
    and generated again when it changes), until the stay starts."""
    from decimal import Decimal, InvalidOperation

    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP, R.HOP})
    if exchange.status not in workflow.PLAN_EDITABLE:
        raise ValidationError(_("The plan can no longer be changed."))
    if side not in ("visitor", "host"):
        raise ValidationError(_("Choose the visitor or the host."))
    try:
        lat, lng = Decimal(str(latitude)), Decimal(str(longitude))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Give the coordinates as decimal degrees.")) from exc
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("Give the coordinates as decimal degrees."))
    organisation = (
        exchange.visitor_organisation if side == "visitor" else exchange.host_organisation
    )
    organisation.latitude, organisation.longitude = (
        lat.quantize(Decimal("0.000001")),
        lng.quantize(Decimal("0.000001")),
    )
    fields = ["latitude", "longitude"]
    if city is not None and city.strip():
        organisation.city = city.strip()
        fields.append("city")
    organisation.save(update_fields=fields)
    return plan_update(exchange=exchange, data={}, by=by)


# The history note of a stay cut short starts with this (the page translates it).
CUT_SHORT = "cut short: "


def _final_refresh(exchange: Exchange, plan: ExchangePlan, report: ClosingReport) -> None:
    """The grant of what actually happened, never above the signed amount."""
    start = report.actual_start or plan.start_date
    end = report.actual_end or plan.end_date
    if exchange.outcome == OUTCOME.NOT_HAPPENED or plan.grant_amount is None or not (start and end):
        report.final_grant_amount = None
        report.final_grant_steps = []
        return
    computation = grant.final(
        programme=_programme(exchange),
        visitor_org=exchange.visitor_organisation,
        host_org=exchange.host_organisation,
        start=start,
        end=end,
        signed_amount=plan.grant_amount,
        subdiv=plan.host_subdivision,
        travelled_km=report.actual_distance_km,
    )
    report.final_grant_amount = computation.amount
    report.final_grant_steps = computation.steps


# --- After the stay ------------------------------------------------------------------------------

# The visitor writes the closing report (and adds evidence) in these states.
REPORT_OPEN = (X.COMPLETED, X.REPORT_REJECTED)
# The host confirms the visit from its first day until the report is validated.
HOST_CONFIRMATION_OPEN = (X.ONGOING, X.COMPLETED, X.REPORT_SUBMITTED, X.REPORT_REJECTED)


@transaction.atomic
def report_save(*, exchange: Exchange, data: dict, by) -> ClosingReport:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("The closing report opens after the stay."))
    if data.get("rating") not in (None, 1, 2, 3, 4, 5):
        raise ValidationError({"rating": _("Rate the exchange from 1 to 5.")})
    report, _created = ClosingReport.objects.select_for_update().get_or_create(exchange=exchange)
    for name in (
        "objectives_reached",
        "results",
        "follow_up",
        "rating",
        "actual_start",
        "actual_end",
        "actual_travel_mode",
        "actual_distance_km",
    ):
        if name in data:
            value = data[name]
            setattr(report, name, "" if value is None and name == "actual_travel_mode" else value)
    plan = ExchangePlan.objects.get(exchange=exchange)
    _check_actual_dates(plan, report)
    _final_refresh(exchange, plan, report)
    report.save()
    return report


def _check_actual_dates(plan: ExchangePlan, report: ClosingReport) -> None:
    start, end = report.actual_start, report.actual_end
    if start and end and end < start:
        raise ValidationError({"actual_end": _("The last day cannot be before the first day.")})
    if start and plan.start_date and start < plan.start_date - timedelta(days=7):
        raise ValidationError(
            {"actual_start": _("The stay cannot start a week before the planned first day.")}
        )


@transaction.atomic
def evidence_add(*, exchange: Exchange, kind: str, upload, by) -> Evidence:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("Evidence is added to the closing report after the stay."))
    if kind not in Evidence.Kind.values:
        raise ValidationError({"kind": _("Choose what this document is.")})
    checked = uploads.check_upload(upload, images=True)
    report, _created = ClosingReport.objects.get_or_create(exchange=exchange)
    evidence = Evidence(
        report=report,
        kind=kind,
        original_name=upload.name[:255],
        content_type=checked.content_type,
        size=checked.size,
    )
    evidence.file.save("evidence", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def report_submit(*, exchange: Exchange, by) -> ClosingReport:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("This closing report cannot be submitted now."))
    report = ClosingReport.objects.select_for_update().filter(exchange=exchange).first()
    if report is None or not (
        report.objectives_reached.strip() and report.results.strip() and report.rating
    ):
        raise ValidationError(
            _("Fill in the objectives reached, the results and the rating first.")
        )
    if not (report.actual_start and report.actual_end):
        raise ValidationError(_("Give the days you actually spent at the host."))
    # The evidence the programme requires; the host's confirmation in the portal (that
    # the visit took place) replaces an uploaded attendance confirmation.
    kinds = set(report.evidence.values_list("kind", flat=True))
    labels = dict(Evidence.Kind.choices)
    missing = [
        str(labels.get(kind, kind))
        for kind in _programme(exchange).required_evidence or []
        if kind not in kinds
    ]
    if missing:
        raise ValidationError(
            _("Add this evidence first: %(kinds)s.") % {"kinds": ", ".join(missing)}
        )
    host_said = HostConfirmation.objects.filter(exchange=exchange).first()
    if host_said is not None and not host_said.took_place:
        raise ValidationError(
            _("The host says the visit did not take place: your cluster will look into it.")
        )
    confirmed = host_said is not None and host_said.took_place
    if Evidence.Kind.ATTENDANCE not in kinds and not confirmed:
        raise ValidationError(
            _(
                "Add the host's attendance confirmation (or ask the host to confirm the visit in the portal)."
            )
        )
    report.status = ClosingReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at"])
    exchange_transition(exchange, X.REPORT_SUBMITTED, by=by)
    return report


@transaction.atomic
def host_confirm(*, exchange: Exchange, took_place: bool, feedback: str, by) -> HostConfirmation:
    exchange = _locked(exchange)
    _require(by, exchange, {R.HO})
    if exchange.status not in HOST_CONFIRMATION_OPEN:
        raise ValidationError(
            _("The visit can be confirmed once it has started, until the report is validated.")
        )
    confirmation, _created = HostConfirmation.objects.update_or_create(
        exchange=exchange,
        defaults={"took_place": took_place, "feedback": feedback, "confirmed_by": by},
    )
    return confirmation


@transaction.atomic
def report_validate(*, exchange: Exchange, by, evidence_checked: bool) -> ClosingReport:
    """The visitor's cluster (VOP) validates; payment becomes due within 10 days."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if exchange.status != X.REPORT_SUBMITTED:
        raise ValidationError(_("There is no submitted closing report to validate."))
    if not evidence_checked:
        raise ValidationError(_("Check the evidence before validating the report."))
    report = ClosingReport.objects.select_for_update().get(exchange=exchange)
    host_said = HostConfirmation.objects.filter(exchange=exchange).first()
    if host_said is not None and not host_said.took_place:
        raise ValidationError(
            _(
                "The host says the visit did not take place: record the outcome instead of validating."
            )
        )
    report.status = ClosingReport.Status.VALIDATED
    report.evidence_checked = True
    report.validated_by = by
    report.validated_at = timezone.now()
    _final_refresh(exchange, ExchangePlan.objects.get(exchange=exchange), report)
    report.save(
        update_fields=[
            "status",
            "evidence_checked",
            "validated_by",
            "validated_at",
            "final_grant_amount",
            "final_grant_steps",
        ]
    )
    exchange_transition(exchange, X.REPORT_VALIDATED, by=by)
    reminders.report_decision_queue(exchange=exchange, validated=True)
    return report


@transaction.atomic
def report_return(*, exchange: Exchange, by, comments: str) -> ClosingReport:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if exchange.status != X.REPORT_SUBMITTED:
        raise ValidationError(_("There is no submitted closing report to return."))
    if not comments.strip():
        raise ValidationError(_("Say what the visitor must correct."))
    report = ClosingReport.objects.select_for_update().get(exchange=exchange)
    report.status = ClosingReport.Status.RETURNED
    report.review_comment = comments
    report.save(update_fields=["status", "review_comment"])
    exchange_transition(exchange, X.REPORT_REJECTED, by=by, note=comments)
    reminders.report_decision_queue(exchange=exchange, validated=False, comments=comments)
    return report


@transaction.atomic
def payment_record(*, exchange: Exchange, paid_on: date, reference: str, by) -> Payment:
    """Only after validation with the evidence checked, and only once (database key)."""
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    if exchange.status != X.REPORT_VALIDATED:
        if Payment.objects.filter(exchange=exchange).exists():
            raise ValidationError(_("The payment of this exchange is already recorded."))
        raise ValidationError(
            _("A payment is possible only after the closing report is validated.")
        )
    if not reference.strip():
        raise ValidationError({"reference": _("Give the reference of the transfer.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("Record a payment once it is made.")})
    report = ClosingReport.objects.get(exchange=exchange)
    if report.validated_at and paid_on < timezone.localdate(report.validated_at):
        raise ValidationError(
            {"paid_on": _("A payment cannot precede the validation of the report.")}
        )
    if not report.evidence_checked or report.final_grant_amount is None:
        raise ValidationError(_("The evidence must be checked and the grant fixed before payment."))
    bank = BankDetails.objects.filter(exchange=exchange, erased_at__isnull=True).first()
    if bank is None or not bank.iban:
        raise ValidationError(_("The visitor has not given the bank details yet."))
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                exchange=exchange,
                amount=report.final_grant_amount,
                paid_on=paid_on,
                reference=reference.strip(),
                recorded_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(_("The payment of this exchange is already recorded.")) from exc
    exchange_transition(
        exchange, X.PAID, by=by, note=f"{payment.amount} paid on {paid_on} ({reference})"
    )
    audit_record(action="payment", target=payment, summary=f"{payment.amount} EUR", by=by)
    return payment


@transaction.atomic
def exchange_close(*, exchange: Exchange, by) -> Exchange:
    exchange = _locked(exchange)
    _require(by, exchange, {R.VOP})
    return exchange_transition(exchange, X.CLOSED, by=by)


# --- Additions of the exchange pages ---------------------------------------------------------


@transaction.atomic
def evidence_delete(*, evidence: Evidence, by) -> None:
    """The visitor removes a wrong file while the report is still theirs to change."""
    exchange = _locked(Exchange(pk=evidence.report.exchange_id))
    _require(by, exchange, {R.VO})
    if exchange.status not in REPORT_OPEN:
        raise ValidationError(_("The evidence of a submitted report cannot be changed."))
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    # The file goes once the row is gone for good (not if the transaction rolls back).
    transaction.on_commit(lambda: storage.delete(name))


def content_hash(content: dict) -> str:
    """The fingerprint a signature covers (SHA-256 of the canonical JSON)."""
    return _hash(content)


# --- Bank details -----------------------------------------------------------------------------


@transaction.atomic
def bank_details_save(*, exchange: Exchange, account_holder: str, iban: str, bic: str, by):
    """The visitor gives the account the grant is paid to (IBAN and BIC checked with
    schwifty). Possible until the payment is recorded."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    exchange = _locked(exchange)
    _require(by, exchange, {R.VO})
    if exchange.status in (X.PAID, X.CLOSED, X.CANCELLED, X.DECLINED, X.NOT_HAPPENED):
        raise ValidationError(_("Bank details are no longer needed for this exchange."))
    if not account_holder.strip():
        raise ValidationError({"account_holder": _("Give the name of the account holder.")})
    try:
        iban_value = IBAN(iban)
    except (SchwiftyException, ValueError) as exc:
        raise ValidationError({"iban": _("This IBAN is not valid.")}) from exc
    try:
        bic_value = BIC(bic) if bic.strip() else iban_value.bic
    except (SchwiftyException, ValueError) as exc:
        raise ValidationError({"bic": _("This BIC is not valid.")}) from exc
    if bic_value is None:
        raise ValidationError({"bic": _("Give the BIC of the bank.")})
    details, _created = BankDetails.objects.select_for_update().get_or_create(exchange=exchange)
    details.account_holder = account_holder.strip()
    details.iban = iban_value.compact
    details.bic = str(bic_value.compact)
    details.entered_by = by
    details.erased_at = None
    details.save()
    return details


def bank_details_erase_due(*, today: date | None = None) -> int:
    """Erases the bank details of exchanges paid more than the programme's retention ago
    (and of exchanges that ended without payment). Idempotent."""
    today = today or timezone.localdate()
    erased = 0
    rows = BankDetails.objects.filter(erased_at__isnull=True).select_related(
        "exchange__payment", "exchange__visitor_cluster", "exchange__host_cluster"
    )
    retention = {p.partnership_id: p.bank_retention_days for p in Programme.objects.all()}
    for details in rows:
        exchange = details.exchange
        payment = getattr(exchange, "payment", None)
        partnership_id = responsible_partnership_id(exchange)
        keep_days = retention.get(partnership_id, 90)
        if payment is not None:
            due = payment.paid_on + timedelta(days=keep_days) < today
        else:
            due = exchange.status in (X.CANCELLED, X.DECLINED, X.NOT_HAPPENED)
        if due:
            erased += BankDetails.objects.filter(pk=details.pk, erased_at__isnull=True).update(
                account_holder="", iban="", bic="", erased_at=timezone.now()
            )
    return erased


# --- Parties of other partnerships (exchange/external/services.py) ---------------------------


def cluster_label(exchange: Exchange, role: str) -> str:
    """VOP / HOP as written in the documents: the cluster's acronym, or the partnership
    and cluster organisation of an external party."""
    cluster = exchange.visitor_cluster if role == R.VOP else exchange.host_cluster
    if cluster is not None:
        return cluster.acronym
    # Read here rather than from external/services.py, which imports this module.
    from ..models import ExternalParty

    party = ExternalParty.objects.filter(exchange=exchange, role=role).first()
    return f"{party.name} ({party.partnership_name})" if party else ""


def partnership_label(exchange: Exchange, role: str) -> str:
    """The partnership of the VOP / HOP: this portal's, or an external party's."""
    cluster = exchange.visitor_cluster if role == R.VOP else exchange.host_cluster
    if cluster is not None:
        return cluster.partnership.name
    from ..models import ExternalParty

    party = ExternalParty.objects.filter(exchange=exchange, role=role).first()
    return party.partnership_name if party else ""


def responsible_partnership_id(exchange: Exchange) -> int | None:
    """The partnership of this portal responsible for the exchange: the visitor's, or the
    host's when the visitor comes from another partnership."""
    cluster = exchange.visitor_cluster or exchange.host_cluster
    return cluster.partnership_id if cluster else None


# Used by exchange/external/services.py, which acts for parties without an account.
lock_exchange = _locked
after_signature = _after_signature
document_fingerprint = _hash
