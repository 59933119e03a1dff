"""Administration of calls, applications and matches (registered through exchange/admin.py)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clamtex.core.admin import ExportMixin

from ..models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    EligibleCountry,
    MatchProposal,
    Programme,
)


@admin.register(Programme)
class ProgrammeAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "partnership",
        "grant_ceiling",
        "min_working_days",
        "max_months",
        "halving_working_days",
        "halving_distance_km",
        "third_country_residence_days",
        "bank_retention_days",
    ]


@admin.register(EligibleCountry)
class EligibleCountryAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["country", "group", "host_cap"]
    list_editable = ["host_cap"]
    list_filter = ["group"]
    search_fields = ["country"]


@admin.register(Call)
class CallAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "partnership",
        "opens_on",
        "closes_on",
        "exchanges_from",
        "exchanges_until",
        "planned_exchanges",
        "budget",
    ]
    list_filter = ["partnership"]
    search_fields = ["name"]
    date_hierarchy = "opens_on"


class DocumentInline(admin.TabularInline):
    """Files are never linked through the media URL: only the permission-checked view."""

    model = ApplicationDocument
    extra = 0
    can_delete = False
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at", "download"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("exchange:document_download", args=[obj.pk]),
            _("Download"),
        )


class TransitionInline(admin.TabularInline):
    model = ApplicationTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "organisation",
        "applicant",
        "role",
        "status",
        "call",
        "managing_cluster",
        "submitted_at",
    ]
    list_filter = ["status", "role", "call", "managing_cluster"]
    search_fields = [
        "organisation__legal_name",
        "organisation__vat_number",
        "applicant__email",
        "applicant__full_name",
    ]
    list_select_related = ["organisation", "applicant", "call", "managing_cluster"]
    raw_id_fields = ["applicant", "organisation"]
    filter_horizontal = ["sectors"]
    date_hierarchy = "created_at"
    # Status changes go through the workflow (services), which records who, when and why.
    readonly_fields = ["status", "submitted_at", "created_at", "updated_at"]
    inlines = [DocumentInline, TransitionInline]


@admin.register(MatchProposal)
class MatchProposalAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["pk", "visitor", "host", "proposer_side", "status", "created_at"]
    list_filter = ["status", "proposer_side"]
    search_fields = ["visitor__organisation__legal_name", "host__organisation__legal_name"]
    list_select_related = ["visitor__organisation", "host__organisation"]
    raw_id_fields = ["visitor", "host", "proposed_by"]
    readonly_fields = ["created_at", "responded_at"]
