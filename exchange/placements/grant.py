"""The ClusterXchange lump sum, computed step by step from programme data.

Lump sum = the host country's cap, never above the ceiling; halved once when the stay has
fewer working days at the host than the threshold or the organisations are closer than
the distance threshold. Working days exclude weekends and the host country's public
holidays, national and of the host's region; travel days are not part of the stay given
here. A stay lasts at most the programme's number of calendar months (2 Feb – 1 Mar is
one month, 2 Feb – 4 Mar is not). Without both organisations' coordinates the distance
is unknown and the grant cannot be computed (never the full amount by default)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import holidays
from dateutil.relativedelta import relativedelta
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..applications.matching import distance_km
from ..models import EligibleCountry, Programme


@dataclass
class GrantComputation:
    amount: Decimal | None
    working_days: int
    calendar_days: int
    distance_km: float | None
    steps: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.amount is not None and not self.errors


def _holiday_language(country: str, language: str | None) -> str | None:
    """The reader's language if the package has the names in it (else its default)."""
    language = (language or get_language() or "").replace("-", "_")
    try:
        supported = holidays.country_holidays(country).supported_languages
    except NotImplementedError:
        return None
    for candidate in supported:
        if candidate == language or candidate.split("_")[0] == language.split("_")[0]:
            return candidate
    return None


def subdivisions(country: str) -> list[str]:
    """The region codes the holidays package knows for a country (ISO 3166-2 suffixes)."""
    try:
        return list(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return []


def public_holidays(
    country: str, start: date, end: date, *, subdiv: str = "", language: str | None = None
) -> dict[date, str]:
    kwargs = {"years": range(start.year, end.year + 1)}
    if subdiv and subdiv in subdivisions(country):
        kwargs["subdiv"] = subdiv
    lang = _holiday_language(country, language)
    if lang:
        kwargs["language"] = lang
    try:
        table = holidays.country_holidays(country, **kwargs)
    except NotImplementedError:
        return {}
    return {day: name for day, name in table.items() if start <= day <= end}


def last_allowed_day(start: date, months: int) -> date:
    """The last day of a stay of at most `months` calendar months from `start`."""
    return start + relativedelta(months=months) - timedelta(days=1)


def working_days(
    country: str, start: date, end: date, *, subdiv: str = "", language: str | None = None
) -> tuple[int, dict[date, str]]:
    off = public_holidays(country, start, end, subdiv=subdiv, language=language)
    count = 0
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in off:
            count += 1
        day += timedelta(days=1)
    return count, {d: n for d, n in off.items() if d.weekday() < 5}


def _money(value: Decimal) -> str:
    return f"€{value:,.2f}"


def compute(
    *,
    programme: Programme,
    visitor_org,
    host_org,
    start: date,
    end: date,
    subdiv: str = "",
    travelled_km: int | None = None,
    language: str | None = None,
) -> GrantComputation:
    """`travelled_km`: the actual distance reported after the stay when it differs from
    the distance between the organisations (then it is the one the halving rule uses)."""
    host_country = host_org.country.code
    calendar_days = (end - start).days + 1
    days, holidays_on_weekdays = working_days(
        host_country, start, end, subdiv=subdiv, language=language
    )
    km = distance_km(visitor_org, host_org)
    if travelled_km is not None:
        km = float(travelled_km)
    result = GrantComputation(
        amount=None, working_days=days, calendar_days=calendar_days, distance_km=km
    )
    if end < start:
        result.errors.append(_("The stay ends before it starts."))
        return result
    result.steps.append(
        _("Stay at the host: %(start)s to %(end)s, %(days)d calendar days.")
        % {"start": start, "end": end, "days": calendar_days}
    )
    if holidays_on_weekdays:
        names = ", ".join(f"{d:%d %b} ({n})" for d, n in sorted(holidays_on_weekdays.items()))
        result.steps.append(
            _("Public holidays in %(country)s not counted: %(names)s.")
            % {"country": host_org.country.name, "names": names}
        )
    result.steps.append(
        _("Working days at the host (weekends and public holidays excluded): %(days)d.")
        % {"days": days}
    )
    if days < programme.min_working_days:
        result.errors.append(
            _("At least %(min)d full working days at the host are required.")
            % {"min": programme.min_working_days}
        )
    if end > last_allowed_day(start, programme.max_months):
        result.errors.append(
            _("A stay lasts at most %(n)d calendar month(s): the last day can be %(last)s.")
            % {"n": programme.max_months, "last": last_allowed_day(start, programme.max_months)}
        )
    if km is None:
        result.errors.append(
            _(
                "The distance is unknown: the grant cannot be computed until both organisations have a location (city and country, or coordinates)."
            )
        )
    row = EligibleCountry.objects.filter(country=host_country).first()
    if row is None or row.host_cap is None:
        result.errors.append(
            _(
                "No lump-sum cap is set for %(country)s yet: an administrator must set it before this exchange can be costed."
            )
            % {"country": host_org.country.name}
        )
        return result
    amount = min(row.host_cap, programme.grant_ceiling)
    result.steps.append(
        _("Cap for a stay in %(country)s: %(cap)s.")
        % {"country": host_org.country.name, "cap": _money(row.host_cap)}
    )
    if row.host_cap > programme.grant_ceiling:
        result.steps.append(
            _("Limited to the ceiling of %(ceiling)s.")
            % {"ceiling": _money(programme.grant_ceiling)}
        )
    reasons = []
    if days < programme.halving_working_days:
        reasons.append(_("fewer than %(n)d working days") % {"n": programme.halving_working_days})
    if km is not None and km < programme.halving_distance_km:
        reasons.append(
            _("%(km)d km apart, less than %(min)d km")
            % {"km": round(km), "min": programme.halving_distance_km}
        )
    if km is not None and travelled_km is not None:
        result.steps.append(_("Distance actually travelled: %(km)d km.") % {"km": round(km)})
    elif km is not None:
        result.steps.append(_("Distance between the organisations: %(km)d km.") % {"km": round(km)})
    if reasons:
        amount = (amount / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        result.steps.append(
            _("Halved once (%(why)s): %(amount)s.")
            % {"why": "; ".join(reasons), "amount": _money(amount)}
        )
    result.steps.append(_("Lump sum: %(amount)s.") % {"amount": _money(amount)})
    if not result.errors:
        result.amount = amount
    return result


def final(
    *,
    programme: Programme,
    visitor_org,
    host_org,
    start: date,
    end: date,
    signed_amount: Decimal,
    subdiv: str = "",
    travelled_km: int | None = None,
) -> GrantComputation:
    """The grant of what actually happened: computed again from the actual dates (and
    distance), never above the amount of the signed financial agreement. A stay that no
    longer meets the minimum is worth nothing."""
    result = compute(
        programme=programme,
        visitor_org=visitor_org,
        host_org=host_org,
        start=start,
        end=end,
        subdiv=subdiv,
        travelled_km=travelled_km,
    )
    if result.amount is None:
        result.steps.extend(result.errors)
        result.steps.append(_("Final grant: %(amount)s.") % {"amount": _money(Decimal("0"))})
        result.errors = []
        result.amount = Decimal("0.00")
        return result
    if result.amount > signed_amount:
        result.steps.append(
            _("Limited to the signed amount of %(amount)s.") % {"amount": _money(signed_amount)}
        )
        result.amount = signed_amount
    result.steps.append(_("Final grant: %(amount)s.") % {"amount": _money(result.amount)})
    return result
