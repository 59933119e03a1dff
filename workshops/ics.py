"""iCalendar files built with the icalendar library, with VTIMEZONE components."""

from collections.abc import Iterable
from datetime import UTC, datetime

import icalendar
from django.conf import settings
from django.urls import reverse

from .models import Event


def _vevent(event: Event, *, with_online_link: bool = False) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", f"event-{event.pk}@clamtex-portal")
    item.add("dtstamp", datetime.now(UTC))
    item.add("dtstart", event.local_start)
    item.add("dtend", event.local_end)
    item.add("summary", event.title)
    url = settings.SITE_URL + reverse("workshops:event_detail", args=[event.pk])
    description = "\n\n".join(part for part in (event.summary, event.description, url) if part)
    item.add("description", description)
    item.add("url", url)
    where = ", ".join(p for p in (event.venue_name, event.venue_address, event.city) if p)
    # The meeting link is for people registered online only (the event page hides it
    # from everyone else): public .ics files never carry it.
    if event.online_url and with_online_link:
        where = f"{where} / {event.online_url}" if where else event.online_url
    if where:
        item.add("location", where)
    if event.status == Event.Status.CANCELLED:
        item.add("status", "CANCELLED")
    else:
        item.add("status", "CONFIRMED")
    return item


def calendar_bytes(
    events: Iterable[Event], *, name: str = "CLAMTEX", online_event_ids: Iterable[int] = ()
) -> bytes:
    """`online_event_ids`: events whose online link this calendar's reader may see
    (their registration is online)."""
    online_event_ids = set(online_event_ids)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//CLAMTEX Portal//clamtex-portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_vevent(event, with_online_link=event.pk in online_event_ids))
    cal.add_missing_timezones()
    return cal.to_ical()
