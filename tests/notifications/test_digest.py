"""The managers' daily digest and the sweep that sends it."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from members.models import Invitation
from notifications import tasks
from notifications.models import Email
from notifications.reminders import digest_recipients, manager_digest_queue
from tests import factories as f


def _accepted(world, cluster, org, email):
    f.InvitationFactory(
        organisation=org,
        cluster=cluster,
        email=email,
        status=Invitation.Status.ACCEPTED,
        accepted_at=timezone.now(),
    )


@pytest.mark.django_db
def test_no_digest_when_nothing_awaits(world, mailoutbox):
    assert tasks.digest_sweep() >= 2
    assert Email.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_digest_is_scoped_and_in_the_managers_language(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.manager_a.language = "es"
    world.manager_a.save()
    _accepted(world, world.cluster_a, world.org_a, "joined@alfa.example")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.digest_sweep()
    recipients = sorted(m.to[0] for m in mailoutbox)
    # manager A and the coordinator see it; manager B does not.
    assert recipients == sorted([world.manager_a.email, world.coordinator.email])
    row = Email.objects.get(recipient=world.manager_a.email)
    assert row.language == "es"
    assert "joined@alfa.example" in mailoutbox[0].body


@pytest.mark.django_db
def test_same_day_digest_is_queued_once(world):
    _accepted(world, world.cluster_a, world.org_a, "joined@alfa.example")
    day = timezone.localdate().isoformat()
    from datetime import timedelta

    assert manager_digest_queue(user_id=world.manager_a.pk, day=day, window=timedelta(days=1))
    assert (
        manager_digest_queue(user_id=world.manager_a.pk, day=day, window=timedelta(days=1)) is None
    )


@pytest.mark.django_db
def test_digest_recipients_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = digest_recipients()
    assert set(ids) == {world.manager_a.pk, world.manager_b.pk, world.coordinator.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_each_digest_once(world, mailoutbox):
    for _ in range(5):
        f.ClusterManagerFactory(cluster=world.cluster_a)
    _accepted(world, world.cluster_a, world.org_a, "joined@alfa.example")
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            tasks.digest_sweep()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    expected = 5 + 2  # five new managers of A, manager A, the coordinator
    assert Email.objects.count() == expected
    assert Email.objects.filter(status=Email.Status.SENT).count() == expected
    assert len(mailoutbox) == expected
    assert len({m.to[0] for m in mailoutbox}) == expected
