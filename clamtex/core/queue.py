"""Queue a Celery task by its registered name.

Services queue their side effects on commit, and the tasks module of an app imports its
services (tasks are thin wrappers). Asking for the task by name keeps that one-way: a
service never imports the tasks module that imports it."""

from clamtex.celery import app


def send_task(name: str, *args, **options):
    """Queues the task `name` (for example "notifications.tasks.email_send") with `args`.

    The registered task object is used, so the task's own options and
    `task_always_eager` apply as with `task.apply_async`. Broker errors are the caller's
    to handle (services keep the row pending and their sweep queues it again)."""
    if name not in app.tasks:
        # A web process has not imported the tasks modules yet: load them once.
        app.loader.import_default_modules()
    return app.tasks[name].apply_async(args, **options)
