"""Administration of the impact follow-up surveys (registered through exchange/admin.py)."""

from django.contrib import admin

from clamtex.core.admin import ExportMixin

from ..models import ImpactSurvey


@admin.register(ImpactSurvey)
class ImpactSurveyAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["email", "respondent", "months", "due_on", "status", "answered_at"]
    list_filter = ["status", "respondent", "months"]
    search_fields = ["email", "name"]
    raw_id_fields = ["exchange", "registration"]

    def has_change_permission(self, request, obj=None):
        return False  # answers are the respondents' own
