"""The pages' own filter sets, for the API's lists: same fields, same validation, applied
to querysets the selectors have already scoped. Sorting is left out (a cursor fixes the
order), and the event list shows every date unless `when` is given."""

import copy

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from exchange.applications.filters import ApplicationFilter, CatalogueFilter
from members.filters import DirectoryFilter
from workshops.filters import EventFilter, ParticipantFilter


class PageFilters(DjangoFilterBackend):
    """Filters lists only (never a detail or an action); a view may add keyword arguments
    for its filter set with `filterset_kwargs()`. Invalid values answer 400."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        extra = getattr(view, "filterset_kwargs", None)
        if extra is not None:
            kwargs.update(extra())
        return kwargs


MAX_ID = 2**31 - 1


class UnknownChoiceIsNoMatch:
    """For filters whose choices are what the caller can see (clusters, calls, countries
    of their rows, sectors): another value is a search that matches nothing (an empty
    list), not an error, since nobody can know those choices in advance. The schema
    declares them as plain strings."""

    open_choices: tuple[str, ...] = ()

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # A form field cached before this request's choices were set would keep the old
        # ones (see _own_filters): let each field be built from its own choices.
        for filter_ in self.filters.values():
            filter_.__dict__.pop("_field", None)
        self.no_match = False
        if not self.data:
            return
        data = self.data.copy()
        for name in self.open_choices:
            value = data.get(name)
            if value in (None, ""):
                continue
            if not self._known(self.filters[name], value):
                data.pop(name)
                self.no_match = True
        self.data = data

    @staticmethod
    def _known(filter_, value: str) -> bool:
        if isinstance(filter_, django_filters.ModelChoiceFilter):
            if not value.isdigit() or int(value) > MAX_ID:
                return False
            return filter_.queryset.filter(pk=value).exists()
        choices = filter_.extra.get("choices") or []
        if callable(choices):
            choices = choices()
        return value in {str(key) for key, _label in choices}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.none() if self.no_match else queryset


def _own_filters(cls):
    """The API's own copies of the filters: the schema generator builds (and caches) their
    form fields on the class, and the pages' filter sets share the same filter objects."""
    cls.base_filters = copy.deepcopy(cls.base_filters)
    return cls


@_own_filters
class OrganisationFilter(UnknownChoiceIsNoMatch, DirectoryFilter):
    open_choices = ("country", "sector", "cluster")
    sort = None


@_own_filters
class ApiEventFilter(UnknownChoiceIsNoMatch, EventFilter):
    open_choices = ("organiser", "country")

    def filter_queryset(self, queryset):
        # The page shows upcoming events by default; an API client syncing a calendar
        # wants every date unless it asks (`when=upcoming`, `past`, `all`).
        queryset = super(EventFilter, self).filter_queryset(queryset)
        return queryset.none() if self.no_match else queryset


@_own_filters
class ApiApplicationFilter(UnknownChoiceIsNoMatch, ApplicationFilter):
    open_choices = ("call", "country")
    sort = None


@_own_filters
class ApiCatalogueFilter(UnknownChoiceIsNoMatch, CatalogueFilter):
    open_choices = ("country", "sector")


__all__ = [
    "ApiApplicationFilter",
    "ApiEventFilter",
    "ApiCatalogueFilter",
    "OrganisationFilter",
    "PageFilters",
    "ParticipantFilter",
]
