"""The shape of a dashboard's work queues, shared by the apps' selectors: a queue is a
titled list of the first few items (each a link to where the work is done) and the total.

`take` reads the first items and the total in one query (a window count), so that a
dashboard of ten queues costs ten queries whatever the amount of data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet, Window
from django.db.models.functions import RowNumber

LIMIT = 5


@dataclass
class WorkItem:
    label: str
    url: str
    note: str = ""
    when: date | datetime | None = None
    urgent: bool = False


@dataclass
class WorkQueue:
    key: str
    title: str
    total: int = 0
    items: list[WorkItem] = field(default_factory=list)
    url: str = ""  # the full list, when there is one

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


def take(qs: QuerySet, limit: int = LIMIT) -> tuple[list, int]:
    """The first `limit` rows of an ordered queryset and the number of all its rows."""
    rows = list(qs.annotate(worklist_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].worklist_total if rows else 0)


def queue(key: str, title: str, qs: QuerySet, item, *, url: str = "", limit: int = LIMIT):
    """A WorkQueue from an ordered queryset and a function turning a row into a WorkItem."""
    rows, total = take(qs, limit)
    return WorkQueue(key=key, title=title, total=total, items=[item(r) for r in rows], url=url)


def take_groups(qs: QuerySet, group, order_by, limit: int = LIMIT) -> dict:
    """Several queues from one query: `group` is an expression naming each row's queue;
    each group gets its first `limit` rows (in `order_by` order) and its total.
    Returns {group: (rows, total)}; an empty group is absent."""
    qs = (
        qs.annotate(worklist_group=group)
        .exclude(worklist_group=None)
        .annotate(
            worklist_rank=Window(RowNumber(), partition_by=group, order_by=order_by),
            worklist_total=Window(Count("pk"), partition_by=group),
        )
        .filter(worklist_rank__lte=limit)
        .order_by("worklist_group", "worklist_rank")
    )
    groups: dict = {}
    for row in qs:
        rows, _total = groups.setdefault(row.worklist_group, ([], row.worklist_total))
        rows.append(row)
    return groups


def queues_from_groups(groups: dict, specs) -> list[WorkQueue]:
    """WorkQueues from take_groups' result, in the order of `specs`:
    (group, key, title, item function, url)."""
    result = []
    for group, key, title, item, url in specs:
        rows, total = groups.get(group, ([], 0))
        result.append(
            WorkQueue(key=key, title=title, total=total, items=[item(r) for r in rows], url=url)
        )
    return result
