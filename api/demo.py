"""Demo data of the API app: one webhook subscription (AEI TÈXTILS' CRM), idempotent."""

from .models import WebhookEvent, WebhookSubscription

DEMO_URL = "https://crm.aeitextils.example/hooks/clamtex"


def seed_webhooks(*, clusters: dict) -> WebhookSubscription:
    subscription, _ = WebhookSubscription.objects.get_or_create(
        cluster=clusters["aei"],
        url=DEMO_URL,
        defaults={
            "event_types": [
                WebhookEvent.REGISTRATION_CREATED,
                WebhookEvent.REGISTRATION_CANCELLED,
                WebhookEvent.APPLICATION_SUBMITTED,
                WebhookEvent.ORGANISATION_CHANGED,
            ],
            # Paused: the demo endpoint does not exist; a manager resumes it with a real URL.
            "is_active": False,
            "disabled_reason": "Demo subscription: set a real endpoint, then resume it.",
        },
    )
    return subscription
