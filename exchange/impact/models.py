"""Impact follow-up (issue 12, bullet 11): 3, 6 and 12 months after a validated exchange
(to the visitor and the host) and after a training (to each attendee), a short survey
through a private link. Imported by exchange/models.py."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..placements.models import Exchange


class ImpactSurvey(models.Model):
    class Respondent(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        HOST = "host", _("Host")
        ATTENDEE = "attendee", _("Training attendee")

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        UNSUBSCRIBED = "unsubscribed", _("Not sent: the person unsubscribed")

    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.CASCADE, related_name="impact_surveys"
    )
    registration = models.ForeignKey(
        "workshops.Registration",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="impact_surveys",
    )
    respondent = models.CharField(_("respondent"), max_length=10, choices=Respondent)
    months = models.PositiveSmallIntegerField(_("months after"))
    due_on = models.DateField(_("due on"))
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The answers.
    collaboration_agreement = models.BooleanField(
        _("a collaboration agreement was signed"), null=True, blank=True
    )
    joint_project = models.BooleanField(_("a joint project started"), null=True, blank=True)
    new_clients_or_suppliers = models.BooleanField(
        _("new clients or suppliers"), null=True, blank=True
    )
    investment_eur = models.DecimalField(
        _("investment made or decided (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    jobs_created = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    comments = models.TextField(_("anything else"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("impact survey")
        verbose_name_plural = _("impact surveys")
        ordering = ["due_on", "pk"]
        constraints = [
            # One survey per person, occasion and milestone: the sweep may run twice.
            models.UniqueConstraint(
                fields=["exchange", "respondent", "months"],
                condition=Q(exchange__isnull=False),
                name="one_impact_survey_per_exchange_party_and_milestone",
            ),
            models.UniqueConstraint(
                fields=["registration", "months"],
                condition=Q(registration__isnull=False),
                name="one_impact_survey_per_attendee_and_milestone",
            ),
            models.CheckConstraint(
                condition=Q(exchange__isnull=False, registration__isnull=True)
                | Q(exchange__isnull=True, registration__isnull=False),
                name="impact_survey_about_an_exchange_or_a_training",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.months} months – {self.email}"
