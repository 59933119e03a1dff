"""The privacy notice (versioned, in the five languages), consent records and the
"download my data" exports."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTICE_LANGUAGES = ("en", "fr", "es", "ca", "pt")


class PrivacyNotice(models.Model):
    """One version of the notice. Its text is content (written per language), not a
    translation string: a new version is a new row, and every consent points at the
    version the person saw."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    published_at = models.DateTimeField(_("in force from"), default=timezone.now)
    summary_of_changes = models.CharField(_("what changed"), max_length=300, blank=True)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    text_ca = models.TextField(_("text (Catalan)"), blank=True)
    text_pt = models.TextField(_("text (Portuguese)"), blank=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"

    def text_for(self, language: str | None) -> str:
        """The text in `language`, or the English text when that one is missing."""
        code = (language or "en")[:2]
        text = getattr(self, f"text_{code}", "") if code in NOTICE_LANGUAGES else ""
        return text or self.text_en


class Consent(models.Model):
    """What a person agreed to, under which version of the notice, and when."""

    class Purpose(models.TextChoices):
        ACCOUNT = "account", _("Account")
        APPLICATION = "application", _("ClusterXchange application")
        REGISTRATION = "registration", _("Event registration")

    purpose = models.CharField(_("for"), max_length=15, choices=Purpose)
    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="consents", verbose_name=_("notice")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("email"), blank=True)
    object_id = models.CharField(_("record key"), max_length=64)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "object_id", "notice"], name="consent_once_per_record_and_notice"
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} #{self.object_id} – {self.notice}"


def _export_token() -> str:
    return secrets.token_urlsafe(32)


def _export_path(instance, filename):
    return f"private/data-exports/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """A person's "download my data": built by a worker, emailed as a link that expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=_export_token, editable=False)
    file = models.FileField(upload_to=_export_path, max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    completed_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"export #{self.pk}"

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )
