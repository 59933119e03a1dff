"""Hosts (and visitors) of another partnership, without an account (issue 12, bullet 7)."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from exchange.external import services as external
from exchange.models import (
    Application,
    Exchange,
    ExchangeDocument,
    ExternalParty,
    HostConfirmation,
    Signature,
)
from exchange.placements import services as lifecycle
from notifications.models import Email
from projects import kpis
from tests import factories as f
from tests.exchange.external_helpers import (
    HOP,
    HOST,
    accepted_visitor,
    external_host_exchange,
    last_code,
    party,
    token_of,
)
from tests.exchange.factories import ApplicationFactory
from tests.exchange.lifecycle_factories import END, PASSWORD, PLAN, START, matched_exchange

pytestmark = pytest.mark.django_db

X = Exchange.Status
R = Signature.Role
K = ExchangeDocument.Kind


def _sign_with_code(p: ExternalParty, document):
    external.external_code_send(party=p)
    return external.external_document_sign(party=p, document=document, code=last_code(p))


def _to_commitment_signed(world, exchange):
    ho, hop = party(exchange, R.HO), party(exchange, R.HOP)
    visitor = exchange.visitor_application.applicant
    external.external_match_respond(party=ho, accept=True)
    external.external_plan_update(party=ho, data=PLAN)
    document = lifecycle.document_generate(exchange=exchange, kind=K.COMMITMENT, by=visitor)
    lifecycle.document_sign(document=document, role=R.VO, by=visitor, password=PASSWORD)
    lifecycle.document_sign(document=document, role=R.VOP, by=world.manager_a, password=PASSWORD)
    _sign_with_code(ho, document)
    _sign_with_code(hop, document)
    return document


# --- Proposing ----------------------------------------------------------------------------------


def test_manager_proposes_a_host_of_another_partnership(world):
    exchange = external_host_exchange(world)
    assert exchange.status == X.PROPOSED
    assert exchange.host_application is None and exchange.host_cluster is None
    assert exchange.host_organisation.legal_name == "Textiles Gamma SRL"
    assert not exchange.host_organisation.memberships.exists()
    ho, hop = party(exchange, R.HO), party(exchange, R.HOP)
    assert (ho.partnership_name, hop.name) == ("TEXNET Benelux", "Flanders Textile Cluster")
    invitations = Email.objects.filter(kind="exchange.external_invitation").order_by("recipient")
    assert [(e.recipient, e.language) for e in invitations] == [
        ("gaelle@gamma.example", "fr"),
        ("hans@cluster.example", "en"),
    ]
    token = token_of(ho)
    assert ho.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in ho.token_hash
    assert ho.link_active


def test_documents_name_the_hop_of_another_partnership(world):
    exchange = external_host_exchange(world)
    assert lifecycle.cluster_label(exchange, R.HOP) == "Flanders Textile Cluster (TEXNET Benelux)"
    assert lifecycle.cluster_label(exchange, R.VOP) == exchange.visitor_cluster.acronym
    assert lifecycle.partnership_label(exchange, R.HOP) == "TEXNET Benelux"


def test_another_clusters_manager_cannot_propose_a_host_for_our_visitor(world):
    visitor = accepted_visitor(world)
    with pytest.raises(PermissionDenied):
        external.external_host_propose(
            visitor=visitor, host=HOST, hop=HOP, org_type="sme", by=world.manager_b
        )
    assert not Exchange.objects.exists()


def test_external_host_must_be_in_another_eligible_country(world):
    visitor = accepted_visitor(world)
    with pytest.raises(ValidationError):
        external.external_host_propose(
            visitor=visitor,
            host={**HOST, "country": "ES"},
            hop=HOP,
            org_type="sme",
            by=world.manager_a,
        )
    with pytest.raises(ValidationError):
        external.external_host_propose(
            visitor=visitor,
            host={**HOST, "country": "US"},
            hop=HOP,
            org_type="sme",
            by=world.manager_a,
        )


def test_the_visitor_still_visits_once(world):
    visitor = accepted_visitor(world)
    external_host_exchange(world, visitor=visitor)
    with pytest.raises(ValidationError, match="visit once"):
        external_host_exchange(world, visitor=visitor)


# --- The lifecycle through the links ----------------------------------------------------------


def test_host_declines_the_match(world):
    exchange = external_host_exchange(world)
    external.external_match_respond(party=party(exchange, R.HO), accept=False)
    exchange.refresh_from_db()
    assert exchange.status == X.DECLINED


def test_hop_cannot_answer_for_the_host(world):
    exchange = external_host_exchange(world)
    with pytest.raises(PermissionDenied):
        external.external_match_respond(party=party(exchange, R.HOP), accept=True)


def test_plan_waits_for_the_match(world):
    exchange = external_host_exchange(world)
    with pytest.raises(ValidationError):
        external.external_plan_update(party=party(exchange, R.HO), data=PLAN)


def test_external_signatures_count_for_ho_and_hop(world):
    exchange = external_host_exchange(world)
    document = _to_commitment_signed(world, exchange)
    exchange.refresh_from_db()
    assert exchange.status == X.COMMITMENT_SIGNED
    roles = {s.role: s for s in document.signatures.all()}
    assert roles[R.HO].user is None and roles[R.HO].external_party.contact_name == "Gaëlle Gamma"
    assert roles[R.HOP].external_party.role == R.HOP
    assert roles[R.HO].document_hash == document.content_hash
    assert document.content["hop"] == "Flanders Textile Cluster (TEXNET Benelux)"
    assert document.content["host"] == "Textiles Gamma SRL"


def test_whole_lifecycle_with_an_external_host_counts_for_the_visitors_partnership(world):
    exchange = external_host_exchange(world)
    _to_commitment_signed(world, exchange)
    visitor = exchange.visitor_application.applicant
    financial = lifecycle.document_generate(exchange=exchange, kind=K.FINANCIAL, by=visitor)
    lifecycle.document_sign(document=financial, role=R.VO, by=visitor, password=PASSWORD)
    lifecycle.document_sign(document=financial, role=R.VOP, by=world.manager_a, password=PASSWORD)
    exchange.refresh_from_db()
    assert exchange.status == X.READY
    assert exchange.plan.grant_amount == 830  # Belgium's cap, > 200 km, 5 working days
    lifecycle.exchanges_follow_dates(today=START)
    ho = party(exchange, R.HO)
    confirmation = external.external_host_confirm(party=ho, took_place=True, feedback="Très bien")
    assert confirmation.external_party == ho and confirmation.confirmed_by is None
    lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))
    from tests.exchange.lifecycle_factories import evidence_file

    lifecycle.report_save(
        exchange=exchange,
        data={
            "objectives_reached": "All",
            "results": "A pilot",
            "rating": 5,
            # The final grant follows the days actually spent (money-path rule).
            "actual_start": START,
            "actual_end": END,
        },
        by=visitor,
    )
    for kind in ("ticket", "accommodation_invoice"):  # the programme's required evidence
        lifecycle.evidence_add(exchange=exchange, kind=kind, upload=evidence_file(), by=visitor)
    # The external host's confirmation replaces the uploaded attendance confirmation.
    lifecycle.report_submit(exchange=exchange, by=visitor)
    assert kpis.compute("exchanges_completed", partnership=world.partnership).value == 0
    lifecycle.report_validate(exchange=exchange, by=world.manager_a, evidence_checked=True)
    assert kpis.compute("exchanges_completed", partnership=world.partnership).value == 1
    assert (
        kpis.compute(
            "exchanges_completed", partnership=world.partnership, cluster=world.cluster_a
        ).value
        == 1
    )


def test_only_the_host_organisation_confirms_the_visit(world):
    exchange = external_host_exchange(world)
    with pytest.raises(PermissionDenied):
        external.external_host_confirm(party=party(exchange, R.HOP), took_place=True, feedback="")
    with pytest.raises(ValidationError):  # before the stay
        external.external_host_confirm(party=party(exchange, R.HO), took_place=True, feedback="")
    assert not HostConfirmation.objects.exists()


# --- Links: expiry, revocation, scope ---------------------------------------------------------------


def test_expired_link_is_refused(world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    token = token_of(ho)
    assert external.party_for_token(token) == ho
    ExternalParty.objects.filter(pk=ho.pk).update(link_expires_at=timezone.now())
    with pytest.raises(external.LinkInvalid, match="expired"):
        external.party_for_token(token)
    ho.refresh_from_db()
    with pytest.raises(external.LinkInvalid):
        external.external_match_respond(party=ho, accept=True)


def test_revoked_link_is_refused_and_renewed_link_replaces_it(world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    old = token_of(ho)
    external.external_link_revoke(party=ho, by=world.manager_a)
    with pytest.raises(external.LinkInvalid, match="revoked"):
        external.party_for_token(old)
    external.external_link_renew(party=ho, by=world.manager_a)
    new = token_of(ho)
    assert new != old
    assert external.party_for_token(new).pk == ho.pk
    with pytest.raises(external.LinkInvalid):
        external.party_for_token(old)


def test_only_the_inviting_cluster_revokes_a_link(world):
    exchange = external_host_exchange(world)
    with pytest.raises(PermissionDenied):
        external.external_link_revoke(party=party(exchange, R.HO), by=world.manager_b)
    assert party(exchange, R.HO).revoked_at is None


def test_unknown_token_is_refused(world):
    with pytest.raises(external.LinkInvalid):
        external.party_for_token("not-a-token")


def test_a_link_of_exchange_a_cannot_act_on_exchange_b(world):
    other_org = f.OrganisationFactory(legal_name="Filats Epsilon", country="ES")
    exchange_a = external_host_exchange(world, visitor=accepted_visitor(world, org=other_org))
    other = matched_exchange(world)
    # exchange B: a portal exchange in preparation with a commitment to sign
    lifecycle.plan_update(exchange=other.exchange, data=PLAN, by=other.visitor)
    document_b = lifecycle.document_generate(
        exchange=other.exchange, kind=K.COMMITMENT, by=other.visitor
    )
    ho_a = party(exchange_a, R.HO)
    external.external_code_send(party=ho_a)
    with pytest.raises(PermissionDenied):
        external.external_document_sign(party=ho_a, document=document_b, code=last_code(ho_a))
    actor = external.ExternalActor(ho_a)
    assert lifecycle.roles_of(actor, other.exchange) == set()
    with pytest.raises(PermissionDenied):
        lifecycle.plan_update(exchange=other.exchange, data={"objectives": "x"}, by=actor)
    assert not Signature.objects.filter(external_party=ho_a).exists()


# --- One-time codes ------------------------------------------------------------------------------------


@pytest.fixture
def to_sign(world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    external.external_match_respond(party=ho, accept=True)
    external.external_plan_update(party=ho, data=PLAN)
    document = lifecycle.document_generate(
        exchange=exchange, kind=K.COMMITMENT, by=exchange.visitor_application.applicant
    )
    return ho, document


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_wrong_code_is_refused(to_sign):
    ho, document = to_sign
    external.external_code_send(party=ho)
    with pytest.raises(ValidationError, match="not correct"):
        external.external_document_sign(party=ho, document=document, code=_wrong(last_code(ho)))
    assert not document.signatures.exists()
    ho.refresh_from_db()
    assert ho.code_attempts == 1  # remembered although the signature failed


def test_code_attempts_are_limited(to_sign):
    ho, document = to_sign
    external.external_code_send(party=ho)
    code = last_code(ho)
    for _attempt in range(external.CODE_ATTEMPTS):
        with pytest.raises(ValidationError):
            external.external_document_sign(party=ho, document=document, code=_wrong(code))
    with pytest.raises(ValidationError, match="Too many"):
        external.external_document_sign(party=ho, document=document, code=code)
    assert not document.signatures.exists()


def test_expired_code_is_refused(to_sign):
    ho, document = to_sign
    external.external_code_send(party=ho)
    ExternalParty.objects.filter(pk=ho.pk).update(code_expires_at=timezone.now())
    with pytest.raises(ValidationError, match="expired"):
        external.external_document_sign(party=ho, document=document, code=last_code(ho))


def test_code_is_used_once_and_stored_hashed(to_sign):
    ho, document = to_sign
    external.external_code_send(party=ho)
    code = last_code(ho)
    ho.refresh_from_db()
    assert code not in ho.code_hash
    external.external_document_sign(party=ho, document=document, code=code)
    with pytest.raises(ValidationError, match="code first"):
        external.external_document_sign(party=ho, document=document, code=code)
    assert document.signatures.filter(role=R.HO).count() == 1


def test_a_new_code_waits_a_minute(to_sign):
    ho, _document = to_sign
    external.external_code_send(party=ho)
    with pytest.raises(ValidationError, match="wait"):
        external.external_code_send(party=ho)


def test_code_email_in_the_contacts_language(to_sign):
    ho, _document = to_sign
    external.external_code_send(party=ho)
    email = Email.objects.get(kind="exchange.external_code")
    assert (email.recipient, email.language) == ("gaelle@gamma.example", "fr")


def test_plan_change_voids_an_external_signature(world, to_sign):
    ho, document = to_sign
    _sign_with_code(ho, document)
    external.external_plan_update(party=ho, data={"objectives": "Something else"})
    document.refresh_from_db()
    assert document.voided_at is not None


# --- A visitor of another partnership (this partnership is HOP) ---------------------------------


VISITOR = {**HOST, "name": "Tecidos Delta Lda", "country": "PT", "city": "Guimarães"}
VOP = {**HOP, "name": "Têxtil Cluster Norte", "country": "PT", "city": "Porto"}


def test_external_visitor_lifecycle_never_counts_for_this_partnership(world):
    host_app = ApplicationFactory(
        call=accepted_visitor(world).call,
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        role=Application.Role.HOST,
        status=Application.Status.ACCEPTED,
    )
    with pytest.raises(PermissionDenied):
        external.external_visitor_propose(
            host=host_app, visitor=VISITOR, vop=VOP, org_type="sme", by=world.manager_a
        )
    exchange = external.external_visitor_propose(
        host=host_app, visitor=VISITOR, vop=VOP, org_type="sme", by=world.manager_b
    )
    assert exchange.visitor_cluster is None and exchange.host_cluster == world.cluster_b
    vo, vop = party(exchange, R.VO), party(exchange, R.VOP)
    external.external_match_respond(party=vo, accept=True)
    external.external_plan_update(party=vo, data=PLAN)
    document = lifecycle.document_generate(
        exchange=exchange, kind=K.COMMITMENT, by=host_app.applicant
    )
    _sign_with_code(vo, document)
    _sign_with_code(vop, document)
    lifecycle.document_sign(document=document, role=R.HO, by=host_app.applicant, password=PASSWORD)
    lifecycle.document_sign(document=document, role=R.HOP, by=world.manager_b, password=PASSWORD)
    exchange.refresh_from_db()
    # The visitor's partnership signs its financial agreement and pays: ready here.
    assert exchange.status == X.READY
    lifecycle.exchanges_follow_dates(today=START)
    lifecycle.host_confirm(exchange=exchange, took_place=True, feedback="", by=host_app.applicant)
    lifecycle.exchanges_follow_dates(today=END + timedelta(days=1))
    exchange.refresh_from_db()
    assert exchange.status == X.COMPLETED
    assert kpis.compute("exchanges_completed", partnership=world.partnership).value == 0
    assert (
        kpis.compute(
            "exchanges_completed", partnership=world.partnership, cluster=world.cluster_b
        ).value
        == 0
    )


def test_reminders_never_reach_portal_users_for_an_external_role(world):
    from exchange.placements import reminders

    f.UserFactory(email="bystander@example.org")  # no role anywhere
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    external.external_match_respond(party=ho, accept=True)
    external.external_plan_update(party=ho, data=PLAN)
    document = lifecycle.document_generate(
        exchange=exchange, kind=K.COMMITMENT, by=exchange.visitor_application.applicant
    )
    ExchangeDocument.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    for occasion in reminders.due():
        reminders.reminder_queue(code=occasion.code, pk=occasion.pk, role=occasion.role)
    recipients = set(
        Email.objects.filter(kind="exchange.signature").values_list("recipient", flat=True)
    )
    assert recipients  # the visitor and its cluster are reminded
    assert "bystander@example.org" not in recipients
    assert recipients <= {
        exchange.visitor_application.applicant.email,
        world.rep_a.email,  # represents the visiting organisation
        world.manager_a.email,
    }


# --- The money-path signing rules hold for external signers too (lifecycle.sign_check) ---------


def test_external_signer_is_refused_once_the_stay_has_started(to_sign):
    from exchange.models import ExchangePlan

    ho, document = to_sign
    # The dates are those signed (the fingerprint still matches): only the calendar moved on.
    ExchangePlan.objects.filter(exchange=document.exchange).update(start_date=timezone.localdate())
    external.external_code_send(party=ho)
    code = last_code(ho)
    with pytest.raises(ValidationError, match="only before the stay starts"):
        external.external_document_sign(party=ho, document=document, code=code)
    assert not document.signatures.exists()
    ho.refresh_from_db()
    assert ho.code_hash  # refused before the code was used up


def test_external_signer_is_refused_without_a_computable_grant(world):
    # A host in a place the gazetteer does not know and without coordinates: the distance,
    # hence the grant, cannot be computed; the commitment exists but nobody may sign it.
    exchange = external.external_host_propose(
        visitor=accepted_visitor(world),
        host={**HOST, "city": "Qxzyville"},
        hop=HOP,
        org_type="sme",
        by=world.manager_a,
    )
    ho = party(exchange, R.HO)
    external.external_match_respond(party=ho, accept=True)
    external.external_plan_update(party=ho, data=PLAN)
    exchange.refresh_from_db()
    assert exchange.host_organisation.latitude is None
    assert exchange.plan.grant_amount is None
    document = lifecycle.document_generate(
        exchange=exchange, kind=K.COMMITMENT, by=exchange.visitor_application.applicant
    )
    external.external_code_send(party=ho)
    with pytest.raises(ValidationError, match="grant cannot be computed"):
        external.external_document_sign(party=ho, document=document, code=last_code(ho))
    with pytest.raises(ValidationError, match="grant cannot be computed"):
        lifecycle.document_sign(
            document=document,
            role=R.VO,
            by=exchange.visitor_application.applicant,
            password=PASSWORD,
        )
    assert not document.signatures.exists()


def test_external_signer_signs_once_per_role(to_sign):
    ho, document = to_sign
    _sign_with_code(ho, document)
    ExternalParty.objects.filter(pk=ho.pk).update(code_sent_at=None)
    with pytest.raises(ValidationError, match="already signed"):
        _sign_with_code(ho, document)
    assert document.signatures.filter(role=R.HO).count() == 1


def test_external_signer_cannot_sign_a_replaced_version(to_sign):
    ho, document = to_sign
    external.external_plan_update(party=ho, data={"objectives": "Something else"})
    external.external_code_send(party=ho)
    with pytest.raises(ValidationError, match="replaced"):
        external.external_document_sign(party=ho, document=document, code=last_code(ho))


def test_outcome_emails_reach_the_external_host_and_its_cluster(world):
    exchange = external_host_exchange(world)
    _to_commitment_signed(world, exchange)
    visitor = exchange.visitor_application.applicant
    financial = lifecycle.document_generate(exchange=exchange, kind=K.FINANCIAL, by=visitor)
    lifecycle.document_sign(document=financial, role=R.VO, by=visitor, password=PASSWORD)
    lifecycle.document_sign(document=financial, role=R.VOP, by=world.manager_a, password=PASSWORD)
    lifecycle.exchanges_follow_dates(today=START)
    lifecycle.outcome_record(
        exchange=exchange,
        outcome=Exchange.Outcome.NOT_HAPPENED,
        reason="Nobody came.",
        by=world.manager_a,
    )
    emails = {e.recipient: e for e in Email.objects.filter(kind="exchange.outcome").order_by("pk")}
    assert emails["gaelle@gamma.example"].language == "fr"
    assert emails["gaelle@gamma.example"].context["name"] == "Gaëlle Gamma"
    assert emails["gaelle@gamma.example"].context["url"] == ""  # no portal page for them
    assert emails["hans@cluster.example"].language == "en"
    assert visitor.email in emails and world.manager_a.email in emails
    # Once per occasion, also for the external parties.
    from exchange.placements import reminders

    assert reminders.outcome_queue(exchange=exchange) == 0


def _external_visitor_exchange(world, call=None):
    host_app = ApplicationFactory(
        call=call or accepted_visitor(world).call,
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        role=Application.Role.HOST,
        status=Application.Status.ACCEPTED,
    )
    return external.external_visitor_propose(
        host=host_app, visitor=VISITOR, vop=VOP, org_type="sme", by=world.manager_b
    )


def test_external_visitors_document_names_its_partnership_and_traveller(world):
    exchange = _external_visitor_exchange(world)
    vo = party(exchange, R.VO)
    external.external_match_respond(party=vo, accept=True)
    external.external_plan_update(party=vo, data=PLAN)
    document = lifecycle.document_generate(
        exchange=exchange, kind=K.COMMITMENT, by=exchange.host_application.applicant
    )
    content = document.content
    assert content["traveller"] == VISITOR["contact_name"]
    assert content["vop"] == "Têxtil Cluster Norte (TEXNET Benelux)"
    assert content["visitor_partnership"] == "TEXNET Benelux"
    assert content["hop"] == world.cluster_b.acronym
    assert content["host_partnership"] == world.partnership.name
    assert content["visitor_party"]["country"] == "PT"
    assert content["grant"] is None  # paid by the visitor's own partnership
    with pytest.raises(ValidationError, match="cannot be computed"):
        lifecycle.document_generate(
            exchange=exchange, kind=K.FINANCIAL, by=exchange.host_application.applicant
        )


def test_external_visitors_stay_follows_the_hosts_call_window(world):
    from tests.exchange.factories import CallFactory

    call = CallFactory(partnership=world.partnership, exchanges_until=END - timedelta(days=1))
    exchange = _external_visitor_exchange(world, call=call)
    vo = party(exchange, R.VO)
    external.external_match_respond(party=vo, accept=True)
    with pytest.raises(ValidationError) as refused:
        external.external_plan_update(party=vo, data=PLAN)
    assert "end_date" in refused.value.message_dict
    external.external_plan_update(party=vo, data={**PLAN, "end_date": END - timedelta(days=1)})


# --- The outcome of an exchange with a visitor of another partnership ---------------------------


def _external_visitor_started(world):
    """An exchange with a visitor of another partnership, signed and started (ready, the
    first day at the host has come)."""
    exchange = _external_visitor_exchange(world)
    host = exchange.host_application.applicant
    vo, vop = party(exchange, R.VO), party(exchange, R.VOP)
    external.external_match_respond(party=vo, accept=True)
    external.external_plan_update(party=vo, data=PLAN)
    document = lifecycle.document_generate(exchange=exchange, kind=K.COMMITMENT, by=host)
    _sign_with_code(vo, document)
    _sign_with_code(vop, document)
    lifecycle.document_sign(document=document, role=R.HO, by=host, password=PASSWORD)
    lifecycle.document_sign(document=document, role=R.HOP, by=world.manager_b, password=PASSWORD)
    lifecycle.exchanges_follow_dates(today=START)
    exchange.refresh_from_db()
    assert exchange.status == X.ONGOING
    return exchange


def test_hosts_cluster_records_the_outcome_for_a_visitor_of_another_partnership(world):
    exchange = _external_visitor_started(world)
    assert lifecycle.outcome_role(exchange) == R.HOP
    assert lifecycle.can_record_outcome(world.manager_b, exchange)
    assert not lifecycle.can_record_outcome(world.manager_a, exchange)
    assert not lifecycle.can_record_outcome(
        external.ExternalActor(party(exchange, R.VOP)), exchange
    )
    lifecycle.outcome_record(
        exchange=exchange,
        outcome=Exchange.Outcome.NOT_HAPPENED,
        reason="The visitor's cluster wrote that nobody travelled.",
        by=world.manager_b,
    )
    exchange.refresh_from_db()
    assert exchange.status == X.NOT_HAPPENED
    assert exchange.outcome == Exchange.Outcome.NOT_HAPPENED


def test_another_clusters_manager_cannot_record_the_outcome_of_an_external_visitor(world):
    exchange = _external_visitor_started(world)
    with pytest.raises(PermissionDenied):
        lifecycle.outcome_record(
            exchange=exchange,
            outcome=Exchange.Outcome.NOT_HAPPENED,
            reason="Hijack",
            by=world.manager_a,
        )
    with pytest.raises(PermissionDenied):
        lifecycle.outcome_record(
            exchange=exchange,
            outcome=Exchange.Outcome.NOT_HAPPENED,
            reason="Hijack",
            by=external.ExternalActor(party(exchange, R.VOP)),
        )
    exchange.refresh_from_db()
    assert exchange.status == X.ONGOING and exchange.outcome == ""


def test_outcome_page_for_an_external_visitor_is_the_host_clusters(client, world):
    from django.urls import reverse

    exchange = _external_visitor_started(world)
    url = reverse("exchange:exchange_outcome", args=[exchange.pk])
    detail = reverse("exchange:exchange_detail", args=[exchange.pk])
    client.force_login(world.manager_a)
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"outcome": "not_happened", "reason": "Hijack"}).status_code in (
        403,
        404,
    )
    client.force_login(world.manager_b)
    assert url in client.get(detail).content.decode()
    response = client.post(url, {"outcome": "not_happened", "reason": "Nobody travelled"})
    assert response.status_code == 302
    assert Exchange.objects.get(pk=exchange.pk).status == X.NOT_HAPPENED
