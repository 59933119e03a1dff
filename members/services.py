"""Every write to the members area. Services check the rules, run in a transaction and
queue side effects after commit. They never see the request."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clamtex.core.queue import send_task
from clamtex.core.storage import file_delete_on_commit

from . import permissions
from .models import (
    Cluster,
    Contact,
    ExportRun,
    Invitation,
    Membership,
    Organisation,
    Representative,
)
from .roles import forget_scope

logger = logging.getLogger(__name__)

ORGANISATION_M2M = {"sectors"}


def _apply(instance, data: dict, m2m: set[str]) -> dict:
    deferred = {}
    for name, value in data.items():
        if name in m2m:
            deferred[name] = value
        else:
            setattr(instance, name, value)
    return deferred


@transaction.atomic
def organisation_create(*, cluster: Cluster, data: dict, by, membership: dict | None = None):
    """A cluster manager adds a member organisation to their cluster."""
    if not permissions.can_manage_cluster(by, cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    organisation = Organisation()
    deferred = _apply(organisation, data, ORGANISATION_M2M)
    organisation.full_clean()
    organisation.save()
    for name, value in deferred.items():
        getattr(organisation, name).set(value)
    Membership.objects.create(organisation=organisation, cluster=cluster, **(membership or {}))
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict, by) -> Organisation:
    if not permissions.can_edit_organisation(by, organisation):
        raise PermissionDenied(_("You may not edit this organisation."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    deferred = _apply(organisation, data, ORGANISATION_M2M)
    organisation.full_clean()
    organisation.save()
    for name, value in deferred.items():
        getattr(organisation, name).set(value)
    return organisation


@transaction.atomic
def cluster_update(*, cluster: Cluster, data: dict, by) -> Cluster:
    if not permissions.can_manage_cluster(by, cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    old_logo = cluster.logo
    deferred = _apply(cluster, data, {"sectors"})
    cluster.full_clean()
    cluster.save()
    if old_logo.name and old_logo.name != (cluster.logo.name or ""):
        # A replaced or cleared logo leaves the storage once the change is committed.
        file_delete_on_commit(old_logo)
    for name, value in deferred.items():
        getattr(cluster, name).set(value)
    return cluster


@transaction.atomic
def membership_update(*, membership: Membership, data: dict, by) -> Membership:
    """Status and dates of a membership; only the cluster's managers change them."""
    if not permissions.can_edit_membership(by, membership):
        raise PermissionDenied(_("You do not manage this cluster."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _apply(membership, data, set())
    if membership.status == Membership.Status.ENDED and membership.end_date is None:
        membership.end_date = timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["status", "start_date", "end_date"])
    return membership


@transaction.atomic
def contact_create(*, organisation: Organisation, data: dict, by) -> Contact:
    if not permissions.can_edit_organisation(by, organisation):
        raise PermissionDenied(_("You may not edit this organisation."))
    contact = Contact(organisation=organisation)
    _apply(contact, data, set())
    if contact.consent_given:
        contact.consent_at = timezone.now()
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict, by) -> Contact:
    if not permissions.can_edit_contact(by, contact):
        raise PermissionDenied(_("You may not edit this contact."))
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    had_consent = contact.consent_given
    _apply(contact, data, set())
    if contact.consent_given and not had_consent:
        contact.consent_at = timezone.now()
    elif not contact.consent_given:
        contact.consent_at = None
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by) -> None:
    if not permissions.can_edit_contact(by, contact):
        raise PermissionDenied(_("You may not edit this contact."))
    contact.delete()


# --- Invitations --------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, cluster: Cluster, email: str, language: str, by
) -> Invitation:
    """A manager of one of the organisation's clusters invites a representative. One
    pending invitation per address and organisation (a database constraint)."""
    if (
        not permissions.can_manage_cluster(by, cluster)
        or not organisation.memberships.filter(cluster=cluster).exists()
    ):
        raise PermissionDenied(_("You may only invite representatives of your own members."))
    email = email.strip().lower()
    if Representative.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(_("This person already represents the organisation."))
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                organisation=organisation,
                cluster=cluster,
                language=language,
                invited_by=by,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("An invitation to this address is already pending for this organisation.")
        ) from exc
    invitation_email_queue(invitation=invitation)
    return invitation


def invitation_email_queue(*, invitation: Invitation):
    """The invitation email, through the outbox (essential: it cannot be unsubscribed)."""
    from notifications import kinds
    from notifications.services import email_queue

    url = settings.SITE_URL + reverse("members:invitation_accept", args=[invitation.token])
    return email_queue(
        kind=kinds.INVITATION.name,
        to=invitation.email,
        language=invitation.language,
        occasion_key=f"invitation:{invitation.pk}",
        context={
            "org": invitation.organisation.legal_name,
            "cluster": invitation.cluster.name,
            "url": url,
        },
        about=invitation,
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if not permissions.can_revoke_invitation(by, invitation):
        raise PermissionDenied(_("You may not revoke this invitation."))
    updated = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED
    )
    if not updated:
        raise ValidationError(_("This invitation is no longer pending."))
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Representative:
    """The invited person, logged in with the invited (verified) address, becomes a
    representative of the organisation. The conditional update makes a second accept
    of the same invitation fail."""
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask your cluster for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    claimed = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.ACCEPTED, accepted_by=user, accepted_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This invitation is no longer valid."))
    representative, _created = Representative.objects.get_or_create(
        user=user, organisation=invitation.organisation
    )
    forget_scope(user)
    return representative


def invitations_accept_for_verified_email(*, user, email: str) -> list[Representative]:
    """When someone verifies an address, pending invitations to it are accepted: owning
    the address is what the invitation asked for."""
    accepted = []
    for invitation in Invitation.objects.filter(
        email__iexact=email, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ):
        try:
            accepted.append(invitation_accept(invitation=invitation, user=user))
        except ValidationError:
            continue  # raced with another accept; nothing to do
    return accepted


@transaction.atomic
def user_update_profile(*, user, data: dict):
    for name in ("full_name", "language", "phone"):
        if name in data:
            setattr(user, name, data[name])
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "language", "phone"])
    return user


# --- Large exports --------------------------------------------------------------------------


def export_request(*, user, fmt: str, query: str) -> ExportRun:
    """An export of the directory (with these filters) written by a worker; the person
    follows it on its page and downloads it there."""
    if not permissions.can_use_directory(user):
        raise PermissionDenied
    run = ExportRun.objects.create(requested_by=user, format=fmt, query=query)

    def enqueue():
        try:
            send_task("members.tasks.export_generate", run.pk)
        except (OSError, ConnectionError) as exc:  # the page shows "waiting"; logged
            logger.warning("export %s: could not enqueue (%s)", run.pk, exc)

    transaction.on_commit(enqueue)
    return run


def export_generate(*, run_id: int) -> str:
    """Claims a pending run (one worker only), writes the file through the same rows and
    writers as the inline export, recording the progress, and stores it."""
    import tempfile

    from django.core.files import File
    from django.http import QueryDict

    from clamtex.core.exports import csv_response, xlsx_response

    from .exports import CHUNK, COLUMNS, organisation_rows
    from .filters import directory_filterset
    from .roles import scope_of

    claimed = ExportRun.objects.filter(pk=run_id, status=ExportRun.Status.PENDING).update(
        status=ExportRun.Status.RUNNING, progress=1
    )
    if not claimed:
        return "skipped"
    run = ExportRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        filterset = directory_filterset(run.requested_by, QueryDict(run.query))
        if filterset.is_bound and not filterset.is_valid():
            raise ValueError(_("The filters are not valid; nothing was exported."))
        qs = filterset.qs if filterset.is_bound else filterset.queryset
        total = max(1, qs.count())
        scope = scope_of(run.requested_by)
        written = 0

        def rows():
            nonlocal written
            for row in organisation_rows(
                qs, cluster_ids=None if scope.is_admin else scope.cluster_ids
            ):
                written += 1
                if written % CHUNK == 0:
                    ExportRun.objects.filter(pk=run_id).update(
                        progress=min(99, 100 * written // total)
                    )
                yield row

        make = csv_response if run.format == ExportRun.Format.CSV else xlsx_response
        response = make(run.filename, COLUMNS, rows())
        with tempfile.TemporaryFile() as tmp:
            for chunk in response.streaming_content:
                tmp.write(chunk)
            # Not response.close(): it sends request_finished, which closes the database
            # connection; only the XLSX's temporary file needs closing.
            if getattr(response, "file_to_stream", None) is not None:
                response.file_to_stream.close()
            tmp.seek(0)
            run.file.save(run.filename, File(tmp, name=run.filename), save=False)
    except Exception as exc:
        logger.exception("members: export %s failed", run_id)
        ExportRun.objects.filter(pk=run_id).update(
            status=ExportRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"
        )
        return ExportRun.Status.FAILED
    ExportRun.objects.filter(pk=run_id).update(
        status=ExportRun.Status.DONE,
        progress=100,
        rows=written,
        file=run.file.name,
        finished_at=timezone.now(),
    )
    return ExportRun.Status.DONE
