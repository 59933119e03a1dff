from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clamtex.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        # The request id travels with the tasks a request queues (clamtex/core/logs.py).
        from clamtex.core.logs import connect_celery_signals

        connect_celery_signals()

        from .storage import connect_file_cleanup

        # Deleting a row that holds files deletes its objects too (after commit).
        connect_file_cleanup()

        from .forms import install_range_checks

        install_range_checks()

        from .middleware import connect_language_restore

        # A request's language does not outlive the request in its thread.
        connect_language_restore()
