"""Signals only call services."""

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Cluster, Membership, Organisation, Sector


@receiver(email_confirmed)
def accept_invitations_on_email_confirmed(request, email_address, **kwargs):
    from .services import invitations_accept_for_verified_email

    invitations_accept_for_verified_email(user=email_address.user, email=email_address.email)


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
def member_figures_changed(**kwargs):
    from .selectors import member_figures_invalidate

    member_figures_invalidate()


# --- Audit of role changes (admin, services, demo: every path saves these rows) ----------

_ROLE_SCOPE = {
    "ClusterManager": ("cluster manager", "cluster_id"),
    "PartnershipCoordinator": ("partnership coordinator", "partnership_id"),
    "Representative": ("representative", "organisation_id"),
}


def _audit_role(instance, action: str) -> None:
    from clamtex.core.audit import audit_record

    role, scope_field = _ROLE_SCOPE[type(instance).__name__]
    audit_record(
        action=action,
        target_type="members.user",
        target_id=str(instance.user_id),
        summary=f"{role} ({scope_field.removesuffix('_id')} #{getattr(instance, scope_field)})",
    )


@receiver(post_save, sender="members.ClusterManager")
@receiver(post_save, sender="members.PartnershipCoordinator")
@receiver(post_save, sender="members.Representative")
def audit_role_granted(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _audit_role(instance, "role_granted")


@receiver(post_delete, sender="members.ClusterManager")
@receiver(post_delete, sender="members.PartnershipCoordinator")
@receiver(post_delete, sender="members.Representative")
def audit_role_revoked(sender, instance, **kwargs):
    _audit_role(instance, "role_revoked")


@receiver(post_save, sender=Sector)
@receiver(post_delete, sender=Sector)
def sector_choices_changed(**kwargs):
    from django.core.cache import cache

    from .filters import SECTOR_CHOICES_KEY, filter_form_invalidate

    cache.delete(SECTOR_CHOICES_KEY)
    filter_form_invalidate()


@receiver(post_save, sender=Cluster)
@receiver(post_delete, sender=Cluster)
def cluster_choices_changed(**kwargs):
    """The directory's cluster filter lists acronyms: a new version of its cache."""
    from .filters import filter_form_invalidate

    filter_form_invalidate()
