"""The .ics files read back with icalendar, as a calendar application would."""

import zoneinfo
from datetime import datetime

import icalendar
import pytest

from workshops.ics import calendar_bytes
from workshops.models import Event

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _parse(events):
    return icalendar.Calendar.from_ical(calendar_bytes(events))


@pytest.fixture
def lisbon_event():
    tz = zoneinfo.ZoneInfo("Europe/Lisbon")
    return EventFactory(
        title="Digital product passport for textiles",
        start=datetime(2027, 3, 28, 9, 30, tzinfo=tz),  # the morning DST starts
        end=datetime(2027, 3, 28, 13, 0, tzinfo=tz),
        timezone="Europe/Lisbon",
        venue_name="CITEVE",
        city="Vila Nova de Famalicão",
        online_url="https://meet.example.org/dpp",
    )


def test_event_with_its_time_zone(lisbon_event):
    calendar = _parse([lisbon_event])
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Digital product passport for textiles"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Lisbon"
    assert vevent["DTEND"].params["TZID"] == "Europe/Lisbon"
    start = vevent.decoded("DTSTART")
    assert (start.hour, start.minute) == (9, 30)
    assert start == lisbon_event.start
    assert vevent.decoded("DTEND") == lisbon_event.end
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["UID"]) == f"event-{lisbon_event.pk}@clamtex-portal"
    assert "Vila Nova de Famalicão" in str(vevent["LOCATION"])
    assert "meet.example.org" not in str(vevent["LOCATION"])  # public: no meeting link
    assert f"/{lisbon_event.pk}/" in str(vevent["URL"])


def test_calendar_carries_the_vtimezone(lisbon_event):
    calendar = _parse([lisbon_event])
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Lisbon"
    assert calendar.walk("STANDARD") and calendar.walk("DAYLIGHT")


def test_one_vtimezone_per_time_zone(lisbon_event):
    oslo = EventFactory(timezone="Europe/Oslo", title="Study visit to Norway")
    madrid = EventFactory(timezone="Europe/Madrid")
    calendar = _parse([lisbon_event, oslo, madrid])
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Lisbon",
        "Europe/Oslo",
        "Europe/Madrid",
    }
    by_summary = {str(v["SUMMARY"]): v for v in calendar.walk("VEVENT")}
    assert by_summary["Study visit to Norway"]["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert len(calendar.walk("VEVENT")) == 3


def test_cancelled_event_has_status_cancelled(lisbon_event):
    Event.objects.filter(pk=lisbon_event.pk).update(status=Event.Status.CANCELLED)
    lisbon_event.refresh_from_db()
    (vevent,) = _parse([lisbon_event]).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["UID"] == f"event-{lisbon_event.pk}@clamtex-portal"


def test_empty_calendar_is_valid():
    calendar = _parse([])
    assert str(calendar["VERSION"]) == "2.0"
    assert not calendar.walk("VEVENT")
