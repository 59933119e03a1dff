import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members import selectors, services
from members.forms import PreferencesForm, ProfileForm
from members.roles import scope_of

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness and readiness: 503 when the database is unreachable; the broker's state is
    reported (emails wait in the database while it is down, so it does not fail the check)."""
    state = {"database": "ok", "broker": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        logger.warning("healthz: database unreachable: %s", exc)
        state["database"] = "unreachable"
        status = 503
    try:
        from clamtex.celery import app

        # One quick attempt: a probe must answer fast even when the broker is down.
        with app.connection_for_write(connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("healthz: broker unreachable: %s", exc)
        state["broker"] = "unreachable"
    state["status"] = (
        "ok"
        if status == 200 and state["broker"] == "ok"
        else ("degraded" if status == 200 else "down")
    )
    return JsonResponse(state, status=status)


def home(request):
    scope = scope_of(request.user)
    if not scope.is_authenticated:
        return render(request, "home_public.html")
    context = {"scope": scope}
    if scope.is_admin or scope.is_coordinator:
        partnership_ids = None if scope.is_admin else scope.partnership_ids
        context["figures"] = selectors.member_figures(partnership_ids=partnership_ids)
        context["figures_title"] = _("Members of the partnership")
    elif scope.is_manager:
        context["figures"] = selectors.member_figures(cluster_ids=scope.managed_cluster_ids)
        context["figures_title"] = _("Members of your cluster")
        context["partnership_figures"] = selectors.member_figures(
            partnership_ids=selectors.partnerships_of(request.user).values("id")
        )
        context["managed_clusters"] = selectors.clusters_managed_by(request.user)
    if scope.is_representative:
        context["my_organisations"] = selectors.organisations_of_representative(request.user)
    return render(request, "home.html", context)


@require_POST
def set_language(request):
    """Language switcher: remembered in a cookie and, for a logged-in user, on the
    account so emails follow it too."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if request.user.is_authenticated and request.user.language != language:
        services.user_update_profile(user=request.user, data={"language": language})
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


@login_required
def profile(request):
    from notifications.services import preferences_of, preferences_update

    user = request.user
    form = ProfileForm(
        request.POST if request.POST.get("form") == "profile" else None,
        initial={"full_name": user.full_name, "language": user.language, "phone": user.phone},
    )
    enabled = preferences_of(user)
    preferences = PreferencesForm(
        request.POST if request.POST.get("form") == "preferences" else None,
        initial={f"cat_{key}": True for key in enabled},
    )
    if request.method == "POST" and form.is_bound and form.is_valid():
        services.user_update_profile(user=user, data=form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    if request.method == "POST" and preferences.is_bound and preferences.is_valid():
        preferences_update(user=user, enabled=preferences.enabled())
        messages.success(request, _("Your email preferences were saved."))
        return redirect("profile")
    return render(request, "account/profile.html", {"form": form, "preferences": preferences})


def bench_bare(request):
    """The bare view `make bench` pairs every page with (only routed when BENCH=1)."""
    return HttpResponse("ok", content_type="text/plain")
