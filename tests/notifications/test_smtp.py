"""A reminder goes through a real SMTP server on loopback (aiosmtpd)."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from notifications import kinds, services
from notifications.models import Email

pytestmark = pytest.mark.django_db


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()


def test_reminder_over_real_smtp(smtp_server):
    row = services.email_queue(
        kind=kinds.MANAGER_DIGEST.name,
        to="gestora@ateval.example",
        language="es",
        occasion_key="digest:2026-12-01",
        context={
            "name": "Elena",
            "day": "2026-12-01",
            "sections": [
                {
                    "title": "Invitaciones aceptadas",
                    "items": [
                        {
                            "text": "x@y → Tejidos Levante S.L.",
                            "url": "http://127.0.0.1:8000/members/organisations/1/",
                        }
                    ],
                }
            ],
        },
    )
    assert services.email_send(email_id=row.pk) == Email.Status.SENT
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["gestora@ateval.example"]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Lo que le espera en el portal CLAMTEX (2026-12-01)"
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # folded: a long signed URL
    assert unsubscribe.startswith("<http") and "/notifications/unsubscribe/" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hola Elena," in text
    assert "Tejidos Levante S.L." in text
    assert 'lang="es"' in html and "Tejidos Levante S.L." in html
    row.refresh_from_db()
    assert row.status == Email.Status.SENT and row.sent_at is not None
