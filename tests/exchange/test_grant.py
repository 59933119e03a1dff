"""The lump-sum table: CLAMTEX's published figures, the ceiling, distance and holidays."""

from datetime import date
from decimal import Decimal

import pytest

from exchange.models import EligibleCountry, Programme
from exchange.placements import grant
from tests import factories as f

pytestmark = pytest.mark.django_db

TERRASSA = {"country": "ES", "latitude": "41.563", "longitude": "2.009"}
PORTO = {"country": "PT", "latitude": "41.158", "longitude": "-8.629"}
NANTES = {"country": "FR", "latitude": "47.218", "longitude": "-1.554"}
PERPIGNAN = {"country": "FR", "latitude": "42.698", "longitude": "2.895"}  # ~150 km from Terrassa
COPENHAGEN = {"country": "DK", "latitude": "55.676", "longitude": "12.568"}


@pytest.fixture
def programme(world):
    return Programme.objects.create(partnership=world.partnership)


def _compute(programme, visitor, host, start, end):
    return grant.compute(
        programme=programme,
        visitor_org=f.OrganisationFactory(**visitor),
        host_org=f.OrganisationFactory(**host),
        start=start,
        end=end,
    )


@pytest.mark.parametrize(
    "visitor, host, start, end, amount, days",
    [
        (
            TERRASSA,
            PORTO,
            date(2026, 3, 9),
            date(2026, 3, 13),
            "780.00",
            5,
        ),  # CLAMTEX: 5 days in Portugal
        (TERRASSA, PORTO, date(2026, 3, 9), date(2026, 3, 11), "390.00", 3),  # CLAMTEX: 3 days
        (PORTO, NANTES, date(2026, 3, 9), date(2026, 3, 13), "900.00", 5),
        (TERRASSA, PERPIGNAN, date(2026, 3, 9), date(2026, 3, 13), "450.00", 5),  # < 200 km: halved
        (TERRASSA, PERPIGNAN, date(2026, 3, 9), date(2026, 3, 11), "450.00", 3),  # halved once only
        (TERRASSA, COPENHAGEN, date(2026, 3, 9), date(2026, 3, 13), "1100.00", 5),
        (
            TERRASSA,
            PORTO,
            date(2026, 3, 13),
            date(2026, 3, 18),
            "390.00",  # Friday to Wednesday: the weekend is excluded, 4 working days
            4,
        ),
    ],
)
def test_grant_table(programme, visitor, host, start, end, amount, days):
    result = _compute(programme, visitor, host, start, end)
    assert result.errors == []
    assert result.working_days == days
    assert result.amount == Decimal(amount)
    assert result.steps[-1].endswith(f"€{Decimal(amount):,.2f}.")


def test_ceiling_applies(programme):
    EligibleCountry.objects.filter(country="DK").update(host_cap=Decimal("1500"))
    result = _compute(programme, TERRASSA, COPENHAGEN, date(2026, 3, 9), date(2026, 3, 13))
    assert result.amount == Decimal("1100.00")
    assert any("ceiling" in step for step in result.steps)


def test_public_holidays_of_the_host_country_do_not_count(programme):
    # 25 April is a public holiday in Portugal (Freedom Day); 2025-04-25 is a Friday.
    result = _compute(programme, TERRASSA, PORTO, date(2025, 4, 21), date(2025, 4, 25))
    assert result.working_days == 4
    assert result.amount == Decimal("390.00")
    assert any("Freedom" in step or "Liberdade" in step for step in result.steps)


def test_too_short_and_too_long_stays(programme):
    short = _compute(programme, TERRASSA, PORTO, date(2026, 3, 9), date(2026, 3, 10))
    assert short.amount is None and any("At least 3" in e for e in short.errors)
    long = _compute(programme, TERRASSA, PORTO, date(2026, 3, 1), date(2026, 4, 15))
    assert long.amount is None and any("at most 1 calendar month" in e for e in long.errors)


def test_one_month_is_a_calendar_month(programme):
    # 2 Feb – 4 Mar is 31 days (passed when a month was counted as 31 days) but more than
    # one calendar month; 2 Feb – 1 Mar is exactly one.
    over = _compute(programme, TERRASSA, PORTO, date(2026, 2, 2), date(2026, 3, 4))
    assert over.amount is None
    assert any("the last day can be 2026-03-01" in e for e in over.errors)
    exact = _compute(programme, TERRASSA, PORTO, date(2026, 2, 2), date(2026, 3, 1))
    assert exact.amount == Decimal("780.00")


def test_unknown_distance_means_no_grant(programme):
    # Before, missing coordinates skipped the 200 km rule and gave the full amount.
    result = _compute(
        programme, {"country": "ES"}, {"country": "FR"}, date(2026, 3, 9), date(2026, 3, 13)
    )
    assert result.amount is None
    assert any("distance is unknown" in e for e in result.errors)


def test_regional_holidays_of_the_host_region_do_not_count(programme):
    # 11 September 2026 (Friday) is Catalonia's national day, not a Spanish holiday.
    host = {"country": "ES", "latitude": "41.39", "longitude": "2.17"}
    visitor = {"country": "FR", "latitude": "47.218", "longitude": "-1.554"}
    args = {
        "programme": programme,
        "visitor_org": f.OrganisationFactory(**visitor),
        "host_org": f.OrganisationFactory(**host),
        "start": date(2026, 9, 7),
        "end": date(2026, 9, 11),
    }
    assert grant.compute(**args).working_days == 5
    catalonia = grant.compute(**args, subdiv="CT")
    assert catalonia.working_days == 4
    assert any("Catalonia" in step for step in catalonia.steps)
    assert "CT" in grant.subdivisions("ES") and "13" in grant.subdivisions("PT")


def test_holiday_names_in_the_readers_language(programme):
    from django.utils import translation

    with translation.override("pt"):
        result = _compute(programme, TERRASSA, PORTO, date(2025, 4, 21), date(2025, 4, 25))
    assert any("Dia da Liberdade" in step for step in result.steps)
    with translation.override("en"):
        result = _compute(programme, TERRASSA, PORTO, date(2025, 4, 21), date(2025, 4, 25))
    assert any("Freedom Day" in step for step in result.steps)


def test_country_without_cap_cannot_be_costed(programme):
    EligibleCountry.objects.filter(country="PL").update(host_cap=None)
    result = _compute(
        programme,
        TERRASSA,
        {"country": "PL", "latitude": "52.2", "longitude": "21.0"},
        date(2026, 3, 9),
        date(2026, 3, 13),
    )
    assert result.amount is None
    assert any("administrator must set it" in e for e in result.errors)


def test_thresholds_are_programme_data(programme):
    programme.halving_working_days = 3
    programme.save()
    result = _compute(programme, TERRASSA, PORTO, date(2026, 3, 9), date(2026, 3, 11))
    assert result.amount == Decimal("780.00")


def test_every_eligible_country_has_a_cap_and_a_call_cannot_open_otherwise(world):
    from django.core.exceptions import ValidationError

    from exchange.models import Call
    from exchange.programme_data import countries_without_cap

    assert EligibleCountry.objects.count() == 38
    assert countries_without_cap() == []
    call = Call(
        partnership=world.partnership,
        name="C",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 2, 1),
    )
    call.full_clean()
    EligibleCountry.objects.filter(country__in=["AT", "NL"]).update(host_cap=None)
    assert countries_without_cap() == ["AT", "NL"]
    with pytest.raises(ValidationError, match="AT, NL"):
        call.full_clean()


def test_final_grant_never_above_the_signed_amount(programme):
    visitor = f.OrganisationFactory(**TERRASSA)
    host = f.OrganisationFactory(**NANTES)
    result = grant.final(
        programme=programme,
        visitor_org=visitor,
        host_org=host,
        start=date(2031, 3, 10),
        end=date(2031, 3, 14),
        signed_amount=Decimal("450.00"),
    )
    assert result.amount == Decimal("450.00")
    assert any("Limited to the signed amount" in step for step in result.steps)
    shorter = grant.final(
        programme=programme,
        visitor_org=visitor,
        host_org=host,
        start=date(2031, 3, 10),
        end=date(2031, 3, 12),
        signed_amount=Decimal("900.00"),
    )
    assert shorter.amount == Decimal("450.00")
