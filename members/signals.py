"""Signals only call services."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver


@receiver(email_confirmed)
def accept_invitations_on_email_confirmed(request, email_address, **kwargs):
    from .services import invitations_accept_for_verified_email

    invitations_accept_for_verified_email(user=email_address.user, email=email_address.email)
