"""A real Celery worker against the real Redis broker: the invitation a manager creates is
queued after commit (through the notifications outbox), picked up by the worker and sent
in the invitee's language.

Run with REDIS_URL set (e.g. redis://127.0.0.1:6379/0); skipped otherwise."""

import os
import time
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import translation

from clamtex.celery import app as celery_app
from members import services
from members.models import Invitation
from notifications.models import Email

pytestmark = pytest.mark.celery_worker

REDIS_URL = os.environ.get("REDIS_URL", "")
SUBJECT_MSGID = "You are invited to represent %(org)s on the CLAMTEX portal"


def _wait_for(condition, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture
def redis_celery(monkeypatch):
    """The portal's Celery app on Redis, not eager, with every task routed to a queue of
    this test's own, so that a stray message in the shared queue or another worker on the
    same Redis cannot interfere. Everything is put back afterwards."""
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set: the real-worker test needs a Redis broker")
    from celery import signals
    from kombu import Connection

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # would win over the conf
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    queue = f"clamtex-test-{uuid.uuid4().hex[:12]}"
    conf = celery_app.conf
    keys = (
        "broker_url",
        "broker_write_url",
        "task_always_eager",
        "task_routes",
        "worker_enable_remote_control",
    )
    saved = {key: conf[key] for key in keys}

    def keep_pytest_logging(**kwargs):
        """A receiver stops the worker from reconfiguring the root logger."""

    def close_worker_connections(**kwargs):
        """The worker thread's database connections, so the test database can be
        flushed and dropped after the test."""
        connections.close_all()

    signals.setup_logging.connect(keep_pytest_logging, weak=False)
    signals.task_postrun.connect(close_worker_connections, weak=False)
    conf.update(
        broker_url=REDIS_URL,
        broker_write_url=None,
        task_always_eager=False,
        task_routes={"*": {"queue": queue}},
        worker_enable_remote_control=False,  # no pidbox queue left on the broker
    )
    try:
        # Producers come from a pool the app caches on first use: one created for
        # another broker (a test that leaked its config) would publish elsewhere.
        with celery_app.producer_or_acquire() as producer:
            assert producer.connection.as_uri() == Connection(REDIS_URL).as_uri(), (
                "the Celery producer pool was created for another broker"
            )
        yield queue
    finally:
        signals.setup_logging.disconnect(keep_pytest_logging)
        signals.task_postrun.disconnect(close_worker_connections)
        try:
            with celery_app.connection_for_write() as conn:
                # Declared again on this channel so that delete() knows its bindings.
                declared = celery_app.amqp.queues[queue](conn.default_channel)
                declared.declare()
                declared.delete()
        finally:
            celery_app.amqp.queues = conf.task_queues  # forget the worker's -Q selection
            conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_invitation_in_the_invitees_language(world, redis_celery):
    from celery.contrib.testing.worker import start_worker

    invitation = services.invitation_create(
        organisation=world.org_a,
        cluster=world.cluster_a,
        email="Nouveau.Representant@Example.org",
        language="fr",
        by=world.manager_a,
    )

    # Queued on Redis after commit, not run in-process.
    assert Invitation.objects.filter(pk=invitation.pk, status="pending").exists()
    assert mail.outbox == []
    row = Email.objects.get(recipient="nouveau.representant@example.org")
    assert row.status == Email.Status.PENDING
    with celery_app.connection_for_write() as conn:
        declared = conn.default_channel.queue_declare(redis_celery, passive=True)
    assert declared.message_count == 1

    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=[redis_celery],
        shutdown_timeout=20,
    ):
        assert _wait_for(lambda: len(mail.outbox) >= 1), "the worker sent no email within 20s"
    # The worker stops after its current task: its database writes are committed.
    row.refresh_from_db()
    assert row.status == Email.Status.SENT

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["nouveau.representant@example.org"]
    url = settings.SITE_URL + reverse("members:invitation_accept", args=[invitation.token])
    assert url in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{url}"' in html
    assert world.org_a.legal_name in email.subject

    with translation.override("fr"):
        french = translation.gettext(SUBJECT_MSGID)
    if french != SUBJECT_MSGID:  # only once the French catalogue translates it
        assert email.subject == french % {"org": world.org_a.legal_name}


_seen_request_ids: list[str] = []


@celery_app.task(name="tests.core.echo_request_id")
def echo_request_id() -> str:
    from clamtex.core.logs import current_request_id

    _seen_request_ids.append(current_request_id())
    return current_request_id()


def test_the_worker_runs_a_task_with_the_request_id_of_the_request_that_queued_it(redis_celery):
    """The id travels in the message headers (before_task_publish) and is restored in the
    worker (task_prerun), so the worker's log lines carry the request's id."""
    from celery.contrib.testing.worker import start_worker

    from clamtex.core.logs import request_id_var

    _seen_request_ids.clear()
    token = request_id_var.set("req-to-worker-1")
    try:
        echo_request_id.delay()
    finally:
        request_id_var.reset(token)

    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=[redis_celery],
        shutdown_timeout=20,
    ):
        assert _wait_for(lambda: _seen_request_ids), "the worker ran no task within 20s"
    assert _seen_request_ids == ["req-to-worker-1"]
