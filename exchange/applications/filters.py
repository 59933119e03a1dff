"""Filters of the review queue and of the catalogue. The querysets they filter are already
scoped to the user by the selectors."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from clamtex.core.versions import cached_per_query, new_version
from members.forms import BootstrapMixin
from members.models import Sector

from ..models import ActivityType, Application, Call


class FilterForm(BootstrapMixin, forms.Form):
    pass


def _json_has(field: str, value: str) -> Q:
    """A JSON list holds this string: a portable test (SQLite has no JSON `contains` for
    lists). Values come from fixed choices, so the quoted match is exact."""
    return Q(**{f"{field}__icontains": f'"{value}"'})


# The review queue's country choices: a DISTINCT over every application in the user's
# scope and its organisation (≈ 0.1 s at 20,000 applications), cached per scope — the key
# is the scoped query itself, so users who see different applications never share an
# entry — and renewed by any save or delete of an application or an organisation.
COUNTRIES_VERSION_KEY = "exchange:review-countries:version"
COUNTRIES_TTL = 3600


def applicant_countries_invalidate(**kwargs) -> None:
    new_version(COUNTRIES_VERSION_KEY)


def applicant_countries(visible) -> list[str]:
    return cached_per_query(
        "exchange:review-countries",
        COUNTRIES_VERSION_KEY,
        visible,
        lambda: sorted(
            set(
                visible.exclude(organisation__isnull=True)
                .order_by()  # DISTINCT over the countries only, not the sort columns
                .values_list("organisation__country", flat=True)
                .distinct()
            )
        ),
        COUNTRIES_TTL,
    )


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=[c for c in Application.Status.choices if c[0] != Application.Status.DRAFT],
        label=_("Status"),
    )
    role = django_filters.ChoiceFilter(choices=Application.Role.choices, label=_("Role"))
    call = django_filters.ChoiceFilter(choices=[], label=_("Call"))
    country = django_filters.ChoiceFilter(
        field_name="organisation__country", choices=[], label=_("Country")
    )
    # Newest submission first unless the reviewer chooses another order.
    sort = django_filters.OrderingFilter(
        fields=(("submitted_at", "submitted"), ("organisation__legal_name", "organisation")),
        field_labels={
            "submitted_at": _("Submitted"),
            "organisation__legal_name": _("Organisation"),
        },
        choices=[
            ("-submitted", _("Newest first")),
            ("submitted", _("Oldest first")),
            ("organisation", _("Organisation (A–Z)")),
        ],
        label=pgettext_lazy("order of a list", "Sort"),
        empty_label=None,
    )

    class Meta:
        model = Application
        fields: list[str] = []
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from what the user can see, so nothing hidden is revealed.
        visible = self.queryset
        self.filters["call"].extra["choices"] = [
            (str(pk), name)
            for pk, name in Call.objects.filter(pk__in=visible.values("call_id"))
            .order_by("-opens_on")
            .values_list("pk", "name")
        ]
        self.filters["country"].extra["choices"] = sorted(
            ((code, countries.name(code)) for code in applicant_countries(visible) if code),
            key=lambda c: c[1],
        )

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation__legal_name__icontains=value)
            | Q(applicant__email__icontains=value)
            | Q(applicant__full_name__icontains=value)
            | Q(objectives__icontains=value)
        )


class CatalogueFilter(django_filters.FilterSet):
    """Searching only ever matches what a participant agreed to show: a hidden country or
    sector cannot be found out by filtering on it."""

    role = django_filters.ChoiceFilter(
        choices=[("visitor", _("Visitors")), ("host", _("Hosts"))],
        method="by_role",
        label=_("Looking for"),
    )
    country = django_filters.ChoiceFilter(
        choices=lambda: list(countries), method="by_country", label=_("Country")
    )
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.order_by("code"), method="by_sector", label=_("Sector")
    )
    activity = django_filters.ChoiceFilter(
        choices=ActivityType.choices, method="by_activity", label=_("Activity type")
    )
    q = django_filters.CharFilter(method="by_objectives", label=_("Objectives"))
    available_on = django_filters.DateFilter(
        method="by_availability",
        label=_("Available on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Application
        fields: list[str] = []
        form = FilterForm

    def by_role(self, queryset, name, value: str):
        if value == "visitor":
            return queryset.filter(role__in=[Application.Role.VISITOR, Application.Role.BOTH])
        return queryset.filter(role__in=[Application.Role.HOST, Application.Role.BOTH])

    def by_country(self, queryset, name, value: str):
        return queryset.filter(
            _json_has("catalogue_fields", "country"), organisation__country=value
        )

    def by_sector(self, queryset, name, value: str):
        return queryset.filter(
            _json_has("catalogue_fields", "sectors"),
            id__in=Application.sectors.through.objects.filter(sector=value).values(
                "application_id"
            ),
        )

    def by_activity(self, queryset, name, value: str):
        return queryset.filter(_json_has("activity_types", value))

    def by_objectives(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            _json_has("catalogue_fields", "objectives"), objectives__icontains=value
        )

    def by_availability(self, queryset, name, value: datetime.date):
        return queryset.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=value),
            Q(available_until__isnull=True) | Q(available_until__gte=value),
        )
