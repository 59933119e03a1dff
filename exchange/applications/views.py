"""HTTP of ClusterXchange: a view parses a form, checks a permission, calls one service,
and renders or redirects. Services raise ValidationError / PermissionDenied; views turn
them into form errors, messages or a 403. An application the user may not see is a 404,
so its existence is not revealed."""

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.email_verification import (
    add_email_verification_sent_message,
)
from allauth.account.utils import complete_signup
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_countries import countries

from clamtex.core.files import private_download
from clamtex.core.models import history_rows
from clamtex.core.security import rate_limited
from members import selectors as member_selectors
from members.roles import scope_of
from notifications.known_address import known_address_notify

from ..models import ActivityType, Application, EligibleCountry, MatchProposal
from ..programme_data import countries_without_cap
from . import eligibility, matching, permissions, selectors, services
from .filters import ApplicationFilter, CatalogueFilter
from .forms import (
    CATALOGUE_FIELDS,
    ApplyForm,
    ConsentsForm,
    DocumentForm,
    OrganisationStepForm,
    ParticipationForm,
    PreferencesForm,
    ProposalForm,
    ReviewForm,
    StartForm,
)

S = Application.Status

STEPS = [
    ("organisation", gettext_lazy("Organisation")),
    ("participation", gettext_lazy("Participation")),
    ("preferences", gettext_lazy("Preferences")),
    ("documents", gettext_lazy("Documents")),
    ("consents", gettext_lazy("Consents")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]
STEP_FORMS = {
    "organisation": OrganisationStepForm,
    "participation": ParticipationForm,
    "preferences": PreferencesForm,
    "consents": ConsentsForm,
}


# --- Helpers ---------------------------------------------------------------------------


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _visible_application(request, pk: int) -> Application:
    try:
        return selectors.application_detail(request.user, pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _own_application(request, pk: int) -> Application:
    try:
        return selectors.own_application(request.user, pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def _next_step(step: str) -> str:
    index = STEP_NAMES.index(step)
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]


def _step_url(application: Application, step: str) -> str:
    return reverse("exchange:application_step", args=[application.pk, step])


def _stepper(application: Application, current: str) -> list[dict]:
    progress = selectors.application_progress(application)
    return [
        {
            "name": name,
            "label": label,
            "done": progress.get(name, False),
            "current": name == current,
            "url": _step_url(application, name),
        }
        for name, label in STEPS
    ]


def _last_note(application: Application, status: str) -> str:
    notes = [t.note for t in application.history.all() if t.to_status == status and t.note]
    return notes[-1] if notes else ""


def _history(application: Application) -> list[dict]:
    """Transitions with their labels (who, when, why), from the prefetched history."""
    return history_rows(application.history.all(), S.choices)


def _country_names(codes) -> list[str]:
    return [str(countries.name(code) or code) for code in codes or []]


def _activity_labels(values) -> list[str]:
    labels = dict(ActivityType.choices)
    return [str(labels[v]) for v in values or [] if v in labels]


# --- Public pages ------------------------------------------------------------------------


def landing(request):
    calls = list(selectors.calls_open())
    programme = selectors.programme_for(calls[0].partnership_id if calls else None)
    scope = scope_of(request.user)
    context = {
        "calls": calls,
        "programme": programme,
        "can_use_catalogue": scope.is_authenticated
        and selectors.catalogue_partnerships(request.user).exists(),
        "is_reviewer": scope.is_staff_role,
        "missing_caps": countries_without_cap(),
        "caps": list(EligibleCountry.objects.order_by("country")),
    }
    if scope.is_staff_role:
        context["to_review"] = (
            selectors.review_queue(request.user)
            .filter(status__in=[Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW])
            .count()
        )
    return render(request, "exchange/landing.html", context)


@never_cache
def apply(request):
    """Start an application. Anonymous visitors create their account here: the draft is
    saved at once and waits while they confirm their address."""
    calls = list(selectors.calls_open())
    if not calls:
        return render(request, "exchange/apply.html", {"calls": calls})
    if request.user.is_authenticated:
        return _apply_logged_in(request, calls)
    form = ApplyForm(request.POST or None, calls=calls, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST":
        limited = rate_limited(
            request, action="exchange_signup", key=request.POST.get("email", "")[:254] or None
        )
        if limited:
            return limited
        if form.is_valid() and form.email_taken:
            # Same answer as for a new address; the owner is told to log in and continue.
            data = form.cleaned_data
            known_address_notify(
                email=data["email"],
                language=data["language"],
                purpose="exchange_apply",
                continue_url=settings.SITE_URL
                + reverse("account_login")
                + "?next="
                + reverse("exchange:apply"),
            )
            request.session["exchange_apply_email"] = data["email"]
            # The same message and cookie as a new account gets (allauth's "confirmation
            # sent", the chosen language), so nothing in the answer tells them apart.
            with translation.override(data["language"]):
                add_email_verification_sent_message(request, data["email"], signup=True)
            return _remember_language(redirect("exchange:apply_sent"), data["language"])
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.application_start_with_account(
                    call=data["call"],
                    email=data["email"],
                    password=data["password1"],
                    full_name=data["full_name"],
                    language=data["language"],
                    organisation_data=form.organisation_data() or None,
                    managing_cluster=data.get("managing_cluster"),
                    consent_privacy=data["consent_privacy"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
                form.email_taken = "email" in form.errors
            else:
                next_step = "participation" if application.organisation_id else "organisation"
                # allauth's own signup completion: sends the verification link and keeps
                # the pending login in the session, so confirming the address logs the
                # applicant in and brings them to their draft.
                # The verification email and what follows speak the chosen language.
                with translation.override(data["language"]):
                    response = complete_signup(
                        request,
                        application.applicant,
                        account_settings.EMAIL_VERIFICATION,
                        _step_url(application, next_step),
                    )
                if not request.user.is_authenticated:
                    request.session["exchange_apply_email"] = application.applicant.email
                    response = redirect("exchange:apply_sent")
                return _remember_language(response, data["language"])
    login_url = reverse("account_login") + "?next=" + reverse("exchange:apply")
    return render(
        request,
        "exchange/apply.html",
        {"calls": calls, "form": form, "login_url": login_url, "single_call": len(calls) == 1},
    )


def _remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


def _apply_logged_in(request, calls):
    form = StartForm(request.POST or None, calls=calls)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                call=form.cleaned_data["call"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your application was created as a draft."))
            return redirect(_step_url(application, "organisation"))
    drafts = [a for a in selectors.applications_of(request.user) if a.status in (S.DRAFT,)]
    return render(
        request,
        "exchange/apply.html",
        {"calls": calls, "start_form": form, "drafts": drafts, "single_call": len(calls) == 1},
    )


def apply_sent(request):
    return render(
        request,
        "exchange/apply_sent.html",
        {"email": request.session.get("exchange_apply_email", "")},
    )


# --- The applicant -------------------------------------------------------------------------


@login_required
def mine(request):
    applications = list(selectors.applications_of(request.user))
    rows = [
        {
            "application": a,
            "actions": selectors.application_actions(request.user, a),
            "request": _last_note(a, S.INFO_REQUESTED) if a.status == S.INFO_REQUESTED else "",
            "decision": _last_note(a, a.status) if a.status == S.REJECTED else "",
            "history": _history(a),
        }
        for a in applications
    ]
    return render(
        request,
        "exchange/mine.html",
        {"rows": rows, "calls_open": selectors.calls_open().exists()},
    )


@login_required
def application_edit(request, pk):
    """Where "continue" leads: the first step that still misses something."""
    application = _own_application(request, pk)
    progress = selectors.application_progress(application)
    step = next((name for name in STEP_NAMES if not progress.get(name, True)), "review")
    return redirect(_step_url(application, step))


@login_required
def application_step(request, pk, step):
    if step not in STEP_NAMES:
        raise Http404
    application = _own_application(request, pk)
    if not permissions.can_edit_application(request.user, application):
        messages.info(request, _("This application can no longer be edited."))
        return redirect("exchange:application_detail", pk=application.pk)
    if step == "documents":
        return _documents_step(request, application)
    if step == "review":
        return _review_step(request, application)
    form = _step_form(request, application, step)
    if request.method == "POST":
        go_on = "continue" in request.POST
        form.is_valid()
        try:
            application = _save_step(request, application, step, form)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied:
            messages.error(request, _("This application can no longer be edited."))
            return redirect("exchange:application_detail", pk=application.pk)
        if go_on and not form.errors:
            form.application = application  # as saved
            form.check_complete()
        if not form.errors:
            if go_on:
                return redirect(_step_url(application, _next_step(step)))
            messages.success(request, _("Your draft was saved."))
            return redirect(_step_url(application, step))
        application = _own_application(request, pk)
    return _render_step(request, application, step, {"form": form})


def _step_form(request, application, step):
    form_class = STEP_FORMS[step]
    data = request.POST if request.method == "POST" else None
    if step != "organisation":
        return form_class(data, application=application, user=request.user)
    represented = list(member_selectors.organisations_of_representative(request.user))
    current = application.organisation
    describable = None
    if current is not None and current not in represented:
        if selectors.organisation_is_private_to(application, current):
            describable = current
        else:
            represented.append(current)
    return form_class(
        data,
        application=application,
        user=request.user,
        choices=represented,
        describable=describable,
    )


def _save_step(request, application, step, form):
    """Saves the valid part of a step, whatever the button: nothing typed is lost."""
    if step == "organisation":
        picked = form.picked()
        describe = (
            not picked
            and form.describes_organisation()
            and not any(n in form.errors for n in ("legal_name", "country"))
        )
        return services.application_organisation_set(
            application=application,
            by=request.user,
            organisation=picked,
            data=form.organisation_data() if describe else None,
            managing_cluster=form.cleaned_data.get("managing_cluster"),
        )
    return services.application_save(
        application=application, data=form.application_data(), by=request.user
    )


def _render_step(request, application, step, extra):
    context = {
        "application": application,
        "step": step,
        "step_label": dict(STEPS)[step],
        "steps": _stepper(application, step),
        "next_step": _next_step(step),
        "info_request": _last_note(application, S.INFO_REQUESTED)
        if application.status == S.INFO_REQUESTED
        else "",
        **extra,
    }
    return render(request, f"exchange/step_{step}.html", context)


def _documents_step(request, application):
    form = DocumentForm()
    if request.method == "POST":
        if "upload" in request.POST:
            form = DocumentForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    document = services.document_add(
                        application=application,
                        upload=form.cleaned_data["file"],
                        kind=form.cleaned_data["kind"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    form.add_error("file", exc.messages)
                else:
                    messages.success(
                        request, _("%(name)s was uploaded.") % {"name": document.original_name}
                    )
                    return redirect(_step_url(application, "documents"))
        elif "continue" in request.POST:
            if selectors.application_progress(application)["documents"]:
                return redirect(_step_url(application, "consents"))
            messages.error(request, _("Upload your CV to continue."))
        else:
            messages.success(request, _("Your draft was saved."))
            return redirect("exchange:mine")
    return _render_step(
        request,
        application,
        "documents",
        {"form": form, "documents": list(application.documents.all())},
    )


def _review_step(request, application, submit_errors=None):
    results = eligibility.check(application)
    progress = selectors.application_progress(application)
    missing = [label for name, label in STEPS if name in progress and not progress[name]]
    return _render_step(
        request,
        application,
        "review",
        {
            "results": results,
            "blocking": eligibility.blocking(results),
            "missing": missing,
            "submit_errors": submit_errors or [],
            "activity_labels": _activity_labels(application.activity_types),
            "country_names": _country_names(application.preferred_countries),
            "catalogue_labels": [
                label for key, label in CATALOGUE_FIELDS if key in application.catalogue_fields
            ],
        },
    )


@login_required
@require_POST
def application_submit(request, pk):
    application = _own_application(request, pk)
    resubmit = application.status == S.INFO_REQUESTED
    try:
        services.application_submit(application=application, by=request.user)
    except ValidationError as exc:
        application = _own_application(request, pk)
        if not permissions.can_edit_application(request.user, application):
            messages.error(request, " ".join(exc.messages))
            return redirect("exchange:application_detail", pk=pk)
        return _review_step(request, application, submit_errors=exc.messages)
    except PermissionDenied:
        messages.error(request, _("This application can no longer be submitted."))
        return redirect("exchange:application_detail", pk=pk)
    messages.success(
        request,
        _("Your application was submitted again. Your cluster will review it.")
        if resubmit
        else _("Your application was submitted. Your cluster will review it and email you."),
    )
    return redirect("exchange:application_detail", pk=pk)


@login_required
def application_withdraw(request, pk):
    application = _own_application(request, pk)
    actions = selectors.application_actions(request.user, application)
    if not actions["withdraw"]:
        messages.info(request, _("This application can no longer be withdrawn."))
        return redirect("exchange:application_detail", pk=pk)
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("exchange:mine")
    return render(request, "exchange/withdraw_confirm.html", {"application": application})


@login_required
def document_delete(request, pk):
    try:
        document = selectors.documents_visible_to(request.user).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    application = document.application
    if not permissions.can_edit_application(request.user, application):
        raise PermissionDenied
    if request.method == "POST":
        services.document_delete(document=document, by=request.user)
        messages.success(request, _("%(name)s was deleted.") % {"name": document.original_name})
        return redirect(_step_url(application, "documents"))
    return render(
        request,
        "exchange/document_confirm_delete.html",
        {"document": document, "application": application},
    )


@login_required
def document_download(request, pk):
    """Only through this permission check, as an attachment under its original name."""
    try:
        document = selectors.documents_visible_to(request.user).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    return private_download(
        document.file, filename=document.original_name, content_type=document.content_type
    )


# --- Application page, review --------------------------------------------------------------


@login_required
def application_detail(request, pk):
    application = _visible_application(request, pk)
    return render(
        request,
        "exchange/application_detail.html",
        _detail_context(request, application),
    )


def _detail_context(request, application, *, review_form=None, **extra):
    user = request.user
    results = eligibility.check(application)
    actions = selectors.application_actions(user, application, results)
    context = {
        "application": application,
        "results": results,
        "actions": actions,
        "documents": list(application.documents.all()),
        "history": _history(application),
        "is_applicant": application.applicant_id == user.pk,
        "activity_labels": _activity_labels(application.activity_types),
        "country_names": _country_names(application.preferred_countries),
        "catalogue_labels": [
            label for key, label in CATALOGUE_FIELDS if key in application.catalogue_fields
        ],
        "info_request": _last_note(application, S.INFO_REQUESTED)
        if application.status == S.INFO_REQUESTED
        else "",
        **extra,
    }
    if actions["review_notes"]:
        context["review_form"] = review_form or ReviewForm(application=application)
        if application.status not in (S.ACCEPTED, S.REJECTED, S.WITHDRAWN):
            context["possible_matches"] = selectors.possible_matches(application)
    if application.status == S.ACCEPTED:
        context.update(_matching_context(request, application, actions))
    return context


def _matching_context(request, application, actions):
    user = request.user
    proposals = list(selectors.proposals_of(user, application))
    visible_ids = set(
        selectors.applications_visible_to(user)
        .filter(pk__in={p.visitor_id for p in proposals} | {p.host_id for p in proposals})
        .values_list("pk", flat=True)
    )
    rows = []
    for p in proposals:
        mine_is_visitor = p.visitor_id == application.pk
        counterpart = p.host if mine_is_visitor else p.visitor
        incoming = p.proposer_side != ("visitor" if mine_is_visitor else "host")
        rows.append(
            {
                "proposal": p,
                "counterpart": counterpart,
                "counterpart_visible": counterpart.pk in visible_ids,
                "incoming": incoming,
                "can_respond": p.status == MatchProposal.Status.PROPOSED
                and matching.can_respond(user, p),
                "exchange": getattr(p, "exchange", None),
            }
        )
    context = {
        "incoming": [r for r in rows if r["incoming"]],
        "outgoing": [r for r in rows if not r["incoming"]],
        "exchanges": list(selectors.exchanges_of(user, application)),
    }
    if actions["match"] and permissions.can_use_catalogue(user, application.call.partnership_id):
        open_pairs = {
            p.host_id if p.visitor_id == application.pk else p.visitor_id
            for p in proposals
            if p.status == MatchProposal.Status.PROPOSED
        }
        context["suggestions"] = [
            {
                "suggestion": s,
                "proposed": s.counterpart.pk in open_pairs,
                "activity_labels": _activity_labels(s.counterpart.activity_types),
            }
            for s in matching.suggestions(user, application)
        ]
    return context


@login_required
@require_POST
def application_review(request, pk):
    application = _visible_application(request, pk)
    if not permissions.can_review(request.user, application):
        raise PermissionDenied
    form = ReviewForm(request.POST, application=application)
    if not form.is_valid():
        messages.error(request, _("The decision was not recorded: see the review panel."))
        return _render_detail_with(request, application, form)
    decision = form.cleaned_data["decision"]
    try:
        if decision == "save":
            services.application_review_notes_save(
                application=application,
                by=request.user,
                checklist=form.checklist(),
                notes=form.cleaned_data["review_notes"],
            )
        else:
            services.application_review(
                application=application,
                to=decision,
                by=request.user,
                note=form.cleaned_data["note"],
                checklist=form.checklist(),
                notes=form.cleaned_data["review_notes"],
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render_detail_with(request, application, form)
    if decision == "save":
        messages.success(request, _("The checklist and notes were saved."))
    else:
        messages.success(
            request,
            _("The application is now “%(status)s”. The applicant is told by email.")
            % {"status": S(decision).label}
            if decision != S.UNDER_REVIEW
            else _("The review has started."),
        )
    return redirect("exchange:application_detail", pk=pk)


def _render_detail_with(request, application, form):
    application = _visible_application(request, application.pk)
    return render(
        request,
        "exchange/application_detail.html",
        _detail_context(request, application, review_form=form),
    )


@login_required
@require_POST
def application_exception(request, pk):
    application = _visible_application(request, pk)
    if not permissions.can_review(request.user, application):
        raise PermissionDenied
    try:
        services.application_grant_exception(
            application=application, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The non-member host exception was approved."))
    return redirect("exchange:application_detail", pk=pk)


@login_required
@require_POST
def application_link(request, pk):
    """The reviewer links the application to a registered organisation (a possible match)."""
    from members.models import Organisation

    application = _visible_application(request, pk)
    if not permissions.can_review(request.user, application):
        raise PermissionDenied
    organisation = Organisation.objects.filter(pk=request.POST.get("organisation") or 0).first()
    if organisation is None:
        raise Http404
    try:
        services.application_organisation_link(
            application=application, organisation=organisation, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The application is linked to the registered organisation."))
    return redirect("exchange:application_detail", pk=pk)


@login_required
def review_queue(request):
    scope = scope_of(request.user)
    if not scope.is_staff_role:
        raise PermissionDenied
    queue = selectors.review_queue(request.user)
    filterset = ApplicationFilter(request.GET or None, queryset=queue)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queue
    paginator = Paginator(qs, settings.PAGINATE_BY)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status_query = request.GET.copy()
    for key in ("page", "status"):
        status_query.pop(key, None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "status_query": status_query.urlencode(),
        "counts": selectors.status_counts(queue),
        "current_status": request.GET.get("status", ""),
        "read_only": not (scope.is_admin or scope.is_manager),
    }
    return render(request, "exchange/review_queue.html", context)


# --- Catalogue and matching ---------------------------------------------------------------


@login_required
def catalogue(request):
    partnerships = list(selectors.catalogue_partnerships(request.user))
    if not partnerships:
        raise PermissionDenied(
            _("The catalogue is open to cluster managers and to accepted participants.")
        )
    chosen = partnerships[0]
    wanted = request.GET.get("partnership")
    if wanted:
        chosen = next((p for p in partnerships if str(p.pk) == wanted), chosen)
    if not permissions.can_use_catalogue(request.user, chosen.pk):
        raise PermissionDenied
    base = selectors.catalogue(request.user, chosen.pk)
    filterset = CatalogueFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    qs = qs.order_by("-submitted_at", "pk")
    paginator = Paginator(qs, settings.PAGINATE_BY)
    page = paginator.get_page(request.GET.get("page"))
    own = selectors.proposable_from(request.user, chosen.pk)
    entries = []
    for entry in page.object_list:
        pair = next(
            ((mine, entry) for mine in own if selectors.pair_roles(mine, entry)),
            None,
        )
        entries.append(
            {
                "application": entry,
                "propose_from": pair[0] if pair else None,
                "activity_labels": _activity_labels(entry.activity_types),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/catalogue.html",
        {
            "filter": filterset,
            "page": page,
            "entries": entries,
            "query": query.urlencode(),
            "partnerships": partnerships,
            "partnership": chosen,
        },
    )


@login_required
def proposal_create(request, pk, other):
    """Propose a match between an accepted application (the user's own, or one of their
    cluster) and a counterpart from the catalogue."""
    application = _visible_application(request, pk)
    if application.status != S.ACCEPTED:
        raise Http404
    counterpart = (
        selectors.catalogue(request.user, application.call.partnership_id).filter(pk=other).first()
    )
    if counterpart is None:
        raise Http404
    pairs = selectors.pair_roles(application, counterpart)
    if not pairs:
        messages.error(
            request,
            _("These two cannot be matched: one must visit, the other host, in another country."),
        )
        return redirect("exchange:application_detail", pk=pk)
    if not any(matching.can_propose(request.user, visitor, host) for visitor, host in pairs):
        raise PermissionDenied  # e.g. the coordinator, who reads but does not act
    directions = [
        (
            i,
            _("%(visitor)s visits %(host)s")
            % {
                "visitor": _("your organisation")
                if visitor.pk == application.pk
                else _("the other organisation"),
                "host": _("your organisation")
                if host.pk == application.pk
                else _("the other organisation"),
            },
        )
        for i, (visitor, host) in enumerate(pairs)
    ]
    form = ProposalForm(request.POST or None, directions=directions)
    if request.method == "POST" and form.is_valid():
        visitor, host = pairs[form.direction_index() if len(pairs) > 1 else 0]
        try:
            services.proposal_create(
                visitor=visitor, host=host, by=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your proposal was sent. The other side will answer it."))
            return redirect("exchange:application_detail", pk=pk)
    return render(
        request,
        "exchange/proposal_form.html",
        {
            "application": application,
            "counterpart": counterpart,
            "form": form,
            "activity_labels": _activity_labels(counterpart.activity_types),
        },
    )


@login_required
@require_POST
def proposal_respond(request, pk):
    try:
        proposal = selectors.proposals_visible_to(request.user).get(pk=pk)
    except MatchProposal.DoesNotExist as exc:
        raise Http404 from exc
    accept = request.POST.get("decision") == "accept"
    try:
        services.proposal_respond(proposal=proposal, accept=accept, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The match was accepted: the exchange is created and ready to prepare.")
            if accept
            else _("The proposal was declined."),
        )
    visible = selectors.applications_visible_to(request.user)
    back = proposal.visitor_id
    if not visible.filter(pk=back).exists():
        back = proposal.host_id
    return redirect("exchange:application_detail", pk=back)
