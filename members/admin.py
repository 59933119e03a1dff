from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from clamtex.core.admin import ExportMixin

from .models import (
    Cluster,
    ClusterManager,
    Contact,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipCoordinator,
    Representative,
    Sector,
    User,
)


class ClusterManagerInline(admin.TabularInline):
    model = ClusterManager
    extra = 0
    autocomplete_fields = ["cluster"]


class CoordinatorInline(admin.TabularInline):
    model = PartnershipCoordinator
    extra = 0


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    autocomplete_fields = ["organisation", "user"]


@admin.register(User)
class UserAdmin(ExportMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "language",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal"), {"fields": ["full_name", "language", "phone"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [CoordinatorInline, ClusterManagerInline]


@admin.register(Sector)
class SectorAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class ClusterInline(admin.TabularInline):
    model = Cluster
    extra = 0
    fields = ["acronym", "name", "country", "is_coordinator"]
    show_change_link = True


@admin.register(Partnership)
class PartnershipAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["acronym", "name", "programme", "start_date", "end_date"]
    search_fields = ["acronym", "name"]
    inlines = [ClusterInline, CoordinatorInline]


@admin.register(Cluster)
class ClusterAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "acronym",
        "name",
        "country",
        "nuts2_region",
        "partnership",
        "label",
        "label_valid_until",
        "is_coordinator",
    ]
    list_filter = ["partnership", "country", "label"]
    search_fields = ["acronym", "name", "city", "keywords"]
    autocomplete_fields = ["sectors"]
    inlines = [ClusterManagerInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["cluster"]


class ContactInline(admin.StackedInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["legal_name", "org_type", "country_name", "city", "employees", "vat_number"]
    list_filter = ["org_type", "country", "memberships__cluster", "memberships__status"]
    # One count (not a second one of the whole table) on every changelist page.
    show_full_result_count = False

    @admin.display(description=_("country of registration"), ordering="country")
    def country_name(self, obj):
        # A "country" column looks the value up in the field's choices, which
        # django-countries rebuilds (250 translated names, sorted) for every row.
        return obj.country.name

    search_fields = ["legal_name", "vat_number", "city"]
    autocomplete_fields = ["sectors"]
    inlines = [MembershipInline, ContactInline, RepresentativeInline]


@admin.register(Membership)
class MembershipAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["organisation", "cluster", "status", "start_date", "end_date"]
    list_filter = ["cluster", "status"]
    search_fields = ["organisation__legal_name", "cluster__acronym"]
    autocomplete_fields = ["organisation", "cluster"]
    list_select_related = ["organisation", "cluster"]


@admin.register(Contact)
class ContactAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["full_name", "email", "organisation", "language", "consent_given"]
    list_filter = ["language", "consent_given"]
    search_fields = ["full_name", "email", "organisation__legal_name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(ClusterManager)
class ClusterManagerAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["user", "cluster"]
    list_filter = ["cluster"]
    search_fields = ["user__email", "cluster__acronym"]
    autocomplete_fields = ["user", "cluster"]
    list_select_related = ["user", "cluster"]


@admin.register(PartnershipCoordinator)
class PartnershipCoordinatorAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["user", "partnership"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user", "partnership"]


@admin.register(Representative)
class RepresentativeAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["user", "organisation"]
    search_fields = ["user__email", "organisation__legal_name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "cluster",
        "status",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["status", "cluster"]
    search_fields = ["email", "organisation__legal_name"]
    autocomplete_fields = ["organisation", "cluster"]
    readonly_fields = ["token", "accepted_by", "accepted_at"]
    list_select_related = ["organisation", "cluster"]
