"""Services for parties of another partnership (issue 12, bullet 7).

A manager proposes a host that is not on the portal: the host organisation (HO) and the
cluster of its partnership (HOP) are recorded as external parties and invited by email.
Each acts through its own private link, without an account: the host confirms the match,
both complete the plan, sign the Commitment to Quality after re-confirming their email
address with a one-time code, and the host later confirms that the visit took place.
The same holds the other way round: a visitor of another partnership (VO, VOP) coming to
a member of this partnership.

Rules enforced here:
- a link is a random token; only its SHA-256 is stored; it expires (LINK_DAYS) and the
  manager who invited (or any manager of the inviting cluster) can revoke or renew it;
- a link acts on its own exchange and role only (the actor's roles are empty elsewhere);
- a one-time code is 6 digits, stored as a keyed hash, valid CODE_MINUTES, used once,
  with CODE_ATTEMPTS tries; a new one can be asked for after CODE_RESEND_SECONDS;
- an external signature is a Signature row with the party instead of a user: it counts for
  its role (HO / HOP / VO / VOP) exactly like a portal signature.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import Organisation
from members.roles import scope_of
from notifications.services import email_queue

from .. import emails, workflow
from ..applications.participation import HOST_TYPES, VISITOR_TYPES
from ..models import (
    Application,
    EligibleCountry,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    ExternalParty,
    HostConfirmation,
    Signature,
)
from ..placements import services as lifecycle

X = Exchange.Status
R = Signature.Role

LINK_DAYS = 240  # long enough to confirm the visit and answer the follow-up after the stay
CODE_MINUTES = 15
CODE_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
CODE_SALT = "exchange.external.code"

HOST_SIDE = (R.HO, R.HOP)
VISITOR_SIDE = (R.VO, R.VOP)


class LinkInvalid(PermissionDenied):
    """Unknown, expired or revoked link (the page says which, never whose)."""


@dataclass(frozen=True, eq=False)
class ExternalActor:
    """Stands for an external party where lifecycle services expect a user: it holds the
    party's one role on the party's own exchange, and nothing anywhere else."""

    party: ExternalParty
    is_external_party = True
    is_authenticated = False
    is_superuser = False
    pk = None

    def roles_on(self, exchange: Exchange) -> set[str]:
        return {self.party.role} if exchange.pk == self.party.exchange_id else set()


# --- Links ---------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(party: ExternalParty) -> str:
    token = secrets.token_urlsafe(32)
    party.token_hash = hash_token(token)
    party.link_expires_at = timezone.now() + timedelta(days=LINK_DAYS)
    party.revoked_at = None
    return token


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("exchange:external_home", args=[token])


def party_for_token(token: str) -> ExternalParty:
    """The party a link belongs to, if the link is still valid."""
    party = (
        ExternalParty.objects.select_related("exchange")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if party is None:
        raise LinkInvalid(_("This link is not valid."))
    if party.revoked_at is not None:
        raise LinkInvalid(
            _("This link was revoked. Ask the cluster that invited you for a new one.")
        )
    if party.link_expires_at <= timezone.now():
        raise LinkInvalid(
            _("This link has expired. Ask the cluster that invited you for a new one.")
        )
    return party


def _invite(party: ExternalParty, token: str) -> None:
    exchange = party.exchange
    email_queue(
        kind=emails.EXTERNAL_INVITATION.name,
        to=party.contact_email,
        language=party.contact_language,
        # A renewed link is a new occasion (a new token), never a duplicate of the first.
        occasion_key=f"exchange.external_invitation:{party.pk}:{party.token_hash[:16]}",
        context={
            "name": party.contact_name,
            "visitor": exchange.visitor_organisation.legal_name,
            "host": exchange.host_organisation.legal_name,
            "role": party.role,
            "url": link_url(token),
            "expires": party.link_expires_at.date().isoformat(),
        },
        about=exchange,
    )


def _inviting_cluster_id(exchange: Exchange) -> int | None:
    """The cluster of this portal that invited the external parties."""
    return exchange.visitor_cluster_id or exchange.host_cluster_id


def can_manage_external(user, exchange: Exchange) -> bool:
    scope = scope_of(user)
    return scope.is_admin or _inviting_cluster_id(exchange) in scope.managed_cluster_ids


# --- Proposing a host (or a visitor) of another partnership -------------------------------------


PARTY_FIELDS = ("name", "country", "city", "address", "partnership_name")
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_language")


def _clean_party(data: dict, prefix: str) -> dict:
    errors = {}
    clean = {}
    for name in PARTY_FIELDS + CONTACT_FIELDS:
        value = (
            (data.get(name) or "").strip() if isinstance(data.get(name), str) else data.get(name)
        )
        if name not in ("address",) and not value:
            errors[f"{prefix}_{name}"] = _("This field is required.")
        clean[name] = value or ""
    if errors:
        raise ValidationError(errors)
    if clean["contact_language"] not in dict(settings.LANGUAGES):
        clean["contact_language"] = settings.LANGUAGE_CODE
    return clean


def _external_organisation(data: dict, org_type: str, latitude, longitude) -> Organisation:
    """The organisation as a row without membership: visible to no cluster's member lists,
    read by the exchange, the grant and the documents."""
    return Organisation.objects.create(
        legal_name=data["name"],
        country=data["country"],
        city=data["city"],
        address=data["address"],
        org_type=org_type,
        latitude=Decimal(str(latitude)) if latitude not in (None, "") else None,
        longitude=Decimal(str(longitude)) if longitude not in (None, "") else None,
    )


def _create_parties(exchange: Exchange, rows: list[tuple[str, dict]], by) -> list[ExternalParty]:
    parties = []
    for role, data in rows:
        party = ExternalParty(exchange=exchange, role=role, invited_by=by, **data)
        token = _new_token(party)
        party.save()
        _invite(party, token)
        parties.append(party)
    return parties


def _proposal_checked(
    application: Application, *, by, local_role: str, org_type: str, party: dict, cluster: dict
) -> tuple[Application, dict, dict]:
    """The checks both proposals share, in this order: the local application (the visitor,
    local_role VO, or the host, HO) is locked; the user manages its cluster; it is accepted
    for its side; the organisation of the other partnership may take the other side, its
    party and cluster rows are complete, and it is registered in another eligible country.
    Returns the locked application and the cleaned party and cluster rows."""
    visiting = local_role == R.VO
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "managing_cluster")
        .get(pk=application.pk)
    )
    scope = scope_of(by)
    if not (scope.is_admin or application.managing_cluster_id in scope.managed_cluster_ids):
        raise PermissionDenied(
            _("Only a manager of the visitor's cluster can propose its host.")
            if visiting
            else _("Only a manager of the host's cluster can record its visitor.")
        )
    wants = application.wants_to_visit if visiting else application.wants_to_host
    if application.status != Application.Status.ACCEPTED or not wants:
        raise ValidationError(
            _("Only an accepted visitor can be matched.")
            if visiting
            else _("Only an accepted host can be matched.")
        )
    if org_type not in (HOST_TYPES if visiting else VISITOR_TYPES):
        raise ValidationError(
            {
                "org_type": _("This type of organisation cannot host.")
                if visiting
                else _("This type of organisation cannot visit.")
            }
        )
    prefix, cluster_prefix = ("host", "hop") if visiting else ("visitor", "vop")
    party = _clean_party(party, prefix)
    cluster = _clean_party(cluster, cluster_prefix)
    if party["country"] == application.organisation.country.code:
        raise ValidationError(
            {f"{prefix}_country": _("Visitor and host must be registered in different countries.")}
        )
    if not EligibleCountry.objects.filter(country=party["country"]).exists():
        raise ValidationError({f"{prefix}_country": _("This country does not take part.")})
    return application, party, cluster


@transaction.atomic
def external_host_propose(
    *,
    visitor: Application,
    host: dict,
    hop: dict,
    org_type: str,
    by,
    latitude=None,
    longitude=None,
) -> Exchange:
    """A manager of the visitor's cluster proposes a host of another partnership. The
    exchange starts as "proposed"; the host confirms the match through its link. The
    visitor's own rules hold: accepted, visits once, host in another eligible country."""
    visitor, host, hop = _proposal_checked(
        visitor, by=by, local_role=R.VO, org_type=org_type, party=host, cluster=hop
    )
    organisation = _external_organisation(host, org_type, latitude, longitude)
    try:
        with transaction.atomic():
            exchange = Exchange.objects.create(
                visitor_application=visitor,
                host_application=None,
                visitor_organisation=visitor.organisation,
                host_organisation=organisation,
                visitor_cluster=visitor.managing_cluster,
                host_cluster=None,
                status=X.PROPOSED,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("This organisation already has an exchange as visitor: it may visit once only.")
        ) from exc
    ExchangeTransition.objects.create(
        exchange=exchange,
        from_status=X.PROPOSED,
        to_status=X.PROPOSED,
        by=by,
        note=gettext_noop("host of another partnership invited"),
    )
    _create_parties(exchange, [(R.HO, host), (R.HOP, hop)], by)
    return exchange


@transaction.atomic
def external_visitor_propose(
    *,
    host: Application,
    visitor: dict,
    vop: dict,
    org_type: str,
    by,
    latitude=None,
    longitude=None,
) -> Exchange:
    """A manager of the host's cluster records a visitor of another partnership coming to
    one of its members (this partnership is HOP). The grant, the financial agreement, the
    closing report and the payment are the visitor's partnership's business: here the
    match, the plan, the Commitment to Quality and the host's confirmation. The exchange
    never counts in this partnership's KPIs (they count for the visitor's partnership)."""
    host, visitor, vop = _proposal_checked(
        host, by=by, local_role=R.HO, org_type=org_type, party=visitor, cluster=vop
    )
    organisation = _external_organisation(visitor, org_type, latitude, longitude)
    exchange = Exchange.objects.create(
        visitor_application=None,
        host_application=host,
        visitor_organisation=organisation,
        host_organisation=host.organisation,
        visitor_cluster=None,
        host_cluster=host.managing_cluster,
        status=X.PROPOSED,
    )
    ExchangeTransition.objects.create(
        exchange=exchange,
        from_status=X.PROPOSED,
        to_status=X.PROPOSED,
        by=by,
        note=gettext_noop("visitor of another partnership invited"),
    )
    _create_parties(exchange, [(R.VO, visitor), (R.VOP, vop)], by)
    return exchange


@transaction.atomic
def external_link_revoke(*, party: ExternalParty, by) -> ExternalParty:
    party = ExternalParty.objects.select_for_update().select_related("exchange").get(pk=party.pk)
    if not can_manage_external(by, party.exchange):
        raise PermissionDenied(_("Only the inviting cluster can revoke this link."))
    if party.revoked_at is None:
        party.revoked_at = timezone.now()
        party.code_hash = ""
        party.save(update_fields=["revoked_at", "code_hash"])
    return party


@transaction.atomic
def external_link_renew(*, party: ExternalParty, by) -> ExternalParty:
    """A new link (the old one stops working), emailed to the contact person."""
    party = (
        ExternalParty.objects.select_for_update()
        .select_related("exchange__visitor_organisation", "exchange__host_organisation")
        .get(pk=party.pk)
    )
    if not can_manage_external(by, party.exchange):
        raise PermissionDenied(_("Only the inviting cluster can renew this link."))
    token = _new_token(party)
    party.code_hash = ""
    party.save(update_fields=["token_hash", "link_expires_at", "revoked_at", "code_hash"])
    _invite(party, token)
    return party


# --- What the party does through its link ----------------------------------------------------------


def _locked_party(party: ExternalParty) -> ExternalParty:
    """Re-reads the party under lock and re-checks its link (it may have been revoked
    between the page and the click)."""
    party = ExternalParty.objects.select_for_update().get(pk=party.pk)
    if not party.link_active:
        raise LinkInvalid(_("This link is no longer valid."))
    return party


@transaction.atomic
def external_match_respond(*, party: ExternalParty, accept: bool) -> Exchange:
    """The host (or the visitor) of the other partnership confirms or declines the match."""
    party = _locked_party(party)
    if party.role not in (R.HO, R.VO):
        raise PermissionDenied(_("The organisation itself answers the proposal."))
    exchange = lifecycle.lock_exchange(party.exchange)
    if exchange.status != X.PROPOSED:
        raise ValidationError(_("This proposal has already been answered."))
    return lifecycle.exchange_transition(
        exchange,
        X.MATCHED if accept else X.DECLINED,
        note=f"{party.contact_name} ({party.name})",
    )


def external_plan_update(*, party: ExternalParty, data: dict) -> ExchangePlan:
    """The same service as for portal users (same rules, same voiding of signatures),
    acting as the party's role."""
    with transaction.atomic():
        party = _locked_party(party)
        if party.exchange.status == X.PROPOSED:
            raise ValidationError(_("Confirm the match first."))
        return lifecycle.plan_update(exchange=party.exchange, data=data, by=ExternalActor(party))


def _code_digest(party: ExternalParty, code: str) -> str:
    return salted_hmac(CODE_SALT, f"{party.pk}:{party.codes_sent}:{code}").hexdigest()


@transaction.atomic
def external_code_send(*, party: ExternalParty) -> None:
    """Emails a one-time code to the contact person (re-confirms the address before a
    signature). The previous code stops working."""
    party = _locked_party(party)
    now = timezone.now()
    if party.code_sent_at and now - party.code_sent_at < timedelta(seconds=CODE_RESEND_SECONDS):
        raise ValidationError(_("A code was just sent: wait a minute before asking again."))
    code = f"{secrets.randbelow(10**6):06d}"
    party.codes_sent += 1
    party.code_hash = _code_digest(party, code)
    party.code_sent_at = now
    party.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
    party.code_attempts = 0
    party.save(
        update_fields=[
            "codes_sent",
            "code_hash",
            "code_sent_at",
            "code_expires_at",
            "code_attempts",
        ]
    )
    email_queue(
        kind=emails.EXTERNAL_CODE.name,
        to=party.contact_email,
        language=party.contact_language,
        occasion_key=f"exchange.external_code:{party.pk}:{party.codes_sent}",
        context={"name": party.contact_name, "code": code, "minutes": CODE_MINUTES},
        about=party.exchange,
    )


def _code_check(party: ExternalParty, code: str) -> str | None:
    """Counts the attempt in its own committed transaction (a wrong code is remembered
    even though the signature fails); returns an error message or None. A right code is
    used up."""
    with transaction.atomic():
        party = _locked_party(party)
        if not party.code_hash or not party.code_expires_at:
            return _("Ask for a code first.")
        if party.code_expires_at <= timezone.now():
            return _("The code has expired: ask for a new one.")
        if party.code_attempts >= CODE_ATTEMPTS:
            return _("Too many wrong codes: ask for a new one.")
        if constant_time_compare(_code_digest(party, (code or "").strip()), party.code_hash):
            party.code_hash = ""
            party.save(update_fields=["code_hash"])
            return None
        party.code_attempts += 1
        party.save(update_fields=["code_attempts"])
        left = CODE_ATTEMPTS - party.code_attempts
        if left <= 0:
            return _("Too many wrong codes: ask for a new one.")
        return _("The code is not correct (%(left)d attempts left).") % {"left": left}


def external_document_sign(
    *, party: ExternalParty, document: ExchangeDocument, code: str
) -> Signature:
    """Signature of an external party, after its one-time code: the same checks as a
    portal signature (lifecycle.sign_check: current version, fingerprint, before the stay
    starts, with the grant computed where this partnership pays one; one per role), and
    the exchange moves on when every party has signed."""
    if document.exchange_id != party.exchange_id:
        raise PermissionDenied(_("This document belongs to another exchange."))
    with transaction.atomic():
        # The rules first, so that a signature refused anyway does not use up the code
        # (checked again under the same locks below: things may change meanwhile).
        exchange = lifecycle.lock_exchange(party.exchange)
        current = ExchangeDocument.objects.select_for_update().get(pk=document.pk)
        lifecycle.sign_check(exchange=exchange, document=current, role=party.role)
    error = _code_check(party, code)
    if error:
        raise ValidationError({"code": error})
    with transaction.atomic():
        party = _locked_party(party)
        exchange = lifecycle.lock_exchange(party.exchange)
        document = ExchangeDocument.objects.select_for_update().get(pk=document.pk)
        lifecycle.sign_check(exchange=exchange, document=document, role=party.role)
        signature = lifecycle.signature_record(
            document=document, role=party.role, external_party=party
        )
        lifecycle.after_signature(exchange, None)
        return signature


@transaction.atomic
def external_host_confirm(
    *, party: ExternalParty, took_place: bool, feedback: str
) -> HostConfirmation:
    """The host of another partnership confirms (or not) that the visit took place, from
    its first day until the report is validated — as a portal host does."""
    party = _locked_party(party)
    if party.role != R.HO:
        raise PermissionDenied(_("Only the host organisation confirms the visit."))
    exchange = lifecycle.lock_exchange(party.exchange)
    if exchange.status not in lifecycle.HOST_CONFIRMATION_OPEN:
        raise ValidationError(
            _("The visit can be confirmed once it has started, until the report is validated.")
        )
    confirmation, _created = HostConfirmation.objects.update_or_create(
        exchange=exchange,
        defaults={
            "took_place": took_place,
            "feedback": feedback,
            "confirmed_by": None,
            "external_party": party,
        },
    )
    return confirmation


def external_seen(party: ExternalParty) -> None:
    ExternalParty.objects.filter(pk=party.pk).update(last_seen_at=timezone.now())


def party_actions(party: ExternalParty) -> dict:
    """What the party may do now (the page asks this; it never re-implements the rules)."""
    exchange = party.exchange
    status = exchange.status
    return {
        "respond": party.role in (R.HO, R.VO) and status == X.PROPOSED,
        "edit_plan": status in workflow.PLAN_EDITABLE,
        "sign": status in workflow.PLAN_EDITABLE,
        "host_confirm": party.role == R.HO and status in lifecycle.HOST_CONFIRMATION_OPEN,
    }


def panel_context(user, exchange: Exchange) -> dict:
    """The exchange page's panel: the external parties (one query) and whether this user
    invited them (sees the contacts and may revoke or renew the links)."""
    parties = list(ExternalParty.objects.filter(exchange=exchange))
    return {
        "external_parties": parties,
        "can_manage_external": bool(parties) and can_manage_external(user, exchange),
    }
