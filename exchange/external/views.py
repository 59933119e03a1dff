"""Pages for parties of another partnership (exchange/external/services.py holds the rules).

Two audiences: the manager who invites (login, own cluster only) and the external party
(no login: a private link; every page re-checks the link and acts on its own exchange)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import ExchangeDocument, ExchangePlan, ExternalParty
from ..placements import services as lifecycle
from ..placements.forms import HostConfirmForm, PlanForm, agenda_lines
from . import services as external
from .forms import CodeForm, ExternalHostForm, ExternalVisitorForm, MatchResponseForm

R = external.R


def _messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- The inviting manager ------------------------------------------------------------------------


def _propose(request, form_class, service, template):
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        own, other = ("host", "hop") if form.side == "host" else ("visitor", "vop")
        kwargs = {
            form.side: form.party(own),
            other: form.party(other),
            "org_type": data["org_type"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "by": request.user,
        }
        kwargs["visitor" if form.side == "host" else "host"] = data["application"]
        try:
            exchange = service(**kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _(
                    "The invitations were sent. The exchange starts once the organisation confirms it."
                ),
            )
            return redirect("exchange:exchange_detail", exchange.pk)
    return render(request, template, {"form": form})


@login_required
def external_host_new(request):
    return _propose(
        request, ExternalHostForm, external.external_host_propose, "exchange/external/host_new.html"
    )


@login_required
def external_visitor_new(request):
    return _propose(
        request,
        ExternalVisitorForm,
        external.external_visitor_propose,
        "exchange/external/visitor_new.html",
    )


def _managed_party(request, pk: int, party_pk: int) -> ExternalParty:
    party = get_object_or_404(
        ExternalParty.objects.select_related("exchange"), pk=party_pk, exchange_id=pk
    )
    if not external.can_manage_external(request.user, party.exchange):
        raise Http404
    return party


@login_required
@require_POST
def external_party_revoke(request, pk, party_pk):
    party = _managed_party(request, pk, party_pk)
    external.external_link_revoke(party=party, by=request.user)
    messages.success(request, _("The link of %(name)s no longer works.") % {"name": party.name})
    return redirect("exchange:exchange_detail", pk)


@login_required
@require_POST
def external_party_renew(request, pk, party_pk):
    party = _managed_party(request, pk, party_pk)
    external.external_link_renew(party=party, by=request.user)
    messages.success(
        request, _("A new link was emailed to %(name)s.") % {"name": party.contact_name}
    )
    return redirect("exchange:exchange_detail", pk)


# --- The external party, through its link ------------------------------------------------------------


def _party(token: str) -> ExternalParty:
    party = external.party_for_token(token)  # LinkInvalid (403) when not valid
    return (
        ExternalParty.objects.select_related(
            "exchange__visitor_organisation",
            "exchange__host_organisation",
            "exchange__visitor_cluster",
            "exchange__host_cluster",
        )
    ).get(pk=party.pk)


def _link_refused(request, exc: PermissionDenied):
    response = render(
        request, "exchange/external/link_invalid.html", {"reason": str(exc)}, status=403
    )
    response["Referrer-Policy"] = "same-origin"
    return response


def _with_party(view):
    """Resolves the link; an unknown, expired or revoked one is refused with a 403 page."""

    def wrapped(request, token, *args, **kwargs):
        try:
            party = _party(token)
        except external.LinkInvalid as exc:
            return _link_refused(request, exc)
        try:
            response = view(request, token, party, *args, **kwargs)
        except external.LinkInvalid as exc:
            return _link_refused(request, exc)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex"
        return response

    wrapped.__name__ = view.__name__
    return never_cache(wrapped)


def _home(token):
    return redirect("exchange:external_home", token)


def _render_home(request, token, party, **forms):
    external.external_seen(party)
    exchange = party.exchange
    actions = external.party_actions(party)
    plan = ExchangePlan.objects.filter(exchange=exchange).first()
    documents = list(
        ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True).prefetch_related(
            "signatures"
        )
    )
    rows = [
        {
            "document": d,
            "mine": party.role in lifecycle.SIGNERS[d.kind],
            "signed": any(s.role == party.role for s in d.signatures.all()),
            "missing": lifecycle.signatures_missing(d),
        }
        for d in documents
    ]
    for row in rows:
        # Why this party cannot sign now (before the stay, the grant computed...): the page
        # says so instead of offering a code (the service checks again when signing).
        row["refused"] = ""
        if row["mine"] and not row["signed"] and actions["sign"]:
            try:
                lifecycle.sign_check(
                    exchange=exchange, document=row["document"], role=party.role, plan=plan
                )
            except ValidationError as exc:
                row["refused"] = " ".join(exc.messages)
    context = {
        "party": party,
        "token": token,
        "exchange": exchange,
        "actions": actions,
        "plan": plan,
        "agenda": agenda_lines(plan.agenda) if plan else [],
        "documents": rows,
        "can_generate": actions["edit_plan"]
        and bool(plan and plan.start_date and plan.agenda)
        and not any(d.kind == ExchangeDocument.Kind.COMMITMENT for d in documents),
        "confirmation": getattr(exchange, "host_confirmation", None),
        "plan_form": forms.get("plan_form") or PlanForm(plan=plan),
        "code_form": forms.get("code_form") or CodeForm(),
        "host_form": forms.get("host_form") or HostConfirmForm(),
    }
    return render(request, "exchange/external/home.html", context)


external_home = _with_party(_render_home)


@require_POST
@_with_party
def external_respond(request, token, party):
    form = MatchResponseForm(request.POST)
    if form.is_valid():
        try:
            external.external_match_respond(party=party, accept=form.cleaned_data["accept"])
        except ValidationError as exc:
            _messages(request, exc)
        else:
            if form.cleaned_data["accept"]:
                messages.success(request, _("Thank you: the match is confirmed."))
            else:
                messages.info(request, _("The proposal was declined."))
    return _home(token)


@require_POST
@_with_party
def external_plan(request, token, party):
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            external.external_plan_update(party=party, data=form.plan_data())
        except ValidationError as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("The plan was saved."))
            return _home(token)
    return _render_home(request, token, party, plan_form=form)


@require_POST
@_with_party
def external_generate(request, token, party):
    """The Commitment to Quality from the agreed plan (the financial agreement is the
    visitor's and its cluster's)."""
    try:
        lifecycle.document_generate(
            exchange=party.exchange,
            kind=ExchangeDocument.Kind.COMMITMENT,
            by=external.ExternalActor(party),
        )
    except ValidationError as exc:
        _messages(request, exc)
    return _home(token)


@require_POST
@_with_party
def external_code(request, token, party):
    try:
        external.external_code_send(party=party)
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(
            request,
            _("A code was emailed to %(email)s. It is valid for %(minutes)d minutes.")
            % {"email": party.contact_email, "minutes": external.CODE_MINUTES},
        )
    return _home(token)


@require_POST
@_with_party
def external_sign(request, token, party, document_pk):
    # A document of another exchange is not found from this link.
    document = get_object_or_404(ExchangeDocument, pk=document_pk, exchange_id=party.exchange_id)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            external.external_document_sign(
                party=party, document=document, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("code", message)
        else:
            messages.success(request, _("Thank you: your signature is recorded."))
            return _home(token)
    return _render_home(request, token, party, code_form=form)


@require_POST
@_with_party
def external_confirm(request, token, party):
    form = HostConfirmForm(request.POST)
    if form.is_valid():
        try:
            external.external_host_confirm(
                party=party,
                took_place=form.cleaned_data["took_place"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("Thank you: your confirmation is recorded."))
            return _home(token)
    return _render_home(request, token, party, host_form=form)
