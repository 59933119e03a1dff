"""Prometheus metrics at /metrics.

django-prometheus counts requests, responses and latencies (its two middlewares) and the
database queries (its PostgreSQL backend wrapper). This module adds what an operator of
the portal watches on top: the outbox backlog (emails waiting, failed) and the length of
the Celery queue in Redis, both read when Prometheus scrapes.

Access: a scraper sends `Authorization: Bearer <METRICS_TOKEN>`, or scrapes from an
address in METRICS_ALLOWED_IPS (addresses or networks, matched against REMOTE_ADDR: the
direct peer, not a forwarded header). Nobody else sees the page (404).

Several gunicorn processes: set PROMETHEUS_MULTIPROC_DIR (`make serve` does) so the page
adds up the counters of all of them.
"""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _allowed_networks() -> list:
    networks = []
    for item in settings.METRICS_ALLOWED_IPS:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            logger.warning("metrics: ignoring %r in METRICS_ALLOWED_IPS", item)
    return networks


def scrape_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    offered = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in network for network in _allowed_networks())


class PortalCollector:
    """Read at scrape time: one COUNT per status, one LLEN per queue."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        outbox = GaugeMetricFamily(
            "clamtex_outbox_emails",
            "Outbox emails waiting to be sent (pending, sending) or failed.",
            labels=["status"],
        )
        try:
            from django.db.models import Count

            from notifications.models import Email

            counts = dict(
                Email.objects.filter(status__in=["pending", "sending", "failed"])
                .values_list("status")
                .annotate(n=Count("id"))
                .order_by()
            )
            for status in ("pending", "sending", "failed"):
                outbox.add_metric([status], counts.get(status, 0))
        except Exception as exc:  # a scrape must answer even when the database does not
            logger.warning("metrics: outbox backlog unavailable: %s", exc)
        yield outbox

        queue = GaugeMetricFamily(
            "clamtex_celery_queue_length",
            "Tasks waiting in the Celery broker (Redis list length).",
            labels=["queue"],
        )
        length = celery_queue_length()
        if length is not None:
            queue.add_metric([_default_queue()], length)
        yield queue


def _default_queue() -> str:
    return getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")


def celery_queue_length() -> int | None:
    """LLEN of the default queue in Redis; None without Redis or when it does not answer."""
    if not settings.REDIS_URL:
        return None
    try:
        import redis

        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            return int(client.llen(_default_queue()))
        finally:
            client.close()
    except Exception as exc:  # redis raises its own errors; the gauge is just left out
        logger.warning("metrics: Celery queue length unavailable: %s", exc)
        return None


_portal_collector_registered = False


def _registry():
    import prometheus_client
    from prometheus_client import multiprocess

    global _portal_collector_registered
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(PortalCollector())
        return registry
    if not _portal_collector_registered:
        prometheus_client.REGISTRY.register(PortalCollector())
        _portal_collector_registered = True
    return prometheus_client.REGISTRY


@never_cache
def metrics(request):
    if not scrape_allowed(request):
        raise Http404
    import prometheus_client

    return HttpResponse(
        prometheus_client.generate_latest(_registry()),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )
