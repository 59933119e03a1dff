"""The portal's pages for API tokens (profile) and webhook subscriptions (managers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.selectors import clusters_managed_by

from . import permissions, tokens, webhooks
from .forms import TokenForm, WebhookForm
from .models import ApiToken, WebhookSubscription


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_secret = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("api:token_list")
        form = TokenForm()
        messages.success(request, _("Token created. Copy it now: it is not shown again."))
    context = {
        "form": form,
        "new_secret": new_secret,
        "tokens": ApiToken.objects.filter(user=request.user),
        "can_create": permissions.can_create_token(request.user),
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:token_list")


@login_required
def webhook_list(request):
    clusters = clusters_managed_by(request.user)
    if not clusters.exists():
        raise PermissionDenied
    form = WebhookForm(request.POST or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = webhooks.subscription_create(
                cluster=form.cleaned_data["cluster"],
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            request.session["webhook_secret"] = [subscription.pk, subscription.secret]
            return redirect("api:webhook_detail", pk=subscription.pk)
    subscriptions = WebhookSubscription.objects.filter(cluster__in=clusters).select_related(
        "cluster"
    )
    return render(request, "api/webhooks.html", {"form": form, "subscriptions": subscriptions})


@login_required
def webhook_detail(request, pk):
    subscription = get_object_or_404(WebhookSubscription.objects.select_related("cluster"), pk=pk)
    if not permissions.can_manage_webhooks(request.user, subscription.cluster):
        raise PermissionDenied
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rotate":
            webhooks.subscription_rotate_secret(subscription=subscription, by=request.user)
            request.session["webhook_secret"] = [subscription.pk, subscription.secret]
            messages.success(request, _("A new secret was made. Copy it now."))
        elif action == "test":
            webhooks.webhook_send_test(subscription=subscription, by=request.user)
            messages.success(request, _("A test event was queued."))
        elif action in {"pause", "resume"}:
            webhooks.subscription_set_active(
                subscription=subscription, active=action == "resume", by=request.user
            )
            messages.success(request, _("Saved."))
        elif action == "delete":
            webhooks.subscription_delete(subscription=subscription, by=request.user)
            messages.success(request, _("The subscription was deleted."))
            return redirect("api:webhook_list")
        return redirect("api:webhook_detail", pk=subscription.pk)
    shown = request.session.pop("webhook_secret", None)
    secret = shown[1] if shown and shown[0] == subscription.pk else None
    deliveries = Paginator(subscription.deliveries.all(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "api/webhook_detail.html",
        {"subscription": subscription, "secret": secret, "deliveries": deliveries},
    )
