import datetime

import factory
from factory.django import DjangoModelFactory

from exchange.models import Application, Call
from tests import factories as f


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call

    partnership = factory.SubFactory(f.PartnershipFactory)
    name = factory.Sequence(lambda n: f"Call {n}")
    opens_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))
    planned_exchanges = 20


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(f.UserFactory)
    organisation = factory.SubFactory(f.OrganisationFactory)
    role = Application.Role.VISITOR
    motivation = "Learn digital finishing"
    objectives = "digital printing of technical textiles"
    consent_privacy = True
    consent_catalogue = True
    status = Application.Status.DRAFT
