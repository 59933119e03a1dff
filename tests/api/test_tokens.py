from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from api import tokens
from api.models import ApiToken


def test_token_is_stored_hashed_and_shown_once(world):
    token, raw = tokens.token_create(user=world.rep_a, name="CRM", scope="read")
    assert raw.startswith("ctx_")
    assert raw not in token.key_hash and len(token.key_hash) == 64
    assert tokens.token_authenticate(raw) == token


def test_staff_need_two_factor_to_create_a_token(world):
    with pytest.raises(PermissionDenied):
        tokens.token_create(user=world.manager_a, name="x", scope="read")
    assert not ApiToken.objects.exists()


def test_revoked_and_expired_tokens_are_refused(world, api):
    token, raw = tokens.token_create(user=world.rep_a, name="x", scope="read")
    assert api.get("/api/v1/organisations/", raw).status_code == 200
    tokens.token_revoke(token=token, by=world.rep_a)
    response = api.get("/api/v1/organisations/", raw)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401

    token2, raw2 = tokens.token_create(
        user=world.rep_a, name="y", scope="read", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/organisations/", raw2).status_code == 401


def test_another_users_token_cannot_be_revoked(world):
    token, _ = tokens.token_create(user=world.rep_a, name="x", scope="read")
    with pytest.raises(PermissionDenied):
        tokens.token_revoke(token=token, by=world.outsider)


def test_last_used_time_is_recorded(world, api):
    token, raw = tokens.token_create(user=world.rep_a, name="x", scope="read")
    assert token.last_used_at is None
    api.get("/api/v1/organisations/", raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_page_shows_the_secret_once_then_lists_it(world, login):
    client = login(world.rep_a)
    response = client.post("/api/tokens/", {"name": "Website", "scope": "read"})
    assert response.status_code == 200
    body = response.content.decode()
    token = ApiToken.objects.get(user=world.rep_a)
    assert "ctx_" + token.prefix in body
    again = client.get("/api/tokens/").content.decode()
    assert "Website" in again and "ctx_" + token.prefix + "_" not in again


def test_token_page_refuses_staff_without_mfa(world, login):
    client = login(world.manager_a)
    response = client.post("/api/tokens/", {"name": "x", "scope": "read"}, follow=True)
    assert "two-factor" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_page_rejects_a_past_expiry(world, login):
    client = login(world.rep_a)
    response = client.post(
        "/api/tokens/", {"name": "x", "scope": "read", "expires_on": "2000-01-01"}
    )
    assert response.status_code == 200
    assert "future" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_revoke_page_is_own_tokens_only(world, login):
    token, _ = tokens.token_create(user=world.rep_a, name="x", scope="read")
    assert login(world.outsider).post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert login(world.rep_a).post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_page_shows_when_it_was_last_used(world, api, login):
    _token, raw = tokens.token_create(user=world.rep_a, name="Website", scope="read")
    client = login(world.rep_a)
    assert "never" in client.get("/api/tokens/").content.decode()
    assert api.get("/api/v1/organisations/", raw).status_code == 200
    assert "never" not in client.get("/api/tokens/").content.decode()


def test_unknown_api_addresses_answer_a_problem_document(db, client):
    response = client.post("/api/v1/nothing-here/", {})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Not Found" and response.json()["status"] == 404
