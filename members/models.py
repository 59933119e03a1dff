"""Clusters, member organisations, people, and the roles that scope what a user sees."""

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# --- Users -----------------------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address (there is no username)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


# --- Taxonomy --------------------------------------------------------------------------


class Sector(models.Model):
    """A sector of activity: NACE codes (textile C13–C15, manufacturing) and ECCP sectors."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.display_name}"

    @property
    def display_name(self) -> str:
        """Stored in English (the NACE and ECCP labels); the catalogues translate them."""
        from django.utils.translation import gettext

        return gettext(self.name)


# --- Partnership and clusters ------------------------------------------------------------


class Partnership(models.Model):
    """A European Strategic Cluster Partnership (CLAMTEX, EXTRATEX …)."""

    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=40, unique=True)
    programme = models.CharField(_("funding programme"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["acronym"]

    def __str__(self):
        return self.acronym


def logo_path(instance, filename):
    """Logos are public files: stored under a random name of ours, never the uploaded one
    (only the image extension Django validated is kept)."""
    extension = Path(filename).suffix.lower()[:8]
    return f"logos/{secrets.token_hex(16)}{extension}"


class Cluster(models.Model):
    """A cluster organisation, with the profile of the European Cluster Collaboration
    Platform (ECCP)."""

    class Label(models.TextChoices):
        NONE = "none", _("No label")
        BRONZE = "bronze", _("Bronze")
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="clusters",
        verbose_name=_("partnership"),
    )
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=60)
    is_coordinator = models.BooleanField(_("coordinator of the partnership"), default=False)
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    legal_status = models.CharField(_("legal status"), max_length=200, blank=True)
    year_founded = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    country = CountryField(_("country"))
    nuts2_region = models.CharField(_("NUTS-2 region"), max_length=120, blank=True)
    nuts2_code = models.CharField(_("NUTS-2 code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    # The ECCP asks for an English website (a page of the site in English is enough).
    website_en = models.URLField(_("website in English"), blank=True)
    description = models.TextField(_("description"), blank=True)
    staff_fte = models.DecimalField(
        _("staff (FTE)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    members_sme = models.PositiveIntegerField(_("SME members"), default=0)
    members_large = models.PositiveIntegerField(_("large company members"), default=0)
    members_research = models.PositiveIntegerField(_("research / academia members"), default=0)
    members_public = models.PositiveIntegerField(_("public body members"), default=0)
    members_other = models.PositiveIntegerField(_("other members"), default=0)
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    technologies = models.TextField(_("technologies"), blank=True, help_text=_("One per line."))
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("One per line."))
    value_chains = models.TextField(_("value chains"), blank=True, help_text=_("One per line."))
    services = models.TextField(_("services"), blank=True, help_text=_("One per line."))
    label = models.CharField(_("cluster label"), max_length=10, choices=Label, default=Label.NONE)
    label_valid_until = models.DateField(_("label valid until"), null=True, blank=True)
    eccp_url = models.URLField(_("ECCP profile"), blank=True)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "acronym"], name="cluster_acronym_unique_in_partnership"
            )
        ]

    def __str__(self):
        return self.acronym

    @property
    def members_total(self) -> int:
        return (
            self.members_sme
            + self.members_large
            + self.members_research
            + self.members_public
            + self.members_other
        )

    @property
    def label_is_valid(self) -> bool:
        return self.label != self.Label.NONE and (
            self.label_valid_until is None or self.label_valid_until >= timezone.localdate()
        )

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]


# --- Member organisations ---------------------------------------------------------------

# EU SME definition (Commission Recommendation 2003/361/EC).
SME_MAX_EMPLOYEES = 250
SME_MAX_TURNOVER = Decimal("50000000")
SME_MAX_BALANCE_SHEET = Decimal("43000000")


class Organisation(models.Model):
    """A member organisation (mostly SMEs) of one or more clusters."""

    class Type(models.TextChoices):
        SME = "sme", _("SME")
        STARTUP = "startup", _("Start-up")
        LARGE = "large", _("Large company")
        RTO = "rto", _("Research & technology organisation")
        UNIVERSITY = "university", _("University")
        PUBLIC = "public", _("Public body")
        SUPPORT = "support", _("Other support organisation")
        CLUSTER = "cluster", _("Cluster organisation")

    legal_name = models.CharField(_("legal name"), max_length=300)
    vat_number = models.CharField(_("VAT / registration number"), max_length=40, blank=True)
    org_type = models.CharField(_("type"), max_length=20, choices=Type, default=Type.SME)
    country = CountryField(_("country of registration"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    employees = models.PositiveIntegerField(_("employees (headcount)"), null=True, blank=True)
    turnover_eur = models.DecimalField(
        _("annual turnover (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    balance_sheet_eur = models.DecimalField(
        _("balance sheet total (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    capabilities = models.TextField(_("capabilities"), blank=True)
    certifications = models.CharField(_("certifications"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        ordering = ["legal_name"]
        indexes = [
            models.Index(fields=["country", "org_type"]),
            # The directory's default sort (and its tie-breaker) and its other sorts; the
            # search has trigram indexes on PostgreSQL (migration 0003).
            models.Index(fields=["legal_name", "id"], name="members_org_name_idx"),
            models.Index(fields=["created_at"], name="members_org_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "vat_number"],
                condition=~Q(vat_number=""),
                name="organisation_vat_unique_per_country",
            )
        ]

    def __str__(self):
        return self.legal_name

    @property
    def is_sme(self) -> bool | None:
        """EU SME definition: fewer than 250 staff and either turnover ≤ €50m or balance
        sheet ≤ €43m. None when the figures needed to decide are missing."""
        if self.employees is None:
            return None
        if self.employees >= SME_MAX_EMPLOYEES:
            return False
        if self.turnover_eur is None and self.balance_sheet_eur is None:
            return None
        return (self.turnover_eur is not None and self.turnover_eur <= SME_MAX_TURNOVER) or (
            self.balance_sheet_eur is not None and self.balance_sheet_eur <= SME_MAX_BALANCE_SHEET
        )


def sme_q(prefix: str = "") -> Q:
    """The EU SME definition as a database filter (same rule as Organisation.is_sme)."""
    p = prefix
    return Q(**{f"{p}employees__lt": SME_MAX_EMPLOYEES}) & (
        Q(**{f"{p}turnover_eur__lte": SME_MAX_TURNOVER})
        | Q(**{f"{p}balance_sheet_eur__lte": SME_MAX_BALANCE_SHEET})
    )


class Membership(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("cluster")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.ACTIVE)
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["cluster__acronym"]
        indexes = [
            # Scope (members of these clusters), the figures (active members per cluster)
            # and the cluster filter, answered from the index alone.
            models.Index(
                fields=["cluster", "status", "organisation"], name="members_ms_cluster_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "cluster"], name="membership_unique_per_cluster"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} @ {self.cluster}"


class Contact(models.Model):
    """A person at a member organisation. Personal data: visible to the managers of the
    organisation's clusters, the coordinator and the organisation's representatives."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    is_primary = models.BooleanField(_("main contact"), default=False)
    consent_given = models.BooleanField(_("consent to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="contact_email_unique_per_organisation"
            )
        ]

    def __str__(self):
        return self.full_name


# --- Roles -------------------------------------------------------------------------------


class PartnershipCoordinator(models.Model):
    """Sees everything of the partnership."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinator_roles",
        verbose_name=_("user"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="coordinators",
        verbose_name=_("partnership"),
    )

    class Meta:
        verbose_name = _("partnership coordinator")
        verbose_name_plural = _("partnership coordinators")
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership"], name="coordinator_unique")
        ]

    def __str__(self):
        return f"{self.user} – {self.partnership}"


class ClusterManager(models.Model):
    """Staff of one partner cluster; a user may manage several clusters."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="manager_roles",
        verbose_name=_("user"),
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="managers", verbose_name=_("cluster")
    )

    class Meta:
        verbose_name = _("cluster manager")
        verbose_name_plural = _("cluster managers")
        constraints = [models.UniqueConstraint(fields=["user", "cluster"], name="manager_unique")]

    def __str__(self):
        return f"{self.user} – {self.cluster}"


class Representative(models.Model):
    """A member representative: keeps one organisation's profile and contacts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="representative_roles",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("member representative")
        verbose_name_plural = _("member representatives")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="representative_unique")
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """A cluster manager invites someone to represent a member organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("email"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("cluster")
    )
    language = models.CharField(
        _("language of the invitation"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=_invitation_token, editable=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at < timezone.now()


# --- Large exports ----------------------------------------------------------------------


def _export_path(instance, filename):
    # A random name under private/, served only by the permission-checked download view.
    return f"private/exports/{uuid.uuid4().hex}"


class ExportRun(models.Model):
    """A directory export too large to stream within a request: written by a Celery task
    that records its progress here, then downloaded by the person who asked for it."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_runs",
        verbose_name=_("requested by"),
    )
    format = models.CharField(_("format"), max_length=4, choices=Format)
    query = models.TextField(_("filters"), blank=True, help_text=_("The directory's query."))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=_export_path, max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("member export")
        verbose_name_plural = _("member exports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_format_display()} export #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def filename(self) -> str:
        return f"members.{self.format}"
