"""`{% event_when event %}`: an event's dates on its own clock, with the zone's name.

The same HTML as the template it replaced (workshops/_when.html, kept as an include),
built in Python: the template's {% timezone %} block and six date filters cost about half
a millisecond per event, which made a calendar month of 500 events take 0.3 s."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def event_when(event) -> str:
    tz = event.tz
    start = timezone.localtime(event.start, tz)
    end = timezone.localtime(event.end, tz)
    if start.date() == end.date():
        dates = "{}, {}–{}".format(
            date_format(start, "l j F Y"), time_format(start, "H:i"), time_format(end, "H:i")
        )
    else:
        dates = "{} – {}".format(date_format(start, "j F Y, H:i"), date_format(end, "j F Y, H:i"))
    return mark_safe(  # noqa: S308 (every part is escaped)
        '<time datetime="{}">{}</time> <span class="text-muted small">{} ({})</span>'.format(
            escape(date_format(start, "c")),
            escape(dates),
            escape(date_format(start, "T")),
            escape(event.timezone),
        )
    )
