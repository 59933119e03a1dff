import pytest
from allauth.mfa.models import Authenticator

from api import tokens


def _with_mfa(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def token_for(db):
    """A raw token of `user` with `scope` (staff get MFA first, as the rule requires)."""

    def make(user, scope="read"):
        from members.roles import scope_of

        if scope_of(user).is_staff_role:
            _with_mfa(user)
        _, raw = tokens.token_create(user=user, name="test", scope=scope)
        return raw

    return make


@pytest.fixture
def api(client):
    """GET/POST with a bearer token."""

    class Api:
        def get(self, url, raw=None, **extra):
            if raw:
                extra["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
            return client.get(url, **extra)

        def post(self, url, data=None, raw=None, **extra):
            if raw:
                extra["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
            return client.post(url, data or {}, content_type="application/json", **extra)

    return Api()


@pytest.fixture(autouse=True)
def _programme_countries(eligible_countries):
    """Applications and exchanges are checked against the programme's countries."""


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Throttle counters live in the cache, keyed by token id: ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
