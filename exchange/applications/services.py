"""Every write of ClusterXchange part 1: applications, documents, review, matches."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clamtex.core import uploads
from members.models import Membership
from privacy.consents import consent_record

from .. import places, workflow
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Call,
    Exchange,
    MatchProposal,
)
from . import eligibility, permissions

S = Application.Status
EDITABLE_FIELDS = {
    "organisation",
    "managing_cluster",
    "role",
    "motivation",
    "objectives",
    "activity_types",
    "preferred_countries",
    "available_from",
    "available_until",
    "third_country_national",
    "residence_days",
    "has_residence_permit",
    "business_in_eligible_country",
    "consent_privacy",
    "consent_catalogue",
    "catalogue_fields",
}


@transaction.atomic
def application_start(*, call: Call, by) -> Application:
    if not call.is_open:
        raise ValidationError(_("This call is not open for applications."))
    return Application.objects.create(call=call, applicant=by, status=S.DRAFT)


@transaction.atomic
def application_save(*, application: Application, data: dict, by) -> Application:
    """Saves a draft (any step, any amount of data): nothing typed is lost."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_edit_application(by, application):
        raise PermissionDenied(_("This application can no longer be edited."))
    sectors = data.pop("sectors", None)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not editable by the applicant")
        setattr(application, name, value)
    if application.organisation_id and not application.managing_cluster_id:
        membership = (
            Membership.objects.filter(
                organisation_id=application.organisation_id,
                status=Membership.Status.ACTIVE,
                cluster__partnership_id=application.call.partnership_id,
            )
            .order_by("start_date")
            .first()
        )
        if membership:
            application.managing_cluster_id = membership.cluster_id
    application.save()
    if data.get("consent_privacy"):
        consent_record(purpose="application", record=application, user=by)
    if sectors is not None:
        application.sectors.set(sectors)
    return application


def _transition(application: Application, to: str, *, by, note: str = "") -> Application:
    """The one place an application changes status: locked row, transition table, the
    actor's permission, update_fields, and a history row; the applicant is told."""
    actor = workflow.actor_for(application.status, to)
    if actor is None:
        raise ValidationError(
            _("An application cannot go from “%(from)s” to “%(to)s”.")
            % {"from": application.get_status_display(), "to": S(to).label}
        )
    if actor == workflow.APPLICANT and application.applicant_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the applicant can do this."))
    if actor == workflow.REVIEWER and not permissions.can_review(by, application):
        raise PermissionDenied(_("Only the managing cluster can review this application."))
    ApplicationTransition.objects.create(
        application=application, from_status=application.status, to_status=to, by=by, note=note
    )
    application.status = to
    fields = ["status", "updated_at"]
    if to == S.SUBMITTED:
        application.submitted_at = timezone.now()
        fields.append("submitted_at")
    application.save(update_fields=fields)
    if to in (S.ACCEPTED, S.REJECTED, S.INFO_REQUESTED, S.SUBMITTED):
        _decision_email(application, to, note)
    if to == S.SUBMITTED:
        _submission_emails(application)
    return application


def _locked(application: Application) -> Application:
    return (
        # of=self: PostgreSQL cannot lock the nullable side of an outer join (organisation).
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "organisation")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_submit(*, application: Application, by) -> list[eligibility.RuleResult]:
    """Submits (or resubmits) after checking every eligibility rule. A failed rule blocks
    submission unless a manager may grant an exception for it."""
    application = _locked(application)
    missing = []
    if not application.organisation_id:
        missing.append(_("the organisation"))
    if not application.managing_cluster_id:
        missing.append(_("the cluster that reviews the application"))
    if not application.motivation.strip() or not application.objectives.strip():
        missing.append(_("motivation and objectives"))
    if not application.consent_privacy:
        missing.append(_("consent to the privacy notice"))
    if missing:
        raise ValidationError(_("Complete these before submitting: %s.") % ", ".join(missing))
    results = eligibility.check(application)
    blocked = eligibility.blocking(results)
    if blocked:
        raise ValidationError([f"{r.label}: {r.reason}" for r in blocked])
    _transition(application, S.SUBMITTED, by=by)
    return results


@transaction.atomic
def application_review(
    *, application: Application, to: str, by, note: str = "", checklist=None, notes=None
) -> Application:
    """Reviewer decisions: start review, accept, reject (reason required), ask for more
    information (what is needed required)."""
    application = _locked(application)
    if to == S.ACCEPTED and not permissions.can_review(by, application):
        raise PermissionDenied
    if to in (S.REJECTED, S.INFO_REQUESTED) and not note.strip():
        raise ValidationError(_("Say why, so the applicant knows what to do."))
    if checklist is not None or notes is not None:
        if not permissions.can_review(by, application):
            raise PermissionDenied
        if checklist is not None:
            application.review_checklist = checklist
        if notes is not None:
            application.review_notes = notes
        application.save(update_fields=["review_checklist", "review_notes", "updated_at"])
    if to == S.ACCEPTED:
        # A real review: every checklist item ticked (membership confirmed by the cluster,
        # documents checked, objectives clear), and every rule met or excepted (with the
        # reason recorded by application_grant_exception).
        from .forms import CHECKLIST

        labels = dict(CHECKLIST)
        unticked = [
            str(labels.get(key, key))
            for key in eligibility.REVIEW_ITEMS
            if not (application.review_checklist or {}).get(key)
        ]
        if unticked:
            raise ValidationError(
                _("Tick every item of the checklist before accepting: %(items)s.")
                % {"items": ", ".join(unticked)}
            )
        failed = [r for r in eligibility.check(application) if not r.passed]
        if failed:
            raise ValidationError([f"{r.label}: {r.reason}" for r in failed])
        _record_typed_vat(application)
    return _transition(application, to, by=by, note=note)


def _record_typed_vat(application: Application) -> None:
    """On acceptance, a described organisation gets the VAT number typed for it, unless a
    registered organisation holds it (the reviewer should have linked that one)."""
    from members.models import Organisation

    org, vat = application.organisation, (application.vat_number_typed or "").strip()
    if org is None or org.vat_number or not vat:
        return
    if Organisation.objects.filter(country=org.country, vat_number__iexact=vat).exists():
        return
    org.vat_number = vat
    org.save(update_fields=["vat_number"])


@transaction.atomic
def application_grant_exception(*, application: Application, by, reason: str) -> Application:
    """The programme approves a non-member SME as host, with a reason (recorded)."""
    application = _locked(application)
    if not permissions.can_review(by, application):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError(_("Say why the exception is granted."))
    application.exception_approved = True
    application.save(update_fields=["exception_approved", "updated_at"])
    ApplicationTransition.objects.create(
        application=application,
        from_status=application.status,
        to_status=application.status,
        by=by,
        note=f"non-member host exception approved: {reason.strip()}",
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by) -> Application:
    return _transition(_locked(application), S.WITHDRAWN, by=by)


@transaction.atomic
def document_add(*, application: Application, upload, kind: str, by) -> ApplicationDocument:
    if not permissions.can_edit_application(by, application):
        raise PermissionDenied(_("This application can no longer be edited."))
    checked = uploads.check_upload(upload)
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=upload.name[:255],
        content_type=checked.content_type,
        size=checked.size,
    )
    document.file.save("upload", upload, save=False)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: ApplicationDocument, by) -> None:
    if not permissions.can_edit_application(by, document.application):
        raise PermissionDenied
    # The object goes after commit (clamtex.core.storage), not if this rolls back.
    document.delete()


def _decision_email(application: Application, status: str, note: str) -> None:
    from notifications.services import email_queue

    from ..emails import DECISION

    user = application.applicant
    email_queue(
        kind=DECISION.name,
        to=user.email,
        language=user.language,
        occasion_key=f"{DECISION.name}:{application.pk}:{status}:{application.history.count()}",
        context={
            "name": user.get_short_name(),
            "status": status,
            "status_label": str(S(status).label),
            "note": note,
            "organisation": str(application.organisation or ""),
            "url": settings.SITE_URL
            + reverse("exchange:application_detail", args=[application.pk]),
        },
        about=application,
        user=user,
    )


def _submission_emails(application: Application) -> None:
    """Each manager of the reviewing cluster is told, in their language, once per
    submission (a resubmission after a request for information is a new occasion)."""
    from members.models import ClusterManager
    from notifications.services import email_queue

    from ..emails import SUBMITTED

    managers = ClusterManager.objects.filter(
        cluster_id=application.managing_cluster_id
    ).select_related("user", "cluster")
    url = settings.SITE_URL + reverse("exchange:application_detail", args=[application.pk])
    for role in managers:
        manager = role.user
        email_queue(
            kind=SUBMITTED.name,
            to=manager.email,
            language=manager.language,
            occasion_key=f"{SUBMITTED.name}:{application.pk}:{application.submitted_at.isoformat()}",
            context={
                "name": manager.get_short_name(),
                "organisation": str(application.organisation or application.applicant),
                "cluster": role.cluster.acronym,
                "role": str(application.get_role_display()),
                "call": application.call.name,
                "url": url,
            },
            about=application,
            user=manager,
        )


# --- Matching ------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *, visitor: Application, host: Application, by, message: str = ""
) -> MatchProposal:
    """A participant or a manager proposes a match between an accepted visitor and an
    accepted host, organisations in different countries."""
    from .matching import can_propose

    side = can_propose(by, visitor, host)
    if side is None:
        raise PermissionDenied(_("You may not propose this match."))
    if visitor.status != S.ACCEPTED or host.status != S.ACCEPTED:
        raise ValidationError(_("Only accepted applications can be matched."))
    if not visitor.wants_to_visit or not host.wants_to_host:
        raise ValidationError(_("The first must visit and the second must host."))
    if visitor.organisation.country == host.organisation.country:
        raise ValidationError(_("Visitor and host must be registered in different countries."))
    try:
        with transaction.atomic():
            return MatchProposal.objects.create(
                visitor=visitor, host=host, proposed_by=by, proposer_side=side, message=message
            )
    except IntegrityError as exc:
        raise ValidationError(_("This match has already been proposed.")) from exc


@transaction.atomic
def proposal_respond(*, proposal: MatchProposal, accept: bool, by) -> MatchProposal:
    """The other side accepts or declines. Accepting creates the exchange in the
    "matched" state; the database refuses a second visit of the same organisation even
    when two acceptances arrive at the same moment."""
    from .matching import can_respond

    proposal = (
        MatchProposal.objects.select_for_update(of=("self",))
        .select_related("visitor__organisation", "host__organisation", "visitor", "host")
        .get(pk=proposal.pk)
    )
    if not can_respond(by, proposal):
        raise PermissionDenied(_("Only the other side can answer this proposal."))
    if proposal.status != MatchProposal.Status.PROPOSED:
        raise ValidationError(_("This proposal has already been answered."))
    proposal.responded_at = timezone.now()
    if not accept:
        proposal.status = MatchProposal.Status.DECLINED
        proposal.save(update_fields=["status", "responded_at"])
        return proposal
    try:
        with transaction.atomic():
            Exchange.objects.create(
                proposal=proposal,
                visitor_application=proposal.visitor,
                host_application=proposal.host,
                visitor_organisation=proposal.visitor.organisation,
                host_organisation=proposal.host.organisation,
                visitor_cluster=proposal.visitor.managing_cluster,
                host_cluster=proposal.host.managing_cluster,
                status=Exchange.Status.MATCHED,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("This organisation already has an exchange as visitor: it may visit once only.")
        ) from exc
    proposal.status = MatchProposal.Status.ACCEPTED
    proposal.save(update_fields=["status", "responded_at"])
    return proposal


# --- Web layer additions: the applicant's organisation, the public start, review notes ----

# What an applicant may say about an organisation that is not on the portal yet.
NEW_ORGANISATION_FIELDS = {
    "legal_name",
    "country",
    "org_type",
    "employees",
    "turnover_eur",
    "balance_sheet_eur",
    "vat_number",
    "city",
    "latitude",
    "longitude",
}


def _organisation_is_private_to(application: Application, organisation) -> bool:
    from .selectors import organisation_is_private_to

    return organisation_is_private_to(application, organisation)


def _discard_if_orphan(application: Application, organisation) -> None:
    from django.db.models import ProtectedError, RestrictedError

    if organisation is None or not _organisation_is_private_to(application, organisation):
        return
    if organisation.exchange_applications.exists():
        return
    try:
        with transaction.atomic():
            organisation.delete()
    except (ProtectedError, RestrictedError):
        pass  # something else points at it: keep it


@transaction.atomic
def application_organisation_set(
    *,
    application: Application,
    by,
    organisation=None,
    data: dict | None = None,
    managing_cluster=None,
) -> Application:
    """Step one of the application: the organisation and the cluster that reviews it.

    Either `organisation` (one the applicant represents, or the one already linked) or
    `data` describing an organisation that is not on the portal. A described organisation
    is created without any membership (a non-member: the managing cluster confirms or
    refuses membership in its review). A typed VAT number never links the application to
    an organisation already registered (nor reveals anything about it): the application
    keeps what the applicant typed, and the reviewer links the record afterwards
    (application_organisation_link). One this draft created earlier is updated in place.
    The managing cluster must belong to the call's partnership."""
    from members.models import Organisation

    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "call")
        .get(pk=application.pk)
    )
    if not permissions.can_edit_application(by, application):
        raise PermissionDenied(_("This application can no longer be edited."))
    if (
        managing_cluster is not None
        and managing_cluster.partnership_id != application.call.partnership_id
    ):
        raise ValidationError(
            {"managing_cluster": _("Choose a cluster of the partnership that runs this call.")}
        )
    current = application.organisation
    private = current if current and _organisation_is_private_to(application, current) else None
    if organisation is None and data:
        data = {k: v for k, v in data.items() if k in NEW_ORGANISATION_FIELDS}
        typed_vat = (data.pop("vat_number", "") or "").strip()
        # A described organisation is an unconfirmed record: the typed VAT number stays on
        # the application (whatever is registered, the applicant sees the same).
        data["vat_number"] = ""
        organisation = private or Organisation()
        for name, value in data.items():
            setattr(organisation, name, value)
        if "latitude" not in data and "city" in data:
            organisation.latitude = organisation.longitude = None  # the city decides
        places.locate(organisation)  # city and country → coordinates (offline gazetteer)
        organisation.full_clean()
        organisation.save()
        if application.vat_number_typed != typed_vat:
            application.vat_number_typed = typed_vat
            application.save(update_fields=["vat_number_typed", "updated_at"])
    save = {"managing_cluster": managing_cluster}
    if organisation is not None:
        save["organisation"] = organisation
    application = application_save(application=application, data=save, by=by)
    if private is not None and application.organisation_id != private.pk:
        _discard_if_orphan(application, private)
    return application


@transaction.atomic
def application_start_with_account(
    *,
    call: Call,
    email: str,
    password: str,
    full_name: str,
    language: str,
    organisation_data: dict | None = None,
    managing_cluster=None,
    consent_privacy: bool = False,
) -> Application:
    """The public start of an application: creates the account the way allauth does (an
    unverified primary address; the view then has allauth send the verification link)
    and saves the draft, so nothing typed is lost while the applicant confirms."""
    from allauth.account.models import EmailAddress

    from members.models import User

    email = email.strip().lower()
    taken = _("An account with this email address already exists.")
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError({"email": taken})
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name.strip(), language=language
            )
    except IntegrityError as exc:  # the same address signed up at the same moment
        raise ValidationError({"email": taken}) from exc
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    application = application_start(call=call, by=user)
    if consent_privacy:
        application = application_save(
            application=application, data={"consent_privacy": True}, by=user
        )
    if organisation_data or managing_cluster is not None:
        application = application_organisation_set(
            application=application,
            by=user,
            data=organisation_data or None,
            managing_cluster=managing_cluster,
        )
    return application


@transaction.atomic
def application_review_notes_save(
    *, application: Application, by, checklist: dict, notes: str
) -> Application:
    """The reviewer's checklist and internal notes, without a decision."""
    application = _locked(application)
    if not permissions.can_review(by, application):
        raise PermissionDenied(_("Only the managing cluster can review this application."))
    application.review_checklist = checklist
    application.review_notes = notes
    application.save(update_fields=["review_checklist", "review_notes", "updated_at"])
    return application


@transaction.atomic
def application_organisation_link(*, application: Application, organisation, by) -> Application:
    """During the review, a manager links the application to an organisation already
    registered (a possible match: same country and VAT number, see
    selectors.possible_matches) instead of the one the applicant described; the described
    one is discarded when nothing else uses it."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "call")
        .get(pk=application.pk)
    )
    if not permissions.can_review(by, application):
        raise PermissionDenied
    if application.status in (S.DRAFT, S.ACCEPTED, S.REJECTED, S.WITHDRAWN):
        raise ValidationError(_("Only an application under review can be linked."))
    from .selectors import possible_matches

    if organisation.pk not in {m.organisation.pk for m in possible_matches(application)}:
        raise ValidationError(_("This organisation is not a possible match."))
    described = application.organisation
    application.organisation = organisation
    application.save(update_fields=["organisation", "updated_at"])
    ApplicationTransition.objects.create(
        application=application,
        from_status=application.status,
        to_status=application.status,
        by=by,
        note=f"linked to the registered organisation #{organisation.pk}",
    )
    if described is not None and described.pk != organisation.pk:
        _discard_if_orphan(application, described)
    return application
