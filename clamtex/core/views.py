import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members import selectors, services
from members.forms import PreferencesForm, ProfileForm
from members.roles import scope_of

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness: 503 when the database is unreachable; the broker's state is reported
    (emails wait in the database while it is down, so it does not fail the check).
    /readyz is the stricter check a load balancer uses before sending traffic."""
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


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    from clamtex.celery import app

    with app.connection_for_write(connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=0)


def _check_cache():
    """Sessions and rate limits live in the cache (Redis in production): it must answer."""
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


def _check_storage():
    """A tiny write, read and delete through the storage every node shares (the media
    folder, or the bucket)."""
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as stored:
            if stored.read() != b"ok":
                raise RuntimeError("the storage did not return what was written")
    finally:
        default_storage.delete(name)


READINESS_CHECKS = {
    "database": _check_database,
    "broker": _check_broker,
    "cache": _check_cache,
    "storage": _check_storage,
}


@never_cache
def readyz(request):
    """Readiness: 200 only when the database, the broker, the cache and the file storage
    all answer; 503 names what does not (the reason goes to the log, not to the caller)."""
    state = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception as exc:  # each backend raises its own errors: all mean "not ready"
            logger.warning("readyz: %s unavailable: %s", name, exc)
            state[name] = "unavailable"
        else:
            state[name] = "ok"
    ready = all(value == "ok" for value in state.values())
    state["status"] = "ready" if ready else "not ready"
    return JsonResponse(state, status=200 if ready else 503)


def home(request):
    """The dashboard: what the user has to do next, one work queue per kind of work, for
    each of their roles. The member figures load separately (home_figures) so that the
    page keeps a fixed, small number of queries."""
    from exchange import dashboard as exchange_dashboard
    from projects import selectors as project_selectors
    from workshops import selectors as workshop_selectors

    scope = scope_of(request.user)
    if not scope.is_authenticated:
        return render(request, "home_public.html")
    user = request.user
    context = {"scope": scope}
    if scope.is_admin or scope.is_coordinator:
        context["figures_title"] = _("Members of the partnership")
        project = project_selectors.project_for(user)
        if project is not None:
            context["overview"] = project_selectors.coordinator_overview(user, project)
        context["shares"] = cluster_shares(user, context.get("overview"))
    if scope.is_manager:
        # (id, acronym) read with the roles: no query of its own.
        context["managed_clusters"] = scope.managed_clusters
        queues = [
            *exchange_dashboard.manager_work_queue(user),
            *workshop_selectors.manager_work_queue(user),
            selectors.invitations_pending_queue(user),
            project_selectors.late_deliverables_queue(user),
        ]
        context["queues"] = queues
        context["queues_total"] = sum(q.total for q in queues)
        context.setdefault("figures_title", _("Members of your cluster"))
    if not scope.is_staff_role or scope.is_representative:
        context["applicant"] = exchange_dashboard.applicant_work_queue(user)
        context["sme_queues"] = workshop_selectors.registrant_work_queue(user)
    if scope.is_representative:
        context["profiles"] = selectors.profile_completeness(user)
    return render(request, "home.html", context)


def cluster_shares(user, overview) -> dict | None:
    """The coordinator's queues of every cluster of the partnership, summed, with each
    cluster's share (a few grouped queries)."""
    from exchange.dashboard import cluster_shares as exchange_shares
    from workshops.selectors import pending_registrations_by_cluster

    clusters = list(selectors.clusters_visible_to(user).order_by("acronym"))
    scope = scope_of(user)
    if not scope.is_admin:
        clusters = [c for c in clusters if c.pk in scope.coordinated_cluster_ids]
    if not clusters:
        return None
    ids = [c.pk for c in clusters]
    counts = exchange_shares(ids)
    counts["registrations_pending"] = pending_registrations_by_cluster(ids)
    if overview is not None:
        counts["late_deliverables"] = overview["late_per_cluster"]
    titles = {
        "applications_to_review": _("Applications to review"),
        "reports_to_validate": _("Closing reports to validate"),
        "payments": _("Payments due and overdue"),
        "registrations_pending": _("Registrations awaiting approval"),
        "late_deliverables": _("Late deliverables"),
    }
    rows = []
    for key, title in titles.items():
        per_cluster = counts.get(key, {})
        total = sum(per_cluster.get(pk, 0) for pk in ids)
        cells = [
            {
                "n": per_cluster.get(c.pk, 0),
                "share": round(100 * per_cluster.get(c.pk, 0) / total) if total else 0,
            }
            for c in clusters
        ]
        rows.append(
            {
                "key": key,
                "title": title,
                "total": total,
                "cells": cells,
                "html": _cells(cells, total),
            }
        )
    header = "".join(f'<th scope="col" class="text-end">{escape(c.acronym)}</th>' for c in clusters)
    return {"clusters": clusters, "rows": rows, "header_html": mark_safe(header)}  # noqa: S308


def _cells(cells: list[dict], total: int) -> str:
    """The cells of a row of the cluster shares, built in Python: with the 1,100 clusters of
    a landscape-sized partnership the table has 5,500 cells, which took the template half a
    second. Integers as the template prints them (no thousands separator is configured)."""
    if total:
        html = "".join(
            f'<td class="text-end">{c["n"]} <span class="small text-body-secondary">'
            f"({c['share']} %)</span></td>"
            for c in cells
        )
    else:
        html = "".join(f'<td class="text-end">{c["n"]}</td>' for c in cells)
    return mark_safe(html)  # noqa: S308 (integers only)


def home_figures(request):
    """The member figures of the dashboard, loaded after the page (htmx)."""
    scope = scope_of(request.user)
    if not scope.is_staff_role:
        return render(request, "includes/figures_block.html", {})
    if scope.is_admin or scope.is_coordinator:
        partnership_ids = None if scope.is_admin else scope.partnership_ids
        context = {
            "figures": selectors.member_figures(partnership_ids=partnership_ids),
            "figures_title": _("Members of the partnership"),
        }
    else:
        context = {
            "figures": selectors.member_figures(cluster_ids=scope.managed_cluster_ids),
            "figures_title": _("Members of your cluster"),
            "partnership_figures": selectors.member_figures(
                partnership_ids=selectors.partnerships_of(request.user).values("id")
            ),
        }
    return render(request, "includes/figures_block.html", context)


def favicon(request):
    """Browsers ask /favicon.ico whatever the page says: send them to the static icon."""
    from django.templatetags.static import static

    return HttpResponseRedirect(static("favicon.svg"))


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
        # Said in the language just chosen (the next page speaks it too).
        with translation.override(user.language):
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
