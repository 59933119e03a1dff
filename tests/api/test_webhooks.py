"""Signed webhooks against a real HTTP receiver on loopback."""

import http.server
import json
import threading
from datetime import timedelta

import pytest
from django.db import models, transaction
from django.utils import timezone
from standardwebhooks import Webhook

from api import webhooks
from api.models import WebhookDelivery, WebhookSubscription
from exchange.models import ApplicationTransition
from tests.workshops.factories import EventFactory, RegistrationFactory
from workshops import services as workshop_services


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that answers the codes it is told, in turn."""

    def __init__(self, codes=None):
        self.codes = list(codes or [])
        self.requests = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if receiver.codes else 204
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(codes=None):
        r = Receiver(codes)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


@pytest.fixture
def subscribe(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True

    def make(url, events=("registration.created", "registration.cancelled"), cluster=None):
        return webhooks.subscription_create(
            cluster=cluster or world.cluster_a,
            url=url,
            event_types=list(events),
            by=world.manager_b if cluster == world.cluster_b else world.manager_a,
        )

    return make


def test_registration_reaches_the_receiver_signed(
    world, receiver, subscribe, django_capture_on_commit_callbacks
):
    r = receiver()
    subscription = subscribe(r.url)
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    with django_capture_on_commit_callbacks(execute=True):
        registration = workshop_services.registration_create(
            event=event,
            full_name="Eva",
            email="eva@example.org",
            mode="in_person",
            by=world.manager_a,
        )
    assert len(r.requests) == 1
    headers, body = r.requests[0]
    payload = Webhook(subscription.secret).verify(body, headers)
    assert payload["type"] == "registration.created"
    assert payload["data"]["registration_id"] == registration.pk
    # ids and a link only: no name or email of the participant
    assert "eva@example.org" not in body.decode() and "Eva" not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.last_status_code == 204
    assert headers["webhook-id"] == delivery.message_id


def test_a_wrong_secret_does_not_verify(
    world, receiver, subscribe, django_capture_on_commit_callbacks
):
    from standardwebhooks import WebhookVerificationError

    r = receiver()
    subscription = subscribe(r.url, events=["registration.created"])
    old_secret = subscription.secret
    webhooks.subscription_rotate_secret(subscription=subscription, by=world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_send_test(subscription=subscription, by=world.manager_a)
    headers, body = r.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(body, headers)
    assert Webhook(subscription.secret).verify(body, headers)["type"] == "webhook.test"


def test_nothing_is_delivered_for_a_rolled_back_change(
    world, receiver, subscribe, django_capture_on_commit_callbacks
):
    r = receiver()
    subscribe(r.url)
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                RegistrationFactory(event=event)
                raise RuntimeError("the change fails after the registration was written")
        except RuntimeError:
            pass
    assert WebhookDelivery.objects.count() == 0
    assert r.requests == []


def test_a_failing_receiver_is_retried_then_recovers(
    world, receiver, subscribe, django_capture_on_commit_callbacks
):
    r = receiver(codes=[500])
    subscribe(r.url)
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(event=event)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 500
    assert delivery.next_attempt_at > timezone.now()  # backoff, not a busy loop
    # later, the sweep finds it due and it goes through
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert webhooks.webhook_sweep() == [delivery.pk]
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert len(r.requests) == 2
    assert r.requests[0][0]["webhook-id"] == r.requests[1][0]["webhook-id"]


def test_a_delivery_is_sent_once_even_when_two_workers_pick_it(world, receiver, subscribe):
    r = receiver()
    subscription = subscribe(r.url)
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type="registration.created", payload={}
    )
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == "delivered"
    assert webhooks.webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert len(r.requests) == 1


def test_after_a_day_of_failures_the_delivery_fails_and_the_subscription_is_disabled(
    world, receiver, subscribe, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    r = receiver(codes=[503] * 10)
    subscription = subscribe(r.url)
    for _ in range(2):
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            event_type="registration.created",
            payload={},
            created_at=timezone.now() - timedelta(hours=25),
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert webhooks.webhook_deliver(delivery_id=delivery.pk) == "failed"
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert [m.to for m in mailoutbox] == [[world.manager_a.email]]
    assert "disabled" in mailoutbox[0].subject.lower()
    # a disabled subscription gets nothing more
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    RegistrationFactory(event=event)
    assert WebhookDelivery.objects.filter(status="pending").count() == 0


def test_events_reach_only_the_clusters_concerned(world, subscribe, settings):
    sub_a = subscribe("https://a.example.org/hook", events=["registration.created"])
    sub_b = subscribe(
        "https://b.example.org/hook", events=["registration.created"], cluster=world.cluster_b
    )
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    RegistrationFactory(event=event)
    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [sub_a.pk]
    assert sub_b.deliveries.count() == 0


def test_cancellation_application_and_organisation_events(world, subscribe):
    from tests.exchange.factories import ApplicationFactory

    subscribe(
        "https://a.example.org/hook",
        events=[
            "registration.cancelled",
            "application.submitted",
            "application.decided",
            "organisation.changed",
        ],
    )
    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registration = RegistrationFactory(event=event)
    workshop_services.registration_cancel(registration=registration, by=world.manager_a)
    application = ApplicationFactory(managing_cluster=world.cluster_a, status="submitted")
    ApplicationTransition.objects.create(
        application=application, from_status="draft", to_status="submitted"
    )
    ApplicationTransition.objects.create(
        application=application, from_status="under_review", to_status="accepted"
    )
    world.org_a.city = "Sabadell"
    world.org_a.save()
    world.org_b.city = "Nantes"
    world.org_b.save()  # cluster B's member: not cluster A's business
    types = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert types == [
        "registration.cancelled",
        "application.submitted",
        "application.decided",
        "organisation.changed",
    ]


def test_private_addresses_are_refused_in_production(world, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    for url in (
        "http://127.0.0.1:8000/x",
        "https://localhost/x",
        "https://10.1.2.3/x",
        "ftp://x.org",
    ):
        with pytest.raises(ValidationError):
            webhooks.subscription_create(
                cluster=world.cluster_a,
                url=url,
                event_types=["registration.created"],
                by=world.manager_a,
            )
    assert not WebhookSubscription.objects.exists()


def test_only_the_clusters_managers_manage_its_webhooks(world, login, subscribe):
    subscription = subscribe("https://a.example.org/hook")
    assert login(world.manager_b).get(f"/api/webhooks/{subscription.pk}/").status_code == 403
    assert (
        login(world.manager_b)
        .post(f"/api/webhooks/{subscription.pk}/", {"action": "delete"})
        .status_code
        == 403
    )
    assert login(world.rep_a).get("/api/webhooks/").status_code == 403
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()


def test_webhook_pages_create_show_secret_once_and_log(
    world, login, settings, django_assert_max_num_queries
):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    client = login(world.manager_a)
    response = client.post(
        "/api/webhooks/",
        {
            "cluster": world.cluster_a.pk,
            "url": "https://crm.example.org/hook",
            "event_types": ["registration.created"],
        },
    )
    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302
    first = client.get(f"/api/webhooks/{subscription.pk}/").content.decode()
    assert subscription.secret in first
    with django_assert_max_num_queries(12):
        second = client.get(f"/api/webhooks/{subscription.pk}/")
    assert subscription.secret not in second.content.decode()
    # a cluster the manager does not manage cannot be chosen
    bad = client.post(
        "/api/webhooks/",
        {
            "cluster": world.cluster_b.pk,
            "url": "https://x.example.org/",
            "event_types": ["registration.created"],
        },
    )
    assert bad.status_code == 200 and WebhookSubscription.objects.count() == 1


def test_payload_json_is_what_was_signed(world, subscribe):
    subscription = subscribe("https://a.example.org/hook")
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event_type="webhook.test", payload={"a": "é"}
    )
    body, headers = webhooks.signed_request(delivery)
    assert json.loads(body) == {"a": "é"}
    assert Webhook(subscription.secret).verify(body, headers) == {"a": "é"}


def test_signature_follows_the_standard_checked_with_the_standard_library_only(
    world, receiver, subscribe, django_capture_on_commit_callbacks
):
    """What a receiver in any language does: strict base64 of the secret after `whsec_`,
    HMAC-SHA256 of "id.timestamp.body", `v1,` and the base64 of the digest."""
    import base64
    import hashlib
    import hmac
    import time

    r = receiver()
    subscription = subscribe(r.url, events=["registration.created"])
    assert subscription.secret.startswith("whsec_")
    key = base64.b64decode(subscription.secret.removeprefix("whsec_"), validate=True)
    assert len(key) >= 24  # the spec's minimum
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_send_test(subscription=subscription, by=world.manager_a)
    headers, body = r.requests[0]
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    versions = dict(part.split(",", 1) for part in headers["webhook-signature"].split())
    assert hmac.compare_digest(versions["v1"], expected)
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["data"]["cluster_id"] == world.cluster_a.pk


ALL_EVENTS = [
    "registration.created",
    "registration.cancelled",
    "application.submitted",
    "application.decided",
    "exchange.status_changed",
    "payment.recorded",
    "organisation.changed",
]


def _delivered(subscription, event_type):
    return [
        d.payload["data"]
        for d in subscription.deliveries.filter(event_type=event_type).order_by("pk")
    ]


def test_every_event_type_comes_from_the_real_services(world, subscribe):
    """Each of the seven events, emitted by the service the pages use (not by saving
    history rows by hand), to the clusters concerned."""
    from exchange.applications import services as application_services
    from exchange.models import Exchange, ExchangeTransition
    from members import services as member_services
    from tests import factories as f
    from tests.exchange.factories import CallFactory
    from tests.exchange.lifecycle_factories import advance, matched_exchange

    sub_a = subscribe("https://a.example.org/hook", events=ALL_EVENTS)
    sub_b = subscribe("https://b.example.org/hook", events=ALL_EVENTS, cluster=world.cluster_b)

    event = EventFactory(partnership=world.partnership, organisers=[world.cluster_a])
    registration = workshop_services.registration_create(
        event=event, full_name="Eva", email="eva@example.org", mode="in_person", by=world.manager_a
    )
    workshop_services.registration_cancel(registration=registration, by=world.manager_a)
    assert [d["registration_id"] for d in _delivered(sub_a, "registration.created")] == [
        registration.pk
    ]
    assert [d["registration_id"] for d in _delivered(sub_a, "registration.cancelled")] == [
        registration.pk
    ]

    org = f.OrganisationFactory(country="ES")
    f.MembershipFactory(organisation=org, cluster=world.cluster_a)
    from tests.exchange.factories import ApplicationFactory

    application = ApplicationFactory(
        call=CallFactory(partnership=world.partnership),
        organisation=org,
        managing_cluster=world.cluster_a,
        status="draft",
    )
    application_services.application_submit(application=application, by=application.applicant)
    # a note in the history (an exception granted) is neither a submission nor a decision
    application_services.application_grant_exception(
        application=application, by=world.manager_a, reason="recorded for the test"
    )
    application_services.application_review(
        application=application,
        to="accepted",
        by=world.manager_a,
        checklist={
            "membership_confirmed": True,
            "documents_complete": True,
            "objectives_clear": True,
        },
    )
    assert _delivered(sub_a, "application.submitted") == [
        {
            "application_id": application.pk,
            "status": "submitted",
            "url": f"{_site()}/api/v1/applications/{application.pk}/",
        }
    ]
    assert [d["status"] for d in _delivered(sub_a, "application.decided")] == ["accepted"]
    assert not _delivered(sub_b, "application.submitted")

    parties = matched_exchange(world)
    advance(parties, Exchange.Status.PAID)
    exchange = parties.exchange
    moves = list(
        ExchangeTransition.objects.filter(exchange=exchange)
        .exclude(from_status=models.F("to_status"))
        .order_by("pk")
        .values_list("from_status", "to_status")
    )
    assert ("report_validated", "paid") in moves
    for sub in (sub_a, sub_b):  # both sides of the exchange
        changes = [
            (d["from"], d["to"])
            for d in _delivered(sub, "exchange.status_changed")
            if d["exchange_id"] == exchange.pk
        ]
        assert changes == moves
    # the payment is the visitor's partnership's business: cluster A only
    assert [d["exchange_id"] for d in _delivered(sub_a, "payment.recorded")] == [exchange.pk]
    assert _delivered(sub_b, "payment.recorded") == []

    before = sub_b.deliveries.filter(event_type="organisation.changed").count()
    member_services.organisation_update(
        organisation=world.org_a, data={"city": "Sabadell"}, by=world.manager_a
    )
    assert world.org_a.pk in [
        d["organisation_id"] for d in _delivered(sub_a, "organisation.changed")
    ]
    # org_a is not cluster B's member: B hears nothing of it
    assert sub_b.deliveries.filter(event_type="organisation.changed").count() == before
    # no payload carries a name or an email
    for delivery in WebhookDelivery.objects.all():
        text = json.dumps(delivery.payload)
        assert "@" not in text and "Eva" not in text


def _site():
    from django.conf import settings

    return settings.SITE_URL


def test_history_notes_that_keep_the_status_send_no_status_event(world, subscribe):
    from exchange.models import ExchangeTransition
    from tests.exchange.lifecycle_factories import matched_exchange

    sub = subscribe("https://a.example.org/hook", events=ALL_EVENTS)
    exchange = matched_exchange(world).exchange
    sub.deliveries.all().delete()
    ExchangeTransition.objects.create(
        exchange=exchange, from_status=exchange.status, to_status=exchange.status, note="grant"
    )
    assert not sub.deliveries.filter(event_type="exchange.status_changed").exists()


def test_send_test_event_and_rotate_buttons(
    world, login, receiver, subscribe, django_capture_on_commit_callbacks
):
    r = receiver()
    subscription = subscribe(r.url, events=["registration.created"])
    client = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/webhooks/{subscription.pk}/", {"action": "test"})
    assert response.status_code == 302
    headers, body = r.requests[0]
    assert Webhook(subscription.secret).verify(body, headers)["type"] == "webhook.test"
    page = client.get(f"/api/webhooks/{subscription.pk}/").content.decode()
    assert "webhook.test" in page and "204" in page  # the delivery log with its code
    old = subscription.secret
    client.post(f"/api/webhooks/{subscription.pk}/", {"action": "rotate"})
    subscription.refresh_from_db()
    assert subscription.secret != old
    shown = client.get(f"/api/webhooks/{subscription.pk}/").content.decode()
    assert subscription.secret in shown
    assert (
        subscription.secret not in client.get(f"/api/webhooks/{subscription.pk}/").content.decode()
    )


def test_the_readme_verification_examples_accept_a_real_delivery(
    world, receiver, subscribe, django_capture_on_commit_callbacks
):
    import re
    from pathlib import Path

    from django.conf import settings

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("## API and webhooks", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    r = receiver()
    subscription = subscribe(r.url, events=["registration.created"])
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.webhook_send_test(subscription=subscription, by=world.manager_a)
    headers, body = r.requests[0]
    headers = {k.lower(): v for k, v in headers.items()}

    library = {}
    exec(blocks[0].replace("whsec_…", subscription.secret), library)  # noqa: S102
    assert library["receive"](body, headers)["type"] == "webhook.test"
    with pytest.raises(PermissionError):
        library["receive"](body + b" ", headers)

    stdlib = {}
    exec(blocks[1], stdlib)  # noqa: S102
    assert stdlib["verify"](subscription.secret, headers, body)
    assert not stdlib["verify"](subscription.secret, headers, body.replace(b"test", b"tost"))
