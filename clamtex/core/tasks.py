"""Thin Celery wrappers for the shared mechanisms of core."""

from celery import shared_task

from .audit import audit_purge as _audit_purge


@shared_task
def audit_purge() -> int:
    """Daily: drops audit events past AUDIT_RETENTION_DAYS (one DELETE, idempotent)."""
    return _audit_purge()
