from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .exports import csv_response
from .models import AuditEvent


@admin.action(description=_("Export selected to CSV"))
def export_as_csv(modeladmin, request, queryset):
    """Admin action shared by every model: the list's columns, streamed as CSV."""
    fields = list(modeladmin.model._meta.concrete_fields)
    header = [str(f.verbose_name) for f in fields]

    def rows():
        for obj in queryset.iterator(chunk_size=2000):
            yield [
                str(getattr(obj, f.name) if not f.is_relation else getattr(obj, f.attname) or "")
                for f in fields
            ]

    name = modeladmin.model._meta.model_name
    audit_record(
        action=AuditEvent.Action.EXPORT,
        target_type=modeladmin.model._meta.label_lower,
        summary=f"admin {name}.csv",
    )
    return csv_response(f"{name}.csv", header, rows())


class ExportMixin:
    actions = [export_as_csv]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the trail by hand (the purge does, on beat)."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "summary", "ip"]
    list_filter = ["action", "target_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor__email", "target_type", "target_id", "summary"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
