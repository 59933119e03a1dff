from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Programme")

    def ready(self):
        from . import emails  # noqa: F401  (registers the email kinds)
