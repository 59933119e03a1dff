"""Issue 12 pages: the outcome page (did not take place / cut short), bank details,
the location correction, and the programme page listing missing caps."""

import pytest
from django.urls import reverse

from exchange.models import BankDetails, EligibleCountry, Exchange
from exchange.placements import services as lifecycle
from notifications.models import Email
from tests import factories as f

from .lifecycle_factories import IBAN, PLAN, START, advance, matched_exchange

pytestmark = pytest.mark.django_db

X = Exchange.Status


@pytest.fixture
def parties(world):
    return matched_exchange(world)


@pytest.fixture
def manager_c(world):
    cluster_c = f.ClusterFactory(partnership=world.partnership, acronym="CITEVE", country="PT")
    return f.ClusterManagerFactory(cluster=cluster_c, user__email="manager.c@example.org").user


def _url(name, *args):
    return reverse(f"exchange:{name}", args=args)


def _html(response):
    return response.content.decode()


@pytest.mark.parametrize("n", [1, 6])
def test_outcome_page_shows_the_host_statement_within_a_query_budget(
    client, parties, django_assert_max_num_queries, n
):
    advance(parties, X.ONGOING)
    for i in range(n):
        lifecycle.host_confirm(
            exchange=parties.exchange,
            took_place=False,
            feedback=f"Nobody came ({i})",
            by=parties.host,
        )
    client.force_login(parties.vop)
    with django_assert_max_num_queries(12):
        response = client.get(_url("exchange_outcome", parties.exchange.pk))
    assert response.status_code == 200
    html = _html(response)
    assert "The host reported that the visit did not take place." in html
    assert f"Nobody came ({n - 1})" in html
    detail = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert _url("exchange_outcome", parties.exchange.pk) in detail


def test_outcome_is_refused_to_everyone_but_the_visitors_cluster(client, world, parties, manager_c):
    advance(parties, X.ONGOING)
    url = _url("exchange_outcome", parties.exchange.pk)
    data = {"outcome": "not_happened", "reason": "Hijack"}
    for user, status in ((parties.hop, 403), (parties.visitor, 403), (manager_c, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, data).status_code == status
    assert Exchange.objects.get(pk=parties.exchange.pk).status == X.ONGOING
    client.force_login(parties.vop)
    response = client.post(url, {"outcome": "not_happened", "reason": "The host says so"})
    assert response.status_code == 302
    exchange = Exchange.objects.get(pk=parties.exchange.pk)
    assert exchange.status == X.NOT_HAPPENED
    assert Email.objects.filter(kind="exchange.outcome").count() >= 4
    detail = _html(client.get(_url("exchange_detail", exchange.pk)))
    assert "Did not take place" in detail and "The host says so" in detail


def test_cut_short_needs_the_last_day_on_the_page(client, parties):
    advance(parties, X.ONGOING)
    client.force_login(parties.vop)
    response = client.post(
        _url("exchange_outcome", parties.exchange.pk), {"outcome": "cut_short", "reason": "Ill"}
    )
    assert response.status_code == 200
    assert "Give the last day actually spent at the host" in _html(response)


def test_bank_details_are_validated_and_shown_masked(client, parties, manager_c):
    advance(parties, X.COMPLETED)
    url = _url("exchange_bank", parties.exchange.pk)
    client.force_login(parties.visitor)
    bad = client.post(url, {"account_holder": "Alfa", "iban": "ES00 0000", "bic": ""})
    assert bad.status_code == 200 and "This IBAN is not valid." in _html(bad)
    ok = client.post(url, {"account_holder": "Alfa", "iban": IBAN, "bic": ""})
    assert ok.status_code == 302
    page = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert "DE89 •••• 3000" in page and "DE89370400440532013000" not in page
    # the host and another cluster's manager cannot set them
    client.force_login(parties.host)
    assert client.post(url, {"account_holder": "X", "iban": IBAN}).status_code in (302, 403)
    client.force_login(manager_c)
    assert client.post(url, {"account_holder": "X", "iban": IBAN}).status_code == 404
    assert BankDetails.objects.get().account_holder == "Alfa"


def test_managers_correct_a_location_on_the_page(client, parties, manager_c):
    lifecycle.plan_update(exchange=parties.exchange, data=PLAN, by=parties.visitor)
    url = _url("exchange_location", parties.exchange.pk)
    data = {"side": "host", "city": "Perpignan", "latitude": "42.698", "longitude": "2.895"}
    client.force_login(manager_c)
    assert client.post(url, data).status_code == 404
    client.force_login(parties.hop)
    assert client.post(url, data).status_code == 302
    page = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert "€450.00" in page and "Perpignan" in page


def test_programme_page_lists_missing_caps_and_no_call_opens(client, world):
    from tests.exchange.factories import CallFactory

    CallFactory(partnership=world.partnership, name="Spring call")
    page = _html(client.get(_url("landing")))
    assert "Spring call" in page and 'id="missing-caps"' not in page
    EligibleCountry.objects.filter(country__in=["AT", "SE"]).update(host_cap=None)
    page = _html(client.get(_url("landing")))
    assert 'id="missing-caps"' in page and "AT, SE" in page
    assert "Spring call" not in page


def test_the_plan_page_offers_the_host_region(client, parties):
    client.force_login(parties.visitor)
    page = _html(client.get(_url("exchange_detail", parties.exchange.pk)))
    assert 'name="host_subdivision"' in page
    response = client.post(
        _url("exchange_plan", parties.exchange.pk),
        {
            "start_date": START.isoformat(),
            "end_date": PLAN["end_date"].isoformat(),
            "objectives": "x",
            "agenda": "Day 1",
            "host_subdivision": "NOPE",
        },
    )
    assert response.status_code == 200
