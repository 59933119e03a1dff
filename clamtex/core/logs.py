"""Logging for operators: request ids, JSON lines, secrets masked, quiet 4xx.

- Every request gets an id (the proxy's `X-Request-ID` when it sends a sane one, a new one
  otherwise). It is returned in the response, added to every log line of the request and
  passed to the Celery tasks the request queues (a message header), whose log lines carry
  it too. One id follows a click from the proxy to the worker.
- `LOG_FORMAT=json` writes one JSON object per line (time, level, logger, message,
  request_id, task, traceback), for a log collector.
- The secret tokens that are the permission in some URLs (calendar feed, registration,
  invitation, unsubscribe, allauth's email confirmation and password reset keys) and in
  query strings (`?token=`) never reach a log line: `MaskSecretsFilter` is on every handler,
  gunicorn's access and error logs included.
- 403/404 (and other 4xx) are one line: Django attaches the exception to those records,
  which would print a traceback for every forbidden page.
"""

import contextvars
import json
import logging
import re
import traceback
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What a caller may send us as a request id; anything else is replaced by our own.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
REQUEST_ID_HEADER = "X-Request-ID"
CELERY_HEADER = "request_id"


def current_request_id() -> str:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE: every log line of the request, and every task it queues, carries
    the same id, and the response tells it to the client (and to the access log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


# --- Celery: the id travels in the task message --------------------------------------------


def celery_before_task_publish(headers=None, **kwargs):
    request_id = current_request_id()
    if headers is not None and request_id and CELERY_HEADER not in headers:
        headers[CELERY_HEADER] = request_id


def celery_task_prerun(task=None, **kwargs):
    request_id = getattr(getattr(task, "request", None), CELERY_HEADER, None) or ""
    # An eager task runs inside the request: it keeps the request's id.
    if request_id or not current_request_id():
        request_id_var.set(request_id or "")


def celery_task_postrun(task=None, **kwargs):
    if not getattr(getattr(task, "request", None), "is_eager", False):
        request_id_var.set("")


def connect_celery_signals():
    from celery import signals

    signals.before_task_publish.connect(celery_before_task_publish, weak=False)
    signals.task_prerun.connect(celery_task_prerun, weak=False)
    signals.task_postrun.connect(celery_task_postrun, weak=False)


# --- Masking secrets ------------------------------------------------------------------------

MASK = "********"
# URL parameters whose value is a secret (the link itself is the permission).
SECRET_URL_PARAMETERS = {"token", "key"}
_QUERY_SECRET = re.compile(
    r"(?P<name>[?&;](?:token|key|code|signature|sig|secret|password|access_token)=)[^&;\s\"']+",
    re.IGNORECASE,
)
_SEGMENT_CHARS = "[^/\\s?#\"']"
_UNBOUNDED = re.compile(r"(?<!\\)\.([+*])")
_secret_path_patterns: list[re.Pattern] | None = None
_building = False


def _strip_anchors(regex: str) -> str:
    if regex.startswith("^"):
        regex = regex[1:]
    for end in (r"\Z", "$"):
        if regex.endswith(end):
            regex = regex[: -len(end)]
    return regex


def _walk(patterns, prefix: str):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        regex = prefix + _strip_anchors(pattern.pattern.regex.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, regex)
        elif isinstance(pattern, URLPattern):
            yield regex


def secret_path_patterns() -> list[re.Pattern]:
    """Every URL pattern of the portal with a `token` or `key` parameter, as a regex that
    finds such a path inside a log line. Built once, from the URLconf, so a new secret link
    is masked without anyone remembering to list it."""
    global _secret_path_patterns, _building
    if _secret_path_patterns is not None:
        return _secret_path_patterns
    if _building:
        return []
    _building = True
    try:
        from django.urls import get_resolver

        found = []
        for regex in _walk(get_resolver().url_patterns, ""):
            # Inside a log line a parameter ends at a slash, a space, a quote or the query
            # string: "[^/]+" and ".+" would run on to the end of the line.
            regex = regex.replace("[^/]", _SEGMENT_CHARS)
            regex = _UNBOUNDED.sub(lambda m: _SEGMENT_CHARS + m.group(1), regex)
            compiled = re.compile("/" + regex)
            if SECRET_URL_PARAMETERS & set(compiled.groupindex):
                found.append(compiled)
        _secret_path_patterns = found
    except Exception:  # settings or URLconf not ready: mask query strings only for now
        return []
    finally:
        _building = False
    return _secret_path_patterns


def _mask_match(match: re.Match) -> str:
    text = match.group(0)
    start = match.start()
    spans = sorted(
        match.span(name)
        for name in SECRET_URL_PARAMETERS & set(match.re.groupindex)
        if match.group(name)
    )
    for group_start, group_end in reversed(spans):
        text = text[: group_start - start] + MASK + text[group_end - start :]
    return text


def mask_secrets(text: str) -> str:
    """The text with secret URL path segments and secret query values replaced."""
    if not text or "/" not in text and "=" not in text:
        return text
    for pattern in secret_path_patterns():
        text = pattern.sub(_mask_match, text)
    return _QUERY_SECRET.sub(lambda m: m.group("name") + MASK, text)


class MaskSecretsFilter(logging.Filter):
    """On every handler: the formatted message (and a traceback's text) without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's business
            return True
        masked = mask_secrets(message)
        if masked != message or record.args:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        return True


class ClientErrorsWithoutTraceback(logging.Filter):
    """django.request attaches the exception to its 4xx records (PermissionDenied, Http404,
    BadRequest): one line is enough, a traceback is for 5xx."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if (status is not None and 400 <= status < 500) or record.name.startswith(
            "django.security"
        ):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and the Celery task, in a worker) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # django.request logs a 4xx/5xx response after the middleware has returned,
            # but hands over the request, which carries its id.
            from_request = getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = current_request_id() or from_request or "-"
        if not hasattr(record, "task_id"):
            task = _current_task()
            record.task_id = task.request.id if task is not None else None
            record.task_name = task.name if task is not None else None
        return True


def _current_task():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = current_task
    if task is None or not getattr(task, "request", None) or task.request.id is None:
        return None
    return task


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback is a field, never extra lines."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id() or None,
        }
        for field in ("status_code", "task_id", "task_name"):
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: one console handler, text or JSON, with the filters above."""
    formatter = "json" if log_format == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "clamtex.core.logs.RequestIdFilter"},
            "mask_secrets": {"()": "clamtex.core.logs.MaskSecretsFilter"},
            "client_errors": {"()": "clamtex.core.logs.ClientErrorsWithoutTraceback"},
        },
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": {"()": "clamtex.core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id", "client_errors", "mask_secrets"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Django's own console handler would print every request error a second time.
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


# --- gunicorn -------------------------------------------------------------------------------

try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's access and error logs with the portal's filters (secrets masked, request
    id from the response header) and, with LOG_FORMAT=json, the same JSON lines."""

    def setup(self, cfg):
        super().setup(cfg)
        import os

        json_format = os.environ.get("LOG_FORMAT", "text").lower() == "json"
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.addFilter(MaskSecretsFilter())
                handler.addFilter(RequestIdFilter())
                if json_format:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        request_id = ""
        for name, value in getattr(resp, "headers", None) or []:
            if name.lower() == "x-request-id":
                request_id = value
        token = request_id_var.set(request_id)
        try:
            super().access(resp, req, environ, request_time)
        finally:
            request_id_var.reset(token)
