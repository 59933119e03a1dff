from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from . import kinds, services


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a session or CSRF token
def unsubscribe(request, token):
    """One click, no login: the signed token in the link is the proof."""
    try:
        subscription = services.unsubscribe(token=token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"email": subscription.email, "category": kinds.CATEGORIES[subscription.category]},
    )
