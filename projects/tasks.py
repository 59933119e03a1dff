"""Thin Celery wrappers: take ids, call one service."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(
    autoretry_for=(services.TransientReportError,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=services.REPORT_MAX_ATTEMPTS,
    acks_late=True,
)
def report_generate(run_id: int) -> str:
    return services.report_generate(run_id=run_id)


@shared_task
def monthly_reports_sweep() -> int:
    """On the first of the month: last month's report for each coordinator and manager,
    one small task each."""
    month_start, month_end = services.previous_month(timezone.localdate())
    recipients = services.report_recipients(month_start=month_start, month_end=month_end)
    for user_id, project_id, cluster_id in recipients:
        report_schedule.delay(user_id, project_id, cluster_id, month_start.isoformat())
    return len(recipients)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def report_schedule(user_id: int, project_id: int, cluster_id: int | None, month: str) -> bool:
    run = services.report_schedule_monthly(
        user_id=user_id,
        project_id=project_id,
        cluster_id=cluster_id,
        month_start=date.fromisoformat(month),
    )
    return run is not None


@shared_task
def reports_cleanup() -> dict:
    return services.reports_cleanup()
