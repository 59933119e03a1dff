"""Models of an exchange from match to payment: the exchange itself, its plan, the
generated documents and their signatures, the closing report with its evidence, the
host's confirmation, the payment and the visitor's bank details. Registered in
exchange/models.py (app label "exchange")."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clamtex.core.models import StatusTransition
from members.models import Cluster, Organisation

from ..applications.models import (
    Application,
    MatchProposal,
)


class Exchange(models.Model):
    """An exchange between a visiting and a host organisation (part 2 carries it on)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        MATCHED = "matched", _("Matched")
        IN_PREPARATION = "in_preparation", _("In preparation")
        COMMITMENT_SIGNED = "commitment_signed", _("Commitment signed")
        READY = "ready", _("Ready")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        REPORT_SUBMITTED = "report_submitted", _("Report submitted")
        REPORT_VALIDATED = "report_validated", _("Report validated")
        REPORT_REJECTED = "report_rejected", _("Report rejected")
        PAID = "paid", _("Paid")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")
        NOT_HAPPENED = "not_happened", _("Did not take place")

    class Outcome(models.TextChoices):
        NOT_HAPPENED = "not_happened", _("Did not take place")
        CUT_SHORT = "cut_short", _("Cut short")

    proposal = models.OneToOneField(
        MatchProposal, null=True, on_delete=models.SET_NULL, related_name="exchange"
    )
    # Empty for a party of another partnership (exchange/external/models.py ExternalParty).
    visitor_application = models.ForeignKey(
        Application, null=True, on_delete=models.PROTECT, related_name="exchanges_as_visitor"
    )
    host_application = models.ForeignKey(
        Application, null=True, on_delete=models.PROTECT, related_name="exchanges_as_host"
    )
    visitor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="visits"
    )
    host_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="hosted_visits"
    )
    visitor_cluster = models.ForeignKey(
        Cluster, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="VOP"
    )
    host_cluster = models.ForeignKey(
        Cluster, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="HOP"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.MATCHED)
    # Recorded by a manager of the visitor's cluster after the first day at the host.
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["-created_at"]
        constraints = [
            # "An organisation may visit once": held by the database, so two matches
            # accepted at the same moment cannot both create a visit.
            models.UniqueConstraint(
                fields=["visitor_organisation"],
                condition=~Q(status__in=["cancelled", "declined"]),
                name="organisation_visits_once",
            ),
            models.CheckConstraint(
                condition=~Q(visitor_organisation=models.F("host_organisation")),
                name="exchange_between_two_organisations",
            ),
        ]

    def __str__(self):
        return f"{self.visitor_organisation} → {self.host_organisation}"


# --- Part 2: from match to payment -------------------------------------------------------


class ExchangePlan(models.Model):
    """What visitor and host agree on: dates at the host, objectives, agenda, and the
    grant computed from them (fixed once the financial agreement is signed)."""

    exchange = models.OneToOneField(Exchange, on_delete=models.CASCADE, related_name="plan")
    start_date = models.DateField(_("first day at the host"), null=True, blank=True)
    end_date = models.DateField(_("last day at the host"), null=True, blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    agenda = models.JSONField(_("agenda (day by day)"), default=list, blank=True)
    activity_types = models.JSONField(_("activity types"), default=list, blank=True)
    grant_amount = models.DecimalField(
        _("lump sum (€)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    grant_steps = models.JSONField(_("grant computation"), default=list, blank=True)
    grant_locked = models.BooleanField(_("grant fixed by the signed agreement"), default=False)
    # The host's region (an ISO 3166-2 subdivision code as the `holidays` package knows
    # it, e.g. "CT" for Catalonia): its regional public holidays are not working days.
    host_subdivision = models.CharField(_("host region"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exchange plan")
        verbose_name_plural = _("exchange plans")

    def __str__(self):
        return f"plan of {self.exchange}"


class ExchangeTransition(StatusTransition):
    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="history")


class ExchangeDocument(models.Model):
    """A generated, versioned document (Commitment to Quality, financial agreement). Its
    hash covers the exact content; a change of the plan voids it and its signatures."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment to Quality")
        FINANCIAL = "financial", _("Financial agreement")

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    version = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(max_length=64)
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("exchange document")
        verbose_name_plural = _("exchange documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "kind", "version"], name="document_version_unique"
            ),
            models.UniqueConstraint(
                fields=["exchange", "kind"],
                condition=Q(voided_at__isnull=True),
                name="one_current_document_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class Signature(models.Model):
    class Role(models.TextChoices):
        VO = "vo", _("Visiting organisation")
        HO = "ho", _("Host organisation")
        VOP = "vop", _("Visiting organisation's cluster (VOP)")
        HOP = "hop", _("Host organisation's cluster (HOP)")

    document = models.ForeignKey(
        ExchangeDocument, on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField(_("signs as"), max_length=3, choices=Role)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # A party of another partnership signs through its private link (no account).
    external_party = models.ForeignKey(
        "exchange.ExternalParty",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    signed_at = models.DateTimeField(default=timezone.now)
    document_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["document", "role"], name="one_signature_per_role"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(external_party__isnull=False),
                name="signature_by_user_or_external_party",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} – {self.user or self.external_party}"


class ClosingReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VALIDATED = "validated", _("Validated")
        RETURNED = "returned", _("Returned to the visitor")

    exchange = models.OneToOneField(Exchange, on_delete=models.CASCADE, related_name="report")
    objectives_reached = models.TextField(_("objectives reached"), blank=True)
    results = models.TextField(_("results"), blank=True)
    follow_up = models.TextField(_("follow-up planned"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)]
    )
    # What actually happened: the grant is computed again from these, never above the
    # signed amount, and the payment equals that final grant.
    actual_start = models.DateField(_("actual first day at the host"), null=True, blank=True)
    actual_end = models.DateField(_("actual last day at the host"), null=True, blank=True)
    actual_travel_mode = models.CharField(
        _("actual mode of travel (if different)"), max_length=100, blank=True
    )
    actual_distance_km = models.PositiveIntegerField(
        _("actual travel distance in km (if different)"), null=True, blank=True
    )
    final_grant_amount = models.DecimalField(
        _("final grant (€)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    final_grant_steps = models.JSONField(_("final grant computation"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("comments of the cluster"), blank=True)
    evidence_checked = models.BooleanField(_("evidence checked"), default=False)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("closing report")
        verbose_name_plural = _("closing reports")

    def __str__(self):
        return f"report of {self.exchange}"


def _evidence_path(instance, filename):
    return f"private/exchange-evidence/{instance.report_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        TICKET = "ticket", _("Boarding pass or ticket")
        TRAVEL_INVOICE = "travel_invoice", _("Travel invoice")
        ACCOMMODATION_INVOICE = "accommodation_invoice", _("Accommodation invoice")
        ATTENDANCE = "attendance", _("Attendance confirmation by the host")

    report = models.ForeignKey(ClosingReport, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=25, choices=Kind)
    file = models.FileField(upload_to=_evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class HostConfirmation(models.Model):
    exchange = models.OneToOneField(
        Exchange, on_delete=models.CASCADE, related_name="host_confirmation"
    )
    took_place = models.BooleanField(_("the visit took place"))
    feedback = models.TextField(_("feedback"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # A host of another partnership confirms through its private link (no account).
    external_party = models.ForeignKey(
        "exchange.ExternalParty",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("host confirmation")
        verbose_name_plural = _("host confirmations")

    def __str__(self):
        return f"confirmation of {self.exchange}"


class Payment(models.Model):
    """Recorded once per exchange: the one-to-one key makes a second payment impossible,
    even with two clicks at the same moment."""

    exchange = models.OneToOneField(Exchange, on_delete=models.PROTECT, related_name="payment")
    amount = models.DecimalField(
        _("amount (€)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on"]

    def __str__(self):
        return f"{self.amount} – {self.exchange}"


class BankDetails(models.Model):
    """Where the visitor wants the grant paid. Kept until the payment plus the programme's
    retention; then erased by a periodic task (the row stays, emptied, as a trace)."""

    exchange = models.OneToOneField(Exchange, on_delete=models.CASCADE, related_name="bank_details")
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bank details")
        verbose_name_plural = _("bank details")

    def __str__(self):
        return f"bank details of {self.exchange_id}"

    @property
    def iban_masked(self) -> str:
        if not self.iban:
            return ""
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"


# --- Parties of other partnerships (issue 12, bullet 7) ---------------------------------------
