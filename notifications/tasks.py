"""Thin Celery wrappers: take ids, call one service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .reminders import digest_recipients, manager_digest_queue


@shared_task(
    bind=True,
    autoretry_for=(services.TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS,
    acks_late=True,
)
def email_send(self, email_id: int) -> str:
    return services.email_send(email_id=email_id)


@shared_task
def outbox_sweep() -> int:
    """Re-queues pending rows that missed the broker and rows of dead workers."""
    ids = services.outbox_recover()
    for email_id in ids:
        services.enqueue(email_id)
    return len(ids)


@shared_task
def digest_sweep() -> int:
    """One query for the managers, one small task each."""
    today = timezone.localdate().isoformat()
    user_ids = digest_recipients()
    for user_id in user_ids:
        manager_digest.delay(user_id, today)
    return len(user_ids)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def manager_digest(user_id: int, day: str) -> bool:
    return manager_digest_queue(user_id=user_id, day=day, window=timedelta(days=1)) is not None
