from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .exports import csv_response


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
    return csv_response(f"{name}.csv", header, rows())


class ExportMixin:
    actions = [export_as_csv]
