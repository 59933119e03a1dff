import factory
from allauth.account.models import EmailAddress
from factory.django import DjangoModelFactory

from members.models import (
    Cluster,
    ClusterManager,
    Contact,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipCoordinator,
    Representative,
    Sector,
    User,
)

PASSWORD = "test-pass-123!"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, verified=extracted is not False, primary=True
            )


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"C{13 + n % 3}.{n}")
    name = factory.Sequence(lambda n: f"Sector {n}")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    acronym = factory.Sequence(lambda n: f"PART{n}")
    name = factory.Sequence(lambda n: f"Partnership {n}")


class ClusterFactory(DjangoModelFactory):
    class Meta:
        model = Cluster

    partnership = factory.SubFactory(PartnershipFactory)
    acronym = factory.Sequence(lambda n: f"CL{n}")
    name = factory.Sequence(lambda n: f"Cluster {n}")
    country = "ES"
    nuts2_region = "Cataluña"
    city = "Terrassa"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Organisation {n:05d} S.L.")
    vat_number = factory.Sequence(lambda n: f"B{n:08d}")
    org_type = Organisation.Type.SME
    country = "ES"
    city = "Terrassa"
    employees = 40
    turnover_eur = 5_000_000
    balance_sheet_eur = 3_000_000


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    cluster = factory.SubFactory(ClusterFactory)
    status = Membership.Status.ACTIVE


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")
    language = "es"
    consent_given = True


class ClusterManagerFactory(DjangoModelFactory):
    class Meta:
        model = ClusterManager

    user = factory.SubFactory(UserFactory)
    cluster = factory.SubFactory(ClusterFactory)


class CoordinatorFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipCoordinator

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)


class RepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = Representative

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    cluster = factory.SubFactory(ClusterFactory)
    language = "fr"
