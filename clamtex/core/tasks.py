"""Thin Celery wrappers for the shared mechanisms of core."""

from datetime import timedelta

from celery import shared_task

from .audit import audit_purge as _audit_purge
from .storage import files_cleanup


@shared_task
def audit_purge() -> int:
    """Daily: drops audit events past AUDIT_RETENTION_DAYS (one DELETE, idempotent)."""
    return _audit_purge()


IMPORTS_PREFIX = "private/imports"  # members/views.py IMPORT_DIR


@shared_task
def imports_cleanup() -> int:
    """Member imports uploaded but never confirmed are deleted after a day."""
    return files_cleanup(prefix=IMPORTS_PREFIX, older_than=timedelta(days=1))
