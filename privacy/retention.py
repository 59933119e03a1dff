"""Retention rules: what personal data is deleted or anonymised once its purpose is over.

`due_*` functions find what a rule applies to (the nightly sweep enqueues one small task
per item or batch); the `*_expire` functions apply the rule to one item and are
idempotent: a task that runs twice, or an item no longer due, changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.imports import IMPORT_DIR

CLOSED = ("rejected", "withdrawn")


def _days(name: str) -> timedelta:
    return timedelta(days=getattr(settings, name))


# --- Rejected and withdrawn applications --------------------------------------------------


def _closed_applications(now):
    from exchange.models import Application

    return Application.objects.filter(
        status__in=CLOSED,
        updated_at__lt=now - _days("PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS"),
        exchanges_as_visitor__isnull=True,
        exchanges_as_host__isnull=True,
    )


def due_applications(*, now=None) -> list[int]:
    return list(_closed_applications(now or timezone.now()).values_list("pk", flat=True))


@transaction.atomic
def application_expire(*, application_id: int, now=None) -> bool:
    """Deletes a rejected or withdrawn application and its documents (files included)
    once past retention, unless it has become part of an exchange."""
    from exchange.models import Application, ApplicationDocument

    application = (
        _closed_applications(now or timezone.now())
        .select_for_update(of=("self",))
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return False
    files = [
        (d.file.storage, d.file.name)
        for d in ApplicationDocument.objects.filter(application=application)
        if d.file
    ]
    Application.objects.filter(pk=application.pk).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return True


# --- Registrations of people without an account ---------------------------------------------


def _anonymous_registrations(now):
    from workshops.models import Registration

    erased = Q(email__endswith="@erased.invalid")
    after_event = Q(event__end__lt=now - _days("PRIVACY_RETENTION_ANONYMOUS_REGISTRATIONS_DAYS"))
    never_confirmed = Q(
        status=Registration.Status.UNCONFIRMED,
        created_at__lt=now - _days("PRIVACY_RETENTION_UNCONFIRMED_REGISTRATIONS_DAYS"),
    )
    return (
        Registration.objects.filter(user__isnull=True)
        .filter(after_event | never_confirmed)
        .exclude(erased)
    )


def due_registrations(*, now=None) -> list[int]:
    return list(_anonymous_registrations(now or timezone.now()).values_list("pk", flat=True))


@transaction.atomic
def registrations_anonymise(*, registration_ids: list[int], now=None) -> int:
    """Name, email and answers go; event, mode and status stay (attendance counts). A
    registration never confirmed is cancelled first (it never held a seat)."""
    from workshops.models import Feedback, Registration

    from .erasure import ERASED, erased_email

    rows = list(
        _anonymous_registrations(now or timezone.now())
        .filter(pk__in=registration_ids)
        .select_for_update(of=("self",))
        .values_list("pk", "status")
    )
    for pk, status in rows:
        fields = {"full_name": ERASED, "email": erased_email("r", pk), "answers": {}}
        if status == Registration.Status.UNCONFIRMED:
            fields["status"] = Registration.Status.CANCELLED
        Registration.objects.filter(pk=pk).update(**fields)
    Feedback.objects.filter(registration_id__in=[pk for pk, _status in rows]).update(comments="")
    return len(rows)


# --- Outbox bodies -------------------------------------------------------------------------


def outbox_bodies_clear(*, now=None) -> int:
    """Sent, failed and cancelled emails lose their content (names, links, messages) and
    error text; the row (kind, recipient, dates) stays as the record that it was sent.
    One UPDATE, idempotent."""
    from notifications.models import Email

    now = now or timezone.now()
    return (
        Email.objects.filter(
            status__in=[Email.Status.SENT, Email.Status.FAILED, Email.Status.CANCELLED],
            created_at__lt=now - _days("PRIVACY_RETENTION_OUTBOX_BODIES_DAYS"),
        )
        .exclude(context={}, last_error="")
        .update(context={}, last_error="")
    )


# --- Unconfirmed member imports -------------------------------------------------------------


def due_imports(*, now=None) -> list[str]:
    now = now or timezone.now()
    try:
        _dirs, names = default_storage.listdir(IMPORT_DIR)
    except FileNotFoundError:
        return []
    cutoff = now - _days("PRIVACY_RETENTION_IMPORTS_DAYS")
    due = []
    for name in names:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                due.append(path)
        except FileNotFoundError:
            continue
    return due


def import_file_expire(*, path: str) -> bool:
    if not path.startswith(IMPORT_DIR + "/") or ".." in path:
        raise ValueError("not an import file")
    if not default_storage.exists(path):
        return False
    default_storage.delete(path)
    return True


# --- Data exports ----------------------------------------------------------------------------


def due_exports(*, now=None) -> list[int]:
    from .models import DataExport

    now = now or timezone.now()
    return list(
        DataExport.objects.filter(
            Q(status=DataExport.Status.READY, expires_at__lt=now)
            | Q(
                status__in=[DataExport.Status.PENDING, DataExport.Status.FAILED],
                created_at__lt=now - _days("PRIVACY_DATA_EXPORT_DAYS"),
            )
        ).values_list("pk", flat=True)
    )


def stale_pending_exports(*, now=None) -> list[int]:
    """Exports whose build missed the broker: re-queued by the sweep (the build is
    idempotent)."""
    from .models import DataExport

    now = now or timezone.now()
    return list(
        DataExport.objects.filter(
            status=DataExport.Status.PENDING,
            created_at__lt=now - timedelta(minutes=15),
            created_at__gte=now - _days("PRIVACY_DATA_EXPORT_DAYS"),
        ).values_list("pk", flat=True)
    )
