"""The partnership programme: the project and its partners, work packages, activities,
deliverables and milestones, reporting periods, strategies and roadmaps, cluster labels,
KPIs with targets, and generated progress reports."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clamtex.core.models import StatusTransition
from members.models import Cluster, Partnership


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when it does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


class Project(models.Model):
    """The funded project a partnership runs (CLAMTEX under COSME, for instance)."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("partnership"),
    )
    acronym = models.CharField(_("acronym"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    programme = models.CharField(_("funding programme"), max_length=200, blank=True)
    call_identifier = models.CharField(_("call identifier"), max_length=100, blank=True)
    grant_agreement = models.CharField(_("grant agreement number"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    extension_months = models.PositiveSmallIntegerField(
        _("extension (months)"),
        default=0,
        help_text=_("Months added by an amendment (for instance the COVID-19 extension)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "acronym"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "acronym"], name="project_acronym_unique_in_partnership"
            )
        ]

    def __str__(self):
        return self.acronym

    @property
    def total_months(self) -> int:
        return self.duration_months + self.extension_months

    @property
    def planned_end_date(self) -> date:
        return add_months(self.start_date, self.duration_months) - timedelta(days=1)

    @property
    def end_date(self) -> date:
        return add_months(self.start_date, self.total_months) - timedelta(days=1)


class Partner(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTNER = "partner", _("Partner")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="partners", verbose_name=_("project")
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, related_name="project_roles", verbose_name=_("cluster")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.PARTNER)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["role", "cluster__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["project", "cluster"], name="partner_once_per_project"),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(role="coordinator"),
                name="one_coordinator_per_project",
            ),
        ]

    def __str__(self):
        return f"{self.cluster} ({self.get_role_display()})"


class WorkPackage(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="work_packages", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=250)
    lead = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_work_packages",
        verbose_name=_("lead partner"),
    )
    start_month = models.PositiveSmallIntegerField(_("start month"), default=1)
    end_month = models.PositiveSmallIntegerField(_("end month"), default=24)
    objectives = models.TextField(_("objectives"), blank=True)

    class Meta:
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="wp_number_unique"),
            models.CheckConstraint(
                condition=Q(end_month__gte=models.F("start_month")), name="wp_end_after_start"
            ),
        ]

    def __str__(self):
        return f"WP{self.number} – {self.title}"


class Activity(models.Model):
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("work package"),
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=250)
    lead = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead partner"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["work_package__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["work_package", "code"], name="activity_code_unique")
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"


class Deliverable(models.Model):
    """A contractual deliverable. "Late" is not stored: it is derived from the due date
    and the status (see is_late and selectors.late_q)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    class Dissemination(models.TextChoices):
        PUBLIC = "public", _("Public")
        SENSITIVE = "sensitive", _("Sensitive (partners only)")

    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.CASCADE,
        related_name="deliverables",
        verbose_name=_("work package"),
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_deliverables",
        verbose_name=_("lead partner"),
    )
    dissemination = models.CharField(
        _("dissemination level"),
        max_length=10,
        choices=Dissemination,
        default=Dissemination.PUBLIC,
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNED)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["due_date", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_package", "code"], name="deliverable_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="approved_deliverable_has_approval_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.code} – {self.title}"

    DONE = (Status.SUBMITTED, Status.APPROVED)

    @property
    def is_late(self) -> bool:
        return self.status not in self.DONE and self.due_date < timezone.localdate()


class DeliverableTransition(StatusTransition):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=500, blank=True)

    class Meta(StatusTransition.Meta):
        verbose_name = _("deliverable status change")
        verbose_name_plural = _("deliverable status changes")

    @property
    def from_label(self) -> str:
        return Deliverable.Status(self.from_status).label

    @property
    def to_label(self) -> str:
        return Deliverable.Status(self.to_status).label


def _private_path(prefix: str):
    def upload_to(instance, filename):
        # A random name under private/: the original name stays in the row, never in a
        # public path; files are served only by permission-checked views.
        return f"private/{prefix}/{uuid.uuid4().hex}"

    return upload_to


def _deliverable_path(instance, filename):
    return _private_path(f"deliverables/{instance.deliverable_id}")(instance, filename)


def _strategy_path(instance, filename):
    return _private_path(f"strategies/{instance.document_id}")(instance, filename)


def _report_path(instance, filename):
    return _private_path("reports")(instance, filename)


class DeliverableVersion(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_deliverable_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("deliverable version")
        verbose_name_plural = _("deliverable versions")
        ordering = ["deliverable", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "number"], name="deliverable_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.deliverable.code} v{self.number}"


class Milestone(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    work_package = models.ForeignKey(
        WorkPackage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
        verbose_name=_("work package"),
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=250)
    due_date = models.DateField(_("due date"))
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    means_of_verification = models.CharField(_("means of verification"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="milestone_code_unique")
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @property
    def is_late(self) -> bool:
        return self.achieved_on is None and self.due_date < timezone.localdate()


class ReportingPeriod(models.Model):
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="reporting_periods",
        verbose_name=_("project"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    report_due = models.DateField(_("report due"), null=True, blank=True)
    report_submitted_on = models.DateField(_("report submitted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="reporting_period_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="reporting_period_end_after_start",
            ),
        ]

    def __str__(self):
        return f"RP{self.number} ({self.start_date} – {self.end_date})"


# --- Strategies and roadmaps -------------------------------------------------------------


class StrategyDocument(models.Model):
    """A cluster's strategy (or roadmap), or the joint partnership strategy when no
    cluster is set. It counts as delivered once a version is marked final."""

    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("Strategy")
        ROADMAP = "roadmap", _("Roadmap")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("project")
    )
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategies",
        verbose_name=_("cluster"),
        help_text=_("Empty for the joint strategy of the partnership."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.STRATEGY)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("strategy document")
        verbose_name_plural = _("strategies and roadmaps")
        ordering = ["project", "cluster__acronym", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "cluster", "kind"],
                name="one_strategy_per_cluster_and_kind",
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(cluster__isnull=True),
                name="one_joint_strategy_per_kind",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_joint(self) -> bool:
        return self.cluster_id is None


class StrategyVersion(models.Model):
    document = models.ForeignKey(
        StrategyDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=_strategy_path, max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    is_final = models.BooleanField(_("final (delivered)"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="strategy_version_unique")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class RoadmapAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    document = models.ForeignKey(
        StrategyDocument,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("strategy or roadmap"),
    )
    title = models.CharField(_("action"), max_length=250)
    owner = models.CharField(_("owner"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("roadmap action")
        verbose_name_plural = _("roadmap actions")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title


# --- Labels and benchmarking ------------------------------------------------------------


class LabelRecord(models.Model):
    """The history of a cluster's labels (Cluster.label keeps the current one) and of its
    benchmarking visits."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="label_history", verbose_name=_("cluster")
    )
    label = models.CharField(_("label"), max_length=10, choices=Cluster.Label)
    benchmarked_on = models.DateField(_("benchmarking date"), null=True, blank=True)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("label record")
        verbose_name_plural = _("labels and benchmarking")
        ordering = ["cluster__acronym", "-awarded_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "label", "awarded_on"], name="label_record_unique"
            )
        ]

    def __str__(self):
        return f"{self.cluster} – {self.get_label_display()}"


# --- KPIs --------------------------------------------------------------------------------


class KPI(models.Model):
    """A key performance indicator with a target. Its source is either the key of a
    computation in projects/kpis.py (never typed in) or "manual" (values entered by
    people, each with who and when)."""

    MANUAL = "manual"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("project")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=250)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    source = models.CharField(
        _("source"),
        max_length=40,
        default=MANUAL,
        help_text=_("“manual”, or the key of a value computed from the portal's data."),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_('Options of the computation, for instance {"kinds": ["training"]}.'),
    )
    per_cluster = models.BooleanField(_("measured per cluster"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["project", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="kpi_code_unique")]

    def __str__(self):
        return f"{self.code} – {self.name}"

    @property
    def is_manual(self) -> bool:
        return self.source == self.MANUAL

    # The names and units are stored in English; the catalogues translate the demo's and
    # the programme's standard ones (an unknown text shows as typed).
    @property
    def display_name(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.name) if self.name else ""

    @property
    def display_unit(self) -> str:
        from django.utils.translation import gettext

        return gettext(self.unit) if self.unit else ""


class KPIValue(models.Model):
    """A value of a manual KPI for one period (and one cluster, or the partnership as a
    whole). Values add up over periods and clusters."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="values")
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cluster"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        ordering = ["kpi", "-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="kpi_value_period_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.kpi.code}: {self.value} ({self.period_start} – {self.period_end})"


# --- Generated reports ---------------------------------------------------------------


class ReportRun(models.Model):
    """One generated progress report: requested on a page or by the monthly schedule,
    produced by a Celery task that records its progress, duration and rows here."""

    class Scope(models.TextChoices):
        PARTNERSHIP = "partnership", _("Partnership")
        CLUSTER = "cluster", _("Cluster")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", _("Spreadsheet (XLSX)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="report_runs", verbose_name=_("project")
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope)
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_runs",
        verbose_name=_("cluster"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    format = models.CharField(_("format"), max_length=4, choices=Format, default=Format.PDF)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to=_report_path, max_length=300, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows covered"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    scheduled = models.BooleanField(_("monthly schedule"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="cluster") & Q(cluster__isnull=False))
                | (Q(scope="partnership") & Q(cluster__isnull=True)),
                name="report_run_scope_matches_cluster",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_run_period_end_after_start",
            ),
            # The monthly schedule makes one run per person, scope, period and format, even
            # if the sweep runs twice.
            models.UniqueConstraint(
                fields=["requested_by", "project", "cluster", "period_start", "format"],
                condition=Q(scheduled=True, cluster__isnull=False),
                name="scheduled_cluster_report_once",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "project", "period_start", "format"],
                condition=Q(scheduled=True, cluster__isnull=True),
                name="scheduled_partnership_report_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"], name="report_run_expiry_idx", condition=Q(status="done")
            )
        ]

    def __str__(self):
        return f"{self.get_scope_display()} report {self.period_start} – {self.period_end}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def filename(self) -> str:
        who = self.cluster.acronym if self.cluster_id else self.project.acronym
        safe = "".join(c if c.isalnum() else "-" for c in who)
        return f"{safe}-report-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}.{self.format}"
