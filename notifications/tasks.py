"""Thin Celery wrappers: take ids, call one service."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from kombu.exceptions import OperationalError

from . import services
from .reminders import digest_recipients, manager_digest_queue

logger = logging.getLogger(__name__)


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


# The sweep hands rows to the workers in batches: one broker message per SWEEP_BATCH rows
# (100,000 rows took 85 s to enqueue one by one, under a second in batches).
SWEEP_BATCH = 500


@shared_task
def outbox_sweep() -> int:
    """Re-queues pending rows that missed the broker and rows of dead workers, in
    batches. If the broker is down, the rows stay pending for the next sweep."""
    ids = services.outbox_recover()
    try:
        with email_send_batch.app.producer_or_acquire() as producer:
            for start in range(0, len(ids), SWEEP_BATCH):
                email_send_batch.apply_async(
                    (ids[start : start + SWEEP_BATCH],), producer=producer, retry=False
                )
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("outbox sweep: broker unreachable (%s); the next sweep retries", exc)
    return len(ids)


@shared_task(acks_late=True)
def email_send_batch(email_ids: list[int]) -> dict:
    """Sends a batch of outbox rows. Each row is claimed on its own (a row sent by
    another worker meanwhile is skipped); a row that fails transiently goes on alone as
    an email_send task with its own retries."""
    counts: dict[str, int] = {}
    for email_id in email_ids:
        try:
            status = services.email_send(email_id=email_id)
        except services.TransientSendError:
            email_send.apply_async((email_id,), countdown=30)
            status = "retrying"
        counts[status] = counts.get(status, 0) + 1
    return counts


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
