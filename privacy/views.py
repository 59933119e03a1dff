from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clamtex.core.files import private_download

from . import register, services
from .consents import notice_current
from .erasure import account_erase
from .forms import AccountDeleteForm
from .models import DataExport


def notice(request):
    """The privacy notice in force, in the visitor's language (public)."""
    current = notice_current()
    language = translation.get_language()
    return render(
        request,
        "privacy/notice.html",
        {"notice": current, "text": current.text_for(language) if current else ""},
    )


@login_required
@never_cache
def my_data(request):
    exports = DataExport.objects.filter(user=request.user)[:10]
    return render(request, "privacy/my_data.html", {"exports": exports, "now": timezone.now()})


@login_required
@require_POST
def export_request(request):
    try:
        services.data_export_request(user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("We are preparing your data. You will get an email with a download link."),
        )
    return redirect("privacy:my_data")


@login_required
@never_cache
def export_download(request, token: str):
    """Only the person whose data it is, and only until the link expires."""
    export = DataExport.objects.filter(token=token).first()
    if export is None or export.user_id != request.user.pk:
        raise Http404
    if not export.is_downloadable:
        messages.error(request, _("This download link has expired. Ask for your data again."))
        return redirect("privacy:my_data")
    stamp = timezone.localdate(export.completed_at).isoformat()
    return private_download(
        export.file, filename=f"clamtex-my-data-{stamp}.zip", content_type="application/zip"
    )


@login_required
@never_cache
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(user=request.user, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("account_delete")
        logout(request)
        messages.success(request, _("Your account and your personal data have been erased."))
        return redirect("home")
    return render(request, "privacy/account_delete.html", {"form": form})


@login_required
def processing_register(request):
    """The record of processing activities, for administrators."""
    if not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "privacy/register.html", {"activities": register.activities()})
