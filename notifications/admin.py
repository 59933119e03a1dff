from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clamtex.core.admin import export_as_csv

from . import services
from .models import Email, Unsubscription


@admin.action(description=_("Send again (failed or cancelled emails)"))
def resend(modeladmin, request, queryset):
    count = sum(services.email_resend(email=email) for email in queryset)
    modeladmin.message_user(
        request, ngettext("%d email queued again.", "%d emails queued again.", count) % count
    )


@admin.action(description=_("Cancel (pending emails)"))
def cancel(modeladmin, request, queryset):
    count = sum(services.email_cancel(email=email) for email in queryset)
    modeladmin.message_user(
        request,
        ngettext("%d email cancelled.", "%d emails cancelled.", count) % count,
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["recipient", "occasion_key", "user__email"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Email._meta.concrete_fields] + ["about"]
    actions = [resend, cancel, export_as_csv]
    list_select_related = ["user"]

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Unsubscription)
class UnsubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "category", "created_at"]
    list_filter = ["category"]
    search_fields = ["email"]
    actions = [export_as_csv]
