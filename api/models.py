"""Personal API tokens and webhook subscriptions with their delivery log."""

import base64
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Cluster


class ApiToken(models.Model):
    """A personal token. Only its SHA-256 is stored; the secret is shown once."""

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope, default=Scope.READ)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class WebhookEvent(models.TextChoices):
    REGISTRATION_CREATED = "registration.created", "registration.created"
    REGISTRATION_CANCELLED = "registration.cancelled", "registration.cancelled"
    APPLICATION_SUBMITTED = "application.submitted", "application.submitted"
    APPLICATION_DECIDED = "application.decided", "application.decided"
    EXCHANGE_STATUS_CHANGED = "exchange.status_changed", "exchange.status_changed"
    PAYMENT_RECORDED = "payment.recorded", "payment.recorded"
    ORGANISATION_CHANGED = "organisation.changed", "organisation.changed"
    TEST = "webhook.test", "webhook.test"


def _webhook_secret() -> str:
    """Standard Webhooks: `whsec_` and the key in standard base64 (36 random bytes, so
    48 characters and no padding: strict decoders in every language accept it)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(36)).decode()


class WebhookSubscription(models.Model):
    """A cluster's endpoint: deliveries carry only what the cluster's managers may see."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("endpoint URL"), max_length=500)
    event_types = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=120, default=_webhook_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["cluster__acronym", "url"]

    def __str__(self):
        return f"{self.cluster.acronym} → {self.url}"


def _message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookDelivery(models.Model):
    """One message to one subscription, created in the transaction of the change and sent
    by Celery after commit; retried with exponential backoff for a day."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField(max_length=40, unique=True, default=_message_id)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event_type} {self.message_id}"

    @property
    def gives_up_at(self):
        return self.created_at + timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS)
