"""Personal API tokens: created (shown once), looked up by hash, revoked."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import ApiToken

TOKEN_PREFIX = "ctx_"
# last_used_at is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str, scope: str, expires_at=None) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is never stored and never shown again.
    People who run the portal (administrators, coordinators, managers) need two-factor
    authentication first: a token is a password that bypasses the login."""
    if not permissions.can_create_token(user):
        raise PermissionDenied(_("Turn on two-factor authentication before creating an API token."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError(_("The expiry date must lie in the future."))
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=prefix,
        key_hash=_hash(raw),
        scope=scope,
        expires_at=expires_at,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("This token is not yours."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token for this secret, or None (unknown, revoked, expired, inactive user)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
