"""Signed webhooks (Standard Webhooks): subscriptions, the outbox of deliveries, sending.

A delivery row is written in the transaction of the change it reports, so a rolled-back
change sends nothing; Celery sends it after commit, retries with exponential backoff for
WEBHOOK_RETRY_WINDOW_SECONDS, then marks it failed. A subscription that keeps failing is
disabled and its cluster's managers are told by email.
"""

import ipaddress
import json
import logging
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from members.models import ClusterManager
from notifications import kinds
from notifications.services import email_queue

from . import permissions
from .models import WebhookDelivery, WebhookEvent, WebhookSubscription, _webhook_secret

log = logging.getLogger(__name__)

DISABLED = kinds.register("api.webhook_disabled", "api/email/webhook_disabled")
# Backoff between attempts: 30 s, 1 min, 2 min … capped at 2 hours, for a day in all.
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 2 * 3600


class DeliveryError(Exception):
    """The endpoint did not answer 2xx (or could not be reached)."""


def validate_endpoint(url: str) -> None:
    """Refuses endpoints on private or loopback addresses (the portal must not be used to
    probe its own network) unless WEBHOOK_ALLOW_PRIVATE_URLS is set (development, tests)."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValidationError(_("Enter an http or https URL."))
    if not settings.DEBUG and parts.scheme != "https" and not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        raise ValidationError(_("Webhook endpoints must use https."))
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise ValidationError(_("This host name cannot be resolved.")) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValidationError(_("Webhook endpoints must be public internet addresses."))


@transaction.atomic
def subscription_create(*, cluster, url: str, event_types: list[str], by) -> WebhookSubscription:
    if not permissions.can_manage_webhooks(by, cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    validate_endpoint(url)
    known = set(WebhookEvent.values) - {WebhookEvent.TEST}
    event_types = sorted(set(event_types) & known)
    if not event_types:
        raise ValidationError(_("Choose at least one event."))
    return WebhookSubscription.objects.create(
        cluster=cluster, url=url, event_types=event_types, created_by=by
    )


@transaction.atomic
def subscription_rotate_secret(*, subscription: WebhookSubscription, by) -> WebhookSubscription:
    if not permissions.can_manage_webhooks(by, subscription.cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    subscription.secret = _webhook_secret()
    subscription.save(update_fields=["secret"])
    return subscription


@transaction.atomic
def subscription_set_active(*, subscription: WebhookSubscription, active: bool, by):
    if not permissions.can_manage_webhooks(by, subscription.cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    subscription.is_active = active
    subscription.disabled_reason = "" if active else _("Paused by a manager.")
    if active:
        subscription.consecutive_failures = 0
    subscription.save(update_fields=["is_active", "disabled_reason", "consecutive_failures"])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription, by) -> None:
    if not permissions.can_manage_webhooks(by, subscription.cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    subscription.delete()


DELIVER_TASK = "api.tasks.webhook_deliver"


def _enqueue(delivery_ids: list[int], countdown: int = 0) -> None:
    # By name: tasks.py imports this module, never the reverse.
    for pk in delivery_ids:
        current_app.tasks[DELIVER_TASK].apply_async(args=[pk], countdown=countdown or None)


def webhook_emit(*, event_type: str, cluster_ids, data: dict) -> list[WebhookDelivery]:
    """Queues one delivery per active subscription of these clusters that asked for this
    event. Call inside the transaction of the change: nothing is sent if it rolls back.
    `data` carries ids and a link only; the subscriber reads the rest through the API with
    its own scope."""
    cluster_ids = {pk for pk in cluster_ids if pk}
    if not cluster_ids:
        return []
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(cluster_id__in=cluster_ids, is_active=True)
        if event_type in s.event_types
    ]
    if not subscriptions:
        return []
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=s,
                event_type=event_type,
                payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
                created_at=now,
                next_attempt_at=now,
            )
            for s in subscriptions
        ]
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids))
    return rows


@transaction.atomic
def webhook_send_test(*, subscription: WebhookSubscription, by) -> WebhookDelivery:
    if not permissions.can_manage_webhooks(by, subscription.cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_type=WebhookEvent.TEST,
        payload={
            "type": WebhookEvent.TEST,
            "timestamp": now.isoformat(),
            "data": {"cluster_id": subscription.cluster_id, "message": "test event"},
        },
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


def _backoff(attempts: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def signed_request(delivery: WebhookDelivery) -> tuple[bytes, dict]:
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    timestamp = timezone.now()
    signature = Webhook(delivery.subscription.secret).sign(
        msg_id=delivery.message_id, timestamp=timestamp, data=body
    )
    headers = {
        "content-type": "application/json",
        "user-agent": f"{getattr(settings, 'PORTAL_NAME', 'CLAMTEX Portal')} webhooks",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


def webhook_deliver(*, delivery_id: int) -> str:
    """Sends one delivery if it is due. Claimed by a conditional update, so two workers
    never send the same message at once; a message id lets receivers drop duplicates."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=WebhookDelivery.Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("subscription__cluster").get(pk=delivery_id)
    subscription = delivery.subscription
    body, headers = signed_request(delivery)
    code = None
    try:
        response = requests.post(
            subscription.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        code = response.status_code
        if not 200 <= code < 300:
            raise DeliveryError(f"HTTP {code}")
    except (requests.RequestException, DeliveryError) as exc:
        return _failed(delivery, code, str(exc)[:300])
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.DELIVERED,
            last_status_code=code,
            last_error="",
            delivered_at=timezone.now(),
        )
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
    return "delivered"


@transaction.atomic
def _failed(delivery: WebhookDelivery, code, error: str) -> str:
    now = timezone.now()
    next_at = now + timedelta(seconds=_backoff(delivery.attempts))
    final = next_at > delivery.gives_up_at
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.PENDING,
        last_status_code=code,
        last_error=error,
        next_attempt_at=next_at,
    )
    log.info("webhook delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
    if final:
        _count_failure(delivery.subscription_id)
        return "failed"
    delay = _backoff(delivery.attempts)
    transaction.on_commit(lambda: _enqueue([delivery.pk], countdown=delay))
    return "retry"


def _count_failure(subscription_id: int) -> None:
    """A delivery given up counts one failure; after WEBHOOK_DISABLE_AFTER_FAILURES in a row
    the subscription is disabled and the cluster's managers are emailed (once)."""
    WebhookSubscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    disabled = WebhookSubscription.objects.filter(
        pk=subscription_id,
        is_active=True,
        consecutive_failures__gte=settings.WEBHOOK_DISABLE_AFTER_FAILURES,
    ).update(is_active=False, disabled_reason=_("Disabled after repeated failures."))
    if not disabled:
        return
    subscription = WebhookSubscription.objects.select_related("cluster").get(pk=subscription_id)
    url = settings.SITE_URL + reverse("api:webhook_list")
    for manager in ClusterManager.objects.filter(cluster=subscription.cluster).select_related(
        "user"
    ):
        email_queue(
            kind=DISABLED.name,
            to=manager.user.email,
            language=manager.user.language,
            occasion_key=f"webhook-disabled:{subscription.pk}:{subscription.consecutive_failures}",
            context={
                "endpoint": subscription.url,
                "cluster": subscription.cluster.acronym,
                "url": url,
            },
            user=manager.user,
        )


def webhook_sweep() -> list[int]:
    """Deliveries that are due but whose task was lost (broker down, worker died)."""
    stale = timezone.now() - timedelta(minutes=10)
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, next_attempt_at__lt=stale
    ).update(status=WebhookDelivery.Status.PENDING)
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:1000]
    )
