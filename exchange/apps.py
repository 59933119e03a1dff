from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "ClusterXchange"

    def ready(self):
        from . import digest_sections, emails  # noqa: F401  (registers email kinds, digest)
