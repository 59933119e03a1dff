"""/healthz for the load balancer (liveness)."""

from unittest import mock

import pytest
from django.db import OperationalError, connection

from clamtex.celery import app as celery_app

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]  # never served from a cache
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    ) as cursor:
        response = client.get("/healthz")

    assert cursor.called
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "unreachable"
    assert body["status"] == "down"
    assert body["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker_but_stays_up(client, monkeypatch):
    """Emails wait in the database while the broker is down: the portal is degraded, not
    down, so the load balancer keeps sending traffic."""
    # The raw setting (setitem, not setattr: broker_url and broker_write_url are
    # properties, and the write URL falls back to broker_url when it is not set).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(celery_app.conf, "broker_url", UNREACHABLE_BROKER)
    assert celery_app.conf.broker_write_url == UNREACHABLE_BROKER

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "unreachable", "status": "degraded"}
