from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = "ClusterXchange"

    def ready(self):
        from clamtex.core.versions import renew_on_change
        from members.models import Organisation

        from . import digest_sections, emails  # noqa: F401  (registers email kinds, digest)
        from .applications.filters import applicant_countries_invalidate
        from .models import Application

        renew_on_change(
            applicant_countries_invalidate, Application, Organisation, uid="review-countries"
        )
