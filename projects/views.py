"""HTTP of the programme: dashboards, deliverables, manual KPI values and generated
reports. A view parses a form, checks a permission, calls one service, and renders or
redirects; objects the user may not see are 404, pages of another cluster are 403."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clamtex.core.files import private_download
from clamtex.core.security import ratelimit
from members import selectors as member_selectors
from members.models import Cluster
from members.roles import scope_of

from . import permissions, selectors, services
from .forms import DecisionForm, DeliverableUploadForm, KPIValueForm, ReportRequestForm, ReturnForm
from .models import KPI, Deliverable, DeliverableVersion, Project


def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _default_period(project: Project) -> tuple[date, date]:
    """What a report is usually asked for: the call open now (from its opening to today),
    else the last 12 months."""
    return selectors.report_default_period(project, today=timezone.localdate())


def _report_form(
    project: Project, cluster: Cluster | None, period: tuple[date, date] | None = None
) -> ReportRequestForm:
    start, end = period or _default_period(project)
    return ReportRequestForm(
        initial={
            "project": project.pk,
            "cluster": cluster.pk if cluster else None,
            "period_start": start,
            "period_end": end,
        }
    )


def _render_dashboard(
    request, project: Project, cluster: Cluster | None, *, can_report: bool, projects=None
):
    context = selectors.dashboard(request.user, project, cluster)
    if projects is None:
        projects = selectors.projects_visible_to(request.user).filter(
            partnership_id=project.partnership_id
        )
    else:
        projects = [p for p in projects if p.partnership_id == project.partnership_id]
    period = context.pop("default_period")
    context.update(
        {
            "clusters": selectors.clusters_for_dashboards(request.user, project),
            "projects": projects,
            "can_report": can_report,
            "can_enter_values": can_report or cluster is not None,
            "report_form": _report_form(project, cluster, period) if can_report else None,
            "runs": selectors.recent_runs(request.user, project, cluster) if can_report else [],
        }
    )
    return render(request, "projects/dashboard.html", context)


@login_required
def dashboard(request):
    """The partnership dashboard: the coordinator's; managers read its aggregates."""
    if not scope_of(request.user).is_staff_role:
        raise PermissionDenied
    # The user's projects in one query: the switcher lists them and the dashboard shows one.
    projects = list(selectors.projects_visible_to(request.user))
    project = selectors.project_among(projects, project_id=request.GET.get("project") or None)
    if project is None:
        if request.GET.get("project"):
            raise Http404
        return render(request, "projects/no_project.html")
    can_report = permissions.can_report_on_partnership(request.user, project.partnership_id)
    return _render_dashboard(request, project, None, can_report=can_report, projects=projects)


def _visible_cluster(request, pk: int) -> Cluster:
    """404 for a cluster outside the user's partnerships, 403 for another cluster of the
    same partnership."""
    cluster = get_object_or_404(member_selectors.clusters_visible_to(request.user), pk=pk)
    if not permissions.can_view_cluster(request.user, cluster):
        raise PermissionDenied
    return cluster


@login_required
def cluster_dashboard(request, pk: int):
    cluster = _visible_cluster(request, pk)
    projects = list(
        selectors.projects_visible_to(request.user).filter(partnership_id=cluster.partnership_id)
    )
    project = selectors.project_among(projects, project_id=request.GET.get("project") or None)
    if project is None:
        if request.GET.get("project"):
            raise Http404
        return render(request, "projects/no_project.html", {"cluster": cluster})
    return _render_dashboard(request, project, cluster, can_report=True, projects=projects)


# --- Reports ---------------------------------------------------------------------------------


@login_required
@require_POST
@ratelimit("report_request")
def report_request(request):
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        project_id = request.POST.get("project", "")
        if not (project_id.isascii() and project_id.isdigit()):
            raise Http404  # a forged form: no project to go back to
        project = get_object_or_404(selectors.projects_visible_to(request.user), pk=project_id)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        cluster_id = form.cleaned_data.get("cluster")
        if cluster_id:
            return redirect("projects:cluster_dashboard", pk=cluster_id)
        return redirect(f"{reverse('projects:dashboard')}?project={project.pk}")
    data = form.cleaned_data
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=data["project"])
    cluster = _visible_cluster(request, data["cluster"]) if data.get("cluster") else None
    try:
        run = services.report_request(
            project=project,
            cluster=cluster,
            period_start=data["period_start"],
            period_end=data["period_end"],
            format=data["format"],
            by=request.user,
        )
    except ValidationError as exc:
        _messages_from(request, exc)
        if cluster:
            return redirect("projects:cluster_dashboard", pk=cluster.pk)
        return redirect(f"{reverse('projects:dashboard')}?project={project.pk}")
    return redirect("projects:report_detail", pk=run.pk)


def _visible_run(request, pk: int):
    return get_object_or_404(selectors.report_runs_visible_to(request.user), pk=pk)


@login_required
def report_detail(request, pk: int):
    run = _visible_run(request, pk)
    return render(request, "projects/report_detail.html", {"run": run})


@never_cache
@login_required
def report_status(request, pk: int):
    """The htmx fragment the report page polls until the run is done or failed."""
    run = _visible_run(request, pk)
    return render(request, "projects/_run_status.html", {"run": run})


@login_required
def report_download(request, pk: int):
    run = _visible_run(request, pk)
    if run.status != run.Status.DONE or not run.file:
        raise Http404
    content_type = {
        "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[run.format]
    return private_download(run.file, filename=run.filename, content_type=content_type)


# --- Deliverables ----------------------------------------------------------------------------


def _visible_deliverable(request, pk: int) -> Deliverable:
    try:
        return selectors.deliverable_detail(request.user, pk)
    except Deliverable.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def deliverable_detail(request, pk: int):
    deliverable = _visible_deliverable(request, pk)
    actions = selectors.deliverable_actions(request.user, deliverable)
    return render(
        request,
        "projects/deliverable_detail.html",
        {
            "deliverable": deliverable,
            "project": deliverable.work_package.project,
            "actions": actions,
            "upload_form": DeliverableUploadForm() if actions["upload"] else None,
        },
    )


@login_required
@require_POST
def deliverable_upload(request, pk: int):
    deliverable = _visible_deliverable(request, pk)
    if not permissions.can_upload_deliverable(request.user, deliverable):
        raise PermissionDenied
    form = DeliverableUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.deliverable_version_upload(
                deliverable=deliverable,
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                submit=form.cleaned_data["submit"],
                by=request.user,
            )
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            messages.success(
                request,
                _("Version %(n)d of %(code)s was uploaded.")
                % {"n": version.number, "code": deliverable.code},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("projects:deliverable_detail", pk=deliverable.pk)


@login_required
def deliverable_approve(request, pk: int):
    """GET asks for confirmation; POST approves."""
    deliverable = _visible_deliverable(request, pk)
    if not permissions.can_approve_deliverable(request.user, deliverable.work_package.project):
        raise PermissionDenied
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deliverable_approve(
                deliverable=deliverable, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("%(code)s is approved.") % {"code": deliverable.code})
        return redirect("projects:deliverable_detail", pk=deliverable.pk)
    return render(
        request,
        "projects/deliverable_decision.html",
        {"deliverable": deliverable, "form": form, "decision": "approve"},
    )


@login_required
def deliverable_return(request, pk: int):
    deliverable = _visible_deliverable(request, pk)
    if not permissions.can_approve_deliverable(request.user, deliverable.work_package.project):
        raise PermissionDenied
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deliverable_return(
                deliverable=deliverable, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            messages.success(
                request,
                _("%(code)s was sent back to its lead partner.") % {"code": deliverable.code},
            )
        return redirect("projects:deliverable_detail", pk=deliverable.pk)
    return render(
        request,
        "projects/deliverable_decision.html",
        {"deliverable": deliverable, "form": form, "decision": "return"},
    )


@login_required
def version_download(request, pk: int):
    version = get_object_or_404(
        DeliverableVersion.objects.select_related("deliverable__work_package__project"), pk=pk
    )
    project = version.deliverable.work_package.project
    if not permissions.can_view_programme(request.user, project.partnership_id):
        raise Http404
    return private_download(
        version.file, filename=version.original_name, content_type=version.content_type
    )


# --- Manual KPI values ------------------------------------------------------------------------


@login_required
def kpi_value_add(request, project_pk: int):
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=project_pk)
    partnership_allowed = permissions.can_report_on_partnership(
        request.user, project.partnership_id
    )
    clusters = Cluster.objects.filter(
        pk__in=[c.pk for c in selectors.clusters_for_dashboards(request.user, project)]
    )
    if not partnership_allowed and not clusters.exists():
        raise PermissionDenied
    start, end = _default_period(project)
    form = KPIValueForm(
        request.POST or None,
        kpis=KPI.objects.filter(project=project, source=KPI.MANUAL),
        clusters=clusters,
        partnership_allowed=partnership_allowed,
        initial={"period_start": start, "period_end": end},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.kpi_value_record(
                kpi=data["kpi"],
                cluster=data["cluster"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("The value of %(code)s was recorded.") % {"code": data["kpi"].code}
            )
            if data["cluster"] and not partnership_allowed:
                return redirect("projects:cluster_dashboard", pk=data["cluster"].pk)
            return redirect(f"{reverse('projects:dashboard')}?project={project.pk}")
    return render(request, "projects/kpi_value_form.html", {"form": form, "project": project})
