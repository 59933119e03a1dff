from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"

    def ready(self):
        from . import digest_sections, emails  # noqa: F401  (registers email kinds, digest)
