"""Optional error reporting to Sentry (or a compatible service such as GlitchTip).

Off unless SENTRY_DSN is set. No personal data leaves the portal: `send_default_pii` is
off (no user, no IP, no cookies, no request body), and the URL, query string and messages
of every event go through the same masking as the logs, so the secret tokens of calendar
feeds, registrations, invitations and unsubscribe links are not sent either.
"""

import os

from clamtex.core.logs import current_request_id, mask_secrets

# Request data sentry-sdk may collect even without PII; removed before sending.
_DROPPED_REQUEST_KEYS = ("cookies", "data", "env")


def before_send(event, hint):
    request = event.get("request")
    if isinstance(request, dict):
        for key in _DROPPED_REQUEST_KEYS:
            request.pop(key, None)
        if request.get("url"):
            request["url"] = mask_secrets(request["url"])
        if request.get("query_string"):
            request["query_string"] = mask_secrets("?" + request["query_string"])[1:]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in {"cookie", "authorization", "x-csrftoken"}
            }
            if "Referer" in request["headers"]:
                request["headers"]["Referer"] = mask_secrets(request["headers"]["Referer"])
    event.pop("user", None)
    message = event.get("logentry") or {}
    if isinstance(message, dict):
        for key in ("message", "formatted"):
            if isinstance(message.get(key), str):
                message[key] = mask_secrets(message[key])
        if message.get("params"):
            message["formatted"] = mask_secrets(message.get("formatted") or "")
            message["params"] = []
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = mask_secrets(exception["value"])
    breadcrumbs = event.get("breadcrumbs") or {}
    for crumb in breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else []:
        if isinstance(crumb.get("message"), str):
            crumb["message"] = mask_secrets(crumb["message"])
        data = crumb.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            data["url"] = mask_secrets(data["url"])
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_options(dsn: str) -> dict:
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "environment": os.environ.get("SENTRY_ENVIRONMENT", "production"),
        "release": os.environ.get("SENTRY_RELEASE") or None,
        "traces_sample_rate": float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        "before_send": before_send,
    }


def sentry_init(dsn: str) -> None:
    if not dsn:
        return
    import sentry_sdk

    sentry_sdk.init(**sentry_options(dsn))
