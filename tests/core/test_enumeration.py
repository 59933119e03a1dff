"""No enumeration: the ClusterXchange application, event registration and invitation
answer the same for a known and an unknown address; the known address's owner is told
by email to log in and continue."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.exchange.factories import CallFactory
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db


def _normalised(response, email):
    """The page as a visitor sees it, with the typed address and per-request tokens
    taken out, so two answers can be compared."""
    import re

    html = response.content.decode().replace(email, "EMAIL")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


@pytest.fixture
def public_event(world):
    return EventFactory(
        partnership=world.partnership, audience=Event.Audience.PUBLIC, capacity_online=10
    )


def _register(client, event, email):
    return client.post(
        reverse("workshops:register", args=[event.pk]),
        {"full_name": "Marta Puig", "email": email, "mode": "in_person", "language": "en"},
        follow=True,
    )


def test_event_registration_answers_the_same(
    client, world, public_event, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(
        event=public_event, email="known@example.org", status=Registration.Status.REGISTERED
    )
    with django_capture_on_commit_callbacks(execute=True):
        known = _register(client, public_event, "known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _register(client, public_event, "unknown@example.org")
    assert known.status_code == unknown.status_code == 200
    assert "already registered" not in known.content.decode()
    assert _normalised(known, "known@example.org") == _normalised(unknown, "unknown@example.org")
    assert Registration.objects.filter(event=public_event).count() == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    assert "confirm" in by_address["unknown@example.org"].body.lower()
    told = by_address["known@example.org"].body
    assert "already registered" in told
    assert "/workshops/registrations/" in told or "/cancel" in told


def test_the_owner_is_told_once_an_hour(
    client, world, public_event, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(event=public_event, email="known@example.org")
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            _register(client, public_event, "known@example.org")
    assert len(mailoutbox) == 1


def test_invitation_page_does_not_tell_whether_the_address_has_an_account(client, world):
    from tests import factories as f

    known = f.InvitationFactory(
        organisation=world.org_a, cluster=world.cluster_a, email=world.rep_a.email
    )
    unknown = f.InvitationFactory(
        organisation=world.org_a, cluster=world.cluster_a, email="new.person@example.org"
    )
    a = client.get(reverse("members:invitation_accept", args=[known.token]))
    b = client.get(reverse("members:invitation_accept", args=[unknown.token]))
    norm_a = _normalised(a, known.email).replace(known.token, "T")
    norm_b = _normalised(b, unknown.email).replace(unknown.token, "T")
    assert norm_a == norm_b


def test_signup_from_an_invitation_answers_the_same(client, world, mailoutbox):
    """The invitation sends people to allauth's signup, which (ACCOUNT_PREVENT_ENUMERATION)
    answers the same and emails the owner of a known address."""
    data = {"password1": "Teixit-segur-2024", "password2": "Teixit-segur-2024"}
    known = client.post(reverse("account_signup"), {**data, "email": world.rep_a.email})
    client.logout()
    unknown = client.post(reverse("account_signup"), {**data, "email": "fresh@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_apply_page_with_known_and_unknown_address_redirects_alike(
    client, world, django_capture_on_commit_callbacks
):
    call = CallFactory(partnership=world.partnership)
    from tests.exchange.test_views import _apply_data

    known = client.post(
        reverse("exchange:apply"), _apply_data(world, call, email="rep.a@example.org")
    )
    client.logout()
    unknown = client.post(reverse("exchange:apply"), _apply_data(world, call))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("exchange:apply_sent")


def test_apply_answers_a_known_address_as_a_new_one_and_tells_its_owner(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    """The review's finding: /exchange/apply/ said "An account with this email address
    already exists". Now the response (status, redirect, cookies), the page that follows
    and the number of emails are the same; the owner is told to log in and continue."""
    from exchange.models import Application
    from tests.exchange.test_views import _apply_data

    call = CallFactory(partnership=world.partnership)
    answers = {}
    for email in (world.rep_a.email, "jordi@filats-nous.example"):
        client.logout()
        client.cookies.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("exchange:apply"), _apply_data(world, call, email=email))
        page = client.get(response["Location"])
        answers[email] = (
            response.status_code,
            response["Location"],
            # Which cookies are set (the messages cookie carries the typed address and a
            # signature; what it says is on the page that follows).
            sorted(response.cookies),
            response.cookies["django_language"].value,
            _normalised(page, email),
        )
    known, unknown = answers.values()
    assert known == unknown
    assert "already exists" not in known[-1]
    assert "EMAIL" in known[-1]  # the confirmation message, shown to both
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {world.rep_a.email, "jordi@filats-nous.example"}
    told = by_address[world.rep_a.email]
    assert "already have an account" in told.body
    assert "/accounts/login/?next=/exchange/apply/" in told.body
    # Nothing was created for, or changed on, the known account.
    assert not Application.objects.filter(applicant=world.rep_a).exists()
    world.rep_a.refresh_from_db()
    assert world.rep_a.check_password(f.PASSWORD)
