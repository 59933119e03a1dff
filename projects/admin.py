from django import forms
from django.contrib import admin

from clamtex.core.admin import ExportMixin

from . import kpis
from .models import (
    KPI,
    Activity,
    Deliverable,
    DeliverableTransition,
    DeliverableVersion,
    KPIValue,
    LabelRecord,
    Milestone,
    Partner,
    Project,
    ReportingPeriod,
    ReportRun,
    RoadmapAction,
    StrategyDocument,
    StrategyVersion,
    WorkPackage,
)


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    autocomplete_fields = ["cluster"]


class WorkPackageInline(admin.TabularInline):
    model = WorkPackage
    extra = 0
    fields = ["number", "title", "lead", "start_month", "end_month"]


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    extra = 0


@admin.register(Project)
class ProjectAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "acronym",
        "partnership",
        "programme",
        "call_identifier",
        "start_date",
        "duration_months",
        "extension_months",
    ]
    list_filter = ["partnership", "programme"]
    search_fields = ["acronym", "title", "call_identifier", "grant_agreement"]
    inlines = [PartnerInline, WorkPackageInline, ReportingPeriodInline]


@admin.register(Partner)
class PartnerAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["cluster", "project", "role"]
    list_filter = ["role", "project"]
    search_fields = ["cluster__acronym", "cluster__name", "project__acronym"]
    list_select_related = ["cluster", "project"]


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0


@admin.register(WorkPackage)
class WorkPackageAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["__str__", "project", "lead", "start_month", "end_month"]
    list_filter = ["project"]
    search_fields = ["title"]
    list_select_related = ["project", "lead__cluster"]
    inlines = [ActivityInline]


@admin.register(Activity)
class ActivityAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["code", "title", "work_package", "lead", "start_date", "end_date"]
    list_filter = ["work_package__project"]
    search_fields = ["code", "title"]
    list_select_related = ["work_package", "lead__cluster"]


class DeliverableVersionInline(admin.TabularInline):
    model = DeliverableVersion
    extra = 0
    fields = ["number", "original_name", "size", "note", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class DeliverableTransitionInline(admin.TabularInline):
    model = DeliverableTransition
    extra = 0
    fields = ["from_status", "to_status", "by", "at", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Deliverable)
class DeliverableAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["code", "title", "work_package", "due_date", "status", "approved_by"]
    list_filter = ["status", "dissemination", "work_package__project"]
    search_fields = ["code", "title"]
    date_hierarchy = "due_date"
    list_select_related = ["work_package", "approved_by"]
    # Status and approval change through the services (with history), not by hand.
    readonly_fields = ["status", "submitted_at", "approved_by", "approved_at"]
    inlines = [DeliverableVersionInline, DeliverableTransitionInline]


@admin.register(DeliverableVersion)
class DeliverableVersionAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["deliverable", "number", "original_name", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["deliverable__code", "original_name"]
    list_select_related = ["deliverable", "uploaded_by"]
    readonly_fields = ["file", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(DeliverableTransition)
class DeliverableTransitionAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["deliverable", "from_status", "to_status", "by", "at"]
    list_select_related = ["deliverable", "by"]
    readonly_fields = ["deliverable", "from_status", "to_status", "by", "at", "note"]


@admin.register(Milestone)
class MilestoneAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["code", "title", "project", "due_date", "achieved_on"]
    list_filter = ["project"]
    search_fields = ["code", "title"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["__str__", "project", "report_due", "report_submitted_on"]
    list_filter = ["project"]


class StrategyVersionInline(admin.TabularInline):
    model = StrategyVersion
    extra = 0


class RoadmapActionInline(admin.TabularInline):
    model = RoadmapAction
    extra = 0


@admin.register(StrategyDocument)
class StrategyDocumentAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["title", "project", "cluster", "kind"]
    list_filter = ["kind", "project", "cluster"]
    search_fields = ["title"]
    list_select_related = ["project", "cluster"]
    inlines = [StrategyVersionInline, RoadmapActionInline]


@admin.register(StrategyVersion)
class StrategyVersionAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["document", "number", "is_final", "uploaded_at"]
    list_filter = ["is_final"]
    list_select_related = ["document"]


@admin.register(RoadmapAction)
class RoadmapActionAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["title", "document", "owner", "due_date", "status", "done_on"]
    list_filter = ["status", "document__cluster"]
    search_fields = ["title", "owner"]
    list_select_related = ["document"]


@admin.register(LabelRecord)
class LabelRecordAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["cluster", "label", "benchmarked_on", "awarded_on", "valid_until"]
    list_filter = ["label", "cluster__partnership"]
    list_select_related = ["cluster"]


class KPIValueInline(admin.TabularInline):
    model = KPIValue
    extra = 0
    fields = ["cluster", "period_start", "period_end", "value", "note", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]


class KPIForm(forms.ModelForm):
    # The computations of projects/kpis.py, or "manual": never a free-typed key.
    source = forms.ChoiceField(choices=kpis.source_choices)

    class Meta:
        model = KPI
        fields = [
            "project",
            "code",
            "name",
            "unit",
            "target",
            "source",
            "parameters",
            "per_cluster",
            "position",
            "description",
        ]


@admin.register(KPI)
class KPIAdmin(ExportMixin, admin.ModelAdmin):
    form = KPIForm
    list_display = ["code", "name", "project", "unit", "target", "source", "per_cluster"]
    list_filter = ["project", "source", "per_cluster"]
    search_fields = ["code", "name"]
    inlines = [KPIValueInline]

    def save_formset(self, request, form, formset, change):
        # Manual values keep who entered them.
        for obj in formset.save(commit=False):
            if isinstance(obj, KPIValue) and obj.entered_by_id is None:
                obj.entered_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(KPIValue)
class KPIValueAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["kpi", "cluster", "period_start", "period_end", "value", "entered_by"]
    list_filter = ["kpi__project", "cluster"]
    list_select_related = ["kpi", "cluster", "entered_by"]
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        if obj.entered_by_id is None:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ReportRun)
class ReportRunAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "project",
        "scope",
        "cluster",
        "period_start",
        "period_end",
        "format",
        "status",
        "progress",
        "rows",
        "duration",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "format", "scope", "scheduled"]
    list_select_related = ["project", "cluster", "requested_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "status",
        "progress",
        "error",
        "attempts",
        "file",
        "file_size",
        "rows",
        "duration",
        "started_at",
        "finished_at",
        "expires_at",
        "created_at",
    ]
