"""The outbox: every email the portal sends is first a row here."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    # "the J-7 reminder for registration 42" = "workshops.reminder:j7:registration:42"
    occasion_key = models.CharField(_("occasion"), max_length=200)
    content_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("type of object"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    context = models.JSONField(_("context"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "occasion_key"], name="email_once_per_recipient_and_occasion"
            )
        ]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                name="email_pending_idx",
                condition=Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"


class Unsubscription(models.Model):
    """A person who asked not to receive one category of non-essential email. Keyed by
    address so that people without an account can unsubscribe too."""

    email = models.EmailField(_("email"))
    category = models.CharField(_("category"), max_length=40)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [
            models.UniqueConstraint(fields=["email", "category"], name="unsubscription_unique")
        ]

    def __str__(self):
        return f"{self.email} – {self.category}"


def _unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class UnsubscribeToken(models.Model):
    """The random, stored token behind an unsubscribe link: it says nothing about the
    person (the address is only in this row), expires, and can be revoked."""

    token = models.CharField(max_length=64, unique=True, default=_unsubscribe_token)
    email = models.EmailField(_("email"))
    category = models.CharField(_("category"), max_length=40)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("unsubscribe link")
        verbose_name_plural = _("unsubscribe links")
        indexes = [models.Index(fields=["email", "category"], name="unsubscribe_token_addr")]

    def __str__(self):
        return f"{self.email} – {self.category}"
