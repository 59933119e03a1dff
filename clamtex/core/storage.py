"""Files follow their rows: when a row that holds files is deleted, its objects are
deleted from the storage (the local disk or the bucket) once the transaction commits.

A FileField never deletes its file by itself, and rows go in many ways (a service, the
admin, a cascade from an application, an exchange, a project or a cluster). One receiver
per model that has a FileField covers them all; it runs only after commit, so a rolled
back deletion keeps its file. Services that delete a file while keeping the row (report
retention) call `file_delete_on_commit` themselves."""

from __future__ import annotations

import logging
from functools import partial

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete

logger = logging.getLogger(__name__)


def _delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # The row is gone already; a file left behind is logged for the operator, and the
        # request or task that deleted the row does not fail because of it.
        logger.exception("storage: could not delete %s", name)


def file_delete_on_commit(field_file, *, using: str | None = None) -> None:
    """Deletes the stored object of `field_file` after the current transaction commits
    (at once outside a transaction)."""
    if field_file and field_file.name:
        transaction.on_commit(partial(_delete, field_file.storage, field_file.name), using=using)


def file_fields(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _on_delete(sender, instance, using, **kwargs) -> None:
    for field in file_fields(sender):
        file_delete_on_commit(getattr(instance, field.name), using=using)


def connect_file_cleanup() -> list[type[models.Model]]:
    """Connects the receiver to every concrete model with a FileField (called once, from
    the core app's ready())."""
    connected = []
    for model in apps.get_models():
        if model._meta.abstract or not file_fields(model):
            continue
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"files:{model._meta.label}")
        connected.append(model)
    return connected


__all__ = ["connect_file_cleanup", "file_delete_on_commit", "file_fields"]
