"""Security mechanisms shared by every feature: MFA for the people who run the portal,
reauthentication before sensitive actions, rate limits with a clear 429 page, and the
Permissions-Policy header. See README, "Security and data protection"."""

from __future__ import annotations

import math
import time
from functools import wraps

from allauth.account.decorators import reauthentication_required
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# --- MFA for staff ---------------------------------------------------------------------

# What a staff member without MFA may still reach: the MFA setup itself, logging out,
# confirming an email, the language switch, static files and the health check.
MFA_SETUP_ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/accounts/confirm-email/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/readyz",
)


def needs_mfa_setup(user) -> bool:
    """An administrator, coordinator or cluster manager (or anyone with the Django admin)
    without TOTP or a security key, when MFA_REQUIRED_FOR_STAFF is on."""
    if not getattr(settings, "MFA_REQUIRED_FOR_STAFF", False):
        return False
    if user is None or not user.is_authenticated:
        return False
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    from members.roles import scope_of

    if not (user.is_staff or scope_of(user).is_staff_role):
        return False
    return not is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


class MFARequiredMiddleware:
    """Sends staff without a second factor to the TOTP setup before any other page
    (the Django admin included). Runs after AuthenticationMiddleware and messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES) and needs_mfa_setup(
            getattr(request, "user", None)
        ):
            target = reverse("mfa_activate_totp")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            messages.warning(
                request,
                _(
                    "Your role gives access to personal data: set up two-factor "
                    "authentication (an authenticator app) before you continue."
                ),
            )
            return redirect(target)
        return self.get_response(request)


def sensitive(view):
    """Asks for the password (or the second factor) again, if it was not given in the last
    few minutes, before a view that exports personal data or signs a document. Off when
    REAUTHENTICATION_REQUIRED is off (development)."""
    return reauthentication_required(
        view, enabled=lambda request: getattr(settings, "REAUTHENTICATION_REQUIRED", False)
    )


# --- Rate limits ---------------------------------------------------------------------


def _config(action: str, key) -> dict[str, str]:
    """The action's rates from ACCOUNT_RATE_LIMITS; without a key (no address was posted)
    the per-key rates cannot apply and only the per-IP/per-user ones count."""
    rates = (settings.ACCOUNT_RATE_LIMITS or {}).get(action) or ""
    if key is None:
        rates = ",".join(r for r in rates.split(",") if not r.strip().endswith("/key"))
    return {action: rates}


def _retry_after(request, action: str, key, config) -> int:
    """Seconds until the oldest hit of the exhausted rate leaves its window."""
    now = time.time()
    for rate in allauth_ratelimit.get_rates(app="allauth.account", action=action, config=config):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app="allauth.account", action=action, rate=rate, key=key, user=None
        )
        history = cache.get(cache_key, [])
        if len(history) >= rate.amount:
            return max(1, math.ceil(history[-1] + rate.duration - now))
    return 60


def too_many_requests(request, *, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"retry_after": retry_after, "retry_minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(request, *, action: str, key: str | None = None) -> HttpResponse | None:
    """Counts one attempt of `action` (rates in ACCOUNT_RATE_LIMITS, kept in the shared
    cache, per client IP as resolved with the trusted-proxy settings, and per `key` when
    given). Returns a 429 response with Retry-After when the limit is reached."""
    key = key.strip().lower() if key and key.strip() else None
    config = _config(action, key)
    usage = allauth_ratelimit.consume(
        request, app="allauth.account", action=action, config=config, key=key
    )
    if usage is None:
        retry_after = _retry_after(request, action, key, config)
        return too_many_requests(request, retry_after=retry_after)
    return None


def ratelimit(action: str, *, key=None):
    """View decorator: `key(request)` may return a string (an email address) to count per
    key as well as per IP. GET requests are not counted."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                limited = rate_limited(request, action=action, key=key(request) if key else None)
                if limited:
                    return limited
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def confirmation_resend(view):
    """allauth's email page: a confirmation asked for again within the `confirm_email`
    rate (one per address every 3 minutes) is skipped without a word by allauth (the link
    sent before still works). Say so, with when to ask again and a Retry-After header."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        email = ""
        if request.method == "POST" and "action_send" in request.POST:
            email = request.POST.get("email", "").strip().lower()
        retry_after = None
        if email:
            config = _config("confirm_email", email)
            allowed = allauth_ratelimit.consume(
                request,
                app="allauth.account",
                action="confirm_email",
                config=config,
                key=email,
                dry_run=True,
            )
            if allowed is None:
                retry_after = _retry_after(request, "confirm_email", email, config)
        response = view(request, *args, **kwargs)
        if retry_after is not None:
            minutes = max(1, math.ceil(retry_after / 60))
            messages.warning(
                request,
                ngettext(
                    "A confirmation email was sent to %(email)s a moment ago: use the link "
                    "in it, or ask again in about %(minutes)d minute.",
                    "A confirmation email was sent to %(email)s a moment ago: use the link "
                    "in it, or ask again in about %(minutes)d minutes.",
                    minutes,
                )
                % {"email": email, "minutes": minutes},
            )
            response["Retry-After"] = str(retry_after)
        return response

    return wrapper


def handler429(request, exception=None):
    """allauth's own limits (login, signup, password reset) answer with the same page."""
    return too_many_requests(request, retry_after=60)


# --- Headers -------------------------------------------------------------------------

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class PermissionsPolicyMiddleware:
    """The portal uses no camera, microphone, location or payment API: deny them all, so
    an injected script or a framed page cannot ask for them either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
