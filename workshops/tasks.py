from celery import shared_task

from . import reminders


@shared_task
def reminders_sweep() -> int:
    """J-7 and J-1 reminders: one query per offset, one task per registration."""
    count = 0
    for code, before in reminders.REMINDERS:
        for registration_id in reminders.reminders_due(code, before):
            reminder_send.delay(registration_id, code)
            count += 1
    return count


@shared_task
def reminder_send(registration_id: int, code: str) -> bool:
    return reminders.reminder_queue(registration_id=registration_id, code=code) is not None


@shared_task
def feedback_sweep() -> int:
    """The feedback survey, once, after the event."""
    ids = reminders.feedback_due()
    for registration_id in ids:
        feedback_send.delay(registration_id)
    return len(ids)


@shared_task
def feedback_send(registration_id: int) -> bool:
    return reminders.feedback_queue(registration_id=registration_id) is not None
