"""MFA for the people who run the portal: administrators, coordinators and cluster
managers set up TOTP before any other page (the admin included); recovery codes come with
it; exports of personal data and signatures ask for the password again."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _password_login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": f.PASSWORD})


@pytest.mark.parametrize("role", ["admin", "coordinator", "manager_a"])
@pytest.mark.parametrize("path", ["/", "/members/", "/admin/", "/exchange/payments/"])
def test_staff_without_mfa_are_sent_to_the_setup(world, client, mfa_on, role, path):
    client.force_login(getattr(world, role))
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == SETUP


def test_htmx_requests_are_redirected_too(world, client, mfa_on):
    client.force_login(world.manager_a)
    response = client.get("/members/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == SETUP


@pytest.mark.parametrize("path", [SETUP, "/accounts/2fa/", "/accounts/logout/", "/healthz"])
def test_the_setup_and_logout_stay_reachable(world, client, mfa_on, path):
    client.force_login(world.manager_a)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    # The setup may first ask for the password again (allauth), never loop back.
    assert all(url != SETUP or path == SETUP for url, _status in response.redirect_chain)


@pytest.mark.parametrize("role", ["rep_a", "outsider"])
def test_other_users_are_not_asked(world, client, mfa_on, role):
    client.force_login(getattr(world, role))
    assert client.get("/").status_code == 200


def test_staff_with_totp_go_through(world, client, mfa_on):
    TOTP.activate(world.manager_a, generate_totp_secret())
    client.force_login(world.manager_a)
    assert client.get("/members/").status_code == 200


def test_off_in_development(world, client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(world.manager_a)
    assert client.get("/members/").status_code == 200


def test_setting_follows_debug_by_default(monkeypatch):
    import importlib

    import clamtex.settings as portal_settings

    monkeypatch.delenv("MFA_REQUIRED_FOR_STAFF", raising=False)
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    assert importlib.reload(portal_settings).MFA_REQUIRED_FOR_STAFF is False
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "portal.example")
    try:
        assert importlib.reload(portal_settings).MFA_REQUIRED_FOR_STAFF is True
    finally:
        monkeypatch.setenv("DJANGO_DEBUG", "1")
        importlib.reload(portal_settings)


def test_full_journey_setup_recovery_codes_and_second_login(world, client, mfa_on):
    """A manager logs in with the password, is sent to the setup, scans the secret,
    confirms a code, receives recovery codes, and next time is asked for a code."""
    manager = world.manager_a
    response = _password_login(client, manager)
    assert client.get("/members/")["Location"] == SETUP
    # allauth asks for the password again before adding a factor.
    assert client.get(SETUP)["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    assert client.get(SETUP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(SETUP, {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=manager, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(
        user=manager, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert len(re.findall(r"\b[0-9a-f]{8}\b", codes_page)) >= 10
    assert client.get("/members/").status_code == 200

    client.post(reverse("account_logout"))
    response = _password_login(client, manager)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/members/").status_code == 302  # not logged in yet
    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert client.get("/members/").status_code == 200


def test_admin_needs_mfa_too(world, client, mfa_on):
    _password_login(client, world.admin)
    assert client.get("/admin/")["Location"] == SETUP
    TOTP.activate(world.admin, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


# --- Reauthentication before exports of personal data and signatures -------------------


@pytest.fixture
def reauth_on(settings):
    settings.REAUTHENTICATION_REQUIRED = True


def test_member_export_asks_for_the_password_again(world, client, reauth_on):
    client.force_login(world.manager_a)  # no recent authentication recorded
    response = client.get(reverse("members:export_csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("members:export_csv"))
    assert response.status_code == 200
    assert "Teixits Alfa S.L." in b"".join(response.streaming_content).decode()


def test_reauthentication_lasts_a_few_minutes(world, client, reauth_on):
    client.force_login(world.manager_a)
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    assert client.get(reverse("members:export_xlsx")).status_code == 200
    assert client.get(reverse("members:export_csv")).status_code == 200


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("exchange:payments_xlsx", {}),
        ("exchange:exchange_document_sign", {"pk": 1, "document_pk": 1}),
        ("workshops:participants_csv", {"pk": 1}),
        ("workshops:participants_xlsx", {"pk": 1}),
    ],
)
def test_sensitive_views_ask_first(world, client, reauth_on, name, kwargs):
    client.force_login(world.manager_a)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
