from django.conf import settings
from django.db import models
from django.utils import timezone


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
