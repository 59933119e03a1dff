"""Administration of exchanges from match to payment (registered through exchange/admin.py).

Facts recorded by the lifecycle services (transitions, signatures, evidence, payments)
are read-only here: changing them by hand would break the history and the hashes."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clamtex.core.admin import ExportMixin

from ..models import (
    ClosingReport,
    Evidence,
    Exchange,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    HostConfirmation,
    Payment,
    Signature,
)


@admin.register(Exchange)
class ExchangeAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "visitor_organisation",
        "host_organisation",
        "visitor_cluster",
        "host_cluster",
        "status",
        "created_at",
    ]
    list_filter = ["status", "visitor_cluster", "host_cluster"]
    search_fields = ["visitor_organisation__legal_name", "host_organisation__legal_name"]
    list_select_related = [
        "visitor_organisation",
        "host_organisation",
        "visitor_cluster",
        "host_cluster",
    ]
    raw_id_fields = [
        "proposal",
        "visitor_application",
        "host_application",
        "visitor_organisation",
        "host_organisation",
    ]
    readonly_fields = ["created_at"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExchangeTransitionInline(ReadOnlyInline):
    model = ExchangeTransition
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


class ExchangeDocumentInline(ReadOnlyInline):
    model = ExchangeDocument
    fields = ["kind", "version", "created_at", "voided_at", "content_hash"]
    readonly_fields = fields
    show_change_link = True


# The exchange's status changes only through the workflow (lifecycle services).
ExchangeAdmin.readonly_fields = ["status", "created_at"]
ExchangeAdmin.inlines = [ExchangeDocumentInline, ExchangeTransitionInline]


@admin.register(ExchangePlan)
class ExchangePlanAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["exchange", "start_date", "end_date", "grant_amount", "grant_locked"]
    list_filter = ["grant_locked"]
    search_fields = [
        "exchange__visitor_organisation__legal_name",
        "exchange__host_organisation__legal_name",
    ]
    list_select_related = ["exchange__visitor_organisation", "exchange__host_organisation"]
    raw_id_fields = ["exchange"]
    date_hierarchy = "start_date"
    # The grant is computed (and fixed) by the services; re-opening goes through the page.
    readonly_fields = ["grant_amount", "grant_steps", "grant_locked", "updated_at"]


class SignatureInline(ReadOnlyInline):
    model = Signature
    fields = ["role", "user", "signed_at", "document_hash"]
    readonly_fields = fields


@admin.register(ExchangeDocument)
class ExchangeDocumentAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["pk", "exchange", "kind", "version", "created_at", "voided_at"]
    list_filter = ["kind", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["exchange__visitor_organisation__legal_name", "content_hash"]
    list_select_related = ["exchange__visitor_organisation", "exchange__host_organisation"]
    readonly_fields = [
        "exchange",
        "kind",
        "version",
        "content_hash",
        "content",
        "created_at",
        "voided_at",
        "pdf",
    ]
    inlines = [SignatureInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("exchange:exchange_document_pdf", args=[obj.exchange_id, obj.pk]),
            _("Open the PDF"),
        )


class EvidenceInline(ReadOnlyInline):
    """Files only through the permission-checked view, never the media URL."""

    model = Evidence
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at", "download"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("exchange:exchange_evidence_download", args=[obj.report.exchange_id, obj.pk]),
            _("Download"),
        )


@admin.register(ClosingReport)
class ClosingReportAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["exchange", "status", "rating", "submitted_at", "validated_at", "validated_by"]
    list_filter = ["status", "evidence_checked", "rating"]
    search_fields = ["exchange__visitor_organisation__legal_name"]
    list_select_related = [
        "exchange__visitor_organisation",
        "exchange__host_organisation",
        "validated_by",
    ]
    raw_id_fields = ["exchange"]
    # Submission and validation go through the services (they move the exchange on).
    readonly_fields = [
        "status",
        "submitted_at",
        "evidence_checked",
        "validated_by",
        "validated_at",
    ]
    inlines = [EvidenceInline]


@admin.register(HostConfirmation)
class HostConfirmationAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["exchange", "took_place", "confirmed_by", "confirmed_at"]
    list_filter = ["took_place"]
    search_fields = ["exchange__host_organisation__legal_name"]
    list_select_related = [
        "exchange__visitor_organisation",
        "exchange__host_organisation",
        "confirmed_by",
    ]
    raw_id_fields = ["exchange", "confirmed_by"]


@admin.register(Payment)
class PaymentAdmin(ExportMixin, admin.ModelAdmin):
    """Recorded once by the visitor's cluster on the exchange page: read-only here."""

    list_display = ["exchange", "amount", "paid_on", "reference", "recorded_by", "recorded_at"]
    list_filter = ["paid_on"]
    search_fields = ["reference", "exchange__visitor_organisation__legal_name"]
    list_select_related = [
        "exchange__visitor_organisation",
        "exchange__host_organisation",
        "recorded_by",
    ]
    date_hierarchy = "paid_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
