from django.core import signing
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from . import kinds, services


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a session or CSRF token
def unsubscribe(request, token):
    """No login: the signed token in the link is the proof. A GET only shows the button
    (mail scanners open links by themselves); the POST — from that button or from the mail
    client's List-Unsubscribe-Post one-click — unsubscribes."""
    try:
        data = services.unsubscribe_token_read(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    context = {"email": data["e"], "category": kinds.CATEGORIES[data["c"]]}
    if request.method == "POST":
        services.unsubscribe(token=token)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
