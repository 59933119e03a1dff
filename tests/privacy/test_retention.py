"""Retention rules on beat: the sweep enqueues small idempotent tasks per rule."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from clamtex.core.models import AuditEvent
from exchange.models import Application, ApplicationDocument
from notifications.models import Email
from privacy import retention, tasks
from privacy.models import DataExport
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.exchange.lifecycle_factories import matched_exchange
from tests.workshops.factories import EventFactory, FeedbackFactory, RegistrationFactory
from workshops.models import Registration


def _old(model, pk, field, days):
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(days=days)})


def _application(world, status, **kwargs):
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        applicant=world.rep_a,
        organisation=world.org_a,
        status=status,
        **kwargs,
    )
    document = ApplicationDocument.objects.create(
        application=application,
        file=ContentFile(b"%PDF cv", name="cv.pdf"),
        original_name="cv.pdf",
        content_type="application/pdf",
        size=7,
    )
    return application, document


def test_old_rejected_and_withdrawn_applications_go_with_their_files(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS = 100
    rejected, doc = _application(world, Application.Status.REJECTED)
    withdrawn, _doc = _application(world, Application.Status.WITHDRAWN)
    recent, _doc = _application(world, Application.Status.REJECTED)
    accepted, _doc = _application(world, Application.Status.ACCEPTED)
    for app in (rejected, withdrawn, accepted):
        _old(Application, app.pk, "updated_at", 101)
    _old(Application, recent.pk, "updated_at", 99)
    path = doc.file.name
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        counts = tasks.retention_sweep.delay().get()
    assert counts["applications"] == 2
    assert set(Application.objects.values_list("pk", flat=True)) == {recent.pk, accepted.pk}
    assert not default_storage.exists(path)
    # idempotent: a second run finds nothing and changes nothing
    assert retention.application_expire(application_id=rejected.pk) is False


def test_rejected_application_behind_an_exchange_is_kept(world, settings):
    settings.PRIVACY_RETENTION_CLOSED_APPLICATIONS_DAYS = 1
    parties = matched_exchange(world)
    application = parties.exchange.visitor_application
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.WITHDRAWN, updated_at=timezone.now() - timedelta(days=5)
    )
    assert application.pk not in retention.due_applications()
    assert retention.application_expire(application_id=application.pk) is False


def test_anonymous_registrations_are_anonymised_after_the_event(world, settings):
    settings.PRIVACY_RETENTION_ANONYMOUS_REGISTRATIONS_DAYS = 30
    past = EventFactory(
        partnership=world.partnership,
        start=timezone.now() - timedelta(days=40),
        end=timezone.now() - timedelta(days=40) + timedelta(hours=2),
    )
    recent = EventFactory(
        partnership=world.partnership,
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10) + timedelta(hours=2),
    )
    old = RegistrationFactory(event=past, full_name="Olga Old", status="attended")
    FeedbackFactory(registration=old, comments="Olga liked it")
    member = RegistrationFactory(event=past, full_name="Mia Member", user=world.rep_a)
    fresh = RegistrationFactory(event=recent, full_name="Fred Fresh")
    tasks.retention_sweep.delay()
    old.refresh_from_db()
    assert old.full_name == "[erased]" and old.email.endswith("@erased.invalid")
    assert old.status == "attended"  # the count of participants stays
    assert old.feedback.comments == ""
    assert Registration.objects.get(pk=member.pk).full_name == "Mia Member"
    assert Registration.objects.get(pk=fresh.pk).full_name == "Fred Fresh"
    assert retention.registrations_anonymise(registration_ids=[old.pk]) == 0


def test_never_confirmed_registrations_are_cancelled_and_anonymised(world, settings):
    settings.PRIVACY_RETENTION_UNCONFIRMED_REGISTRATIONS_DAYS = 7
    event = EventFactory(partnership=world.partnership)
    stale = RegistrationFactory(event=event, status="unconfirmed", full_name="Ulla")
    _old(Registration, stale.pk, "created_at", 8)
    fresh = RegistrationFactory(event=event, status="unconfirmed", full_name="Ugo")
    tasks.retention_sweep.delay()
    stale.refresh_from_db()
    assert stale.status == "cancelled" and stale.full_name == "[erased]"
    assert Registration.objects.get(pk=fresh.pk).full_name == "Ugo"


def test_outbox_bodies_are_cleared_after_sending(db, settings):
    settings.PRIVACY_RETENTION_OUTBOX_BODIES_DAYS = 90
    sent = Email.objects.create(
        recipient="a@example.org",
        kind="k",
        occasion_key="1",
        context={"name": "Ann"},
        status=Email.Status.SENT,
    )
    pending = Email.objects.create(
        recipient="b@example.org", kind="k", occasion_key="2", context={"name": "Bob"}
    )
    recent = Email.objects.create(
        recipient="c@example.org",
        kind="k",
        occasion_key="3",
        context={"name": "Cy"},
        status=Email.Status.SENT,
    )
    for row in (sent, pending):
        _old(Email, row.pk, "created_at", 91)
    tasks.retention_sweep.delay()
    assert Email.objects.get(pk=sent.pk).context == {}
    assert Email.objects.get(pk=pending.pk).context == {"name": "Bob"}
    assert Email.objects.get(pk=recent.pk).context == {"name": "Cy"}
    assert retention.outbox_bodies_clear() == 0


def test_unconfirmed_import_files_are_deleted(db, settings):
    settings.PRIVACY_RETENTION_IMPORTS_DAYS = 2
    old = default_storage.save(f"{retention.IMPORT_DIR}/old.xlsx", ContentFile(b"x"))
    new = default_storage.save(f"{retention.IMPORT_DIR}/new.csv", ContentFile(b"y"))
    three_days_ago = time.time() - 3 * 86400
    os.utime(default_storage.path(old), (three_days_ago, three_days_ago))
    counts = tasks.retention_sweep.delay().get()
    assert counts["imports"] == 1
    assert not default_storage.exists(old) and default_storage.exists(new)
    with pytest.raises(ValueError):
        retention.import_file_expire(path="private/exchange/1/secret")


def test_no_import_folder_is_nothing_to_do(db):
    assert retention.due_imports() == []


def test_expired_exports_lose_their_file(world, django_capture_on_commit_callbacks):
    export = DataExport.objects.create(
        user=world.rep_a,
        status=DataExport.Status.READY,
        file=ContentFile(b"PK zip", name="e.zip"),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    live = DataExport.objects.create(
        user=world.rep_a,
        status=DataExport.Status.READY,
        file=ContentFile(b"PK zip", name="f.zip"),
        expires_at=timezone.now() + timedelta(days=1),
    )
    path = export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        tasks.retention_sweep.delay()
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and not export.file
    assert not default_storage.exists(path)
    live.refresh_from_db()
    assert live.status == DataExport.Status.READY and default_storage.exists(live.file.name)


def test_export_that_missed_the_broker_is_built_by_the_sweep(
    world, django_capture_on_commit_callbacks
):
    export = DataExport.objects.create(user=world.rep_a)
    _old(DataExport, export.pk, "created_at", 0.5)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.retention_sweep.delay()
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


def test_audit_events_are_purged_after_the_retention(db, settings):
    from clamtex.core.tasks import audit_purge

    settings.AUDIT_RETENTION_DAYS = 10
    old = AuditEvent.objects.create(action="export", at=timezone.now() - timedelta(days=11))
    kept = AuditEvent.objects.create(action="export", at=timezone.now() - timedelta(days=9))
    assert audit_purge.delay().get() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_beat_schedule_runs_the_sweeps(settings):
    tasks_on_beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"privacy.tasks.retention_sweep", "clamtex.core.tasks.audit_purge"} <= tasks_on_beat
