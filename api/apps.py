from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API and webhooks")

    def ready(self):
        # Webhook events follow the recorded changes of the other apps: each receiver only
        # calls webhooks.services.webhook_emit, inside the transaction of the change.
        # tasks registered at start-up, so services can queue them by name.
        from . import signals, tasks  # noqa: F401
