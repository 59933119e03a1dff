from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clamtex.core.admin import ExportMixin

from .models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    EligibleCountry,
    Exchange,
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


# --- Part 2: from match to payment -------------------------------------------------------
# Facts recorded by the lifecycle services (transitions, signatures, evidence, payments)
# are read-only here: changing them by hand would break the history and the hashes.

from .models import (  # noqa: E402
    ClosingReport,
    Evidence,
    ExchangeDocument,
    ExchangePlan,
    ExchangeTransition,
    HostConfirmation,
    Payment,
    Signature,
)


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


# --- Parties of other partnerships, impact follow-up (issue 12) ------------------------------

from .models import ExternalParty, ImpactSurvey  # noqa: E402


@admin.register(ExternalParty)
class ExternalPartyAdmin(admin.ModelAdmin):
    """Contacts may be corrected; the link (token hash, expiry, revocation) and the one-time
    code are managed by the services (revoke / send a new link on the exchange page)."""

    list_display = ["name", "role", "partnership_name", "exchange", "link_expires_at", "revoked_at"]
    list_filter = ["role", "country"]
    search_fields = ["name", "partnership_name", "contact_name", "contact_email"]
    raw_id_fields = ["exchange", "invited_by"]
    exclude = ["token_hash", "code_hash"]
    readonly_fields = [
        "link_expires_at",
        "revoked_at",
        "invited_at",
        "last_seen_at",
        "code_sent_at",
        "code_expires_at",
        "code_attempts",
        "codes_sent",
    ]


@admin.register(ImpactSurvey)
class ImpactSurveyAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["email", "respondent", "months", "due_on", "status", "answered_at"]
    list_filter = ["status", "respondent", "months"]
    search_fields = ["email", "name"]
    raw_id_fields = ["exchange", "registration"]

    def has_change_permission(self, request, obj=None):
        return False  # answers are the respondents' own
