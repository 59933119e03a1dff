"""Thin Celery wrappers: take ids, call one service."""

from celery import shared_task

from . import webhooks


@shared_task(acks_late=True)
def webhook_deliver(delivery_id: int) -> str:
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task
def webhook_sweep() -> int:
    ids = webhooks.webhook_sweep()
    for pk in ids:
        webhook_deliver.delay(pk)
    return len(ids)
