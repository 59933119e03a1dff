import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .forms import BootstrapMixin
from .models import Membership, Organisation, Sector, sme_q


class DirectoryFilterForm(BootstrapMixin, forms.Form):
    pass


class DirectoryFilter(django_filters.FilterSet):
    """Search, filters and sorting of the member directory. The queryset it filters is
    already scoped to the user by the selector."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.ChoiceFilter(
        choices=lambda: list(countries), label=_("Country"), empty_label=_("Any")
    )
    org_type = django_filters.ChoiceFilter(
        choices=Organisation.Type.choices, label=_("Type"), empty_label=_("Any")
    )
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.order_by("code"), method="by_sector", label=_("Sector")
    )
    cluster = django_filters.ChoiceFilter(method="by_cluster", label=_("Cluster"), choices=[])
    membership_status = django_filters.ChoiceFilter(
        choices=Membership.Status.choices, method="by_membership_status", label=_("Membership")
    )
    sme = django_filters.ChoiceFilter(
        choices=[("yes", _("SME")), ("no", _("Not an SME")), ("unknown", _("Unknown"))],
        method="by_sme",
        label=_("EU SME definition"),
    )
    sort = django_filters.OrderingFilter(
        fields=[
            ("legal_name", "name"),
            ("country", "country"),
            ("employees", "employees"),
            ("created_at", "created"),
        ],
        field_labels={
            "legal_name": _("Name"),
            "country": _("Country"),
            "employees": _("Employees"),
            "created_at": _("Date added"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Organisation
        fields: list[str] = []
        form = DirectoryFilterForm

    def __init__(self, *args, clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["cluster"].extra["choices"] = [(str(c.pk), c.acronym) for c in clusters or []]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(legal_name__icontains=value)
            | Q(city__icontains=value)
            | Q(vat_number__icontains=value)
            | Q(capabilities__icontains=value)
        )

    def by_sector(self, queryset, name, value):
        return queryset.filter(
            id__in=Organisation.sectors.through.objects.filter(sector=value).values(
                "organisation_id"
            )
        )

    def by_cluster(self, queryset, name, value):
        return queryset.filter(
            id__in=Membership.objects.filter(cluster_id=value).values("organisation_id")
        )

    def by_membership_status(self, queryset, name, value):
        return queryset.filter(
            id__in=Membership.objects.filter(status=value).values("organisation_id")
        )

    def by_sme(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(sme_q())
        if value == "no":
            return queryset.filter(
                Q(employees__gte=250)
                | (
                    Q(employees__lt=250)
                    & ~sme_q()
                    & (Q(turnover_eur__isnull=False) | Q(balance_sheet_eur__isnull=False))
                )
            )
        return queryset.filter(
            Q(employees__isnull=True)
            | (
                Q(employees__lt=250)
                & Q(turnover_eur__isnull=True)
                & Q(balance_sheet_eur__isnull=True)
            )
        )
