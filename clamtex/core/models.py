from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatusTransition(models.Model):
    """One recorded status change (from, to, by, when, note): the history every workflow
    keeps. Subclasses add the foreign key to their object and set the status widths."""

    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


def history_rows(transitions, choices, note=lambda text: text) -> list[dict]:
    """A workflow's transitions as the history tables show them: labels of the statuses
    from `choices`, who, when, and the note as `note` words it."""
    labels = dict(choices)
    return [
        {
            "at": t.at,
            "from_label": labels.get(t.from_status, t.from_status),
            "to_label": labels.get(t.to_status, t.to_status),
            "same": t.from_status == t.to_status,
            "by": t.by,
            "note": note(t.note),
        }
        for t in transitions
    ]


class AuditEvent(models.Model):
    """Who viewed, exported or changed personal data or money records. Holds no personal
    data of its own beyond the actor's key and address: the target is a type and a key, the
    summary never carries a name or an email, so erasing a person leaves nothing here."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded a document")
        PAYMENT = "payment", _("Recorded a payment")
        ROLE_GRANTED = "role_granted", _("Granted a role")
        ROLE_REVOKED = "role_revoked", _("Revoked a role")
        DATA_EXPORT = "data_export", _("Personal data export")
        ERASURE = "erasure", _("Account erased")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    target_type = models.CharField(_("record type"), max_length=100, blank=True)
    target_id = models.CharField(_("record key"), max_length=64, blank=True)
    summary = models.CharField(_("details"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.target_type}:{self.target_id}"
