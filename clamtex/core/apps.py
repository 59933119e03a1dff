from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clamtex.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from .storage import connect_file_cleanup

        # Deleting a row that holds files deletes its objects too (after commit).
        connect_file_cleanup()
