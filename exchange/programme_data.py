"""Default ClusterXchange programme data (editable by administrators afterwards): the
COSME eligible countries (2018 list) and, as lump-sum caps per host country, the
Erasmus for Young Entrepreneurs monthly amounts, which match CLAMTEX's published figures.
Other countries have no cap until an administrator sets one."""

from decimal import Decimal

EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
THIRD = ["IS", "AL", "BA", "XK", "ME", "MK", "RS", "TR", "AM", "MD", "UA"]
CAPS = {
    "ES": 830, "PT": 780, "FR": 900, "IT": 900, "DE": 830, "BE": 830, "CZ": 610, "SK": 610,
    "TR": 750, "DK": 1100, "AL": 530, "MD": 530, "UA": 530,
}  # fmt: skip


def seed_eligible_countries(EligibleCountry) -> int:
    """Creates the missing rows; never overwrites a cap an administrator changed."""
    created = 0
    for group, codes in (("eu", EU), ("third", THIRD)):
        for code in codes:
            cap = CAPS.get(code)
            _row, made = EligibleCountry.objects.get_or_create(
                country=code,
                defaults={"group": group, "host_cap": Decimal(cap) if cap is not None else None},
            )
            created += made
    return created
