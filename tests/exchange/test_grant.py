"""The lump-sum table: CLAMTEX's published figures, the ceiling, distance and holidays."""

from datetime import date
from decimal import Decimal

import pytest

from exchange import grant
from exchange.models import EligibleCountry, Programme
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
    assert long.amount is None and any("at most 31" in e for e in long.errors)


def test_country_without_cap_cannot_be_costed(programme):
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
