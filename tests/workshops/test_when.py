"""`{% event_when %}` (Python) gives exactly the HTML of the template it replaced."""

from datetime import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from workshops.models import Event

OLD = (
    "{% load i18n tz %}{% timezone event.timezone %}"
    "<time datetime=\"{{ event.start|date:'c' }}\">"
    '{% if event.start|date:"Ymd" == event.end|date:"Ymd" %}'
    '{{ event.start|date:"l j F Y" }}, {{ event.start|time:"H:i" }}–{{ event.end|time:"H:i" }}'
    '{% else %}{{ event.start|date:"j F Y, H:i" }} – {{ event.end|date:"j F Y, H:i" }}{% endif %}'
    '</time> <span class="text-muted small">{{ event.start|date:"T" }} ({{ event.timezone }})'
    "</span>{% endtimezone %}"
)
NEW = "{% load workshops_tags %}{% event_when event %}"

UTC = datetime.fromisoformat


@pytest.mark.parametrize("language", ["en", "es", "fr", "ca", "pt"])
@pytest.mark.parametrize(
    ("tz", "start", "end"),
    [
        ("Europe/Madrid", "2030-05-01T08:00:00+00:00", "2030-05-01T10:30:00+00:00"),
        ("Europe/Lisbon", "2030-01-31T23:30:00+00:00", "2030-02-01T01:00:00+00:00"),
        ("America/New_York", "2030-03-10T05:00:00+00:00", "2030-03-12T20:00:00+00:00"),
        ("Europe/Paris", "2030-10-27T00:30:00+00:00", "2030-10-27T02:30:00+00:00"),
    ],
)
def test_event_when_is_the_template_it_replaced(language, tz, start, end):
    event = Event(title="x", timezone=tz, start=UTC(start), end=UTC(end))
    with translation.override(language):
        old = Template(OLD).render(Context({"event": event}))
        new = Template(NEW).render(Context({"event": event}))
    assert new == old
    assert "<time datetime=" in new
