"""The API's shared mechanics: scope permission, throttling per token, cursor pages,
ETags on lists, RFC 9457 problem details."""

import hashlib

from rest_framework import permissions, status
from rest_framework.pagination import CursorPagination
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenScope(permissions.BasePermission):
    """A read token never writes, whatever the user behind it may do."""

    message = "This token is read only."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken):
            return token.can_write
        return True  # session users: the page rules apply (checked by each service)


class TokenRateThrottle(SimpleRateThrottle):
    """Limits per token (or per user for sessions, per address for anonymous reads)."""

    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Cursor(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"


class ETagMixin:
    """Lists answer an ETag; `If-None-Match` with the same tag gets 304 and no body."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "GET" or response.status_code != 200:
            return response
        response.render()
        tag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        response["ETag"] = tag
        candidates = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
        if tag in candidates or "*" in candidates:
            response.status_code = status.HTTP_304_NOT_MODIFIED
            response.content = b""
            for header in ("Content-Type", "Content-Length"):
                if header in response:
                    del response[header]
        return response
