"""Who may organise, register for and see which event (service and permission level)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from tests import factories as f
from workshops import permissions, selectors, services
from workshops.models import Event, Registration

from .factories import EventFactory, RegistrationFactory, member_user

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def event(world):
    return EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], capacity_online=5
    )


@pytest.fixture
def rep_b(world):
    """A representative of cluster B's member organisation."""
    return f.RepresentativeFactory(organisation=world.org_b, user__email="rep.b@example.org").user


def _outsiders(world):
    return [world.manager_b, world.rep_a, world.outsider]


# --- Managing an event ------------------------------------------------------------------


def test_manager_of_the_organiser_cluster_and_admin_manage(world, event):
    assert permissions.can_manage_event(world.manager_a, event)
    assert permissions.can_manage_event(world.admin, event)
    assert not permissions.can_manage_event(world.manager_b, event)
    assert not permissions.can_manage_event(world.rep_a, event)
    assert not permissions.can_manage_event(AnonymousUser(), event)


def test_co_organiser_cluster_manages_too(world, event):
    event.organisers.add(world.cluster_b)
    event = Event.objects.get(pk=event.pk)
    assert permissions.can_manage_event(world.manager_b, event)


def test_manager_of_another_cluster_cannot_mark_attendance(world, event):
    registration = RegistrationFactory(event=event)
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.registration_mark(registration=registration, status=S.ATTENDED, by=user)
    registration.refresh_from_db()
    assert registration.status == S.REGISTERED


def test_manager_of_another_cluster_cannot_approve_or_reject(world, event):
    registration = RegistrationFactory(event=event, status=S.PENDING)
    for user in _outsiders(world):
        with pytest.raises(PermissionDenied):
            services.registration_approve(registration=registration, by=user)
        with pytest.raises(PermissionDenied):
            services.registration_reject(registration=registration, by=user)
    registration.refresh_from_db()
    assert registration.status == S.PENDING
    assert not registration.history.exists()


def test_manager_of_another_cluster_cannot_cancel_the_event(world, event):
    registration = RegistrationFactory(event=event)
    with pytest.raises(PermissionDenied):
        services.event_cancel(event=event, by=world.manager_b)
    event.refresh_from_db()
    registration.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert registration.status == S.REGISTERED
    assert event.taken_in_person == 1


def test_manager_of_another_cluster_cannot_edit_publish_or_duplicate(world, event):
    draft = EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], status=Event.Status.DRAFT
    )
    with pytest.raises(PermissionDenied):
        services.event_publish(event=draft, by=world.manager_b)
    with pytest.raises(PermissionDenied):
        services.event_save(
            event=event,
            data={"title": "Hijacked"},
            organisers=[world.cluster_b],
            by=world.manager_b,
        )
    with pytest.raises(PermissionDenied):
        services.event_duplicate(event=event, by=world.manager_b)
    with pytest.raises(PermissionDenied):
        services.participants_message(
            event=event, registrations=[], subject="Hi", body="Hello", by=world.manager_b
        )
    draft.refresh_from_db()
    event.refresh_from_db()
    assert draft.status == Event.Status.DRAFT
    assert event.title != "Hijacked"
    assert Event.objects.count() == 2


def test_only_managers_and_admins_create_events(world):
    assert permissions.can_create_event(world.manager_a)
    assert permissions.can_create_event(world.admin)
    assert not permissions.can_create_event(world.rep_a)
    assert not permissions.can_create_event(world.coordinator)
    assert not permissions.can_create_event(AnonymousUser())


def test_who_may_cancel_a_registration(world, event, rep_b):
    own = RegistrationFactory(event=event, user=rep_b)
    for_colleague = RegistrationFactory(event=event, registered_by=world.rep_a)
    assert permissions.can_cancel_registration(rep_b, own)
    assert permissions.can_cancel_registration(world.rep_a, for_colleague)
    assert permissions.can_cancel_registration(world.manager_a, own)
    assert not permissions.can_cancel_registration(world.rep_a, own)
    assert not permissions.can_cancel_registration(world.manager_b, own)
    assert not permissions.can_cancel_registration(AnonymousUser(), own)


# --- Audience ------------------------------------------------------------------------------


def _audience(world, audience):
    return EventFactory(
        partnership=world.partnership, organisers=[world.cluster_a], audience=audience
    )


def test_cluster_audience(world, rep_b):
    event = _audience(world, Event.Audience.CLUSTER)
    assert permissions.can_register(world.rep_a, event)
    assert permissions.can_register(world.manager_a, event)
    assert permissions.can_register(world.admin, event)
    assert not permissions.can_register(rep_b, event)
    assert not permissions.can_register(world.manager_b, event)
    assert not permissions.can_register(world.outsider, event)
    assert not permissions.can_register(AnonymousUser(), event)
    assert not permissions.can_register(None, event)


def test_cluster_audience_counts_only_active_memberships(world):
    event = _audience(world, Event.Audience.CLUSTER)
    pending = f.MembershipFactory(cluster=world.cluster_a, status="pending")
    user = f.RepresentativeFactory(organisation=pending.organisation).user
    assert not permissions.can_register(user, event)


def test_partnership_audience(world, rep_b):
    event = _audience(world, Event.Audience.PARTNERSHIP)
    for user in (world.rep_a, rep_b, world.manager_a, world.manager_b, world.coordinator):
        assert permissions.can_register(user, event), user
    assert not permissions.can_register(world.outsider, event)
    assert not permissions.can_register(AnonymousUser(), event)
    other = f.ClusterFactory(acronym="ELSE")
    assert not permissions.can_register(member_user(other), event)
    assert not permissions.can_register(f.ClusterManagerFactory(cluster=other).user, event)


def test_public_audience(world, rep_b):
    event = _audience(world, Event.Audience.PUBLIC)
    for user in (world.rep_a, rep_b, world.manager_b, world.outsider, AnonymousUser(), None):
        assert permissions.can_register(user, event), user


def test_registration_service_applies_the_audience(world, rep_b):
    event = _audience(world, Event.Audience.CLUSTER)
    with pytest.raises(PermissionDenied):
        services.registration_create(
            event=event, full_name="Bruno", email="bruno@beta.example", mode="in_person", by=rep_b
        )
    assert not Registration.objects.exists()
    registration = services.registration_create(
        event=event, full_name="Anna", email="anna@alfa.example", mode="in_person", by=world.rep_a
    )
    assert registration.status == S.REGISTERED


# --- Visibility ----------------------------------------------------------------------------


def _visible(user):
    return set(selectors.events_visible_to(user).values_list("title", flat=True))


@pytest.fixture
def catalogue(world):
    """One event of each kind of visibility, all organised by cluster A."""
    a = [world.cluster_a]
    other = f.PartnershipFactory(acronym="EXTRATEX")
    EventFactory(title="draft", partnership=world.partnership, organisers=a, status="draft")
    EventFactory(title="cluster", partnership=world.partnership, organisers=a, audience="cluster")
    EventFactory(title="partnership", partnership=world.partnership, organisers=a)
    EventFactory(title="public", partnership=world.partnership, organisers=a, audience="public")
    EventFactory(title="cancelled", partnership=world.partnership, organisers=a, status="cancelled")
    EventFactory(title="other partnership", partnership=other, organisers=[])


def test_drafts_are_seen_by_the_organisers_only(world, catalogue, rep_b):
    assert "draft" in _visible(world.manager_a)
    assert "draft" in _visible(world.admin)
    for user in (world.manager_b, world.rep_a, rep_b, world.outsider, AnonymousUser()):
        assert "draft" not in _visible(user), user
        draft = Event.objects.get(title="draft")
        assert not permissions.can_see_event(user, draft)


def test_cluster_events_are_hidden_from_other_clusters(world, catalogue, rep_b):
    assert _visible(world.rep_a) == {"cluster", "partnership", "public", "cancelled"}
    assert _visible(rep_b) == {"partnership", "public", "cancelled"}
    assert _visible(world.manager_b) == {"partnership", "public", "cancelled"}
    assert _visible(world.manager_a) == {"draft", "cluster", "partnership", "public", "cancelled"}


def test_coordinator_sees_the_whole_partnership_but_no_drafts(world, catalogue):
    assert _visible(world.coordinator) == {"cluster", "partnership", "public", "cancelled"}


def test_people_outside_the_partnership_see_public_events_only(world, catalogue):
    assert _visible(world.outsider) == {"public"}
    assert _visible(AnonymousUser()) == {"public"}
    assert _visible(member_user(f.ClusterFactory(acronym="ELSE"))) == {"public"}


def test_admin_sees_everything(world, catalogue):
    assert len(_visible(world.admin)) == Event.objects.count() == 6
