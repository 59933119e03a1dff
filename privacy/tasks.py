"""Thin Celery wrappers: take ids, call one service."""

from celery import shared_task

from . import retention, services

REGISTRATION_BATCH = 200


@shared_task(acks_late=True)
def data_export_build(export_id: int) -> str:
    export = services.data_export_build(export_id=export_id)
    return export.status if export is not None else "missing"


@shared_task
def retention_sweep() -> dict:
    """Nightly: finds what each retention rule applies to and enqueues small tasks."""
    counts = {}
    ids = retention.due_applications()
    for application_id in ids:
        application_expire.delay(application_id)
    counts["applications"] = len(ids)
    ids = retention.due_registrations()
    for start in range(0, len(ids), REGISTRATION_BATCH):
        registrations_anonymise.delay(ids[start : start + REGISTRATION_BATCH])
    counts["registrations"] = len(ids)
    outbox_bodies_clear.delay()
    paths = retention.due_imports()
    for path in paths:
        import_file_expire.delay(path)
    counts["imports"] = len(paths)
    ids = retention.due_exports()
    for export_id in ids:
        data_export_expire.delay(export_id)
    counts["exports"] = len(ids)
    for export_id in retention.stale_pending_exports():
        data_export_build.delay(export_id)
    return counts


@shared_task
def application_expire(application_id: int) -> bool:
    return retention.application_expire(application_id=application_id)


@shared_task
def registrations_anonymise(registration_ids: list[int]) -> int:
    return retention.registrations_anonymise(registration_ids=registration_ids)


@shared_task
def outbox_bodies_clear() -> int:
    return retention.outbox_bodies_clear()


@shared_task
def import_file_expire(path: str) -> bool:
    return retention.import_file_expire(path=path)


@shared_task
def data_export_expire(export_id: int) -> bool:
    return services.data_export_expire(export_id=export_id)
