"""Pages of parties of another partnership: the inviting manager's, and the private link's."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from exchange.external import services as external
from exchange.models import Exchange, ExchangeDocument, ExternalParty, Signature
from exchange.placements import services as lifecycle
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
from tests.exchange.lifecycle_factories import PLAN, matched_exchange

pytestmark = pytest.mark.django_db

X = Exchange.Status
R = Signature.Role
K = ExchangeDocument.Kind


def _form_data(visitor):
    data = {
        "application": visitor.pk,
        "org_type": "sme",
        "latitude": "50.744",
        "longitude": "3.214",
    }
    data.update({f"host_{k}": v for k, v in HOST.items()})
    data.update({f"hop_{k}": v for k, v in HOP.items() if k != "partnership_name"})
    return data


def test_manager_proposes_an_external_host_through_the_page(client, world):
    visitor = accepted_visitor(world)
    client.force_login(world.manager_a)
    page = client.get(reverse("exchange:external_host_new"))
    assert page.status_code == 200
    assert "Propose a host of another partnership" in page.content.decode()
    response = client.post(reverse("exchange:external_host_new"), _form_data(visitor))
    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:exchange_detail", args=[exchange.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Parties of another partnership" in detail
    assert "Flanders Textile Cluster" in detail and "Revoke the link" in detail
    assert ExternalParty.objects.filter(exchange=exchange).count() == 2


def test_another_clusters_manager_cannot_pick_our_visitor(client, world):
    visitor = accepted_visitor(world)
    client.force_login(world.manager_b)
    response = client.post(reverse("exchange:external_host_new"), _form_data(visitor))
    assert response.status_code == 200
    assert not Exchange.objects.exists()


def test_another_clusters_manager_cannot_revoke(client, world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    client.force_login(world.manager_b)
    url = reverse("exchange:external_party_revoke", args=[exchange.pk, ho.pk])
    assert client.post(url).status_code == 404
    client.force_login(world.manager_a)
    assert client.post(url).status_code == 302
    ho.refresh_from_db()
    assert ho.revoked_at is not None


def _confirmed_buttons(html: str, action: str) -> list[str]:
    """The data-confirm questions of the submit buttons of the form posting to action
    (static/js/portal.js asks them before the form is sent)."""
    forms = re.findall(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    return [q for form in forms for q in re.findall(r'<button[^>]*data-confirm="([^"]+)"', form)]


def test_revoking_a_link_asks_for_confirmation(client, world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    client.force_login(world.manager_a)
    html = client.get(reverse("exchange:exchange_detail", args=[exchange.pk])).content.decode()
    action = reverse("exchange:external_party_revoke", args=[exchange.pk, ho.pk])
    assert _confirmed_buttons(html, action) == [
        "Revoke this link? It stops working at once; you can send a new link later."
    ]


def test_declining_through_the_link_asks_for_confirmation(client, world):
    exchange = external_host_exchange(world)
    token = token_of(party(exchange, R.HO))
    html = client.get(reverse("exchange:external_home", args=[token])).content.decode()
    questions = _confirmed_buttons(html, reverse("exchange:external_respond", args=[token]))
    assert "Decline this exchange? Your answer is final." in questions


def test_link_page_shows_the_exchange_without_login(client, world):
    exchange = external_host_exchange(world)
    token = token_of(party(exchange, R.HO))
    response = client.get(reverse("exchange:external_home", args=[token]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Teixits Alfa S.L. → Textiles Gamma SRL" in body
    assert "Confirm the match" in body
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("n", [1, 6])
def test_link_page_query_budget(client, world, django_assert_max_num_queries, n):
    exchanges = [
        external_host_exchange(
            world, visitor=accepted_visitor(world, org=f.OrganisationFactory(country="ES"))
        )
        for _ in range(n)
    ]
    ho = party(exchanges[-1], R.HO)
    external.external_match_respond(party=ho, accept=True)
    external.external_plan_update(party=ho, data=PLAN)
    lifecycle.document_generate(
        exchange=ho.exchange, kind=K.COMMITMENT, by=exchanges[-1].visitor_application.applicant
    )
    url = reverse("exchange:external_home", args=[token_of(ho)])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert "Email me a code to sign" in response.content.decode()


def test_expired_link_is_refused(client, world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    token = token_of(ho)
    ExternalParty.objects.filter(pk=ho.pk).update(link_expires_at=timezone.now())
    response = client.get(reverse("exchange:external_home", args=[token]))
    assert response.status_code == 403
    assert "expired" in response.content.decode()
    response = client.post(reverse("exchange:external_respond", args=[token]), {"accept": "yes"})
    assert response.status_code == 403
    exchange.refresh_from_db()
    assert exchange.status == X.PROPOSED


def test_revoked_link_is_refused(client, world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    token = token_of(ho)
    external.external_link_revoke(party=ho, by=world.manager_a)
    response = client.get(reverse("exchange:external_home", args=[token]))
    assert response.status_code == 403
    assert "revoked" in response.content.decode()


def test_unknown_link_is_refused(client, world):
    assert client.get(reverse("exchange:external_home", args=["nope"])).status_code == 403


def test_host_confirms_and_plans_through_the_link(client, world):
    exchange = external_host_exchange(world)
    token = token_of(party(exchange, R.HO))
    client.post(reverse("exchange:external_respond", args=[token]), {"accept": "yes"})
    exchange.refresh_from_db()
    assert exchange.status == X.MATCHED
    response = client.post(
        reverse("exchange:external_plan", args=[token]),
        {
            "start_date": "2031-03-10",
            "end_date": "2031-03-14",
            "objectives": "Learn",
            "agenda": "Day 1\nDay 2",
            "activity_types": ["knowledge"],
        },
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == X.IN_PREPARATION
    assert exchange.plan.objectives == "Learn"


@pytest.fixture
def signing(client, world):
    exchange = external_host_exchange(world)
    ho = party(exchange, R.HO)
    external.external_match_respond(party=ho, accept=True)
    external.external_plan_update(party=ho, data=PLAN)
    token = token_of(ho)
    client.post(reverse("exchange:external_generate", args=[token]))
    document = ExchangeDocument.objects.get(exchange=exchange, kind=K.COMMITMENT)
    client.post(reverse("exchange:external_code", args=[token]))
    return ho, token, document


def test_sign_with_the_emailed_code(client, signing):
    ho, token, document = signing
    response = client.post(
        reverse("exchange:external_sign", args=[token, document.pk]), {"code": last_code(ho)}
    )
    assert response.status_code == 302
    assert document.signatures.get().external_party == ho
    page = client.get(reverse("exchange:external_home", args=[token])).content.decode()
    assert "You signed this version." in page


def test_wrong_code_is_refused_on_the_page(client, signing):
    ho, token, document = signing
    wrong = f"{(int(last_code(ho)) + 1) % 10**6:06d}"
    response = client.post(
        reverse("exchange:external_sign", args=[token, document.pk]), {"code": wrong}
    )
    assert response.status_code == 200
    assert "The code is not correct (4 attempts left)." in response.content.decode()
    assert not document.signatures.exists()


def test_link_page_says_why_it_cannot_sign_once_the_stay_started(client, signing):
    from exchange.models import ExchangePlan

    ho, token, document = signing
    url = reverse("exchange:external_home", args=[token])
    page = client.get(url).content.decode()
    assert reverse("exchange:external_sign", args=[token, document.pk]) in page
    ExchangePlan.objects.filter(exchange=document.exchange).update(start_date=timezone.localdate())
    page = client.get(url).content.decode()
    assert "The documents can be signed only before the stay starts." in page
    assert reverse("exchange:external_sign", args=[token, document.pk]) not in page
    response = client.post(
        reverse("exchange:external_sign", args=[token, document.pk]), {"code": last_code(ho)}
    )
    assert response.status_code == 200
    assert "only before the stay starts" in response.content.decode()
    assert not document.signatures.exists()


def test_a_link_cannot_sign_a_document_of_another_exchange(client, world, signing):
    ho, token, _document = signing
    other = matched_exchange(world, visitor_org=f.OrganisationFactory(country="ES"))
    lifecycle.plan_update(exchange=other.exchange, data=PLAN, by=other.visitor)
    document_b = lifecycle.document_generate(
        exchange=other.exchange, kind=K.COMMITMENT, by=other.visitor
    )
    response = client.post(
        reverse("exchange:external_sign", args=[token, document_b.pk]), {"code": last_code(ho)}
    )
    assert response.status_code == 404
    assert not document_b.signatures.exists()


@pytest.mark.parametrize("n", [1, 8])
def test_proposal_page_query_budget(client, world, django_assert_max_num_queries, n):
    for _ in range(n):
        accepted_visitor(world, org=f.OrganisationFactory(country="ES"))
    client.force_login(world.manager_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("exchange:external_host_new"))
    assert response.content.decode().count('<option value="') >= n


def test_manager_records_a_visitor_of_another_partnership(client, world):
    from exchange.models import Application
    from tests.exchange.factories import ApplicationFactory

    host_app = ApplicationFactory(
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        role=Application.Role.HOST,
        status=Application.Status.ACCEPTED,
        call=accepted_visitor(world).call,
    )
    data = {"application": host_app.pk, "org_type": "sme", "latitude": "", "longitude": ""}
    data.update({f"visitor_{k}": v for k, v in {**HOST, "country": "PT"}.items()})
    data.update({f"vop_{k}": v for k, v in HOP.items() if k != "partnership_name"})
    client.force_login(world.manager_a)  # not the host's cluster: its host is not offered
    assert client.post(reverse("exchange:external_visitor_new"), data).status_code == 200
    assert not Exchange.objects.exists()
    client.force_login(world.manager_b)
    response = client.post(reverse("exchange:external_visitor_new"), data)
    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert (exchange.host_application, exchange.visitor_cluster) == (host_app, None)
    assert set(exchange.external_parties.values_list("role", flat=True)) == {"vo", "vop"}
    detail = client.get(reverse("exchange:exchange_detail", args=[exchange.pk]))
    assert detail.status_code == 200
    assert "Textiles Gamma SRL" in detail.content.decode()


def test_coordinator_sees_an_external_visitors_exchange_another_partnership_does_not(client, world):
    from exchange.models import Application
    from tests.exchange.factories import ApplicationFactory

    host_app = ApplicationFactory(
        organisation=world.org_b,
        managing_cluster=world.cluster_b,
        role=Application.Role.HOST,
        status=Application.Status.ACCEPTED,
        call=accepted_visitor(world).call,
    )
    exchange = external.external_visitor_propose(
        host=host_app,
        visitor={**HOST, "country": "PT"},
        vop=HOP,
        org_type="sme",
        by=world.manager_b,
    )
    url = reverse("exchange:exchange_detail", args=[exchange.pk])
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 200
    other = f.CoordinatorFactory(partnership=f.PartnershipFactory(acronym="OTHER")).user
    client.force_login(other)
    assert client.get(url).status_code == 404
