"""Writes of the privacy app: data exports. Erasure is in erasure.py, retention rules in
retention.py, consent records in consents.py."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clamtex.core.audit import audit_record
from clamtex.core.queue import send_task

from . import collect, emails
from .models import DataExport

E = DataExport.Status
# One export in preparation at a time, and at most this many per day per person.
EXPORTS_PER_DAY = 3


def _enqueue_build(export_id: int) -> None:
    # By name: tasks.py imports this module, never the reverse (clamtex/core/queue.py).
    send_task("privacy.tasks.data_export_build", export_id)


@transaction.atomic
def data_export_request(*, user) -> DataExport:
    """Queues the build of a ZIP of the person's data; the link is emailed when ready."""
    from members.models import User

    User.objects.select_for_update().get(pk=user.pk)  # two clicks: one export
    recent = DataExport.objects.filter(
        user=user, created_at__gte=timezone.now() - timedelta(days=1)
    )
    if recent.filter(status=E.PENDING).exists():
        raise ValidationError(_("Your data is already being prepared; you will get an email."))
    if recent.count() >= EXPORTS_PER_DAY:
        raise ValidationError(_("You have asked for your data several times today; try tomorrow."))
    export = DataExport.objects.create(user=user)
    audit_record(action="data_export", target=export, summary="requested", by=user)
    transaction.on_commit(lambda: _enqueue_build(export.pk))
    return export


def _zip_bytes(user) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in collect.personal_data(user).items():
            archive.writestr(
                name, json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
        for stored in collect.personal_files(user):
            try:
                with stored.field.open("rb") as handle:
                    archive.writestr(stored.arcname, handle.read())
            except FileNotFoundError:
                archive.writestr(stored.arcname + ".missing.txt", "The file is missing.")
        archive.writestr("README.txt", _readme())
    return buffer.getvalue()


def _readme() -> str:
    return (
        "Your personal data on the CLAMTEX Portal.\n\n"
        "account.json: your account; organisations.json: the organisations you represent; "
        "contacts.json: the directory entries with your email; registrations.json: your event "
        "registrations; applications.json: your ClusterXchange applications; exchanges.json: "
        "your exchanges, grant and payment; consents.json: what you agreed to and when; "
        "emails.json: the emails the portal sent you; files/: the documents you uploaded.\n"
    )


def data_export_build(*, export_id: int) -> DataExport | None:
    """Builds the ZIP, stores it through the default storage and emails the link. Claims
    the row first (pending → ready only once), so a task run twice builds one file."""
    from notifications.services import email_queue

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != E.PENDING:
        return export
    content = _zip_bytes(export.user)
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").get(pk=export_id)
        if export.status != E.PENDING:
            return export
        export.file.save("export.zip", ContentFile(content), save=False)
        export.size = len(content)
        export.status = E.READY
        export.completed_at = timezone.now()
        export.expires_at = export.completed_at + timedelta(days=settings.PRIVACY_DATA_EXPORT_DAYS)
        export.save(update_fields=["file", "size", "status", "completed_at", "expires_at"])
        user = export.user
        email_queue(
            kind=emails.DATA_EXPORT_READY.name,
            to=user.email,
            language=user.language,
            occasion_key=f"privacy.data_export:{export.pk}",
            context={
                "url": settings.SITE_URL + reverse("privacy:export_download", args=[export.token]),
                "expires": timezone.localdate(export.expires_at).isoformat(),
            },
            about=export,
            user=user,
        )
    return export


@transaction.atomic
def data_export_expire(*, export_id: int) -> bool:
    """Deletes an expired export's file; the row stays as "expired". Idempotent."""
    export = DataExport.objects.select_for_update().filter(pk=export_id).first()
    if export is None or export.status == E.EXPIRED:
        return False
    if export.expires_at and export.expires_at > timezone.now():
        return False
    if export.file:
        storage, name = export.file.storage, export.file.name
        transaction.on_commit(lambda: storage.delete(name))
    export.file = ""
    export.status = E.EXPIRED
    export.save(update_fields=["file", "status"])
    return True
