"""Two beats, one schedule: the scheduler that holds the Redis lock sends, the other
stands by and takes over when the first stops or dies. Against the real Redis
(REDIS_URL, or the local one on 127.0.0.1:6379 db 2); skipped when none answers."""

import os
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from clamtex.celery import app as celery_app
from clamtex.core.beat import SingletonScheduler

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"


@pytest.fixture
def lock_key():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on " + REDIS_URL)
    key = f"clamtex:test:beat:{uuid.uuid4().hex}"
    yield key
    client.delete(key)


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    # The scheduler closes stale connections before writing; the test's is in a transaction.
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)


@pytest.fixture
def probe(db):
    """An entry due every second, last run an hour ago: due at once."""
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    return PeriodicTask.objects.create(
        name="probe",
        task="notifications.tasks.outbox_sweep",
        interval=every,
        last_run_at=timezone.now() - timedelta(hours=1),
    )


def _beat(lock_key, sent, monkeypatch, ttl="30"):
    monkeypatch.setenv("BEAT_LOCK_TTL", ttl)
    scheduler = SingletonScheduler(app=celery_app, lock_url=REDIS_URL, lock_key=lock_key)

    def apply_async(entry, producer=None, advance=True, **kwargs):
        sent.append((scheduler.token, entry.name))

    monkeypatch.setattr(scheduler, "apply_async", apply_async)
    return scheduler


def _run(scheduler, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        scheduler.tick()
        time.sleep(0.05)


def test_the_second_beat_stands_by_and_sends_nothing(lock_key, probe, monkeypatch):
    sent = []
    first, second = _beat(lock_key, sent, monkeypatch), _beat(lock_key, sent, monkeypatch)
    for _ in range(3):
        first.tick(), second.tick()
    assert first.is_leader and not second.is_leader
    assert second.tick() == pytest.approx(10)  # a standby only retries the lock
    assert ("probe" in {name for _token, name in sent}) is True
    assert {token for token, _name in sent} == {first.token}
    first.close()
    second.close()


def test_two_beats_at_once_send_each_due_entry_once(lock_key, probe, monkeypatch):
    sent = []
    beats = [_beat(lock_key, sent, monkeypatch) for _ in range(2)]
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:  # interleaved, as two processes would
        for beat in beats:
            beat.tick()
        time.sleep(0.05)
    probes = [token for token, name in sent if name == "probe"]
    assert 1 <= len(probes) <= 4  # at most once a second, from one beat only
    assert len(set(probes)) == 1
    for beat in beats:
        beat.close()


def test_the_standby_takes_over_when_the_leader_stops(lock_key, probe, monkeypatch):
    # Every 4 seconds: a slow take-over (a loaded machine) does not make it due again.
    every = IntervalSchedule.objects.create(every=4, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(pk=probe.pk).update(interval=every)
    sent = []
    first, second = _beat(lock_key, sent, monkeypatch), _beat(lock_key, sent, monkeypatch)
    first.tick(), second.tick()
    first.close()  # a clean stop releases the lock
    assert sent == [(first.token, "probe")]
    _run(second, 0.5)
    assert second.is_leader
    # The last run was written to the database: the successor does not send it again...
    assert sent == [(first.token, "probe")]
    _run(second, 4.5)
    # ...but sends it when it is next due.
    assert sent[1:] == [(second.token, "probe")]
    second.close()


def test_the_standby_takes_over_when_the_leader_dies(lock_key, probe, monkeypatch):
    sent = []
    first = _beat(lock_key, sent, monkeypatch, ttl="1")
    second = _beat(lock_key, sent, monkeypatch, ttl="1")
    first.tick(), second.tick()
    assert first.is_leader and not second.is_leader
    # The leader stops ticking (killed): its lock expires after the TTL.
    time.sleep(1.2)
    second.tick()
    assert second.is_leader
    # The old leader, back, finds the lock taken and sends nothing more.
    before = len(sent)
    first.tick()
    assert not first.is_leader and len(sent) == before
    second.close()


def test_without_redis_the_scheduler_is_plain(probe, settings, monkeypatch):
    settings.REDIS_URL = ""
    scheduler = SingletonScheduler(app=celery_app)
    sent = []
    monkeypatch.setattr(scheduler, "apply_async", lambda entry, **kw: sent.append(entry.name))
    _run(scheduler, 0.2)
    assert scheduler.is_leader and "probe" in sent
