"""HTTP of the exchange pages (ClusterXchange part 2: from match to payment).

A view parses a form, calls one lifecycle service, and renders or redirects. An exchange
the user may not see is a 404 (its existence is not revealed); an action the user may not
take on a visible exchange is refused by the service (PermissionDenied → 403). Services
raise ValidationError; views turn it into form errors or messages."""

from __future__ import annotations

from allauth.core.ratelimit import consume_or_429
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clamtex.core.audit import audit_record
from clamtex.core.exports import xlsx_response
from clamtex.core.files import private_download
from clamtex.core.models import history_rows
from clamtex.core.security import sensitive
from clamtex.core.templatetags.formats import money
from members.roles import scope_of

from ..applications import permissions as application_permissions
from ..applications import selectors as application_selectors
from ..external import services as external
from ..models import ActivityType, Exchange, ExchangeDocument, Signature
from . import grant, pdf
from . import selectors as sel
from . import services as lifecycle
from .forms import (
    BankDetailsForm,
    EvidenceForm,
    ExchangeListFilter,
    GenerateForm,
    HostConfirmForm,
    LocationForm,
    OutcomeForm,
    PaymentFilter,
    PaymentForm,
    PlanForm,
    ReasonForm,
    ReportForm,
    ReviewForm,
    SignForm,
    agenda_lines,
)

X = Exchange.Status
R = Signature.Role

# Notes the services write in the history; translated when shown.
SYSTEM_NOTES = {
    "plan changed: signatures needed again",
    "grant changed: signatures needed again",
    "financial agreement to sign again",
    "all parties signed",
    "documents signed",
    "the stay started",
    "the stay ended",
    "cut short",
}


# --- Helpers ---------------------------------------------------------------------------------


def _visible(request, pk: int) -> Exchange:
    try:
        return sel.exchange_detail(request.user, pk)
    except Exchange.DoesNotExist as exc:
        raise Http404 from exc


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _detail_url(exchange: Exchange, anchor: str = "") -> str:
    url = reverse("exchange:exchange_detail", args=[exchange.pk])
    return f"{url}#{anchor}" if anchor else url


def _note(note: str) -> str:
    if note.startswith(lifecycle.GRANT_REOPENED):
        return _("Grant re-opened: %(reason)s") % {"reason": note[len(lifecycle.GRANT_REOPENED) :]}
    if note.startswith(lifecycle.GRANT_RECOMPUTED):
        return _("Grant computed again after the re-plan: %(change)s") % {
            "change": note[len(lifecycle.GRANT_RECOMPUTED) :]
        }
    if note.startswith(lifecycle.CUT_SHORT):
        return _("Cut short: %(reason)s") % {"reason": note[len(lifecycle.CUT_SHORT) :]}
    return _(note) if note in SYSTEM_NOTES else note


def _history(exchange: Exchange) -> list[dict]:
    return history_rows(exchange.history.all(), X.choices, note=_note)


def _grant(exchange: Exchange, plan) -> dict:
    """The computation shown step by step. A fixed grant shows the stored steps (what was
    agreed); otherwise it is computed again in the reader's language, errors apart."""
    if plan is None or not (plan.start_date and plan.end_date) or not exchange.visitor_cluster_id:
        # (no visitor's cluster here: a visitor of another partnership, paid by its own)
        return {"amount": None, "steps": [], "errors": [], "locked": False, "dates": False}
    if plan.grant_locked:
        return {
            "amount": plan.grant_amount,
            "steps": plan.grant_steps,
            "errors": [],
            "locked": True,
            "dates": True,
        }
    computation = grant.compute(
        programme=application_selectors.programme_for(exchange.visitor_cluster.partnership_id),
        visitor_org=exchange.visitor_organisation,
        host_org=exchange.host_organisation,
        start=plan.start_date,
        end=plan.end_date,
        subdiv=plan.host_subdivision,
    )
    return {
        "amount": computation.amount,
        "steps": computation.steps,
        "errors": computation.errors,
        "locked": False,
        "dates": True,
    }


def _documents(request, exchange: Exchange) -> dict:
    role_labels = dict(Signature.Role.choices)
    current, voided = [], []
    for document in sorted(exchange.documents.all(), key=lambda d: (d.kind, -d.version)):
        if document.voided_at is not None:
            voided.append(document)
            continue
        signed = {s.role: s for s in document.signatures.all()}
        mine = sel.signable_roles(request.user, exchange, document)
        current.append(
            {
                "document": document,
                "signers": [
                    {"role": role, "label": role_labels[role], "signature": signed.get(role)}
                    for role in lifecycle.SIGNERS[document.kind]
                ],
                "can_sign": bool(mine),
                "complete": all(role in signed for role in lifecycle.SIGNERS[document.kind]),
            }
        )
    present = {row["document"].kind for row in current}
    return {
        "current_documents": current,
        "voided_documents": voided,
        "to_generate": [kind for kind in ExchangeDocument.Kind.values if kind not in present],
    }


def _parties(exchange: Exchange) -> list[dict]:
    return [
        {
            "role": R.VO,
            "label": R.VO.label,
            "name": exchange.visitor_organisation.legal_name,
            "detail": exchange.visitor_organisation.country.name,
            "person": exchange.visitor_application.applicant
            if exchange.visitor_application_id
            else None,
        },
        {
            "role": R.HO,
            "label": R.HO.label,
            "name": exchange.host_organisation.legal_name,
            "detail": exchange.host_organisation.country.name,
            "person": exchange.host_application.applicant if exchange.host_application_id else None,
        },
        {
            "role": R.VOP,
            "label": R.VOP.label,
            "name": exchange.visitor_cluster.name
            if exchange.visitor_cluster_id
            else lifecycle.cluster_label(exchange, R.VOP),
            "detail": exchange.visitor_cluster.acronym
            if exchange.visitor_cluster_id
            else _("another partnership"),
            "person": None,
        },
        {
            "role": R.HOP,
            "label": R.HOP.label,
            "name": exchange.host_cluster.name
            if exchange.host_cluster_id
            else lifecycle.cluster_label(exchange, R.HOP),
            "detail": exchange.host_cluster.acronym
            if exchange.host_cluster_id
            else _("another partnership"),
            "person": None,
        },
    ]


def _sees_private(user, exchange: Exchange, roles: set[str]) -> bool:
    """The closing report, its evidence and the payment are the visitor's and its
    cluster's business (invoices, tickets): not the host's nor the host's cluster's."""
    scope = scope_of(user)
    return bool(
        roles & {R.VO, R.VOP}
        or scope.is_admin
        or lifecycle.responsible_partnership_id(exchange) in scope.partnership_ids
    )


def _detail_context(request, exchange: Exchange, **forms) -> dict:
    user = request.user
    actions = sel.exchange_actions(user, exchange)
    roles = actions["roles"]
    plan = getattr(exchange, "plan", None)
    report = getattr(exchange, "report", None)
    payment = getattr(exchange, "payment", None)
    private = _sees_private(user, exchange, roles)
    due_on = lifecycle.payment_due_on(exchange)
    today = timezone.localdate()
    context = {
        "exchange": exchange,
        "actions": actions,
        "my_roles": [label for value, label in R.choices if value in roles],
        "parties": _parties(exchange),
        "history": _history(exchange),
        "plan": plan,
        "agenda": agenda_lines(plan.agenda) if plan else [],
        "activity_labels": [
            str(dict(ActivityType.choices).get(a, a)) for a in (plan.activity_types if plan else [])
        ],
        "grant": _grant(exchange, plan),
        "private": private,
        "report": report if private else None,
        "evidence": list(report.evidence.all()) if (private and report) else [],
        "host_confirmation": getattr(exchange, "host_confirmation", None),
        "payment": payment if private else None,
        "payment_due_on": due_on,
        "payment_overdue": bool(due_on and payment is None and due_on < today),
        "visitor_application_visible": exchange.visitor_application_id is not None
        and application_permissions.can_view_application(user, exchange.visitor_application),
        "host_application_visible": exchange.host_application_id is not None
        and application_permissions.can_view_application(user, exchange.host_application),
        **_documents(request, exchange),
        **external.panel_context(user, exchange),  # parties of another partnership
    }
    host_country = exchange.host_organisation.country.code
    bank = getattr(exchange, "bank_details", None)
    context["bank_details"] = bank if private else None
    context["host_subdivision_name"] = plan.host_subdivision if plan else ""
    if actions["edit_plan"]:
        context["plan_form"] = forms.get("plan_form") or PlanForm(
            plan=plan, host_country=host_country
        )
    if actions["correct_location"]:
        context["location_form"] = forms.get("location_form") or LocationForm()
        context["locations"] = [
            (_("Visiting organisation"), exchange.visitor_organisation),
            (_("Host organisation"), exchange.host_organisation),
        ]
    if actions["outcome"]:
        context["outcome_form"] = forms.get("outcome_form") or OutcomeForm()
    if actions["bank_details"]:
        context["bank_form"] = forms.get("bank_form") or BankDetailsForm(
            initial={"account_holder": bank.account_holder} if bank else None
        )
    if actions["report_edit"]:
        initial = None
        if plan and (report is None or report.actual_start is None):
            initial = {"actual_start": plan.start_date, "actual_end": plan.end_date}
        context["report_form"] = forms.get("report_form") or ReportForm(
            instance=report, initial=initial
        )
        context["evidence_form"] = forms.get("evidence_form") or EvidenceForm()
    if actions["host_confirm"]:
        confirmation = context["host_confirmation"]
        initial = (
            {
                "took_place": "yes" if confirmation.took_place else "no",
                "feedback": confirmation.feedback,
            }
            if confirmation
            else None
        )
        context["host_form"] = forms.get("host_form") or HostConfirmForm(initial=initial)
    if actions["review"]:
        context["review_form"] = forms.get("review_form") or ReviewForm()
    if actions["pay"]:
        context["payment_form"] = forms.get("payment_form") or PaymentForm()
    return context


def _render_detail(request, exchange: Exchange, **forms):
    exchange = _visible(request, exchange.pk)  # as the failed service left it
    context = _detail_context(request, exchange, **forms)
    for name, form in forms.items():
        if context.get(name) is not form:
            # The section is no longer offered (the exchange moved on): say why anyway.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return render(request, "exchange/exchange/detail.html", context)


def _posted_form(request, exchange: Exchange, form, name: str, save, *, success: str, anchor: str):
    """A form of the exchange page posted on its own: when it is valid, save(cleaned_data)
    calls the service; its refusals go to the form, shown again on the page (as `name`);
    otherwise the success message and back to the section `anchor`."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(_detail_url(exchange, anchor))
    return _render_detail(request, exchange, **{name: form})


def _message_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- List and page ---------------------------------------------------------------------------


@login_required
def exchange_list(request):
    base = sel.exchanges_visible_to(request.user)
    form = ExchangeListFilter(request.GET or None)
    qs = base
    status = ""
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            base = base.filter(
                Q(visitor_organisation__legal_name__icontains=text)
                | Q(host_organisation__legal_name__icontains=text)
            )
        status = form.cleaned_data["status"]
        qs = base.filter(status=status) if status else base
    paginator = Paginator(qs.order_by("-created_at", "-pk"), settings.PAGINATE_BY)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status_query = request.GET.copy()
    for key in ("page", "status"):
        status_query.pop(key, None)
    return render(
        request,
        "exchange/exchange/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "status_query": status_query.urlencode(),
            "counts": [c for c in sel.status_counts(base) if c["n"]],
            "current_status": status,
            "can_see_payments": scope_of(request.user).is_staff_role,
        },
    )


@login_required
def exchange_detail(request, pk):
    exchange = _visible(request, pk)
    return render(request, "exchange/exchange/detail.html", _detail_context(request, exchange))


# --- Preparation -----------------------------------------------------------------------------


@login_required
@require_POST
def exchange_plan(request, pk):
    exchange = _visible(request, pk)
    form = PlanForm(request.POST, host_country=exchange.host_organisation.country.code)
    if not form.is_valid():
        return _render_detail(request, exchange, plan_form=form)
    had_documents = any(d.voided_at is None for d in exchange.documents.all())
    try:
        lifecycle.plan_update(exchange=exchange, data=form.plan_data(), by=request.user)
    except ValidationError as exc:
        _form_errors(form, exc)
        return _render_detail(request, exchange, plan_form=form)
    current = ExchangeDocument.objects.filter(exchange=exchange, voided_at__isnull=True)
    if had_documents and not current.filter(signatures__isnull=False).exists():
        messages.warning(
            request,
            _(
                "The plan was saved. It changed after the documents were generated: they were generated again from the new plan and must be signed again."
            ),
        )
    else:
        messages.success(request, _("The plan was saved."))
    return redirect(_detail_url(exchange, "plan"))


@login_required
@require_POST
def exchange_document_generate(request, pk):
    exchange = _visible(request, pk)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose which document to generate."))
        return redirect(_detail_url(exchange, "documents"))
    try:
        document = lifecycle.document_generate(
            exchange=exchange, kind=form.cleaned_data["kind"], by=request.user
        )
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(
            request,
            _("%(document)s, version %(version)d, is ready to sign.")
            % {"document": document.get_kind_display(), "version": document.version},
        )
    return redirect(_detail_url(exchange, "documents"))


def _document(request, pk: int, document_pk: int):
    try:
        return sel.exchange_for_document(request.user, pk, document_pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


@login_required
def exchange_document_pdf(request, pk, document_pk):
    exchange, document = _document(request, pk, document_pk)
    try:
        content = pdf.document_pdf(document, base_url=request.build_absolute_uri("/"))
    except pdf.PdfUnavailable:
        return render(
            request,
            "exchange/exchange/pdf_unavailable.html",
            {"exchange": exchange},
            status=503,
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="exchange-{exchange.pk}-{document.kind}-v{document.version}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@sensitive
def exchange_document_sign(request, pk, document_pk):
    """Signing asks for the password again; the page shows the fingerprint being signed."""
    exchange, document = _document(request, pk, document_pk)
    roles = sel.signable_roles(request.user, exchange, document)
    if not roles:
        if not lifecycle.roles_of(request.user, exchange) & set(lifecycle.SIGNERS[document.kind]):
            raise PermissionDenied
        messages.info(request, _("There is nothing for you to sign on this document."))
        return redirect(_detail_url(exchange, "documents"))
    form = SignForm(request.POST or None, roles=roles)
    if request.method == "POST":
        limited = consume_or_429(request, action="reauthenticate")
        if limited:
            return limited
        if form.is_valid():
            try:
                lifecycle.document_sign(
                    document=document,
                    role=form.cleaned_data["role"],
                    by=request.user,
                    password=form.cleaned_data["password"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("You signed %(document)s as %(role)s.")
                    % {
                        "document": document.get_kind_display(),
                        "role": Signature.Role(form.cleaned_data["role"]).label,
                    },
                )
                return redirect(_detail_url(exchange, "documents"))
    context = {"exchange": exchange, "form": form, **pdf.document_context(document)}
    return render(request, "exchange/exchange/sign.html", context)


@login_required
def exchange_grant_reopen(request, pk):
    exchange = _visible(request, pk)
    if not sel.exchange_actions(request.user, exchange)["reopen_grant"]:
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.grant_reopen(
                exchange=exchange, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The grant was re-opened and computed again. The financial agreement must be generated and signed again."
                ),
            )
            return redirect(_detail_url(exchange, "grant"))
    return render(
        request,
        "exchange/exchange/reason_form.html",
        {
            "exchange": exchange,
            "form": form,
            "title": _("Re-open the grant"),
            "intro": _(
                "The grant was fixed when the financial agreement was signed. Re-opening it computes it again from the current plan; the financial agreement must then be signed again. Your reason is recorded in the history."
            ),
            "button": _("Re-open the grant"),
            "danger": False,
        },
    )


@login_required
def exchange_cancel(request, pk):
    exchange = _visible(request, pk)
    if not sel.exchange_actions(request.user, exchange)["cancel"]:
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.exchange_cancel(
                exchange=exchange, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The exchange was cancelled."))
            return redirect(_detail_url(exchange))
    return render(
        request,
        "exchange/exchange/reason_form.html",
        {
            "exchange": exchange,
            "form": form,
            "title": _("Cancel the exchange"),
            "intro": _(
                "Cancelling cannot be undone: the exchange stops here for both organisations. Say why; the reason is recorded in the history and shown to the other parties."
            ),
            "button": _("Cancel the exchange"),
            "danger": True,
        },
    )


@login_required
def exchange_outcome(request, pk):
    """A manager of the visitor's cluster records that the exchange did not take place or
    was cut short (the host's statement is shown beside the form)."""
    exchange = _visible(request, pk)
    if not sel.exchange_actions(request.user, exchange)["outcome"]:
        raise PermissionDenied
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.outcome_record(
                exchange=exchange,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                last_day=form.cleaned_data["last_day"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Recorded; the four parties are told by email."))
            return redirect(_detail_url(exchange))
    return render(
        request,
        "exchange/exchange/outcome_form.html",
        {
            "exchange": exchange,
            "form": form,
            "host_confirmation": getattr(exchange, "host_confirmation", None),
            "plan": getattr(exchange, "plan", None),
        },
    )


@login_required
@require_POST
def exchange_location(request, pk):
    exchange = _visible(request, pk)
    return _posted_form(
        request,
        exchange,
        LocationForm(request.POST),
        "location_form",
        lambda data: lifecycle.location_correct(
            exchange=exchange,
            side=data["side"],
            city=data["city"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            by=request.user,
        ),
        success=_("The location was corrected; the grant is computed again."),
        anchor="grant",
    )


@login_required
@require_POST
def exchange_bank_details(request, pk):
    exchange = _visible(request, pk)
    return _posted_form(
        request,
        exchange,
        BankDetailsForm(request.POST),
        "bank_form",
        lambda data: lifecycle.bank_details_save(
            exchange=exchange,
            account_holder=data["account_holder"],
            iban=data["iban"],
            bic=data["bic"],
            by=request.user,
        ),
        success=_("Your bank details were saved."),
        anchor="bank",
    )


# --- After the stay --------------------------------------------------------------------------


@login_required
@require_POST
def exchange_report(request, pk):
    """Saves the closing report ("save") and, with "submit", sends it to the cluster. What
    was typed is saved even when the submission is refused."""
    exchange = _visible(request, pk)
    form = ReportForm(request.POST, instance=getattr(exchange, "report", None))
    if not form.is_valid():
        return _render_detail(request, exchange, report_form=form)
    try:
        lifecycle.report_save(exchange=exchange, data=form.report_data(), by=request.user)
    except ValidationError as exc:
        _form_errors(form, exc)
        return _render_detail(request, exchange, report_form=form)
    if "submit" not in request.POST:
        messages.success(request, _("Your closing report was saved."))
        return redirect(_detail_url(exchange, "report"))
    try:
        lifecycle.report_submit(exchange=exchange, by=request.user)
    except ValidationError as exc:
        _form_errors(form, exc)
        return _render_detail(request, exchange, report_form=form)
    messages.success(request, _("Your closing report was submitted. Your cluster will check it."))
    return redirect(_detail_url(exchange, "report"))


@login_required
@require_POST
def exchange_evidence_add(request, pk):
    exchange = _visible(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = lifecycle.evidence_add(
                exchange=exchange,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                _form_errors(form, exc)
            else:
                form.add_error("file", exc.messages)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": evidence.original_name})
            return redirect(_detail_url(exchange, "report"))
    return _render_detail(request, exchange, evidence_form=form)


def _evidence(request, pk, evidence_pk):
    try:
        evidence = sel.evidence_of(request.user, pk, evidence_pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    exchange = _visible(request, pk)
    if not _sees_private(request.user, exchange, lifecycle.roles_of(request.user, exchange)):
        raise Http404
    return exchange, evidence


@login_required
def exchange_evidence_download(request, pk, evidence_pk):
    _exchange, evidence = _evidence(request, pk, evidence_pk)
    return private_download(
        evidence.file, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_POST
def exchange_evidence_delete(request, pk, evidence_pk):
    exchange, evidence = _evidence(request, pk, evidence_pk)
    try:
        lifecycle.evidence_delete(evidence=evidence, by=request.user)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": evidence.original_name})
    return redirect(_detail_url(exchange, "report"))


@login_required
@require_POST
def exchange_host_confirm(request, pk):
    exchange = _visible(request, pk)
    return _posted_form(
        request,
        exchange,
        HostConfirmForm(request.POST),
        "host_form",
        lambda data: lifecycle.host_confirm(
            exchange=exchange,
            took_place=data["took_place"],
            feedback=data["feedback"],
            by=request.user,
        ),
        success=_("Thank you: your confirmation was recorded."),
        anchor="host-confirmation",
    )


@login_required
@require_POST
def exchange_review(request, pk):
    exchange = _visible(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "validate":
                lifecycle.report_validate(
                    exchange=exchange, by=request.user, evidence_checked=data["evidence_checked"]
                )
            else:
                lifecycle.report_return(
                    exchange=exchange, by=request.user, comments=data["comments"]
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if data["decision"] == "validate":
                messages.success(
                    request,
                    _("The closing report is validated. The payment is due by %(date)s.")
                    % {"date": lifecycle.payment_due_on(_visible(request, pk))},
                )
            else:
                messages.success(request, _("The report was returned to the visitor."))
            return redirect(_detail_url(exchange, "report"))
    return _render_detail(request, exchange, review_form=form)


@login_required
@require_POST
def exchange_payment(request, pk):
    exchange = _visible(request, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = lifecycle.payment_record(
                exchange=exchange,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["reference"],
                by=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The payment of %(amount)s was recorded.") % {"amount": money(payment.amount)},
            )
            return redirect(_detail_url(exchange, "payment"))
    return _render_detail(request, exchange, payment_form=form)


@login_required
@require_POST
def exchange_close(request, pk):
    exchange = _visible(request, pk)
    try:
        lifecycle.exchange_close(exchange=exchange, by=request.user)
    except ValidationError as exc:
        _message_errors(request, exc)
    else:
        messages.success(request, _("The exchange is closed."))
    return redirect(_detail_url(exchange))


@login_required
def exchange_certificate(request, pk, side):
    if side not in ("visitor", "host"):
        raise Http404
    exchange = _visible(request, pk)
    if not sel.exchange_actions(request.user, exchange)["certificates"]:
        return render(
            request,
            "exchange/exchange/pdf_unavailable.html",
            {"exchange": exchange, "reason": "status"},
            status=403,
        )
    try:
        content = pdf.certificate_pdf(exchange, side, base_url=request.build_absolute_uri("/"))
    except pdf.PdfUnavailable:
        return render(
            request, "exchange/exchange/pdf_unavailable.html", {"exchange": exchange}, status=503
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{exchange.pk}-{side}.pdf"'
    return response


# --- Payments (managers) -----------------------------------------------------------------------


def _payments(request):
    if not scope_of(request.user).is_staff_role:
        raise PermissionDenied
    form = PaymentFilter(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    qs = sel.payments_filter(sel.payments_visible_to(request.user), state)
    return form, state, sel.payments_ordered(qs)


@login_required
def payments(request):
    form, state, qs = _payments(request)
    paginator = Paginator(qs, settings.PAGINATE_BY)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "exchange/exchange/payments.html",
        {
            "form": form,
            "state": state,
            "page": page,
            "rows": [sel.payment_row(x, today=today) for x in page.object_list],
            "query": query.urlencode(),
        },
    )


@login_required
@sensitive
def payments_xlsx(request):
    """For accounting: one row per exchange whose report is validated, streamed from the
    database (iterator) into a write-only workbook."""
    _form, state, qs = _payments(request)
    today = timezone.localdate()
    labels = {"due": _("due"), "overdue": _("overdue"), "paid": _("paid")}
    header = [
        _("Exchange"),
        _("Visiting organisation"),
        _("Country"),
        _("Cluster (VOP)"),
        _("Host organisation"),
        _("Host country"),
        _("First day"),
        _("Last day"),
        _("Amount (€)"),
        _("Account holder"),
        _("IBAN"),
        _("BIC"),
        _("Report validated on"),
        _("Due on"),
        _("Paid on"),
        _("Reference"),
        _("State"),
    ]

    def rows():
        for exchange in qs.iterator(chunk_size=500):
            row = sel.payment_row(exchange, today=today)
            plan = getattr(exchange, "plan", None)
            bank = getattr(exchange, "bank_details", None)
            yield [
                exchange.pk,
                exchange.visitor_organisation.legal_name,
                exchange.visitor_organisation.country.code,
                exchange.visitor_cluster.acronym,
                exchange.host_organisation.legal_name,
                exchange.host_organisation.country.code,
                plan.start_date if plan else None,
                plan.end_date if plan else None,
                row.amount,
                bank.account_holder if bank else "",
                bank.iban if bank else "",
                bank.bic if bank else "",
                row.validated_on,
                row.due_on,
                row.paid_on,
                row.reference,
                str(labels[row.state]),
            ]

    suffix = f"-{state}" if state else ""
    audit_record(action="export", target_type="exchange.payment", summary=f"payments{suffix}.xlsx")
    return xlsx_response(f"clusterxchange-payments{suffix}-{today}.xlsx", header, rows())
