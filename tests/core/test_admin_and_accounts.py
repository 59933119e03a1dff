"""The admin (every model listed, searchable, exportable) and the account rules."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_model_admin_lists_searches_and_exports(world, client):
    client.force_login(world.admin)
    ours = [m for m in admin.site._registry if m._meta.app_label in {"members", "notifications"}]
    assert len(ours) >= 12
    for model in ours:
        model_admin = admin.site._registry[model]
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "a"} if model_admin.search_fields else {})
        assert response.status_code == 200, model
        assert "export_as_csv" in dict(model_admin.get_actions(response.wsgi_request)), model


def test_admin_csv_export_action(world, client):
    client.force_login(world.admin)
    url = reverse("admin:members_organisation_changelist")
    response = client.post(url, {"action": "export_as_csv", "_selected_action": [world.org_a.pk]})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Teixits Alfa S.L." in body and "Composites Bêta" not in body


def test_admin_change_page_with_inlines(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("admin:members_organisation_change", args=[world.org_a.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Memberships" in content and "Contacts" in content


def test_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_non_staff_cannot_open_admin(world, client):
    client.force_login(world.manager_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code in (302, 403)


def test_login_with_email_and_unverified_email_is_blocked(client, db):
    f.UserFactory(email="fresh@example.org", verified=False)
    response = client.post(
        reverse("account_login"), {"login": "fresh@example.org", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"] or "verification" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_login_works_for_verified_user(client, db):
    f.UserFactory(email="ok@example.org")
    response = client.post(
        reverse("account_login"), {"login": "OK@example.org", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_failed_logins_are_rate_limited(client, db):
    f.UserFactory(email="target@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.org", "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": "target@example.org", "password": f.PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_mfa_pages_available_to_every_user(world, client):
    client.force_login(world.rep_a)
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for re-authentication before showing the secret
    assert response.status_code in (200, 302)


def test_password_reset_sends_email(client, db, mailoutbox):
    f.UserFactory(email="forgot@example.org")
    client.post(reverse("account_reset_password"), {"email": "forgot@example.org"})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["forgot@example.org"]


def test_allauth_pages_use_portal_layout(client, db):
    content = client.get(reverse("account_login")).content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in content
    assert 'id="language-switcher"' in content


def test_refusals_use_the_portal_layout(world, client):
    client.force_login(world.manager_b)
    response = client.get(reverse("members:organisation_edit", args=[world.org_a.pk]))
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content and 'id="language-switcher"' in content
    client.force_login(world.outsider)
    response = client.get(reverse("members:directory"))
    assert response.status_code == 403
    assert "Access refused" in response.content.decode()


def test_country_filter_is_in_the_users_language(world, client):
    world.manager_a.language = "fr"
    world.manager_a.save()
    client.force_login(world.manager_a)
    content = client.get(reverse("members:directory")).content.decode()
    assert ">Espagne<" in content and ">Allemagne<" in content
