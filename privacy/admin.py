from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Consent, DataExport, PrivacyNotice


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """A published version is never edited (consents point at it): publish a new one."""

    list_display = ["version", "published_at", "summary_of_changes", "register_link"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.consents.exists():
            return [f.name for f in obj._meta.fields]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.consents.exists()

    @admin.display(description=_("processing register"))
    def register_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("privacy:register"), _("open"))


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["given_at", "purpose", "notice", "user", "email", "object_id"]
    list_filter = ["purpose", "notice"]
    search_fields = ["email", "user__email", "object_id"]
    list_select_related = ["notice", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "status", "size", "expires_at"]
    list_filter = ["status"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
