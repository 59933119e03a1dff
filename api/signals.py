"""Receivers that turn recorded changes into webhook events. Each one only calls
webhooks.webhook_emit (STYLE: a signal may only call a service); they run inside the
transaction of the change, so a rolled-back change emits nothing."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from exchange.models import ApplicationTransition, ExchangeTransition, Payment
from members.models import Membership, Organisation
from workshops.models import Event, Registration, RegistrationTransition

from .models import WebhookEvent
from .webhooks import webhook_emit


def _link(name: str, pk: int) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse(name, args=[pk])


def _event_clusters(event_id: int) -> list[int]:
    return list(
        Event.organisers.through.objects.filter(event_id=event_id).values_list(
            "cluster_id", flat=True
        )
    )


@receiver(post_save, sender=Registration, dispatch_uid="api.registration_created")
def registration_created(sender, instance: Registration, created: bool, raw=False, **kwargs):
    if not created or raw:
        return
    webhook_emit(
        event_type=WebhookEvent.REGISTRATION_CREATED,
        cluster_ids=_event_clusters(instance.event_id),
        data={
            "registration_id": instance.pk,
            "event_id": instance.event_id,
            "status": instance.status,
            "url": _link("api:registration-detail", instance.pk),
        },
    )


@receiver(post_save, sender=RegistrationTransition, dispatch_uid="api.registration_cancelled")
def registration_cancelled(sender, instance, created: bool, raw=False, **kwargs):
    if not created or raw or instance.to_status != Registration.Status.CANCELLED:
        return
    registration = instance.registration
    webhook_emit(
        event_type=WebhookEvent.REGISTRATION_CANCELLED,
        cluster_ids=_event_clusters(registration.event_id),
        data={
            "registration_id": registration.pk,
            "event_id": registration.event_id,
            "url": _link("api:registration-detail", registration.pk),
        },
    )


DECIDED = {"accepted", "rejected"}


@receiver(post_save, sender=ApplicationTransition, dispatch_uid="api.application_changed")
def application_changed(sender, instance, created: bool, raw=False, **kwargs):
    # A history row whose status does not change is a note (an exception granted, an
    # organisation linked): nothing was submitted or decided.
    if not created or raw or instance.from_status == instance.to_status:
        return
    if instance.to_status == "submitted":
        event_type = WebhookEvent.APPLICATION_SUBMITTED
    elif instance.to_status in DECIDED:
        event_type = WebhookEvent.APPLICATION_DECIDED
    else:
        return
    application = instance.application
    webhook_emit(
        event_type=event_type,
        cluster_ids=[application.managing_cluster_id],
        data={
            "application_id": application.pk,
            "status": instance.to_status,
            "url": _link("api:application-detail", application.pk),
        },
    )


@receiver(post_save, sender=ExchangeTransition, dispatch_uid="api.exchange_status_changed")
def exchange_status_changed(sender, instance, created: bool, raw=False, **kwargs):
    # Notes in the history (grant recomputed, reopened, cut short) keep the status.
    if not created or raw or instance.from_status == instance.to_status:
        return
    exchange = instance.exchange
    webhook_emit(
        event_type=WebhookEvent.EXCHANGE_STATUS_CHANGED,
        cluster_ids=[exchange.visitor_cluster_id, exchange.host_cluster_id],
        data={
            "exchange_id": exchange.pk,
            "from": instance.from_status,
            "to": instance.to_status,
            "url": _link("api:exchange-detail", exchange.pk),
        },
    )


@receiver(post_save, sender=Payment, dispatch_uid="api.payment_recorded")
def payment_recorded(sender, instance: Payment, created: bool, raw=False, **kwargs):
    if not created or raw:
        return
    exchange = instance.exchange
    # Money is the visitor's partnership's business (VOP pays).
    webhook_emit(
        event_type=WebhookEvent.PAYMENT_RECORDED,
        cluster_ids=[exchange.visitor_cluster_id],
        data={
            "exchange_id": exchange.pk,
            "url": _link("api:exchange-detail", exchange.pk),
        },
    )


@receiver(post_save, sender=Organisation, dispatch_uid="api.organisation_changed")
def organisation_changed(sender, instance: Organisation, created: bool, raw=False, **kwargs):
    if raw or created:  # a new organisation is reported when its membership is saved
        return
    _organisation_event(instance.pk)


@receiver(post_save, sender=Membership, dispatch_uid="api.membership_changed")
def membership_changed(sender, instance: Membership, created: bool, raw=False, **kwargs):
    if raw:
        return
    _organisation_event(instance.organisation_id)


def _organisation_event(organisation_id: int) -> None:
    webhook_emit(
        event_type=WebhookEvent.ORGANISATION_CHANGED,
        cluster_ids=Membership.objects.filter(organisation_id=organisation_id).values_list(
            "cluster_id", flat=True
        ),
        data={
            "organisation_id": organisation_id,
            "url": _link("api:organisation-detail", organisation_id),
        },
    )
