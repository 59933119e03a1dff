import mimetypes
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from clamtex.core.audit import audit_record
from clamtex.core.exports import csv_response, xlsx_response
from clamtex.core.files import private_download
from clamtex.core.security import ratelimit, sensitive

from . import permissions, selectors, services
from .exports import COLUMNS, organisation_rows
from .filters import directory_filterset
from .forms import (
    ClusterForm,
    ContactForm,
    ImportForm,
    InvitationForm,
    MembershipForm,
    OrganisationCreateForm,
    OrganisationForm,
)
from .imports import IMPORT_DIR, ImportError_, import_preview, members_import
from .models import Cluster, Contact, ExportRun, Invitation, Membership
from .pagination import CappedPaginator
from .roles import scope_of


def _form_errors_to_messages(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _directory_filter(request):
    return directory_filterset(request.user, request.GET)


@login_required
@vary_on_headers("HX-Request")  # the same URL serves the page or the htmx fragment
def directory(request):
    if not permissions.can_use_directory(request.user):
        raise PermissionDenied
    filterset = _directory_filter(request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if not filterset.is_bound or not request.GET.get("sort"):
        qs = qs.order_by("legal_name", "pk")  # the index members_org_name_idx
    paginator = CappedPaginator(
        selectors.directory_list(request.user, queryset=qs),
        settings.PAGINATE_BY,
        limit=settings.DIRECTORY_EXACT_COUNT_LIMIT,
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "can_create": permissions.can_create_organisation(request.user),
    }
    template = "members/_directory_results.html" if request.htmx else "members/directory.html"
    return render(request, template, context)


def _export(request, fmt: str):
    if not permissions.can_use_directory(request.user):
        raise PermissionDenied
    filterset = _directory_filter(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect("members:directory")
    qs = filterset.qs if filterset.is_bound else filterset.queryset
    limit = settings.EXPORT_INLINE_MAX_ROWS
    if qs.order_by()[: limit + 1].count() > limit:
        # Too large for a request (a proxy or gunicorn timeout would cut it off): a
        # background job writes the file and its page offers the download.
        run = services.export_request(user=request.user, fmt=fmt, query=request.GET.urlencode())
        return redirect("members:export_detail", pk=run.pk)
    scope = scope_of(request.user)
    rows = organisation_rows(qs, cluster_ids=None if scope.is_admin else scope.cluster_ids)
    audit_record(action="export", target_type="members.organisation", summary=f"members.{fmt}")
    if fmt == "xlsx":
        return xlsx_response("members.xlsx", COLUMNS, rows)
    return csv_response("members.csv", COLUMNS, rows)


@login_required
@sensitive
def export_csv(request):
    return _export(request, "csv")


@login_required
@sensitive
def export_xlsx(request):
    return _export(request, "xlsx")


def _own_export(request, pk) -> ExportRun:
    return get_object_or_404(ExportRun, pk=pk, requested_by=request.user)


@login_required
def export_detail(request, pk):
    return render(request, "members/export_detail.html", {"run": _own_export(request, pk)})


@never_cache
@login_required
def export_status(request, pk):
    """The htmx fragment the export page polls until the file is ready."""
    return render(request, "members/_export_status.html", {"run": _own_export(request, pk)})


@login_required
def export_download(request, pk):
    run = _own_export(request, pk)
    if run.status != ExportRun.Status.DONE or not run.file:
        raise Http404
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[run.format]
    return private_download(run.file, filename=run.filename, content_type=content_type)


def _visible_organisation(request, pk):
    try:
        return selectors.organisation_detail(request.user, pk)
    except selectors.Organisation.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def organisation_detail(request, pk):
    organisation = _visible_organisation(request, pk)
    memberships = list(organisation.memberships.all())
    scope = scope_of(request.user)
    context = {
        "organisation": organisation,
        "memberships": [
            (m, scope.is_admin or m.cluster_id in scope.managed_cluster_ids) for m in memberships
        ],
        "contacts": organisation.contacts.all(),
        "representatives": organisation.representatives.all(),
        "can_edit": permissions.can_edit_organisation(request.user, organisation),
        "can_invite": permissions.can_invite_representative(request.user, organisation),
        "invitations": selectors.invitations_visible_to(request.user).filter(
            organisation=organisation, status=Invitation.Status.PENDING
        ),
    }
    return render(request, "members/organisation_detail.html", context)


@login_required
def organisation_create(request):
    clusters = selectors.clusters_managed_by(request.user)
    if not clusters.exists():
        raise PermissionDenied
    form = OrganisationCreateForm(request.POST or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in {"cluster", "membership_start"}
        }
        try:
            organisation = services.organisation_create(
                cluster=form.cleaned_data["cluster"],
                data=data,
                membership={"start_date": form.cleaned_data["membership_start"]},
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": organisation})
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(request, "members/organisation_form.html", {"form": form, "creating": True})


@login_required
def organisation_edit(request, pk):
    organisation = _visible_organisation(request, pk)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, data=form.cleaned_data, by=request.user
            )
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("The organisation profile was saved."))
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(
        request, "members/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def my_organisation(request):
    organisations = list(selectors.organisations_of_representative(request.user))
    if len(organisations) == 1:
        return redirect("members:organisation_detail", pk=organisations[0].pk)
    return render(request, "members/my_organisations.html", {"organisations": organisations})


@login_required
def membership_edit(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("cluster", "organisation"), pk=pk
    )
    if not permissions.can_view_organisation(request.user, membership.organisation):
        raise Http404
    if not permissions.can_edit_membership(request.user, membership):
        raise PermissionDenied
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership, data=form.cleaned_data, by=request.user
            )
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("The membership was updated."))
            return redirect("members:organisation_detail", pk=membership.organisation_id)
    return render(request, "members/membership_form.html", {"form": form, "membership": membership})


def _editable_contact(request, pk) -> Contact:
    contact = get_object_or_404(Contact.objects.select_related("organisation"), pk=pk)
    if not permissions.can_view_organisation(request.user, contact.organisation):
        raise Http404
    if not permissions.can_edit_contact(request.user, contact):
        raise PermissionDenied
    return contact


@login_required
def contact_create(request, org_pk):
    organisation = _visible_organisation(request, org_pk)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = ContactForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(
                organisation=organisation, data=form.cleaned_data, by=request.user
            )
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("The contact was added."))
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(
        request, "members/contact_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def contact_edit(request, pk):
    contact = _editable_contact(request, pk)
    form = ContactForm(request.POST or None, instance=contact, organisation=contact.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("The contact was saved."))
            return redirect("members:organisation_detail", pk=contact.organisation_id)
    return render(
        request,
        "members/contact_form.html",
        {"form": form, "organisation": contact.organisation, "contact": contact},
    )


@login_required
def contact_delete(request, pk):
    contact = _editable_contact(request, pk)
    if request.method == "POST":
        services.contact_delete(contact=contact, by=request.user)
        messages.success(
            request, _("The contact %(name)s was deleted.") % {"name": contact.full_name}
        )
        return redirect("members:organisation_detail", pk=contact.organisation_id)
    return render(request, "members/contact_confirm_delete.html", {"contact": contact})


# --- Clusters --------------------------------------------------------------------------


@login_required
def cluster_list(request):
    clusters = selectors.clusters_visible_to(request.user).prefetch_related("sectors")
    return render(request, "members/cluster_list.html", {"clusters": clusters})


@login_required
def cluster_detail(request, pk):
    cluster = get_object_or_404(
        selectors.clusters_visible_to(request.user).prefetch_related("sectors"), pk=pk
    )
    from . import eccp

    scope = scope_of(request.user)
    # The readiness check names staff and member figures: the cluster's managers and the
    # coordinator only (as the full profile in the API and the ECCP export).
    full_profile = scope.is_admin or cluster.pk in scope.cluster_ids
    return render(
        request,
        "members/cluster_detail.html",
        {
            "cluster": cluster,
            "can_edit": permissions.can_manage_cluster(request.user, cluster),
            "eccp_checks": eccp.readiness(cluster) if full_profile else None,
        },
    )


@login_required
def cluster_logo(request, pk):
    """The logo through the storage (disk or bucket), to whoever may see the cluster."""
    cluster = get_object_or_404(selectors.clusters_visible_to(request.user), pk=pk)
    content_type = mimetypes.guess_type(cluster.logo.name or "")[0] or "application/octet-stream"
    return private_download(
        cluster.logo, filename=f"logo-{cluster.pk}", content_type=content_type, inline=True
    )


@login_required
def cluster_edit(request, pk):
    cluster = get_object_or_404(selectors.clusters_visible_to(request.user), pk=pk)
    if not permissions.can_manage_cluster(request.user, cluster):
        raise PermissionDenied
    form = ClusterForm(request.POST or None, request.FILES or None, instance=cluster)
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_update(cluster=cluster, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            _form_errors_to_messages(form, exc)
        else:
            messages.success(request, _("The cluster profile was saved."))
            return redirect("members:cluster_detail", pk=cluster.pk)
    return render(request, "members/cluster_form.html", {"form": form, "cluster": cluster})


# --- Invitations -------------------------------------------------------------------------


@login_required
def invitation_create(request, org_pk):
    organisation = _visible_organisation(request, org_pk)
    if not permissions.can_invite_representative(request.user, organisation):
        raise PermissionDenied
    clusters = [
        m.cluster
        for m in organisation.memberships.all()
        if permissions.can_manage_cluster(request.user, m.cluster)
    ]
    form = InvitationForm(
        request.POST or None,
        clusters=Cluster.objects.filter(pk__in=[c.pk for c in clusters]),
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation,
                cluster=form.cleaned_data["cluster"],
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error("email", exc.messages)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("members:organisation_detail", pk=organisation.pk)
    return render(
        request, "members/invitation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation was revoked."))
    return redirect("members:organisation_detail", pk=invitation.organisation_id)


def invitation_accept(request, token):
    """Public: the link in the invitation email. Anonymous visitors are asked to sign up
    or log in with the invited address; verifying it accepts the invitation."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("organisation", "cluster"), token=token
    )
    if request.method == "POST" and request.user.is_authenticated:
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("You now represent %(name)s.") % {"name": invitation.organisation.legal_name},
            )
            return redirect("members:organisation_detail", pk=invitation.organisation_id)
    next_url = reverse("members:invitation_accept", args=[token])
    return render(
        request, "members/invitation_accept.html", {"invitation": invitation, "next": next_url}
    )


# --- Import ------------------------------------------------------------------------------


def _import_name(key: str) -> str:
    # The default storage (local disk or the bucket): the confirmation may reach another
    # web server than the upload.
    return f"{IMPORT_DIR}/{key}"


@login_required
@ratelimit("member_import")
def import_upload(request):
    clusters = selectors.clusters_managed_by(request.user)
    if not clusters.exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        cluster = form.cleaned_data["cluster"]
        try:
            preview = import_preview(cluster=cluster, name=upload.name, content=content)
        except ImportError_ as exc:
            form.add_error("file", str(exc))
        else:
            request.session.pop("member_import", None)
            if preview.is_valid:
                key = f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
                key = default_storage.save(_import_name(key), ContentFile(content))
                request.session["member_import"] = {
                    "key": key.rpartition("/")[2],
                    "cluster": cluster.pk,
                    "name": upload.name,
                }
            return render(
                request,
                "members/import_preview.html",
                {"preview": preview, "cluster": cluster, "file_name": upload.name},
            )
    return render(request, "members/import_form.html", {"form": form})


@login_required
@require_POST
def import_confirm(request):
    pending = request.session.get("member_import")
    if not pending:
        messages.error(
            request, _("There is no import waiting for confirmation. Upload the file again.")
        )
        return redirect("members:import")
    cluster = get_object_or_404(selectors.clusters_managed_by(request.user), pk=pending["cluster"])
    name = _import_name(pending["key"])
    try:
        with default_storage.open(name, "rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        messages.error(request, _("The uploaded file has expired. Upload it again."))
        return redirect("members:import")
    preview = import_preview(cluster=cluster, name=pending["name"], content=content)
    if not preview.is_valid:
        return render(
            request,
            "members/import_preview.html",
            {"preview": preview, "cluster": cluster, "file_name": pending["name"]},
        )
    result = members_import(cluster=cluster, preview=preview, by=request.user)
    default_storage.delete(name)
    del request.session["member_import"]
    messages.success(
        request,
        _("Import finished: %(created)d organisations created, %(updated)d updated.") % result,
    )
    return redirect(reverse("members:directory") + f"?cluster={cluster.pk}")


def _cluster_for_eccp(request, pk):
    """The full ECCP profile (staff, member counts) is for the cluster's managers and the
    partnership's coordinator, as in the API; others see the public profile only."""
    cluster = get_object_or_404(
        selectors.clusters_visible_to(request.user).prefetch_related("sectors"), pk=pk
    )
    scope = scope_of(request.user)
    if not (scope.is_admin or cluster.pk in scope.cluster_ids):
        raise PermissionDenied
    return cluster


@login_required
def cluster_eccp_json(request, pk):
    """The cluster profile in the ECCP's fields, to register or update it there."""
    from django.http import JsonResponse

    from . import eccp

    cluster = _cluster_for_eccp(request, pk)
    response = JsonResponse(
        {
            "profile": eccp.profile(cluster),
            "readiness": [
                {"check": str(c.label), "passed": c.passed, "detail": str(c.detail)}
                for c in eccp.readiness(cluster)
            ],
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'attachment; filename="eccp-{cluster.pk}.json"'
    return response


@login_required
def cluster_eccp_csv(request, pk):
    from . import eccp

    cluster = _cluster_for_eccp(request, pk)
    record = eccp.profile(cluster)
    row = ["; ".join(v) if isinstance(v, list) else v for v in record.values()]
    return csv_response(f"eccp-{cluster.pk}.csv", list(record), [row])
