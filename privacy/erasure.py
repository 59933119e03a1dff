"""Erasure of a person ("delete my account").

What goes: the person's name, email, phone, the text they wrote, the files they uploaded,
their registrations' identity, their contacts, roles, email addresses, MFA keys, the
emails sent to them, their data exports. What stays, without the person: the grant and
payment records (exchange, plan, amount, organisations, signatures' dates), attendance
counts and the audit trail, which EU programme audits and the organisations' accounting
require. The user row itself stays (grant and signature records point at it) under an
address that names no one, inactive and without a usable password."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from clamtex.core.audit import audit_record

from . import collect

ERASED = "[erased]"


def erased_email(prefix: str, pk) -> str:
    return f"erased-{prefix}{pk}@erased.invalid"


def _delete_files(rows) -> int:
    """Deletes the rows' files once the transaction commits (a rollback keeps them)."""
    names = [(row.file.storage, row.file.name) for row in rows if row.file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    return len(names)


def _scrub(value, needles: list[str]):
    """`value` (a string, list or dict from a JSON field) with every needle replaced."""
    if isinstance(value, str):
        lowered = value.lower()
        for needle in needles:
            if needle in lowered:
                start = lowered.find(needle)
                while start != -1:
                    value = value[:start] + ERASED + value[start + len(needle) :]
                    lowered = value.lower()
                    start = lowered.find(needle, start + len(ERASED))
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, needles): _scrub(v, needles) for k, v in value.items()}
    return value


def _scrub_model(model, fields: list[str], needles: list[str]) -> int:
    """Replaces the person's name and email wherever they were written into records that
    are kept (free text of others, generated documents, emails to others, admin log)."""
    condition = Q()
    for name in fields:
        for needle in needles:
            condition |= Q(**{f"{name}__icontains": needle})
            escaped = json.dumps(needle)[1:-1]  # how a JSON column stores non-ASCII
            if escaped != needle:
                condition |= Q(**{f"{name}__icontains": escaped})
    changed = 0
    for row in model.objects.filter(condition).only("pk", *fields):
        for name in fields:
            setattr(row, name, _scrub(getattr(row, name), needles))
        row.save(update_fields=fields)
        changed += 1
    return changed


def _kept_records_with_free_text():
    from django.contrib.admin.models import LogEntry

    from exchange.models import (
        Application,
        ApplicationTransition,
        ClosingReport,
        ExchangeDocument,
        ExchangePlan,
        ExchangeTransition,
        HostConfirmation,
        MatchProposal,
        Payment,
    )
    from notifications.models import Email
    from workshops.models import Feedback, RegistrationTransition

    return [
        (Email, ["context", "last_error"]),
        (ExchangeDocument, ["content"]),
        (ExchangePlan, ["objectives", "agenda"]),
        (ClosingReport, ["objectives_reached", "results", "follow_up", "review_comment"]),
        (HostConfirmation, ["feedback"]),
        (MatchProposal, ["message"]),
        (Application, ["motivation", "objectives", "review_notes"]),
        (ApplicationTransition, ["note"]),
        (ExchangeTransition, ["note"]),
        (RegistrationTransition, ["note"]),
        (Feedback, ["comments"]),
        (Payment, ["reference"]),
        (LogEntry, ["object_repr", "change_message"]),
    ]


@transaction.atomic
def account_erase(*, user, by=None) -> dict:
    """Erases `user`'s personal data and files and anonymises what must be kept. Refused
    for a superuser (another administrator removes the role first), so that the portal
    never loses its last administrator by a click."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from exchange.models import (
        ApplicationDocument,
        ApplicationTransition,
        ClosingReport,
        Evidence,
        HostConfirmation,
        MatchProposal,
    )
    from members.models import (
        ClusterManager,
        Invitation,
        PartnershipCoordinator,
        Representative,
        User,
    )
    from notifications.models import Unsubscription
    from workshops import services as workshop_services
    from workshops.models import Feedback, Registration, RegistrationTransition

    from .models import Consent, DataExport

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_superuser:
        raise ValidationError(
            _("An administrator's account cannot be deleted here; ask another administrator.")
        )
    email = user.email.lower()
    needles = [email] + ([user.full_name.strip().lower()] if user.full_name.strip() else [])
    counts: dict[str, int] = {}

    # Applications: the ones never part of an exchange go entirely (with their files and
    # proposals); the ones behind an exchange keep the organisation and status only.
    applications = collect.applications_of(user)
    in_exchange = applications.filter(
        Q(exchanges_as_visitor__isnull=False) | Q(exchanges_as_host__isnull=False)
    ).distinct()
    counts["files"] = _delete_files(ApplicationDocument.objects.filter(application__applicant=user))
    ApplicationDocument.objects.filter(application__applicant=user).delete()
    kept_ids = list(in_exchange.values_list("pk", flat=True))
    deleted, _detail = applications.exclude(pk__in=kept_ids).delete()
    counts["applications_deleted"] = deleted
    applications.filter(pk__in=kept_ids).update(
        motivation="",
        objectives="",
        review_notes="",
        review_checklist={},
        catalogue_fields=[],
        consent_catalogue=False,
    )
    ApplicationTransition.objects.filter(application_id__in=kept_ids).update(note="")
    MatchProposal.objects.filter(Q(visitor_id__in=kept_ids) | Q(host_id__in=kept_ids)).update(
        message=""
    )

    # Exchanges: amounts, dates, organisations and signatures stay; the person's texts and
    # travel documents go.
    exchanges = collect.exchanges_of(user)
    visits = exchanges.filter(visitor_application__applicant=user)
    evidence = Evidence.objects.filter(report__exchange__in=visits)
    counts["files"] += _delete_files(evidence)
    evidence.delete()
    ClosingReport.objects.filter(exchange__in=visits).update(
        objectives_reached="", results="", follow_up="", review_comment=""
    )
    HostConfirmation.objects.filter(exchange__in=visits).update(feedback="")

    # Registrations: seats of future events are freed; every row keeps its event, mode and
    # status (the programme counts participants) but loses the person.
    registrations = collect.registrations_of(user)
    for registration in registrations.exclude(status=Registration.Status.CANCELLED).select_related(
        "event"
    ):
        if not registration.event.is_past:
            workshop_services.registration_cancel(
                registration=registration, by=None, note="account deleted"
            )
    ids = list(registrations.values_list("pk", flat=True))
    for pk in ids:
        Registration.objects.filter(pk=pk).update(
            full_name=ERASED, email=erased_email("r", pk), answers={}, user=None, organisation=None
        )
    Feedback.objects.filter(registration_id__in=ids).update(comments="")
    RegistrationTransition.objects.filter(registration_id__in=ids).update(note="")
    Registration.objects.filter(registered_by=user).update(registered_by=None)
    counts["registrations"] = len(ids)

    # Directory, roles, invitations, logins.
    counts["contacts"], _detail = collect.contacts_of(user).delete()
    Invitation.objects.filter(email__iexact=email).delete()
    for model in (ClusterManager, PartnershipCoordinator, Representative):
        model.objects.filter(user=user).delete()  # each deletion is audited (signals)
    EmailAddress.objects.filter(Q(user=user) | Q(email__iexact=email)).delete()
    Authenticator.objects.filter(user=user).delete()
    Unsubscription.objects.filter(email__iexact=email).delete()

    # Emails to the person go; the person's name in emails to others is replaced.
    counts["emails"], _detail = collect.emails_of(user).delete()

    # Data exports and their files.
    exports = DataExport.objects.filter(user=user)
    counts["files"] += _delete_files(exports)
    exports.delete()

    # Consents stay as proof of what was agreed, without the address.
    Consent.objects.filter(Q(user=user) | Q(email__iexact=email)).update(email="")

    # Last, the person's name and email wherever someone else wrote them into a kept record.
    counts["scrubbed"] = sum(
        _scrub_model(model, fields, needles) for model, fields in _kept_records_with_free_text()
    )

    user.email = erased_email("u", user.pk)
    user.full_name = ""
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    from clamtex.core.models import AuditEvent

    AuditEvent.objects.filter(actor=user).update(ip=None)
    audit_record(
        action=AuditEvent.Action.ERASURE,
        target_type="members.user",
        target_id=str(user.pk),
        summary=", ".join(f"{k}={v}" for k, v in sorted(counts.items())),
        by=by,
    )
    return counts
