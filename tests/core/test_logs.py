"""What operators read: request ids, JSON lines, secrets masked, 4xx in one line."""

import io
import json
import logging
import smtplib

import pytest
from django.urls import reverse

from clamtex.core import logs
from notifications import kinds
from notifications import services as outbox
from notifications.models import Email


@pytest.fixture
def json_log():
    """The portal's console handler in JSON mode, writing to a buffer, on the loggers a
    request reaches (root, and django which does not propagate)."""
    config = logs.logging_config(log_format="json", level="INFO")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["handlers"]["console"]["filters"] == [
        "request_id",
        "client_errors",
        "mask_secrets",
    ]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(
            logging.config.DictConfigurator({}).resolve(config["filters"][name]["()"])()
        )
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    for logger in loggers:
        logger.removeHandler(handler)


# --- Request id -------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="edge-42.a")["X-Request-ID"] == "edge-42.a"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nInjected: yes")["X-Request-ID"]
    assert replaced != "bad id\nInjected: yes" and "\n" not in replaced


# --- 4xx in one line, JSON, request id ----------------------------------------------------


def test_forbidden_is_one_json_line_without_traceback(world, client, json_log):
    client.force_login(world.manager_b)
    response = client.get(
        reverse("members:cluster_edit", args=[world.cluster_a.pk]), HTTP_X_REQUEST_ID="req-403"
    )

    assert response.status_code == 403
    entries = [e for e in json_log() if e["logger"] == "django.request"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["level"] == "WARNING"
    assert entry["message"].startswith("Forbidden (Permission denied): /members/clusters/")
    assert entry["status_code"] == 403
    assert entry["request_id"] == "req-403"
    assert "exception" not in entry


@pytest.mark.django_db
def test_not_found_on_a_secret_url_logs_the_path_masked(client, json_log):
    secret = "s3cr3t-Feed-Token-0123456789"
    response = client.get(f"/workshops/feed/{secret}.ics?token={secret}", HTTP_X_REQUEST_ID="r404")

    assert response.status_code == 404
    output = json.dumps(json_log())
    assert secret not in output
    entry = next(e for e in json_log() if e["logger"] == "django.request")
    assert entry["message"] == f"Not Found: /workshops/feed/{logs.MASK}.ics"
    assert entry["status_code"] == 404 and "exception" not in entry
    assert entry["request_id"] == "r404"


def test_a_server_error_keeps_its_traceback_as_one_field(json_log):
    logger = logging.getLogger("clamtex.test")
    try:
        raise ValueError("boom at /members/invitations/accept/abcDEF123456/")
    except ValueError:
        logger.exception("failed on /notifications/unsubscribe/abcDEF123456/")

    (entry,) = [e for e in json_log() if e["logger"] == "clamtex.test"]
    assert entry["level"] == "ERROR"
    assert entry["message"] == f"failed on /notifications/unsubscribe/{logs.MASK}/"
    assert "Traceback" in entry["exception"] and "ValueError" in entry["exception"]
    assert "abcDEF123456" not in entry["exception"]


# --- Masking -------------------------------------------------------------------------------

SECRET = "Zq9SecretTokenValue123"


@pytest.mark.parametrize(
    "url",
    [
        reverse("workshops:feed_ics", args=[SECRET]),
        reverse("workshops:feedback", args=[SECRET]),
        reverse("workshops:certificate", args=[SECRET]),
        reverse("members:invitation_accept", args=[SECRET]),
        reverse("notifications:unsubscribe", args=[SECRET]),
        reverse("account_confirm_email", args=[SECRET]),
        reverse("account_reset_password_from_key", kwargs={"uidb36": "4", "key": SECRET}),
        f"/workshops/events/1/?token={SECRET}&page=2",
    ],
)
def test_secret_tokens_are_masked(url):
    line = f'127.0.0.1 "GET {url} HTTP/1.1" 200 512'

    masked = logs.mask_secrets(line)

    assert SECRET not in masked
    assert logs.MASK in masked
    assert masked.endswith('HTTP/1.1" 200 512') or "?" in url


def test_every_url_with_a_token_or_key_is_known_to_the_masker():
    """A new secret link is masked without anyone listing it: the patterns come from the
    URLconf. At least the registration links, the feed, the invitation, unsubscribe and
    allauth's keys."""
    patterns = [p.pattern for p in logs.secret_path_patterns()]
    for fragment in (
        "workshops/feed/",
        "workshops/registrations/",
        "members/invitations/accept/",
        "notifications/unsubscribe/",
        "accounts/confirm-email/",
        "accounts/password/reset/key/",
    ):
        assert any(fragment in p for p in patterns), fragment


def test_ordinary_paths_are_left_alone():
    line = '"GET /members/organisations/12/?page=2&q=tex HTTP/1.1" 200'
    assert logs.mask_secrets(line) == line


def test_gunicorn_access_log_masks_and_carries_the_request_id():
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '"%(m)s %(U)s" %(s)s "%({x-request-id}o)s"')
    logger = logs.GunicornLogger(cfg)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(stream)

    class Response:
        status = "200 OK"
        response_length = 10
        sent = 10
        headers = [("Content-Type", "text/calendar"), ("X-Request-ID", "req-gunicorn")]

    class Request:
        headers = []

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/workshops/feed/{SECRET}.ics",
        "QUERY_STRING": f"token={SECRET}",
        "RAW_URI": f"/workshops/feed/{SECRET}.ics?token={SECRET}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    from datetime import timedelta

    logger.access(Response(), Request(), environ, timedelta(milliseconds=3))

    line = stream.getvalue()
    assert SECRET not in line
    assert f"/workshops/feed/{logs.MASK}.ics" in line
    assert "req-gunicorn" in line


# --- Outbox failures name the row, not the person -----------------------------------------


class _RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {"gone@example.org": (550, b"5.1.1 <gone@example.org>: Recipient address rejected")}
        )


@pytest.mark.django_db
def test_a_failed_send_logs_the_outbox_id_not_the_address(settings, caplog):
    row = outbox.email_queue(
        kind=kinds.MANAGER_DIGEST.name,
        to="gone@example.org",
        language="en",
        occasion_key="test:log",
        context={"name": "Ana", "day": "2026-12-01", "sections": []},
    )
    settings.EMAIL_BACKEND = "tests.core.test_logs._RefusingBackend"

    with caplog.at_level(logging.ERROR, logger="notifications"):
        assert outbox.email_send(email_id=row.pk) == Email.Status.FAILED

    (record,) = [r for r in caplog.records if r.name.startswith("notifications")]
    assert f"outbox: email {row.pk} " in record.getMessage()
    assert "gone@example.org" not in record.getMessage()
    # The administrator still sees the full reason on the row.
    row.refresh_from_db()
    assert "gone@example.org" in row.last_error
