"""Erasure of a person who applied, registered and travelled: afterwards their name and
email are nowhere in the database or the storage, while the grant and payment records
keep the organisations and amounts."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from clamtex.core.models import AuditEvent
from exchange.applications import services as exchange_services
from exchange.models import (
    Application,
    ApplicationDocument,
    Evidence,
    Exchange,
    ExchangeDocument,
    Payment,
)
from members.models import Contact, Representative, User
from notifications.models import Email
from notifications.services import email_queue
from privacy import services as privacy_services
from privacy.erasure import account_erase
from privacy.models import Consent, DataExport
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.exchange.lifecycle_factories import X, advance, matched_exchange
from tests.workshops.factories import EventFactory
from workshops import services as workshop_services
from workshops.models import Registration

NAME = "Zephyrine Quackenbush"
EMAIL = "zephyrine.q@example.org"
NEEDLES = ["zephyrine", "quackenbush", EMAIL]


def _pdf(text: str) -> ContentFile:
    return ContentFile(f"%PDF-1.4\n% {text}\n%%EOF\n".encode(), name="upload.pdf")


def _dump_database() -> str:
    """Every row of every table (auto-created many-to-many tables too), as text."""
    chunks = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        data = serializers.serialize("json", model._base_manager.all())
        chunks.append(json.dumps(json.loads(data), ensure_ascii=False))
    return "\n".join(chunks).lower()


def _walk(path=""):
    dirs, files = default_storage.listdir(path)
    for name in files:
        yield f"{path}/{name}" if path else name
    for name in dirs:
        yield from _walk(f"{path}/{name}" if path else name)


def _dump_storage() -> str:
    """Every stored file, read back; ZIP archives are opened and their members read."""
    chunks = []
    for name in _walk():
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        if content[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                chunks += [archive.read(member) for member in archive.namelist()]
                chunks.append("\n".join(archive.namelist()).encode())
        else:
            chunks.append(content)
        chunks.append(name.encode())
    return b"\n".join(chunks).decode("utf-8", "replace").lower()


def _found(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle in text]


@pytest.fixture
def person(world, django_capture_on_commit_callbacks):
    """Applied twice (one rejected, one accepted), travelled (exchange paid), registered
    for a past event and an upcoming one, represents an organisation, is a contact, got
    emails, asked for a data export, and was written about by others."""
    with django_capture_on_commit_callbacks(execute=True):
        parties = matched_exchange(world)
        user = parties.visitor
        user.full_name, user.email, user.phone = NAME, EMAIL, "+34 600 000 000"
        user.save()
        EmailAddress.objects.filter(user=user).update(email=EMAIL)
        Representative.objects.create(user=user, organisation=world.org_a)
        f.ContactFactory(organisation=world.org_a, full_name=NAME, email=EMAIL)

        application = parties.exchange.visitor_application
        Application.objects.filter(pk=application.pk).update(motivation=f"I am {NAME}")
        ApplicationDocument.objects.create(
            application=application,
            kind=ApplicationDocument.Kind.CV,
            file=_pdf(f"Curriculum of {NAME}, {EMAIL}"),
            original_name=f"CV {NAME}.pdf",
            content_type="application/pdf",
            size=40,
        )
        rejected = ApplicationFactory(
            call=CallFactory(partnership=world.partnership),
            applicant=user,
            organisation=world.org_a,
            managing_cluster=world.cluster_a,
            status=Application.Status.DRAFT,
        )
        exchange_services.application_save(
            application=rejected,
            data={"motivation": f"Signed {NAME}", "consent_privacy": True},
            by=user,
        )
        Application.objects.filter(pk=rejected.pk).update(status=Application.Status.REJECTED)
        ApplicationDocument.objects.create(
            application=rejected,
            file=_pdf(f"Letter of {NAME}"),
            original_name="letter.pdf",
            content_type="application/pdf",
            size=30,
        )

        advance(parties, X.PAID)
        exchange = parties.exchange
        Evidence.objects.create(
            report=exchange.report,
            kind=Evidence.Kind.TRAVEL_INVOICE,
            file=_pdf(f"Invoice to {NAME}"),
            original_name=f"invoice {NAME}.pdf",
            content_type="application/pdf",
            size=30,
        )
        exchange.host_confirmation.feedback = f"{NAME} was great"
        exchange.host_confirmation.save()

        past = EventFactory(
            partnership=world.partnership,
            start=timezone.now() - timezone.timedelta(days=30),
            end=timezone.now() - timezone.timedelta(days=30) + timezone.timedelta(hours=3),
        )
        past.organisers.set([world.cluster_a])
        Registration.objects.create(
            event=past, user=user, full_name=NAME, email=EMAIL, status="attended"
        )
        upcoming = EventFactory(partnership=world.partnership)
        upcoming.organisers.set([world.cluster_a])
        workshop_services.registration_create(
            event=upcoming,
            full_name=NAME,
            email=EMAIL,
            mode=Registration.Mode.IN_PERSON,
            user=user,
            organisation=world.org_a,
            by=user,
        )
        email_queue(
            kind="members.invitation",
            to=world.manager_a.email,
            language="en",
            occasion_key="test:about-her",
            context={"cluster": "AEI", "org": f"{NAME} <{EMAIL}>", "url": "x"},
        )
        LogEntry.objects.log_actions(
            user_id=world.admin.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=f"Changed email to {EMAIL}",
            single_object=True,
        )
        privacy_services.data_export_request(user=user)
    return parties, user


def test_the_dumps_find_the_person_before_erasure(person):
    """Proves the dumps below can fail: before erasure they find every needle."""
    assert _found(_dump_database()) == NEEDLES
    assert _found(_dump_storage()) == NEEDLES


def test_erased_person_is_nowhere_in_the_database_or_the_storage(
    person, client, django_capture_on_commit_callbacks
):
    parties, user = person
    exchange_id = parties.exchange.pk
    amount = Payment.objects.get(exchange_id=exchange_id).amount
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_delete"), {"password": f.PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    assert _found(_dump_database()) == []
    assert _found(_dump_storage()) == []

    # What the law requires stays, without the person.
    exchange = Exchange.objects.get(pk=exchange_id)
    assert exchange.status == X.PAID
    assert exchange.visitor_organisation == parties.exchange.visitor_organisation
    assert Payment.objects.get(exchange_id=exchange_id).amount == amount > Decimal("0")
    assert exchange.plan.grant_amount == amount
    assert ExchangeDocument.objects.filter(exchange_id=exchange_id).exists()
    assert Registration.objects.filter(event__end__lt=timezone.now(), status="attended").count()
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@erased.invalid")
    assert Consent.objects.filter(user=user).exists()
    assert not DataExport.objects.filter(user=user).exists()
    assert not Email.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="erasure", target_id=str(user.pk)).exists()
    # and the person is logged out and cannot log in again
    assert "_auth_user_id" not in client.session
    assert not client.login(email=EMAIL, password=f.PASSWORD)


def test_upcoming_seat_is_freed(person, django_capture_on_commit_callbacks):
    _parties, user = person
    registration = Registration.objects.get(user=user, event__start__gt=timezone.now())
    taken = registration.event.taken_in_person
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=user, by=user)
    registration.refresh_from_db()
    registration.event.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.event.taken_in_person == taken - 1


def test_wrong_password_erases_nothing(person, client):
    _parties, user = person
    client.force_login(user)
    response = client.post(reverse("account_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "The password is not correct." in response.content.decode()
    assert User.objects.get(pk=user.pk).email == EMAIL


def test_confirmation_box_is_required(person, client):
    _parties, user = person
    client.force_login(user)
    response = client.post(reverse("account_delete"), {"password": f.PASSWORD})
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).is_active


def test_administrator_cannot_erase_themselves_here(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("account_delete"), {"password": f.PASSWORD, "confirm": "on"}, follow=True
    )
    assert "ask another administrator" in response.content.decode()
    assert User.objects.get(pk=world.admin.pk).is_active


def test_delete_page_needs_login(client, db):
    response = client.get(reverse("account_delete"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_erasure_keeps_other_peoples_data(person, world, django_capture_on_commit_callbacks):
    parties, user = person
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=user, by=user)
    host = User.objects.get(pk=parties.host.pk)
    assert host.is_active and host.full_name == "Hugo Hôte"
    assert Contact.objects.filter(full_name="Anna Contacte").exists()
    assert Application.objects.filter(applicant=host).exists()
