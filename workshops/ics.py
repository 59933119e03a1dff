"""iCalendar files built with the icalendar library, with VTIMEZONE components."""

from collections.abc import Iterable
from datetime import UTC, datetime

import icalendar
from django.conf import settings
from django.urls import reverse

from .models import Event


def _vevent(event: Event) -> icalendar.Event:
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
    if event.online_url:
        where = f"{where} / {event.online_url}" if where else event.online_url
    if where:
        item.add("location", where)
    if event.status == Event.Status.CANCELLED:
        item.add("status", "CANCELLED")
    else:
        item.add("status", "CONFIRMED")
    return item


def calendar_bytes(events: Iterable[Event], *, name: str = "CLAMTEX") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//CLAMTEX Portal//clamtex-portal//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_vevent(event))
    cal.add_missing_timezones()
    return cal.to_ical()
