"""Factories of the workshops app. Rows are written directly (no services, no emails);
a seated registration also takes its seat on the event's counter, so that the data stays
what the services would have produced."""

from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests import factories as f
from workshops import workflow
from workshops.models import Event, Feedback, Question, Registration, Session, Speaker


class EventFactory(DjangoModelFactory):
    """A published partnership workshop in ten days with 20 seats in person."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    partnership = factory.SubFactory(f.PartnershipFactory)
    title = factory.Sequence(lambda n: f"Digitalisation of technical textiles {n}")
    kind = Event.Kind.WORKSHOP
    start = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    )
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=3))
    timezone = "Europe/Madrid"
    venue_name = "AEI Tèxtils"
    city = "Terrassa"
    country = "ES"
    audience = Event.Audience.PARTNERSHIP
    capacity_in_person = 20
    capacity_online = 0
    status = Event.Status.PUBLISHED

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.set(extracted)


class SpeakerFactory(DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Faker("name")
    affiliation = "CITEVE"


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    start = factory.LazyAttribute(lambda o: o.event.start)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.set(extracted)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.TEXT
    position = factory.Sequence(lambda n: n)


class RegistrationFactory(DjangoModelFactory):
    """A registered participant in person; seated statuses take a seat on the counter."""

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    language = "en"
    mode = Registration.Mode.IN_PERSON
    status = Registration.Status.REGISTERED

    @factory.post_generation
    def seat(self, create, extracted, **kwargs):
        if create and extracted is not False and self.status in workflow.SEATED:
            field = (
                "taken_in_person" if self.mode == Registration.Mode.IN_PERSON else "taken_online"
            )
            Event.objects.filter(pk=self.event_id).update(**{field: F(field) + 1})
            self.event.refresh_from_db()


class FeedbackFactory(DjangoModelFactory):
    class Meta:
        model = Feedback

    registration = factory.SubFactory(RegistrationFactory)
    rating = 4


def member_user(cluster, **kwargs):
    """A user who represents an active member organisation of `cluster`."""
    membership = f.MembershipFactory(cluster=cluster)
    return f.RepresentativeFactory(organisation=membership.organisation, **kwargs).user
