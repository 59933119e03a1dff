"""Every email names the portal (PORTAL_NAME) and links with SITE_URL, never with the host
and port the request happened to come in on (here the test client's "testserver")."""

import re

import pytest

from clamtex import settings as settings_module
from notifications import kinds
from notifications import services as outbox
from tests import factories as f

SITE = "https://portal.example.org"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.PORTAL_NAME = "Textile Partnership Portal"
    return settings


def _links(text):
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_the_allauth_subject_prefix_is_the_portal_name():
    assert settings_module.PORTAL_NAME == "CLAMTEX Portal"
    assert settings_module.ACCOUNT_EMAIL_SUBJECT_PREFIX == "[CLAMTEX Portal] "
    assert settings_module.MFA_TOTP_ISSUER == "CLAMTEX Portal"


@pytest.mark.django_db
def test_password_reset_email_names_the_portal_and_links_to_site_url(client, site, mailoutbox):
    f.UserFactory(email="ana@example.org")

    response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})

    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.subject.startswith("[CLAMTEX Portal] ")
    # The portal's own account emails (formal register) sign with the portal's name.
    assert "The Textile Partnership Portal team" in message.body
    links = _links(message.body)
    assert any(link.startswith(f"{SITE}/accounts/password/reset/key/") for link in links), links
    assert all(link.startswith(SITE) for link in links), links
    assert "testserver" not in message.body


@pytest.mark.django_db
def test_signup_confirmation_links_to_site_url(client, site, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.person@example.org",
            "password1": "a-long-pass-9x!",
            "password2": "a-long-pass-9x!",
        },
    )

    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.subject.startswith("[CLAMTEX Portal] ")
    assert "Textile Partnership Portal" in message.body
    links = _links(message.body)
    assert any(link.startswith(f"{SITE}/accounts/confirm-email/") for link in links), links
    assert all(link.startswith(SITE) for link in links), links
    assert "testserver" not in message.body


@pytest.mark.django_db
def test_outbox_emails_name_the_portal_and_link_home(
    site, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.email_queue(
            kind=kinds.MANAGER_DIGEST.name,
            to="manager@example.org",
            language="en",
            occasion_key="names:1",
            context={"name": "Ana", "day": "2026-12-01", "sections": []},
        )

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    assert f"Textile Partnership Portal – {SITE}/" in message.body
    assert (
        f'<a href="{SITE}/" style="color:#fff;text-decoration:none">Textile Partnership Portal</a>'
        in html
    )
    assert all(link.startswith(SITE) for link in _links(message.body)), _links(message.body)
