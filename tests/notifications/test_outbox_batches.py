"""The outbox sweep hands rows to the workers in batches, not one message per row."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Email

pytestmark = pytest.mark.django_db


def _due(n):
    Email.objects.bulk_create(
        Email(recipient=f"r{i}@example.org", kind="bench", occasion_key=f"o:{i}", context={})
        for i in range(n)
    )
    Email.objects.update(updated_at=timezone.now() - timedelta(hours=1))


def test_sweep_enqueues_one_message_per_batch(monkeypatch):
    _due(tasks.SWEEP_BATCH * 2 + 1)
    batches, singles = [], []
    monkeypatch.setattr(
        tasks.email_send_batch, "apply_async", lambda args, **kw: batches.append(args[0])
    )
    monkeypatch.setattr(tasks.email_send, "apply_async", lambda *a, **kw: singles.append(a))
    assert tasks.outbox_sweep() == tasks.SWEEP_BATCH * 2 + 1
    assert [len(b) for b in batches] == [tasks.SWEEP_BATCH, tasks.SWEEP_BATCH, 1]
    assert sorted(i for b in batches for i in b) == sorted(
        Email.objects.values_list("pk", flat=True)
    )
    assert singles == []


def test_sweep_survives_a_broker_outage(monkeypatch):
    _due(3)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.email_send_batch, "apply_async", down)
    assert tasks.outbox_sweep() == 3
    assert Email.objects.filter(status=Email.Status.PENDING).count() == 3


def test_batch_sends_each_row_once_and_hands_transient_failures_on(monkeypatch):
    _due(3)
    ids = list(Email.objects.order_by("pk").values_list("pk", flat=True))
    sent, retried = [], []

    def fake_send(*, email_id):
        if email_id == ids[1]:
            raise services.TransientSendError("421")
        sent.append(email_id)
        return "sent"

    monkeypatch.setattr(services, "email_send", fake_send)
    monkeypatch.setattr(tasks.email_send, "apply_async", lambda args, **kw: retried.append(args))
    assert tasks.email_send_batch(ids) == {"sent": 2, "retrying": 1}
    assert sent == [ids[0], ids[2]]
    assert retried == [(ids[1],)]
