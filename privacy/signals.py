"""Signals only call services."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver


@receiver(user_signed_up)
def consent_on_signup(request, user, **kwargs):
    from .consents import consent_record

    consent_record(purpose="account", record=user, user=user)
