"""Consent records (what, notice version, when, who) for applications, registrations and
accounts, and the notice itself in the five languages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from exchange.applications import services as exchange_services
from privacy.consents import consent_record, notice_current
from privacy.models import Consent, PrivacyNotice
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.workshops.factories import EventFactory
from workshops import services as workshop_services
from workshops.models import Registration


def test_application_consent_is_recorded_once_per_notice_version(world, privacy_notice):
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        applicant=world.rep_a,
        consent_privacy=False,
    )
    for _ in range(2):  # the consents step saved twice
        exchange_services.application_save(
            application=application, data={"consent_privacy": True}, by=world.rep_a
        )
    consent = Consent.objects.get(purpose="application", object_id=str(application.pk))
    assert consent.notice == privacy_notice
    assert consent.user == world.rep_a and consent.email == world.rep_a.email
    v2 = PrivacyNotice.objects.create(version=2, text_en="New text")
    exchange_services.application_save(
        application=application, data={"consent_privacy": True}, by=world.rep_a
    )
    assert list(
        Consent.objects.filter(object_id=str(application.pk)).values_list("notice", flat=True)
    ) == [v2.pk, privacy_notice.pk]


def test_application_saved_without_consent_records_nothing(world):
    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership), applicant=world.rep_a
    )
    exchange_services.application_save(
        application=application, data={"motivation": "x"}, by=world.rep_a
    )
    assert not Consent.objects.exists()


def test_anonymous_registration_records_consent_with_the_email(world):
    event = EventFactory(partnership=world.partnership, audience="public")
    event.organisers.set([world.cluster_a])
    registration = workshop_services.registration_create(
        event=event,
        full_name="Pia Public",
        email="Pia@Example.org",
        mode=Registration.Mode.IN_PERSON,
        by=None,
    )
    consent = Consent.objects.get(purpose="registration")
    assert consent.object_id == str(registration.pk)
    assert consent.email == "pia@example.org" and consent.user is None


def test_signup_records_account_consent(client, db, privacy_notice):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-Long-pass-4321",
            "password2": "a-Long-pass-4321",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(purpose="account")
    assert consent.email == "new@example.org" and consent.notice == privacy_notice


def test_future_version_is_not_yet_in_force(privacy_notice):
    PrivacyNotice.objects.create(
        version=2, text_en="Later", published_at=timezone.now() + timezone.timedelta(days=3)
    )
    assert notice_current() == privacy_notice


def test_no_notice_no_record(world):
    PrivacyNotice.objects.all().delete()
    assert consent_record(purpose="account", record=world.outsider, user=world.outsider) is None


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("en", "Your rights"),
        ("fr", "Vos droits"),
        ("es", "Sus derechos"),
        ("ca", "Els vostres drets"),
        ("pt", "Os seus direitos"),
    ],
)
def test_notice_page_in_each_language(client, db, language, phrase, django_assert_max_num_queries):
    client.cookies["django_language"] = language
    with django_assert_max_num_queries(3):
        response = client.get(reverse("privacy:notice"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert phrase in response.content.decode()


def test_application_consent_step_shows_the_versioned_notice(world, client):
    call = CallFactory(partnership=world.partnership)
    application = ApplicationFactory(call=call, applicant=world.rep_a)
    client.force_login(world.rep_a)
    url = reverse("exchange:application_step", args=[application.pk, "consents"])
    page = client.get(url).content.decode()
    assert "Privacy notice, version 1" in page
    assert "Grant and payment records are kept" in page
