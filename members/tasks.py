"""Thin Celery wrappers: take ids, call one service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def export_generate(run_id: int) -> str:
    return services.export_generate(run_id=run_id)
