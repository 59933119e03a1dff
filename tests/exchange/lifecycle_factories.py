"""Exchanges for the part 2 tests, built from the shared `world` (cluster A in Spain, B in
France): a matched exchange between a member of A (visitor) and a member of B (host),
and a driver that takes it through the real services to any later stage."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from exchange.models import Application, Evidence, Exchange, ExchangeDocument
from exchange.placements import services as lifecycle
from tests import factories as f
from tests import samples
from tests.exchange.factories import ApplicationFactory, CallFactory

X = Exchange.Status
K = ExchangeDocument.Kind
PASSWORD = f.PASSWORD

# A week without public holidays in France: Monday 10 to Friday 14 March 2031.
START = date(2031, 3, 10)
END = date(2031, 3, 14)
TERRASSA = {"latitude": "41.563", "longitude": "2.009"}
NANTES = {"latitude": "47.218", "longitude": "-1.554"}

# A valid test IBAN (Deutsche Bundesbank's example) and its BIC.
IBAN = "DE89 3704 0044 0532 0130 00"

PDF_BYTES = samples.PDF


@dataclass
class Parties:
    exchange: Exchange
    visitor: object  # the visitor's applicant (VO)
    host: object  # the host's applicant (HO)
    vop: object  # manager of cluster A
    hop: object  # manager of cluster B

    def signer(self, role: str):
        return {"vo": self.visitor, "ho": self.host, "vop": self.vop, "hop": self.hop}[role]


def matched_exchange(world, *, visitor_org=None, host_org=None, call=None) -> Parties:
    """A matched exchange: org_a (ES, cluster A) visits org_b (FR, cluster B)."""
    call = call or CallFactory(partnership=world.partnership)
    visitor_org = visitor_org or world.org_a
    host_org = host_org or world.org_b
    for org, coords in ((visitor_org, TERRASSA), (host_org, NANTES)):
        if org.latitude is None:
            org.latitude, org.longitude = coords["latitude"], coords["longitude"]
            org.save(update_fields=["latitude", "longitude"])
    visitor_user = f.UserFactory(full_name="Vera Visitant")
    host_user = f.UserFactory(full_name="Hugo Hôte")
    visitor_app = ApplicationFactory(
        call=call,
        applicant=visitor_user,
        organisation=visitor_org,
        managing_cluster=world.cluster_a,
        status=Application.Status.ACCEPTED,
    )
    host_app = ApplicationFactory(
        call=call,
        applicant=host_user,
        organisation=host_org,
        managing_cluster=world.cluster_b,
        role=Application.Role.HOST,
        status=Application.Status.ACCEPTED,
    )
    exchange = Exchange.objects.create(
        visitor_application=visitor_app,
        host_application=host_app,
        visitor_organisation=visitor_org,
        host_organisation=host_org,
        visitor_cluster=world.cluster_a,
        host_cluster=world.cluster_b,
        status=X.MATCHED,
    )
    return Parties(exchange, visitor_user, host_user, world.manager_a, world.manager_b)


PLAN = {
    "start_date": START,
    "end_date": END,
    "objectives": "Learn the digital finishing line",
    "agenda": ["Day 1: welcome", "Day 2: line", "Day 3: lab", "Day 4: clients", "Day 5: wrap-up"],
    "activity_types": ["knowledge", "capacity"],
}


def evidence_file(name="ticket.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def sign_all(parties: Parties, kind: str) -> ExchangeDocument:
    document = lifecycle.document_generate(exchange=parties.exchange, kind=kind, by=parties.visitor)
    for role in lifecycle.SIGNERS[kind]:
        lifecycle.document_sign(
            document=document, role=role, by=parties.signer(role), password=PASSWORD
        )
    return document


def advance(parties: Parties, to: str) -> Exchange:
    """Takes a matched exchange through the services to `to` (any status of the main
    line, or cancelled)."""
    order = [
        X.MATCHED,
        X.IN_PREPARATION,
        X.COMMITMENT_SIGNED,
        X.READY,
        X.ONGOING,
        X.COMPLETED,
        X.REPORT_SUBMITTED,
        X.REPORT_VALIDATED,
        X.PAID,
        X.CLOSED,
    ]
    exchange = parties.exchange

    def at(status):
        """True when the step leading to `status` is not to be done: it is done already,
        or `to` comes before it."""
        exchange.refresh_from_db()
        current = order.index(exchange.status)
        return current >= order.index(status) or order.index(to) < order.index(status)

    if to == X.CANCELLED:
        return lifecycle.exchange_cancel(exchange=exchange, by=parties.visitor, reason="test")
    if to == X.REPORT_REJECTED:
        advance(parties, X.REPORT_SUBMITTED)
        lifecycle.report_return(exchange=exchange, by=parties.vop, comments="Add the invoice")
        exchange.refresh_from_db()
        return exchange
    if not at(X.IN_PREPARATION):
        lifecycle.plan_update(exchange=exchange, data=PLAN, by=parties.visitor)
    if not at(X.COMMITMENT_SIGNED):
        sign_all(parties, K.COMMITMENT)
    if not at(X.READY):
        sign_all(parties, K.FINANCIAL)
    if not at(X.ONGOING):
        lifecycle.exchanges_follow_dates(today=START)
    if not at(X.COMPLETED):
        lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))
    if not at(X.REPORT_SUBMITTED):
        lifecycle.report_save(
            exchange=exchange,
            data={
                "objectives_reached": "All",
                "results": "A pilot",
                "rating": 5,
                "actual_start": START,
                "actual_end": END,
            },
            by=parties.visitor,
        )
        lifecycle.evidence_add(
            exchange=exchange, kind=Evidence.Kind.TICKET, upload=evidence_file(), by=parties.visitor
        )
        lifecycle.evidence_add(
            exchange=exchange,
            kind=Evidence.Kind.ACCOMMODATION_INVOICE,
            upload=evidence_file("hotel.pdf"),
            by=parties.visitor,
        )
        lifecycle.bank_details_save(
            exchange=exchange,
            account_holder="Teixits Alfa S.L.",
            iban=IBAN,
            bic="",
            by=parties.visitor,
        )
        lifecycle.host_confirm(
            exchange=exchange, took_place=True, feedback="Great", by=parties.host
        )
        lifecycle.report_submit(exchange=exchange, by=parties.visitor)
    if not at(X.REPORT_VALIDATED):
        lifecycle.report_validate(exchange=exchange, by=parties.vop, evidence_checked=True)
    if not at(X.PAID):
        lifecycle.payment_record(
            exchange=exchange, paid_on=timezone.localdate(), reference="TR-1", by=parties.vop
        )
    if not at(X.CLOSED):
        lifecycle.exchange_close(exchange=exchange, by=parties.vop)
    exchange.refresh_from_db()
    assert exchange.status == to, (exchange.status, to)
    return exchange
