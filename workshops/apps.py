from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"

    def ready(self):
        from . import emails  # noqa: F401  (registers the email kinds)
