"""ClusterXchange: programme data, calls, applications, documents, matches and exchanges."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clamtex.core.models import StatusTransition
from members.models import Cluster, Organisation, Partnership, Sector


def default_required_evidence() -> list[str]:
    return ["ticket", "accommodation_invoice"]


class Programme(models.Model):
    """The scheme's rules for one partnership, as editable data."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="exchange_programme",
        verbose_name=_("partnership"),
    )
    grant_ceiling = models.DecimalField(
        _("grant ceiling per visiting organisation (€)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1100"),
    )
    min_working_days = models.PositiveSmallIntegerField(
        _("minimum working days at the host"), default=3
    )
    # "At most one month": a calendar month from the first day (2 Feb – 1 Mar is one
    # month; 2 Feb – 4 Mar is not), counted with dateutil's relativedelta.
    max_months = models.PositiveSmallIntegerField(
        _("maximum length of stay (calendar months)"), default=1
    )
    halving_working_days = models.PositiveSmallIntegerField(
        _("grant halved below this many working days"), default=5
    )
    halving_distance_km = models.PositiveIntegerField(
        _("grant halved below this distance (km)"), default=200
    )
    third_country_residence_days = models.PositiveSmallIntegerField(
        _("minimum residence of third-country nationals (days)"), default=183
    )
    # Which evidence the closing report needs (Evidence.Kind values). The programme's
    # default: proof of travel and the accommodation invoice.
    required_evidence = models.JSONField(
        _("evidence required with the closing report"),
        default=default_required_evidence,
        blank=True,
    )
    bank_retention_days = models.PositiveSmallIntegerField(
        _("bank details kept after payment (days)"), default=90
    )

    class Meta:
        verbose_name = _("ClusterXchange programme")
        verbose_name_plural = _("ClusterXchange programmes")

    def __str__(self):
        return f"ClusterXchange – {self.partnership}"


class EligibleCountry(models.Model):
    class Group(models.TextChoices):
        EU = "eu", _("EU member state")
        THIRD = "third", _("Participating third country")

    country = CountryField(_("country"), unique=True)
    group = models.CharField(_("group"), max_length=5, choices=Group, default=Group.EU)
    # Lump-sum cap for a stay hosted in this country; empty until an administrator sets it
    # (an exchange hosted there cannot be costed until then).
    host_cap = models.DecimalField(
        _("lump-sum cap as host country (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("eligible country")
        verbose_name_plural = _("eligible countries")
        ordering = ["country"]

    def __str__(self):
        return str(self.country.name)


class Call(models.Model):
    """A round of ClusterXchange applications."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="exchange_calls"
    )
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    planned_exchanges = models.PositiveIntegerField(_("planned exchanges"), default=0)
    budget = models.DecimalField(
        _("budget (€)"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    # The stays of this call's exchanges take place in this window (empty: from the
    # opening day; to the end of the project).
    exchanges_from = models.DateField(_("exchanges from"), null=True, blank=True)
    exchanges_until = models.DateField(_("exchanges until"), null=True, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="call_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """A call opens only when the programme data can cost every exchange: each
        eligible country needs a lump-sum cap."""
        from .programme_data import countries_without_cap

        missing = countries_without_cap()
        if missing:
            raise ValidationError(
                _("Set the lump-sum cap of these eligible countries first: %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        if (
            self.exchanges_from
            and self.exchanges_until
            and self.exchanges_until < self.exchanges_from
        ):
            raise ValidationError(
                {"exchanges_until": _("The exchange window ends before it starts.")}
            )

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() <= self.closes_on


class ActivityType(models.TextChoices):
    CAPACITY = "capacity", _("Capacity building")
    KNOWLEDGE = "knowledge", _("Knowledge sharing")
    RDI = "rdi", _("R&D and innovation")
    MARKET = "market", _("Market research")
    NETWORKING = "networking", _("Networking")


class Application(models.Model):
    """A ClusterXchange registration (the application of one organisation)."""

    class Role(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        HOST = "host", _("Host")
        BOTH = "both", _("Visitor and host")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        INFO_REQUESTED = "info_requested", _("More information requested")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exchange_applications"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_applications",
    )
    managing_cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchange_applications",
        verbose_name=_("managing cluster"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.VISITOR)
    motivation = models.TextField(_("motivation"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    activity_types = models.JSONField(_("activity types"), default=list, blank=True)
    preferred_countries = models.JSONField(_("preferred host countries"), default=list, blank=True)
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    third_country_national = models.BooleanField(
        _("the participant is a national of a non-eligible country"), default=False
    )
    residence_days = models.PositiveIntegerField(
        _("days of residence in an eligible country"), null=True, blank=True
    )
    has_residence_permit = models.BooleanField(_("holds a residence permit"), default=False)
    business_in_eligible_country = models.BooleanField(
        _("business started or intended in an eligible country"), default=False
    )
    consent_privacy = models.BooleanField(_("accepts the privacy notice"), default=False)
    consent_catalogue = models.BooleanField(_("agrees to appear in the catalogue"), default=False)
    catalogue_fields = models.JSONField(_("shown in the catalogue"), default=list, blank=True)
    exception_approved = models.BooleanField(_("non-member host exception approved"), default=False)
    # The VAT number as the applicant typed it. It never links the application to a
    # registered organisation by itself: the reviewer links a possible match.
    vat_number_typed = models.CharField(
        _("VAT / registration number (as typed)"), max_length=40, blank=True
    )
    review_checklist = models.JSONField(_("review checklist"), default=dict, blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ClusterXchange application")
        verbose_name_plural = _("ClusterXchange applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "managing_cluster"]),
            # The review queue's order (newest submission first): 25 rows read from the
            # index instead of sorting 20,000 (issue 11).
            models.Index(fields=["-submitted_at", "-id"], name="application_review_order"),
        ]

    def __str__(self):
        return f"{self.organisation or self.applicant} – {self.get_role_display()}"

    @property
    def wants_to_visit(self) -> bool:
        return self.role in (self.Role.VISITOR, self.Role.BOTH)

    @property
    def wants_to_host(self) -> bool:
        return self.role in (self.Role.HOST, self.Role.BOTH)


def _document_path(instance, filename):
    # A random name: the original name is kept in the row, never in the path.
    return f"private/exchange/{instance.application_id}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    class Kind(models.TextChoices):
        CV = "cv", _("CV")
        SUPPORTING = "supporting", _("Supporting document")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.SUPPORTING)
    file = models.FileField(upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class ApplicationTransition(StatusTransition):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=15)
    to_status = models.CharField(max_length=15)


class MatchProposal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    visitor = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposals_as_visitor"
    )
    host = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposals_as_host"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer_side = models.CharField(
        max_length=10, choices=[("visitor", _("Visitor")), ("host", _("Host"))]
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match proposal")
        verbose_name_plural = _("match proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["visitor", "host"],
                condition=Q(status="proposed"),
                name="one_open_proposal_per_pair",
            )
        ]

    def __str__(self):
        return f"{self.visitor} → {self.host}"


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
    # Empty for a party of another partnership (exchange/external_models.py ExternalParty).
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

from .external_models import ExternalParty  # noqa: E402, F401
from .impact_models import ImpactSurvey  # noqa: E402, F401  (issue 12, bullet 11)
