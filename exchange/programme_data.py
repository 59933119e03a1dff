"""Default ClusterXchange programme data (editable by administrators afterwards): the
COSME eligible countries (2018 list) and, as lump-sum caps per host country, the
Erasmus for Young Entrepreneurs monthly amounts, which match CLAMTEX's published figures.

Every eligible country has a cap (a call cannot open otherwise, see Call.clean). The 13
first figures are CLAMTEX's published ones; the others are the Erasmus for Young
Entrepreneurs monthly financial support per host country (erasmus-entrepreneurs.eu,
"How much financial support"), which the ClusterXchange scheme follows — an administrator
should check them against the current table and may edit them (admin: eligible countries)."""

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
    # CLAMTEX's published figures
    "ES": 830, "PT": 780, "FR": 900, "IT": 900, "DE": 830, "BE": 830, "CZ": 610, "SK": 610,
    "TR": 750, "DK": 1100, "AL": 530, "MD": 530, "UA": 530,
    # Erasmus for Young Entrepreneurs monthly amounts (source named in the docstring)
    "AT": 1000, "BG": 560, "HR": 720, "CY": 830, "EE": 610, "FI": 1000, "GR": 780,
    "HU": 610, "IE": 1100, "LV": 610, "LT": 610, "LU": 830, "MT": 780, "NL": 900,
    "PL": 610, "RO": 560, "SI": 720, "SE": 1000, "IS": 1100, "BA": 530, "XK": 530,
    "ME": 560, "MK": 530, "RS": 560, "AM": 530,
}  # fmt: skip


def countries_without_cap(EligibleCountry=None) -> list[str]:
    """The eligible countries an exchange could not be costed in (no cap yet)."""
    if EligibleCountry is None:
        from .models import EligibleCountry
    return sorted(
        str(code)
        for code in EligibleCountry.objects.filter(host_cap__isnull=True).values_list(
            "country", flat=True
        )
    )


def fill_missing_caps(EligibleCountry) -> int:
    """Sets the default cap where none is set (never overwrites an administrator's)."""
    filled = 0
    for code, cap in CAPS.items():
        filled += EligibleCountry.objects.filter(country=code, host_cap__isnull=True).update(
            host_cap=Decimal(cap)
        )
    return filled


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
