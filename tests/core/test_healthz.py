"""/healthz for the load balancer and the deployment checks of the production settings."""

import os
import secrets
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
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


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "clamtex.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deployment_checks():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        },
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_production_settings_refuse_to_start_without_a_secret_key(secret_key):
    env = {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "portal.example.org"}
    if secret_key is not None:
        env["DJANGO_SECRET_KEY"] = secret_key

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr
