from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clamtex.core"
    label = "core"
    verbose_name = "Core"
