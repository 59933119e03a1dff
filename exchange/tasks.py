"""Thin Celery wrappers of the exchange lifecycle: take ids, call one service."""

from celery import shared_task

from .placements import reminders
from .placements import services as lifecycle


@shared_task
def follow_dates() -> int:
    """ready → ongoing on the first day at the host, ongoing → completed after the last
    (each exchange in its own short transaction)."""
    return lifecycle.exchanges_follow_dates()


@shared_task
def reminders_sweep() -> int:
    """A few queries find what is due; one small task per occasion queues its emails."""
    occasions = reminders.due()
    for occasion in occasions:
        reminder_send.delay(occasion.code, occasion.pk, occasion.role)
    return len(occasions)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def reminder_send(code: str, pk: int, role: str = "") -> int:
    return reminders.reminder_queue(code=code, pk=pk, role=role)


@shared_task
def bank_details_cleanup() -> int:
    """Erases the bank details kept past the payment plus the programme's retention."""
    return lifecycle.bank_details_erase_due()


# --- Impact follow-up (exchange/impact/services.py) ------------------------------------------


@shared_task
def impact_sweep() -> int:
    """Creates the surveys that became due, then one small task per email to queue."""
    from .impact import services as impact

    impact.surveys_create()
    items = impact.due()
    for survey_id, occasion in items:
        impact_survey_send.delay(survey_id, occasion)
    return len(items)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def impact_survey_send(survey_id: int, occasion: str) -> bool:
    from .impact import services as impact

    return impact.survey_send(survey_id=survey_id, occasion=occasion)
