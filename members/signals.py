"""Signals only call services."""

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership, Organisation, Sector


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


@receiver(post_save, sender=Sector)
@receiver(post_delete, sender=Sector)
def sector_choices_changed(**kwargs):
    from django.core.cache import cache

    from .filters import SECTOR_CHOICES_KEY

    cache.delete(SECTOR_CHOICES_KEY)
