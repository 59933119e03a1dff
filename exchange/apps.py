from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "ClusterXchange"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from members.models import Organisation

        from . import digest_sections, emails  # noqa: F401  (registers email kinds, digest)
        from .applications.filters import applicant_countries_invalidate
        from .models import Application

        for model in (Application, Organisation):
            for signal in (post_save, post_delete):
                signal.connect(
                    applicant_countries_invalidate,
                    sender=model,
                    dispatch_uid=f"review-countries:{model._meta.label}",
                )
