from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clamtex.core.admin import ExportMixin

from . import services
from .models import (
    CalendarFeed,
    Event,
    Feedback,
    Question,
    Registration,
    RegistrationTransition,
    Session,
    Speaker,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["title", "start", "end", "speakers", "description"]
    autocomplete_fields = ["speakers"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "label", "kind", "choices", "required"]


@admin.register(Event)
class EventAdmin(ExportMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "axis",
        "start",
        "city",
        "audience",
        "status",
        "seats_in_person",
        "seats_online",
    ]
    list_filter = ["status", "kind", "axis", "audience", "organisers", "partnership"]
    search_fields = ["title", "summary", "city", "venue_name"]
    date_hierarchy = "start"
    autocomplete_fields = ["organisers", "partnership"]
    readonly_fields = ["taken_in_person", "taken_online", "created_by", "created_at"]
    inlines = [SessionInline, QuestionInline]
    fieldsets = [
        (None, {"fields": ["partnership", "organisers", "title", "kind", "axis", "status"]}),
        (_("Description"), {"fields": ["summary", "description", "language", "audience"]}),
        (_("When"), {"fields": ["start", "end", "timezone"]}),
        (
            _("Where"),
            {"fields": ["venue_name", "venue_address", "city", "country", "online_url"]},
        ),
        (
            _("Registration"),
            {
                "fields": [
                    "registration_opens",
                    "registration_closes",
                    ("capacity_in_person", "taken_in_person"),
                    ("capacity_online", "taken_online"),
                    "approval_required",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_by", "created_at"]}),
    ]

    @admin.display(description=_("in person (taken / seats)"))
    def seats_in_person(self, obj):
        return f"{obj.taken_in_person} / {obj.capacity_in_person}"

    @admin.display(description=_("online (taken / seats)"))
    def seats_online(self, obj):
        return f"{obj.taken_online} / {obj.capacity_online}"


class RegistrationTransitionInline(admin.TabularInline):
    """The history of a registration, read only: changes go through the services."""

    model = RegistrationTransition
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Cancel the selected registrations (frees their seats)"))
def cancel_registrations(modeladmin, request, queryset):
    done = 0
    for registration in queryset.select_related("event"):
        try:
            services.registration_cancel(
                registration=registration, by=request.user, note="cancelled in the admin"
            )
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(
                request,
                f"{registration}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                messages.ERROR,
            )
        else:
            done += 1
    modeladmin.message_user(
        request,
        ngettext("%(n)d registration cancelled.", "%(n)d registrations cancelled.", done)
        % {"n": done},
    )


def _mark(status):
    def action(modeladmin, request, queryset):
        done = 0
        for registration in queryset.select_related("event"):
            try:
                services.registration_mark(
                    registration=registration, status=status, by=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                modeladmin.message_user(
                    request,
                    f"{registration}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                    messages.ERROR,
                )
            else:
                done += 1
        modeladmin.message_user(
            request,
            ngettext("%(n)d registration updated.", "%(n)d registrations updated.", done)
            % {"n": done},
        )

    return action


mark_attended = admin.action(description=_("Mark the selected as attended"))(
    _mark(Registration.Status.ATTENDED)
)
mark_attended.__name__ = "mark_attended"
mark_no_show = admin.action(description=_("Mark the selected as no-show"))(
    _mark(Registration.Status.NO_SHOW)
)
mark_no_show.__name__ = "mark_no_show"


@admin.register(Registration)
class RegistrationAdmin(ExportMixin, admin.ModelAdmin):
    """Status, attendance and seats change only through the services (the actions
    below), so the seat counters and the history stay right."""

    list_display = ["full_name", "email", "event", "organisation", "mode", "status", "created_at"]
    list_filter = ["status", "mode", ("event", admin.RelatedOnlyFieldListFilter), "language"]
    search_fields = ["full_name", "email", "organisation__legal_name", "event__title"]
    list_select_related = ["event", "organisation"]
    autocomplete_fields = ["organisation", "user"]
    readonly_fields = [
        "event",
        "mode",
        "status",
        "token",
        "registered_by",
        "created_at",
        "updated_at",
    ]
    fields = [
        "event",
        "full_name",
        "email",
        "language",
        "organisation",
        "user",
        "mode",
        "status",
        "answers",
        "registered_by",
        "token",
        "created_at",
        "updated_at",
    ]
    inlines = [RegistrationTransitionInline]
    actions = [*ExportMixin.actions, cancel_registrations, mark_attended, mark_no_show]

    def has_add_permission(self, request):
        return False  # people register on the site (seats, waiting list, emails)


@admin.register(Speaker)
class SpeakerAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["name", "affiliation"]
    search_fields = ["name", "affiliation"]


@admin.register(Feedback)
class FeedbackAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["registration", "rating", "created_at"]
    list_filter = ["rating", ("registration__event", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["registration__full_name", "registration__email", "comments"]
    list_select_related = ["registration__event"]
    readonly_fields = ["registration", "created_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ExportMixin, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    readonly_fields = ["user", "token", "created_at"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False
