from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clamtex.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from .forms import install_range_checks

        install_range_checks()
