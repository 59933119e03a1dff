import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .forms import BootstrapMixin
from .models import Membership, Organisation, Sector, sme_q


class FastSelect(forms.Select):
    """The HTML of Django's Select, built in Python: Django renders every <option>
    through a template include, which costs about a second per page for the ~1,400
    options (countries, and the clusters of a landscape-sized partnership)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        parts = [
            format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))
        ]

        def options(choices):
            for option_value, label in choices:
                if isinstance(label, list | tuple):
                    parts.append(f'<optgroup label="{escape(str(option_value))}">')
                    options(label)
                    parts.append("</optgroup>")
                    continue
                key = "" if option_value is None else str(option_value)
                mark = " selected" if key in selected else ""
                parts.append(f'<option value="{escape(key)}"{mark}>{escape(str(label))}</option>')

        options(self.choices)
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 (every value is escaped above)


SECTOR_CHOICES_KEY = "members:sector-choices"


def sector_choices() -> list[tuple[str, str]]:
    """The sector taxonomy for the filter, from the cache (it changes rarely; a save or
    delete of a sector clears it, see signals)."""
    choices = cache.get(SECTOR_CHOICES_KEY)
    if choices is None:
        choices = [(str(s.pk), str(s)) for s in Sector.objects.order_by("code")]
        cache.set(SECTOR_CHOICES_KEY, choices, 3600)
    return choices


class DirectoryFilterForm(BootstrapMixin, forms.Form):
    pass


class DirectoryFilter(django_filters.FilterSet):
    """Search, filters and sorting of the member directory. The queryset it filters is
    already scoped to the user by the selector."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.ChoiceFilter(
        choices=lambda: list(countries),
        label=_("Country"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    org_type = django_filters.ChoiceFilter(
        choices=Organisation.Type.choices, label=_("Type"), empty_label=_("Any"), widget=FastSelect
    )
    sector = django_filters.ChoiceFilter(
        choices=lambda: sector_choices(),
        method="by_sector",
        label=_("Sector"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    cluster = django_filters.ChoiceFilter(
        method="by_cluster", label=_("Cluster"), choices=[], widget=FastSelect
    )
    membership_status = django_filters.ChoiceFilter(
        choices=Membership.Status.choices,
        method="by_membership_status",
        label=_("Membership"),
        widget=FastSelect,
    )
    sme = django_filters.ChoiceFilter(
        choices=[("yes", _("SME")), ("no", _("Not an SME")), ("unknown", _("Unknown"))],
        method="by_sme",
        label=_("EU SME definition"),
        widget=FastSelect,
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
        widget=FastSelect,
    )

    class Meta:
        model = Organisation
        fields: list[str] = []
        form = DirectoryFilterForm

    def __init__(self, *args, clusters=None, **kwargs):
        """clusters: (pk, acronym) pairs for the cluster filter."""
        super().__init__(*args, **kwargs)
        self.filters["cluster"].extra["choices"] = [
            (str(pk), acronym) for pk, acronym in clusters or []
        ]

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
            id__in=Organisation.sectors.through.objects.filter(sector_id=value).values(
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


def directory_filterset(user, data) -> DirectoryFilter:
    """The directory's filters for this user (the page, its exports and export runs)."""
    from .models import Cluster
    from .roles import scope_of
    from .selectors import organisations_visible_to

    scope = scope_of(user)
    clusters = Cluster.objects.all()
    if not scope.is_admin:
        # The clusters whose members the user sees (all of them visible by definition).
        clusters = clusters.filter(
            Q(id__in=scope.managed_cluster_ids) | Q(partnership_id__in=scope.partnership_ids)
        )
    return DirectoryFilter(
        data or None,
        queryset=organisations_visible_to(user),
        clusters=list(clusters.order_by("acronym").values_list("pk", "acronym")),
    )
