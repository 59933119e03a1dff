"""Open data: the public events of a cluster or a partnership as JSON and iCalendar, for
the clusters' own websites. No token; only published events open to the public, and
never the online link (it belongs to registered participants)."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from members.models import Cluster, Partnership

from .ics import calendar_bytes
from .models import Event

# Past events stay in the feed for this long (a website's "recent events").
PAST_DAYS = 90
LIMIT = 200


def public_events(*, cluster=None, partnership=None):
    qs = Event.objects.filter(
        status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
        audience=Event.Audience.PUBLIC,
        end__gte=timezone.now() - timedelta(days=PAST_DAYS),
    )
    if cluster is not None:
        qs = qs.filter(
            id__in=Event.organisers.through.objects.filter(cluster=cluster).values("event_id")
        )
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    return qs.prefetch_related("organisers").order_by("start", "pk")[:LIMIT]


def _public_copy(event: Event) -> Event:
    event.online_url = ""  # a public feed never carries the meeting link
    return event


def _json(events, title: str) -> JsonResponse:
    items = [
        {
            "id": e.pk,
            "title": e.title,
            "kind": e.kind,
            "summary": e.summary,
            "start": e.start.isoformat(),
            "end": e.end.isoformat(),
            "timezone": e.timezone,
            "venue": e.venue_name,
            "city": e.city,
            "country": e.country.code or None,
            "online": bool(e.online_url),
            "language": e.language,
            "status": e.status,
            "organisers": [c.acronym for c in e.organisers.all()],
            "url": settings.SITE_URL + reverse("workshops:event_detail", args=[e.pk]),
        }
        for e in events
    ]
    response = JsonResponse(
        {"title": title, "events": items}, json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"  # websites embed it from the browser
    return response


def _ics(events, title: str) -> HttpResponse:
    body = calendar_bytes([_public_copy(e) for e in events], name=title)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=300)
def cluster_events_json(request, pk):
    cluster = get_object_or_404(Cluster, pk=pk)
    return _json(public_events(cluster=cluster), cluster.acronym)


@require_GET
@cache_control(public=True, max_age=300)
def cluster_events_ics(request, pk):
    cluster = get_object_or_404(Cluster, pk=pk)
    return _ics(public_events(cluster=cluster), cluster.acronym)


@require_GET
@cache_control(public=True, max_age=300)
def partnership_events_json(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    return _json(public_events(partnership=partnership), partnership.acronym)


@require_GET
@cache_control(public=True, max_age=300)
def partnership_events_ics(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    return _ics(public_events(partnership=partnership), partnership.acronym)
