"""Seats under concurrent sign-ups and cancellations, on the real PostgreSQL: capacity is
never exceeded and the waiting list keeps its order. (SQLite serialises writers, so
these tests only mean something on PostgreSQL.)"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from members.models import User
from notifications.models import Email
from tests import factories as f
from workshops import services
from workshops.models import Event, Registration

from .factories import EventFactory, RegistrationFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and MVCC"
    ),
    pytest.mark.django_db(transaction=True),
]

S = Registration.Status
SEATS = 20
PEOPLE = 100
WORKERS = 20


def _run_together(jobs, workers=WORKERS):
    """Shares the jobs among `workers` threads released at the same moment by a barrier;
    each thread runs its share back to back, so that many requests are in flight when the
    last seats go. Returns the results (in the order of the jobs) and the exceptions."""
    workers = min(workers, len(jobs))
    barrier = threading.Barrier(workers, timeout=30)
    shares = [list(range(w, len(jobs), workers)) for w in range(workers)]
    results, errors = [None] * len(jobs), []

    def run(share):
        try:
            barrier.wait()
            for index in share:
                try:
                    results[index] = jobs[index]()
                except Exception as exc:  # collected, and asserted on by the test
                    errors.append(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, shares))
    return results, errors


@pytest.fixture
def event():
    partnership = f.PartnershipFactory(acronym="CLAMTEX")
    cluster = f.ClusterFactory(partnership=partnership, acronym="AEI")
    return EventFactory(
        partnership=partnership, organisers=[cluster], capacity_in_person=SEATS, capacity_online=0
    )


@pytest.fixture
def members(event):
    """PEOPLE representatives of one member organisation of the organiser cluster."""
    membership = f.MembershipFactory(cluster=event.organisers.get())
    return [
        f.RepresentativeFactory(
            organisation=membership.organisation, user__email=f"member{i:03d}@alfa.example"
        ).user.pk
        for i in range(PEOPLE)
    ]


def _counts(event):
    return {
        status: Registration.objects.filter(event=event, status=status).count()
        for status in (S.REGISTERED, S.WAITLISTED, S.CANCELLED)
    }


def _register_job(event_id, user_id):
    def job():
        user = User.objects.get(pk=user_id)
        event = Event.objects.get(pk=event_id)
        return services.registration_create(
            event=event,
            full_name=user.full_name,
            email=user.email,
            mode=Registration.Mode.IN_PERSON,
            user=user,
            by=user,
        ).status

    return job


def test_concurrent_sign_ups_never_exceed_the_seats(event, members):
    jobs = [_register_job(event.pk, user_id) for user_id in members]
    statuses, errors = _run_together(jobs)
    assert errors == []
    assert statuses.count(S.REGISTERED) == SEATS
    assert statuses.count(S.WAITLISTED) == PEOPLE - SEATS
    assert _counts(event) == {S.REGISTERED: SEATS, S.WAITLISTED: PEOPLE - SEATS, S.CANCELLED: 0}
    event.refresh_from_db()
    assert event.taken_in_person == SEATS
    # Everyone got exactly one answer by email.
    assert Email.objects.filter(kind="workshops.confirmation").count() == SEATS
    assert Email.objects.filter(kind="workshops.waitlisted").count() == PEOPLE - SEATS


def test_concurrent_sign_ups_for_one_seat(event, members):
    Event.objects.filter(pk=event.pk).update(capacity_in_person=1)
    jobs = [_register_job(event.pk, user_id) for user_id in members[:WORKERS]]
    statuses, errors = _run_together(jobs)
    assert errors == []
    assert statuses.count(S.REGISTERED) == 1
    event.refresh_from_db()
    assert event.taken_in_person == 1


def test_same_person_twice_at_the_same_moment(event, members):
    jobs = [_register_job(event.pk, members[0]) for _i in range(10)]
    statuses, errors = _run_together(jobs)
    assert statuses.count(S.REGISTERED) == 1
    assert len(errors) == 9
    assert all(type(e).__name__ == "ValidationError" for e in errors), errors
    event.refresh_from_db()
    assert event.taken_in_person == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_concurrent_cancellations_promote_in_order(event):
    seated = [RegistrationFactory(event=event) for _i in range(SEATS)]
    waiting = [RegistrationFactory(event=event, status=S.WAITLISTED) for _i in range(60)]
    event.refresh_from_db()
    assert event.taken_in_person == SEATS

    def cancel(registration_id):
        return lambda: (
            services.registration_cancel(
                registration=Registration.objects.get(pk=registration_id)
            ).status
        )

    def newcomer(i):
        return lambda: (
            services.registration_create(
                event=Event.objects.get(pk=event.pk),
                full_name=f"Newcomer {i}",
                email=f"newcomer{i}@example.org",
                mode=Registration.Mode.IN_PERSON,
                by=User.objects.get(pk=manager_id),
            ).status
        )

    manager_id = f.ClusterManagerFactory(cluster=event.organisers.get()).user.pk
    cancelled_seated = [r.pk for r in seated[::2]]  # 10 seats freed
    cancelled_waiting = [r.pk for r in waiting[5:15]]  # 10 leave the waiting list
    jobs = [cancel(pk) for pk in cancelled_seated + cancelled_waiting]
    jobs += [newcomer(i) for i in range(5)]
    results, errors = _run_together(jobs)
    assert errors == []
    assert results[:20] == [S.CANCELLED] * 20
    assert results[20:] == [S.WAITLISTED] * 5  # nobody jumps the queue

    counts = _counts(event)
    assert counts[S.REGISTERED] == SEATS
    assert counts[S.CANCELLED] == 20
    assert counts[S.WAITLISTED] == 60 - 10 - 10 + 5
    event.refresh_from_db()
    assert event.taken_in_person == SEATS

    # The promoted people are the first ones still waiting, in the order they came.
    order = {r.pk: i for i, r in enumerate(waiting)}
    promoted = Registration.objects.filter(pk__in=order, status=S.REGISTERED)
    still_waiting = Registration.objects.filter(pk__in=order, status=S.WAITLISTED)
    assert promoted.count() == 10
    assert max(order[r.pk] for r in promoted) < min(order[r.pk] for r in still_waiting)
    assert Email.objects.filter(kind="workshops.promoted").count() == 10
