"""A paginator that never counts more than a limit of rows."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most ``limit`` rows (``SELECT COUNT(*) FROM (… LIMIT limit + 1)``): past
    the limit the page says "more than …" and the pages stop there, so no request counts
    or skips (OFFSET) 100,000 rows; the person narrows the search or the filters instead."""

    def __init__(self, object_list, per_page, *, limit: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = limit

    @cached_property
    def _capped_count(self) -> int:
        return self.object_list.order_by()[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.limit)

    @property
    def is_capped(self) -> bool:
        return self._capped_count > self.limit
