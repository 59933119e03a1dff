"""Exchanges with a party of another partnership, built through the real services."""

from exchange.external import services as external
from exchange.models import Application, ExternalParty
from notifications.models import Email
from tests import factories as f
from tests.exchange.factories import ApplicationFactory, CallFactory
from tests.exchange.lifecycle_factories import TERRASSA

HOST = {
    "name": "Textiles Gamma SRL",
    "country": "BE",
    "city": "Mouscron",
    "address": "Rue des Tisserands 1",
    "partnership_name": "TEXNET Benelux",
    "contact_name": "Gaëlle Gamma",
    "contact_email": "gaelle@gamma.example",
    "contact_language": "fr",
}
HOP = {
    "name": "Flanders Textile Cluster",
    "country": "BE",
    "city": "Gent",
    "address": "",
    "partnership_name": "TEXNET Benelux",
    "contact_name": "Hans Hoppe",
    "contact_email": "hans@cluster.example",
    "contact_language": "en",
}
MOUSCRON = {"latitude": "50.744", "longitude": "3.214"}


def accepted_visitor(world, *, org=None, call=None):
    org = org or world.org_a
    if org.latitude is None:
        org.latitude, org.longitude = TERRASSA["latitude"], TERRASSA["longitude"]
        org.save(update_fields=["latitude", "longitude"])
    return ApplicationFactory(
        call=call or CallFactory(partnership=world.partnership),
        applicant=f.UserFactory(full_name="Vera Visitant"),
        organisation=org,
        managing_cluster=world.cluster_a,
        status=Application.Status.ACCEPTED,
    )


def external_host_exchange(world, *, visitor=None, host=None, hop=None):
    visitor = visitor or accepted_visitor(world)
    exchange = external.external_host_propose(
        visitor=visitor,
        host=host or HOST,
        hop=hop or HOP,
        org_type="sme",
        by=world.manager_a,
        **MOUSCRON,
    )
    return exchange


def token_of(party: ExternalParty) -> str:
    """The token of the latest link emailed to the party (the outbox holds the email)."""
    email = (
        Email.objects.filter(kind="exchange.external_invitation", recipient=party.contact_email)
        .order_by("-pk")
        .first()
    )
    return email.context["url"].rstrip("/").split("/")[-1]


def last_code(party: ExternalParty) -> str:
    email = (
        Email.objects.filter(kind="exchange.external_code", recipient=party.contact_email)
        .order_by("-pk")
        .first()
    )
    return email.context["code"]


def party(exchange, role) -> ExternalParty:
    return ExternalParty.objects.get(exchange=exchange, role=role)
