"""The audit trail: one call, `audit_record`, from wherever personal data or money records
are exported, downloaded or changed.

It lives in core because every feature uses it (members, workshops, exchange, projects,
privacy) and a feature must not import another for a shared mechanism. The request's user
and address are remembered by `AuditMiddleware`, so a hook deep in a helper or a signal
(a role granted in the admin, a document downloaded) knows who did it without the request
being passed down; services that know their actor pass `by` explicitly."""

from __future__ import annotations

import contextvars
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import AuditEvent

_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


class AuditMiddleware:
    """Remembers the current request (its user and address) for `audit_record`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _current_actor_and_ip():
    request = _request.get()
    if request is None:
        return None, None
    user = getattr(request, "user", None)
    actor = user if getattr(user, "is_authenticated", False) else None
    return actor, request.META.get("REMOTE_ADDR") or None


def _label(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk or "")


def audit_record(
    *,
    action: str,
    target=None,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    by=None,
) -> AuditEvent:
    """Appends one event. `summary` must not carry names or emails (it is kept after the
    person is erased); say what kind of thing happened (a file name we chose, a count)."""
    actor, ip = _current_actor_and_ip()
    if by is not None and getattr(by, "is_authenticated", False):
        actor = by
    if target is not None:
        target_type, target_id = _label(target)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        target_type=target_type[:100],
        target_id=str(target_id)[:64],
        summary=summary[:300],
        ip=ip,
    )


def audit_purge(*, now=None) -> int:
    """Deletes events older than AUDIT_RETENTION_DAYS. Idempotent; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
