"""Models of the application part of ClusterXchange: the programme's rules as data
(Programme, EligibleCountry), calls, applications with their documents and history, and
match proposals. Registered in exchange/models.py (app label "exchange")."""

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
        from ..programme_data import countries_without_cap

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
