from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse
from django.utils import translation


def site_url(path: str) -> str:
    """An absolute link on the portal: SITE_URL, never the host and port a request came in
    on (a worker, a node behind the load balancer or a test client would all differ)."""
    return settings.SITE_URL + path


def _on_site(url: str) -> str:
    parts = urlsplit(url)
    return site_url(parts.path + (f"?{parts.query}" if parts.query else ""))


class AccountAdapter(DefaultAccountAdapter):
    """New accounts keep the language the person was browsing in. allauth's emails name
    the portal (PORTAL_NAME; django.contrib.sites is not installed, so allauth would use
    the request's host as the site name) and link with SITE_URL."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or "en"
        if language[:2] in {"en", "fr", "es", "ca", "pt"}:
            user.language = language[:2]
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix, email, context):
        # allauth's templates say "Hello from {{ current_site.name }}!" and end with
        # "{{ current_site.domain }}"; every *_url in the context points at SITE_URL.
        context = {
            "request": allauth_context.request,
            "email": email,
            **context,
            "current_site": SimpleNamespace(name=settings.PORTAL_NAME, domain=settings.SITE_URL),
            "portal_name": settings.PORTAL_NAME,
            "site_url": settings.SITE_URL,
        }
        for key, value in list(context.items()):
            if key.endswith("_url") and isinstance(value, str) and "://" in value:
                context[key] = _on_site(value)
        # DefaultAccountAdapter.send_mail would put the request's site back; render here.
        message = self.render_mail(template_prefix, email, context)
        message.send()

    def get_email_confirmation_url(self, request, emailconfirmation):
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key):
        return _on_site(super().get_reset_password_from_key_url(key))
