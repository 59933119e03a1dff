"""The ClusterXchange lump sum, computed step by step from programme data.

Lump sum = the host country's cap, never above the ceiling; halved once when the stay has
fewer working days at the host than the threshold or the organisations are closer than
the distance threshold. Working days exclude weekends and the host country's public
holidays; travel days are not part of the stay given here."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import holidays
from django.utils.translation import gettext as _

from .matching import distance_km
from .models import EligibleCountry, Programme


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


def _holiday_language(country: str) -> str | None:
    """The current language among those the holidays library has for this country."""
    from django.utils import translation

    language = (translation.get_language() or "en").split("-")[0]
    try:
        supported = holidays.country_holidays(country).supported_languages
    except NotImplementedError:
        return None
    for candidate in (
        language,
        f"{language}_{language.upper()}",
        "en_US" if language == "en" else "",
    ):
        if candidate in supported:
            return candidate
    return None


def public_holidays(country: str, start: date, end: date) -> dict[date, str]:
    """The host country's public holidays in the period, named in the current language."""
    try:
        table = holidays.country_holidays(
            country,
            years=range(start.year, end.year + 1),
            language=_holiday_language(country),
        )
    except NotImplementedError:
        return {}
    return {day: name for day, name in table.items() if start <= day <= end}


def working_days(country: str, start: date, end: date) -> tuple[int, dict[date, str]]:
    off = public_holidays(country, start, end)
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
    *, programme: Programme, visitor_org, host_org, start: date, end: date
) -> GrantComputation:
    host_country = host_org.country.code
    calendar_days = (end - start).days + 1
    days, holidays_on_weekdays = working_days(host_country, start, end)
    km = distance_km(visitor_org, host_org)
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
    if calendar_days > programme.max_days:
        result.errors.append(_("A stay lasts at most %(max)d days.") % {"max": programme.max_days})
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
    if km is None:
        result.steps.append(
            _("Distance unknown (coordinates missing): the distance rule is not applied.")
        )
    else:
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
