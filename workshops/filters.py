"""Filters of the event list and of an event's participants. The querysets they filter are
already scoped to the user by the selectors."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clamtex.core.versions import cached_per_query, new_version
from members.filters import FastSelect
from members.forms import BootstrapMixin
from members.models import Cluster

from .models import Event, Registration


class FilterForm(BootstrapMixin, forms.Form):
    pass


WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All dates"))]


# The organisers and countries of the events a user can see: two DISTINCT queries over
# every visible event (a thousand organisers in a landscape-sized partnership), cached per
# scope and renewed by any change of an event, its organisers or a cluster (apps.py).
CHOICES_VERSION_KEY = "workshops:filter-choices:version"


def event_filter_choices_invalidate(**kwargs) -> None:
    new_version(CHOICES_VERSION_KEY)


def event_filter_choices(visible) -> tuple[list[tuple[str, str]], set[str]]:
    def compute():
        organisers = [
            (str(pk), acronym)
            for pk, acronym in Cluster.objects.filter(
                id__in=Event.organisers.through.objects.filter(
                    event_id__in=visible.values("id")
                ).values("cluster_id")
            )
            .order_by("acronym")
            .values_list("pk", "acronym")
        ]
        codes = set(
            visible.exclude(country="").order_by().values_list("country", flat=True).distinct()
        )
        return organisers, codes

    return cached_per_query("workshops:filter-choices", CHOICES_VERSION_KEY, visible, compute)


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    when = django_filters.ChoiceFilter(
        choices=WHEN_CHOICES,
        method="by_when",
        label=_("When"),
        empty_label=None,
        widget=FastSelect,
    )
    kind = django_filters.ChoiceFilter(
        choices=Event.Kind.choices, label=_("Kind"), widget=FastSelect
    )
    axis = django_filters.ChoiceFilter(
        choices=Event.Axis.choices, label=_("Programme axis"), widget=FastSelect
    )
    # FastSelect: the organisers of a landscape-sized partnership are a thousand options.
    organiser = django_filters.ChoiceFilter(
        method="by_organiser", label=_("Organiser"), choices=[], widget=FastSelect
    )
    country = django_filters.ChoiceFilter(label=_("Country"), choices=[], widget=FastSelect)
    mode = django_filters.ChoiceFilter(
        choices=[("in_person", _("In person")), ("online", _("Online"))],
        method="by_mode",
        label=_("Attendance"),
        widget=FastSelect,
    )

    class Meta:
        model = Event
        fields: list[str] = []
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from the events the user can see, so nobody learns of the
        # organisers or countries of events hidden from them.
        organisers, codes = event_filter_choices(self.queryset)
        self.filters["organiser"].extra["choices"] = organisers
        self.filters["country"].extra["choices"] = [
            (code, name) for code, name in countries if code in codes
        ]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("when"):
            queryset = self.by_when(queryset, "when", "upcoming")
        return queryset

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(summary__icontains=value) | Q(city__icontains=value)
        )

    def by_when(self, queryset, name, value: str):
        now = timezone.now()
        if value == "past":
            return queryset.filter(end__lt=now).order_by("-start", "pk")
        if value == "all":
            return queryset.order_by("-start", "pk")
        return queryset.filter(end__gte=now).order_by("start", "pk")

    def by_organiser(self, queryset, name, value: str):
        return queryset.filter(
            id__in=Event.organisers.through.objects.filter(cluster_id=value).values("event_id")
        )

    def by_mode(self, queryset, name, value: str):
        if value == "online":
            return queryset.filter(Q(capacity_online__gt=0) | ~Q(online_url=""))
        return queryset.filter(Q(capacity_in_person__gt=0) | ~Q(venue_name=""))


class ParticipantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name, email or organisation"))
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices, label=_("Status"))
    mode = django_filters.ChoiceFilter(choices=Registration.Mode.choices, label=_("Attendance"))

    class Meta:
        model = Registration
        fields: list[str] = []
        form = FilterForm

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(full_name__icontains=value)
            | Q(email__icontains=value)
            | Q(organisation__legal_name__icontains=value)
        )
