"""Rate limits wherever someone can make the portal send email or do work: a clear page,
a Retry-After header, counted per client IP (resolved through the trusted proxies) and per
address, so that one attacker's failures do not block another address."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.exchange.factories import CallFactory
from tests.workshops.factories import EventFactory
from workshops.models import Event, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_event(world):
    return EventFactory(
        partnership=world.partnership, audience=Event.Audience.PUBLIC, capacity_in_person=100
    )


def _register(client, event, email, **extra):
    return client.post(
        reverse("workshops:register", args=[event.pk]),
        {"full_name": "Marta Puig", "email": email, "mode": "in_person", "language": "en"},
        **extra,
    )


def test_anonymous_registration_is_limited_per_ip(
    client, public_event, mailoutbox, django_capture_on_commit_callbacks
):
    """The review's finding: 25 POSTs with 25 addresses queued 25 confirmation emails."""
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(25):
            statuses.append(_register(client, public_event, f"victim{i}@example.org").status_code)
    assert statuses.count(302) == 10 and statuses.count(429) == 15
    assert len(mailoutbox) == 10
    assert Registration.objects.count() == 10
    limited = _register(client, public_event, "one-more@example.org")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Too many requests" in limited.content.decode()


def test_anonymous_registration_is_limited_per_address(client, public_event, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "event_register": "3/h/key"}
    codes = [
        _register(client, public_event, "Same@Example.org", REMOTE_ADDR=f"10.0.0.{i}").status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert int(_register(client, public_event, "same@example.org")["Retry-After"]) > 60


def test_trusted_proxy_separates_clients(client, public_event, settings):
    """Behind one proxy, clients are told apart by X-Forwarded-For when the proxy is
    trusted; without the setting everyone shares the proxy's budget."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for i in range(10):
        _register(client, public_event, f"a{i}@example.org", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert (
        _register(
            client, public_event, "a10@example.org", HTTP_X_FORWARDED_FOR="203.0.113.5"
        ).status_code
        == 429
    )
    other = _register(client, public_event, "b@example.org", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302


def test_trusted_client_ip_header(client, public_event, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    for i in range(10):
        _register(client, public_event, f"a{i}@example.org", HTTP_X_REAL_IP="203.0.113.5")
    assert (
        _register(client, public_event, "z@example.org", HTTP_X_REAL_IP="203.0.113.5").status_code
        == 429
    )
    assert (
        _register(client, public_event, "y@example.org", HTTP_X_REAL_IP="198.51.100.9").status_code
        == 302
    )


def test_application_signup_is_limited(client, world):
    from tests.exchange.test_views import _apply_data

    call = CallFactory(partnership=world.partnership)
    codes = []
    for i in range(12):
        response = client.post(
            reverse("exchange:apply"), _apply_data(world, call, email=f"jordi{i}@example.org")
        )
        codes.append(response.status_code)
        client.logout()
    assert codes.count(429) == 2 and codes[-1] == 429
    _assert_clear_429(response, max_seconds=60)


def _assert_clear_429(response, *, max_seconds):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= max_seconds
    content = response.content.decode()
    assert "Too many requests" in content and "You can try again in about" in content


def _login(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def test_failed_logins_with_random_addresses_do_not_lock_out_a_colleague(client, world):
    """The review's finding: 10 failed logins with random emails from the office's address
    blocked a manager's correct login."""
    for i in range(10):
        assert _login(client, f"random{i}@example.org", "wrong").status_code == 200
    response = _login(client, world.manager_a.email, f.PASSWORD)
    assert response.status_code == 302


def test_failures_on_one_address_block_that_address_only(client, world):
    for _ in range(5):
        _login(client, world.manager_a.email, "wrong")
    blocked = _login(client, world.manager_a.email, f.PASSWORD)
    assert blocked.status_code == 200
    assert "Too many failed login attempts" in blocked.content.decode()
    assert _login(client, world.manager_b.email, f.PASSWORD).status_code == 302


def test_participants_message_is_limited(client, world):
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    client.force_login(world.manager_a)
    url = reverse("workshops:participants_message", args=[event.pk])
    data = {"recipients": "registered", "subject": "Hello", "body": "Hi"}
    responses = [client.post(url, data) for _ in range(6)]
    codes = [r.status_code for r in responses]
    assert codes[:5].count(429) == 0 and codes[5] == 429
    _assert_clear_429(responses[5], max_seconds=3600)
    # Another organiser's budget is their own.
    client.force_login(f.ClusterManagerFactory(cluster=world.cluster_a).user)
    assert client.post(url, data).status_code == 302


def test_member_import_is_limited(client, world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "member_import": "2/h/user"}
    client.force_login(world.manager_a)
    responses = [client.post(reverse("members:import"), {}) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    _assert_clear_429(responses[2], max_seconds=3600)
    client.force_login(world.manager_b)
    assert client.post(reverse("members:import"), {}).status_code == 200


def test_report_request_is_limited(client, world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "report_request": "1/h/user"}
    client.force_login(world.coordinator)
    client.post(reverse("projects:report_request"), {})
    _assert_clear_429(client.post(reverse("projects:report_request"), {}), max_seconds=3600)


def test_resend_confirmation_is_limited_per_address_and_says_so(client, world, mailoutbox):
    """Asking allauth again and again for a confirmation email sends one per address every
    3 minutes; the others say when to ask again (Retry-After). Another address is not
    blocked by the first one's limit."""
    from allauth.account.models import EmailAddress

    client.force_login(world.rep_a)
    for address in ("second@example.org", "third@example.org"):
        EmailAddress.objects.create(user=world.rep_a, email=address, verified=False)
    url = reverse("account_email")
    responses = [
        client.post(url, {"action_send": "", "email": "second@example.org"}) for _ in range(5)
    ]
    assert [m.to for m in mailoutbox] == [["second@example.org"]]
    assert "Retry-After" not in responses[0]
    assert all(150 <= int(r["Retry-After"]) <= 180 for r in responses[1:])
    page = client.get(url).content.decode()
    assert "sent to second@example.org a moment ago" in page
    assert "ask again in about 3 minutes" in page
    other = client.post(url, {"action_send": "", "email": "third@example.org"})
    assert "Retry-After" not in other
    assert [m.to for m in mailoutbox][-1] == ["third@example.org"]


def test_repeated_logins_of_an_unconfirmed_account_send_one_email(client, db, mailoutbox):
    from allauth.account.models import EmailAddress

    user = f.UserFactory(email="unconfirmed@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    for _ in range(4):
        response = _login(client, user.email, f.PASSWORD)
        assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1


def test_colleague_registrations_are_limited_per_representative(
    client, world, public_event, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """A representative's account cannot make the portal mail any number of addresses
    by registering "colleagues"; another representative keeps their own budget."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "event_register_colleague": "3/h/user",
    }
    url = reverse("workshops:register", args=[public_event.pk]) + "?for=colleague"

    def colleague(i):
        data = {"full_name": f"Colleague {i}", "email": f"colleague{i}@example.org"}
        data.update(language="en", organisation=world.org_a.pk, mode="in_person")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    client.force_login(world.rep_a)
    responses = [colleague(i) for i in range(5)]
    assert [r.status_code for r in responses] == [302, 302, 302, 429, 429]
    _assert_clear_429(responses[3], max_seconds=3600)
    assert Registration.objects.filter(event=public_event).count() == 3
    assert len({m.to[0] for m in mailoutbox}) == 3
    other = f.RepresentativeFactory(organisation=world.org_a).user
    client.force_login(other)
    assert colleague(9).status_code == 302
