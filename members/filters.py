import hashlib

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clamtex.core.versions import new_version, version

from .forms import BootstrapMixin
from .models import Membership, Organisation, Sector, sme_q


class SharedChoiceField(django_filters.fields.ChoiceField):
    """A choice field whose copies share its (value, label) pairs. Every form copies its
    fields, and Django deep-copies the choices with them: for the ~1,400 options of the
    directory's filters (countries, a landscape's clusters) that was a third of the
    filter form's time on every request. Nobody changes the pairs of a copy; they are
    replaced, never edited in place."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)  # widget, validators and messages
        result._choices = self._choices
        return result


class SharedChoiceFilter(django_filters.ChoiceFilter):
    field_class = SharedChoiceField


class FastSelect(forms.Select):
    """The HTML of Django's Select, built in Python: Django renders every <option>
    through a template include, which costs about a second per page for the ~1,400
    options (countries, and the clusters of a landscape-sized partnership)."""

    # A cache key for the <option> list (set by DirectoryFilter): the options are built once
    # per key and reused; only the selected value is marked per request.
    options_key: str | None = None
    options_html: str | None = None  # already read from the cache (get_many)

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = self.options_html
        if options is None and self.options_key:
            options = cache.get(self.options_key)
        if options is None:
            options = self._options()
            if self.options_key:
                cache.set(self.options_key, options, FILTER_FORM_TTL)
        for key in selected:
            marker = f'<option value="{escape(key)}">'
            options = options.replace(marker, f'<option value="{escape(key)}" selected>', 1)
        start = format_html(
            '<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs))
        )
        return mark_safe(f"{start}\n{options}\n</select>")  # noqa: S308 (escaped)

    def _options(self) -> str:
        parts = []

        def options(choices):
            for option_value, label in choices:
                if isinstance(label, list | tuple):
                    parts.append(f'<optgroup label="{escape(str(option_value))}">')
                    options(label)
                    parts.append("</optgroup>")
                    continue
                key = "" if option_value is None else str(option_value)
                parts.append(f'<option value="{escape(key)}">{escape(str(label))}</option>')

        options(self.choices)
        return "\n".join(parts)


# The directory's filter form: the options of its select boxes (about 1,400 for a
# coordinator of 1,100 clusters) and a user's cluster choices are cached per language and
# per scope; a save or delete of a cluster or a sector starts a new version (signals).
FILTER_FORM_TTL = 3600
FILTER_FORM_VERSION_KEY = "members:filter-form:version"


def filter_form_invalidate() -> None:
    new_version(FILTER_FORM_VERSION_KEY)


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
    country = SharedChoiceFilter(
        choices=lambda: list(countries),
        label=_("Country"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    org_type = SharedChoiceFilter(
        choices=Organisation.Type.choices, label=_("Type"), empty_label=_("Any"), widget=FastSelect
    )
    sector = SharedChoiceFilter(
        choices=lambda: sector_choices(),
        method="by_sector",
        label=_("Sector"),
        empty_label=_("Any"),
        widget=FastSelect,
    )
    cluster = SharedChoiceFilter(
        method="by_cluster", label=_("Cluster"), choices=[], widget=FastSelect
    )
    membership_status = SharedChoiceFilter(
        choices=Membership.Status.choices,
        method="by_membership_status",
        label=_("Membership"),
        widget=FastSelect,
    )
    sme = SharedChoiceFilter(
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

    def search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(legal_name__icontains=value)
            | Q(city__icontains=value)
            | Q(vat_number__icontains=value)
            | Q(capabilities__icontains=value)
        )

    def by_sector(self, queryset, name, value: str):
        return queryset.filter(
            id__in=Organisation.sectors.through.objects.filter(sector_id=value).values(
                "organisation_id"
            )
        )

    def by_cluster(self, queryset, name, value: str):
        return queryset.filter(
            id__in=Membership.objects.filter(cluster_id=value).values("organisation_id")
        )

    def by_membership_status(self, queryset, name, value: str):
        return queryset.filter(
            id__in=Membership.objects.filter(status=value).values("organisation_id")
        )

    def by_sme(self, queryset, name, value: str):
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


def _scope_key(scope) -> str:
    """What decides the cluster choices of a user: being an administrator, or the clusters
    managed and the partnerships coordinated. Users with the same scope share an entry;
    anyone else (another cluster's manager) has another key."""
    if scope.is_admin:
        return "admin"
    ids = "m{}:p{}".format(
        ",".join(map(str, sorted(scope.managed_cluster_ids))),
        ",".join(map(str, sorted(scope.partnership_ids))),
    )
    return hashlib.sha256(ids.encode()).hexdigest()[:32]


def directory_filterset(user, data) -> DirectoryFilter:
    """The directory's filters for this user (the page, its exports and export runs)."""
    from .models import Cluster
    from .roles import scope_of
    from .selectors import organisations_visible_to

    scope = scope_of(user)
    prefix = f"members:filter-form:{version(FILTER_FORM_VERSION_KEY)}:{get_language()}"
    scope_prefix = f"{prefix}:{_scope_key(scope)}"
    option_keys = {
        name: f"{scope_prefix}:options:{name}" if name == "cluster" else f"{prefix}:options:{name}"
        for name, f in DirectoryFilter.base_filters.items()
        if f.extra.get("widget") is FastSelect
    }
    clusters_key = f"{scope_prefix}:clusters"
    cached = cache.get_many([clusters_key, *option_keys.values()])  # one round trip
    clusters = cached.get(clusters_key)
    if clusters is None:
        qs = Cluster.objects.all()
        if not scope.is_admin:
            # The clusters whose members the user sees (all of them visible by definition).
            qs = qs.filter(
                Q(id__in=scope.managed_cluster_ids) | Q(partnership_id__in=scope.partnership_ids)
            )
        clusters = list(qs.order_by("acronym").values_list("pk", "acronym"))
        cache.set(clusters_key, clusters, FILTER_FORM_TTL)
    filterset = DirectoryFilter(
        data or None, queryset=organisations_visible_to(user), clusters=clusters
    )
    for name, key in option_keys.items():
        widget = filterset.form.fields[name].widget
        widget.options_key = key
        widget.options_html = cached.get(key)
    return filterset
