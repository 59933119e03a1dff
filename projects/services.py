"""Every write of the programme: deliverables and their versions, manual KPI values, label
history, and generated reports (request, generation, the monthly schedule, cleanup)."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from clamtex.core import uploads
from clamtex.core.queue import send_task
from members.models import Cluster, ClusterManager, PartnershipCoordinator

from . import permissions, workflow
from .models import (
    KPI,
    Deliverable,
    DeliverableTransition,
    DeliverableVersion,
    KPIValue,
    LabelRecord,
    Project,
    ReportRun,
)

logger = logging.getLogger(__name__)

D = Deliverable.Status
R = ReportRun.Status

# How long generated files are kept before the cleanup deletes them.
REPORT_RETENTION = timedelta(days=getattr(settings, "PROJECTS_REPORT_RETENTION_DAYS", 30))
# A run "running" for longer than this lost its worker: the cleanup marks it failed.
REPORT_STALE = timedelta(hours=1)
# A run still pending after this missed its enqueue (broker down): the cleanup re-queues it.
REPORT_STALE_PENDING = timedelta(minutes=5)
REPORT_MAX_ATTEMPTS = 3
# The longest period a report may cover (a whole programme with extensions).
REPORT_MAX_DAYS = 366 * 6


class TransientReportError(Exception):
    """The database or the network failed in a way worth retrying; the run is pending
    again and the task retries with backoff."""


# --- Deliverables ------------------------------------------------------------------------


def _deliverable_transition(
    deliverable: Deliverable, to: str, *, by, note: str = ""
) -> Deliverable:
    """The one place a deliverable changes status: locked row, transition table, the
    actor's permission, update_fields, and a history row."""
    actor = workflow.actor_for(deliverable.status, to)
    if actor is None:
        raise ValidationError(
            _("A deliverable cannot go from “%(from)s” to “%(to)s”.")
            % {"from": deliverable.get_status_display(), "to": D(to).label}
        )
    project = deliverable.work_package.project
    if actor == workflow.COORDINATOR and not permissions.can_approve_deliverable(by, project):
        raise PermissionDenied(_("Only the coordinator of the partnership can do this."))
    if actor == workflow.PARTNER and not permissions.can_upload_deliverable(by, deliverable):
        raise PermissionDenied(_("Only the lead partner or the coordinator can do this."))
    DeliverableTransition.objects.create(
        deliverable=deliverable, from_status=deliverable.status, to_status=to, by=by, note=note
    )
    deliverable.status = to
    fields = ["status"]
    now = timezone.now()
    if to == D.SUBMITTED:
        deliverable.submitted_at = now
        fields.append("submitted_at")
    if to == D.APPROVED:
        deliverable.approved_by = by
        deliverable.approved_at = now
        fields += ["approved_by", "approved_at"]
    deliverable.save(update_fields=fields)
    return deliverable


def _locked_deliverable(deliverable: Deliverable) -> Deliverable:
    return (
        Deliverable.objects.select_for_update(of=("self",))
        .select_related("work_package__project", "work_package__lead", "lead")
        .get(pk=deliverable.pk)
    )


@transaction.atomic
def deliverable_approve(*, deliverable: Deliverable, by, note: str = "") -> Deliverable:
    """Only the coordinator approves, only a submitted deliverable, and only one that has a
    file: who and when are recorded on the deliverable and in its history."""
    deliverable = _locked_deliverable(deliverable)
    if deliverable.status == D.SUBMITTED and not deliverable.versions.exists():
        raise ValidationError(_("Upload the deliverable before approving it."))
    return _deliverable_transition(deliverable, D.APPROVED, by=by, note=note)


@transaction.atomic
def deliverable_return(*, deliverable: Deliverable, by, note: str) -> Deliverable:
    """The coordinator sends a submitted deliverable back to its lead partner, saying why."""
    if not note.strip():
        raise ValidationError(_("Say what needs to change."))
    deliverable = _locked_deliverable(deliverable)
    if deliverable.status != D.SUBMITTED:
        raise ValidationError(_("Only a submitted deliverable can be sent back."))
    return _deliverable_transition(deliverable, D.IN_PROGRESS, by=by, note=note)


@transaction.atomic
def deliverable_version_upload(
    *, deliverable: Deliverable, upload, note: str = "", submit: bool = False, by
) -> DeliverableVersion:
    """Adds the next version (PDF, DOCX or ODT, checked by content) under a random private
    name. With `submit`, the deliverable is submitted for the coordinator's approval."""
    deliverable = _locked_deliverable(deliverable)
    if not permissions.can_upload_deliverable(by, deliverable):
        raise PermissionDenied(_("Only the lead partner or the coordinator can upload."))
    if deliverable.status == D.APPROVED:
        raise ValidationError(_("This deliverable is approved: it cannot change any more."))
    checked = uploads.check_upload(upload)
    number = (deliverable.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DeliverableVersion(
        deliverable=deliverable,
        number=number,
        original_name=(upload.name or "document")[:255],
        content_type=checked.content_type,
        size=checked.size,
        note=note,
        uploaded_by=by,
    )
    version.file.save(f"v{number}", upload, save=False)
    version.save()
    if deliverable.status == D.PLANNED and not submit:
        _deliverable_transition(deliverable, D.IN_PROGRESS, by=by, note=_("First version"))
    if submit and deliverable.status != D.SUBMITTED:
        _deliverable_transition(deliverable, D.SUBMITTED, by=by, note=note)
    return version


# --- Manual KPIs and labels --------------------------------------------------------------


@transaction.atomic
def kpi_value_record(
    *,
    kpi: KPI,
    cluster: Cluster | None,
    period_start: date,
    period_end: date,
    value,
    note: str = "",
    by,
) -> KPIValue:
    """Only manual KPIs take typed values; the coordinator enters any, a manager only
    their own cluster's."""
    if not kpi.is_manual:
        raise ValidationError(_("This KPI is computed from the portal's data."))
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    partnership_id = kpi.project.partnership_id
    allowed = (
        permissions.can_view_cluster(by, cluster)
        if cluster is not None
        else permissions.can_report_on_partnership(by, partnership_id)
    )
    if not allowed or (cluster is not None and cluster.partnership_id != partnership_id):
        raise PermissionDenied(_("You cannot enter values for this cluster."))
    return KPIValue.objects.create(
        kpi=kpi,
        cluster=cluster,
        period_start=period_start,
        period_end=period_end,
        value=value,
        note=note,
        entered_by=by,
    )


@transaction.atomic
def label_record(
    *,
    cluster: Cluster,
    label: str,
    awarded_on: date | None,
    valid_until: date | None = None,
    benchmarked_on: date | None = None,
    note: str = "",
) -> LabelRecord:
    """Appends to the label history; the cluster's current label follows the most recent
    award."""
    record, _created = LabelRecord.objects.update_or_create(
        cluster=cluster,
        label=label,
        awarded_on=awarded_on,
        defaults={"valid_until": valid_until, "benchmarked_on": benchmarked_on, "note": note},
    )
    latest = (
        LabelRecord.objects.filter(cluster=cluster, awarded_on__isnull=False)
        .order_by("-awarded_on")
        .first()
    )
    if latest is not None and latest.pk == record.pk:
        Cluster.objects.filter(pk=cluster.pk).update(
            label=record.label, label_valid_until=record.valid_until
        )
    return record


# --- Reports -------------------------------------------------------------------------------


def enqueue_report(run_id: int) -> bool:
    """Hands the run to Celery. If the broker is down the run stays pending and the
    cleanup sweep queues it again: the request that created it does not fail."""
    try:
        send_task("projects.tasks.report_generate", run_id, retry=False)
    except (BrokerError, ConnectionError, OSError) as exc:
        logger.warning("reports: could not enqueue run %s (%s); the sweep will retry", run_id, exc)
        return False
    return True


def _check_period(project: Project, start: date, end: date) -> None:
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    if (end - start).days > REPORT_MAX_DAYS:
        raise ValidationError(_("A report covers at most six years."))


@transaction.atomic
def report_request(
    *,
    project: Project,
    cluster: Cluster | None,
    period_start: date,
    period_end: date,
    format: str,
    by,
) -> ReportRun:
    """A report on demand: the coordinator on the partnership or any of its clusters, a
    manager on their own cluster only. The run is generated by a worker after commit."""
    if cluster is not None:
        if cluster.partnership_id != project.partnership_id:
            raise ValidationError(_("This cluster is not part of the project."))
        if not permissions.can_view_cluster(by, cluster):
            raise PermissionDenied(_("You can only report on your own cluster."))
    elif not permissions.can_report_on_partnership(by, project.partnership_id):
        raise PermissionDenied(_("Only the coordinator reports on the whole partnership."))
    if format not in ReportRun.Format.values:
        raise ValidationError(_("Unknown format."))
    _check_period(project, period_start, period_end)
    run = ReportRun.objects.create(
        project=project,
        scope=ReportRun.Scope.CLUSTER if cluster else ReportRun.Scope.PARTNERSHIP,
        cluster=cluster,
        period_start=period_start,
        period_end=period_end,
        format=format,
        requested_by=by,
    )
    transaction.on_commit(partial(enqueue_report, run.pk))
    return run


def _progress(run_id: int, percent: int) -> None:
    ReportRun.objects.filter(pk=run_id, status=R.RUNNING).update(progress=percent)


_TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def report_generate(*, run_id: int) -> str:
    """Claims a pending run (only one worker can), writes the file to disk while recording
    progress, then stores it with its duration and row count. A failure is stored on the
    run for the page to show; a transient one puts the run back to pending and raises
    TransientReportError so that the task retries."""
    from . import reports

    claimed = ReportRun.objects.filter(pk=run_id, status=R.PENDING).update(
        status=R.RUNNING,
        started_at=timezone.now(),
        progress=1,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    run = ReportRun.objects.select_related("project__partnership", "cluster", "requested_by").get(
        pk=run_id
    )
    started = time.monotonic()
    language = run.requested_by.language if run.requested_by else settings.LANGUAGE_CODE
    try:
        # On disk, not in memory: openpyxl's write-only mode and WeasyPrint write there.
        with tempfile.TemporaryFile() as tmp, translation.override(language):
            rows = reports.write_report(run, tmp, progress=partial(_progress, run_id))
            tmp.seek(0)
            run.file.save(run.filename, File(tmp, name=run.filename), save=False)
    except _TRANSIENT as exc:
        return _report_release(run, f"{type(exc).__name__}: {exc}")
    except reports.ReportUnavailable as exc:
        return _report_fail(run, str(exc))
    except Exception as exc:
        # Not transient: a retry would fail the same way. Stored on the run (the page
        # shows it) and logged with its traceback.
        logger.exception("reports: run %s failed", run_id)
        return _report_fail(run, f"{type(exc).__name__}: {exc}")
    finished = timezone.now()
    ReportRun.objects.filter(pk=run_id).update(
        status=R.DONE,
        progress=100,
        file=run.file.name,
        file_size=run.file.size,
        rows=rows,
        duration=timedelta(seconds=time.monotonic() - started),
        finished_at=finished,
        expires_at=finished + REPORT_RETENTION,
    )
    if run.scheduled and run.requested_by:
        _report_email(run)
    return R.DONE


def _report_release(run: ReportRun, error: str) -> str:
    if run.attempts >= REPORT_MAX_ATTEMPTS:
        return _report_fail(
            run,
            _("Gave up after %(n)d attempts; last error: %(error)s")
            % {
                "n": run.attempts,
                "error": error,
            },
        )
    ReportRun.objects.filter(pk=run.pk, status=R.RUNNING).update(
        status=R.PENDING, progress=0, error=error
    )
    raise TransientReportError(error)


def _report_fail(run: ReportRun, error: str) -> str:
    if run.file:
        run.file.delete(save=False)
    ReportRun.objects.filter(pk=run.pk).update(
        status=R.FAILED, error=error[:2000], finished_at=timezone.now(), file=""
    )
    return R.FAILED


def _report_email(run: ReportRun):
    from notifications.services import email_queue

    from .emails import REPORT_READY

    user = run.requested_by
    key = f"cluster-{run.cluster_id}" if run.cluster_id else f"project-{run.project_id}"
    return email_queue(
        kind=REPORT_READY.name,
        to=user.email,
        language=user.language,
        occasion_key=f"report:{run.period_start:%Y-%m}:{key}:{run.format}",
        context={
            "name": user.get_short_name(),
            "project": run.project.acronym,
            "cluster": run.cluster.acronym if run.cluster_id else "",
            "period_start": run.period_start.isoformat(),
            "period_end": run.period_end.isoformat(),
            "url": settings.SITE_URL + reverse("projects:report_detail", args=[run.pk]),
            "expires": (timezone.localdate() + REPORT_RETENTION).isoformat(),
        },
        about=run,
        user=user,
    )


def previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def report_recipients(*, month_start: date, month_end: date) -> list[tuple[int, int, int | None]]:
    """(user, project, cluster or None) for the monthly reports: the coordinators of each
    project running that month, and the managers of each of its partner clusters. Two
    queries."""
    projects = [
        p
        for p in Project.objects.filter(start_date__lte=month_end).prefetch_related("partners")
        if p.end_date >= month_start
    ]
    by_partnership = {}
    for project in projects:
        by_partnership.setdefault(project.partnership_id, []).append(project)
    result: list[tuple[int, int, int | None]] = []
    for row in PartnershipCoordinator.objects.filter(
        partnership_id__in=by_partnership, user__is_active=True
    ).values("user_id", "partnership_id"):
        result += [(row["user_id"], p.pk, None) for p in by_partnership[row["partnership_id"]]]
    partner_clusters = {
        (partner.cluster_id): project for project in projects for partner in project.partners.all()
    }
    for row in ClusterManager.objects.filter(
        cluster_id__in=partner_clusters, user__is_active=True
    ).values("user_id", "cluster_id"):
        result.append((row["user_id"], partner_clusters[row["cluster_id"]].pk, row["cluster_id"]))
    return result


def report_schedule_monthly(
    *, user_id: int, project_id: int, cluster_id: int | None, month_start: date
) -> ReportRun | None:
    """The monthly run of one person: created once (a unique constraint holds it even if
    the sweep runs twice), generated after commit, and emailed as a link when ready."""
    from members.models import User

    user = User.objects.get(pk=user_id)
    project = Project.objects.select_related("partnership").get(pk=project_id)
    cluster = Cluster.objects.get(pk=cluster_id) if cluster_id else None
    month_end = previous_month((month_start + timedelta(days=32)).replace(day=1))[1]
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                project=project,
                scope=ReportRun.Scope.CLUSTER if cluster else ReportRun.Scope.PARTNERSHIP,
                cluster=cluster,
                period_start=month_start,
                period_end=month_end,
                format=ReportRun.Format.PDF,
                requested_by=user,
                scheduled=True,
            )
            transaction.on_commit(partial(enqueue_report, run.pk))
    except IntegrityError:
        return None
    return run


def reports_cleanup(*, now=None) -> dict[str, int]:
    """Deletes the files of expired runs, fails runs whose worker was lost, and re-queues
    runs that missed the broker."""
    now = now or timezone.now()
    expired = 0
    for run in ReportRun.objects.filter(status=R.DONE, expires_at__lt=now).iterator(chunk_size=200):
        # Claim the row first: two sweeps never delete the same file twice.
        if ReportRun.objects.filter(pk=run.pk, status=R.DONE).update(status=R.EXPIRED):
            if run.file:
                run.file.delete(save=False)
            ReportRun.objects.filter(pk=run.pk).update(file="")
            expired += 1
    lost = ReportRun.objects.filter(status=R.RUNNING, started_at__lt=now - REPORT_STALE).update(
        status=R.FAILED,
        error=_("The report was interrupted (its worker stopped). Please generate it again."),
        finished_at=now,
    )
    requeued = 0
    for run_id in ReportRun.objects.filter(
        Q(status=R.PENDING), Q(created_at__lt=now - REPORT_STALE_PENDING)
    ).values_list("pk", flat=True):
        requeued += enqueue_report(run_id)
    return {"expired": expired, "lost": lost, "requeued": requeued}
