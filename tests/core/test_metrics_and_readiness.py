"""/metrics (Prometheus, token or allowed addresses only), /readyz, Sentry's scrubbing,
the Celery request id."""

import os
from unittest import mock

import pytest
from django.db import OperationalError, connection

from clamtex.core import logs
from clamtex.core.sentry import before_send, sentry_options
from notifications import kinds
from notifications import services as outbox

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16", "192.0.2.7"]
    return settings


@pytest.mark.django_db
def test_metrics_needs_the_token_or_an_allowed_address(client, metrics_settings):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 404  # no scheme
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.33.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.8").status_code == 404
    # A forwarded header is not the peer: it does not open the page.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.33.4").status_code == 404


@pytest.mark.django_db
def test_metrics_without_any_configuration_is_closed(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_and_the_outbox_backlog(client, metrics_settings):
    for n in range(3):
        outbox.email_queue(
            kind=kinds.MANAGER_DIGEST.name,
            to=f"person{n}@example.org",
            language="en",
            occasion_key=f"metrics:{n}",
            context={"name": "A", "day": "2026-12-01", "sections": []},
        )
    client.get("/healthz")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert 'clamtex_outbox_emails{status="pending"} 3.0' in body
    assert 'clamtex_outbox_emails{status="failed"} 0.0' in body
    assert "django_http_requests_total_by_view_transport_method_total" in body
    assert 'view="healthz"' in body
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in body


@pytest.mark.django_db
def test_metrics_report_the_celery_queue_length_in_redis(client, metrics_settings):
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("REDIS_URL is not set")
    import redis

    queue = "clamtex-metrics-test"
    metrics_settings.REDIS_URL = redis_url
    metrics_settings.CELERY_BROKER_URL = redis_url
    metrics_settings.CELERY_TASK_DEFAULT_QUEUE = queue
    server = redis.Redis.from_url(redis_url)
    server.delete(queue)
    server.rpush(queue, "a", "b")
    try:
        body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    finally:
        server.delete(queue)
    assert f'clamtex_celery_queue_length{{queue="{queue}"}} 2.0' in body


# --- /readyz ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_checks_database_broker_cache_and_storage(client, settings):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "storage": "ok",
        "status": "ready",
    }
    # The probe file was written and removed again.
    assert not list((settings.MEDIA_ROOT / "readyz").glob("*"))


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "not ready"


@pytest.mark.django_db
def test_readyz_is_503_when_the_storage_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["storage"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_down(client, monkeypatch):
    from clamtex.celery import app as celery_app

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


@pytest.mark.django_db
def test_healthz_stays_a_liveness_check(client, monkeypatch):
    """A dead broker makes the node not ready, but still alive (no restart)."""
    from clamtex.celery import app as celery_app

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    assert client.get("/healthz").status_code == 200


# --- Sentry ----------------------------------------------------------------------------------


def test_sentry_sends_no_personal_data_and_no_secret():
    options = sentry_options("https://public@sentry.example.org/1")
    assert options["send_default_pii"] is False
    names = {type(i).__name__ for i in options["integrations"]}
    assert {"DjangoIntegration", "CeleryIntegration"} <= names

    token = "Zq9SecretTokenValue123"
    event = {
        "request": {
            "url": f"https://portal.example.org/members/invitations/accept/{token}/",
            "query_string": f"token={token}&x=1",
            "cookies": {"sessionid": "abc"},
            "data": {"password": "p"},
            "headers": {"Cookie": "sessionid=abc", "Referer": f"https://x/?token={token}"},
        },
        "user": {"email": "someone@example.org"},
        "logentry": {"message": f"Not Found: /notifications/unsubscribe/{token}/", "params": []},
        "exception": {"values": [{"type": "X", "value": f"/workshops/feed/{token}.ics"}]},
        "breadcrumbs": {"values": [{"message": f"GET /workshops/feed/{token}.ics"}]},
    }
    with mock.patch.object(logs, "current_request_id", return_value="req-1"):
        scrubbed = before_send(event, {})

    text = repr(scrubbed)
    assert token not in text
    assert "someone@example.org" not in text and "sessionid" not in text
    assert "password" not in text
    assert scrubbed["request"]["query_string"] == f"token={logs.MASK}&x=1"


def test_sentry_is_started_only_with_a_dsn(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django; django.setup(); import sentry_sdk; "
        "print(sentry_sdk.get_client().is_active())"
    )
    base = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    results = []
    for dsn in ("", "https://public@127.0.0.1:9/1"):
        env = {**base, "DJANGO_DEBUG": "1", "SENTRY_DSN": dsn}
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env={**env, "DJANGO_SETTINGS_MODULE": "clamtex.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        results.append(result.stdout.strip())
    assert results == ["False", "True"]


# --- Celery: the request id travels with the task ----------------------------------------


def test_the_request_id_goes_into_the_task_message_headers():
    headers = {}
    token = logs.request_id_var.set("req-celery")
    try:
        logs.celery_before_task_publish(headers=headers)
    finally:
        logs.request_id_var.reset(token)
    assert headers == {"request_id": "req-celery"}


def test_a_worker_logs_with_the_request_id_of_its_message():
    class Task:
        class request:
            request_id = "req-from-message"
            is_eager = False

    logs.celery_task_prerun(task=Task)
    try:
        assert logs.current_request_id() == "req-from-message"
    finally:
        logs.celery_task_postrun(task=Task)
    assert logs.current_request_id() == ""
