import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from . import reminders

logger = logging.getLogger(__name__)

# The sweeps hand registrations to the workers in batches, as the outbox sweep does: one
# broker message per SWEEP_BATCH registrations (one per registration took 15-48 s for the
# 3,000 due among 500,000 registrations). Nothing is sent twice whatever the number of
# sweeps or batches in flight: each registration's email is one outbox row, unique per
# (recipient, occasion_key), and a registration already reminded is not found due again.
SWEEP_BATCH = 200


def _enqueue_batches(task, ids: list[int], *args) -> None:
    """Queues `task(ids_chunk, *args)` per SWEEP_BATCH ids. If the broker is down the
    registrations are simply found due again by the next sweep."""
    try:
        with task.app.producer_or_acquire() as producer:
            for start in range(0, len(ids), SWEEP_BATCH):
                task.apply_async(
                    (ids[start : start + SWEEP_BATCH], *args), producer=producer, retry=False
                )
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("workshops sweep: broker unreachable (%s); the next sweep retries", exc)


@shared_task
def reminders_sweep() -> int:
    """J-7 and J-1 reminders: one query per offset, one task per batch of registrations."""
    count = 0
    for code, before in reminders.REMINDERS:
        ids = reminders.reminders_due(code, before)
        _enqueue_batches(reminder_send_batch, ids, code)
        count += len(ids)
    return count


@shared_task
def reminder_send_batch(registration_ids: list[int], code: str) -> int:
    """Queues the reminder of each registration (an outbox row each); returns how many
    were queued (a registration cancelled or reminded meanwhile is skipped)."""
    return reminders.reminders_queue(registration_ids=registration_ids, code=code)


@shared_task
def reminder_send(registration_id: int, code: str) -> bool:
    """One registration (kept for messages queued before the batches)."""
    return reminders.reminder_queue(registration_id=registration_id, code=code) is not None


@shared_task
def feedback_sweep() -> int:
    """The feedback survey, once, after the event."""
    ids = reminders.feedback_due()
    _enqueue_batches(feedback_send_batch, ids)
    return len(ids)


@shared_task
def feedback_send_batch(registration_ids: list[int]) -> int:
    return reminders.feedbacks_queue(registration_ids=registration_ids)


@shared_task
def feedback_send(registration_id: int) -> bool:
    """One registration (kept for messages queued before the batches)."""
    return reminders.feedback_queue(registration_id=registration_id) is not None
