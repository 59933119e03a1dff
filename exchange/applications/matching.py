"""Catalogue reads and match suggestions with their reasons."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from members.roles import scope_of

from ..models import Application
from . import permissions

WORD = re.compile(r"[\w-]{4,}", re.UNICODE)
STOP = {
    "with",
    "that",
    "this",
    "from",
    "have",
    "their",
    "para",
    "pour",
    "avec",
    "como",
    "dans",
    "sobre",
    "about",
    "into",
}


def distance_km(a, b) -> float | None:
    """Great-circle distance between two organisations' coordinates."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@dataclass
class Suggestion:
    counterpart: Application
    score: float
    reasons: list[str] = field(default_factory=list)


def catalogue(user, partnership_id: int, *, role: str | None = None) -> QuerySet[Application]:
    """Accepted applications of the partnership that agreed to appear in the catalogue."""
    if not permissions.can_use_catalogue(user, partnership_id):
        return Application.objects.none()
    qs = (
        Application.objects.filter(
            status=Application.Status.ACCEPTED,
            consent_catalogue=True,
            call__partnership_id=partnership_id,
        )
        .select_related("organisation", "managing_cluster", "applicant")
        .prefetch_related("sectors")
    )
    if role == "visitor":
        qs = qs.filter(role__in=[Application.Role.VISITOR, Application.Role.BOTH])
    elif role == "host":
        qs = qs.filter(role__in=[Application.Role.HOST, Application.Role.BOTH])
    return qs


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text or "")} - STOP


def score(visitor: Application, host: Application) -> Suggestion:
    """Explains why a host suits a visitor (or the reverse)."""
    result = Suggestion(counterpart=host, score=0.0)
    v_sectors = {s.code for s in visitor.sectors.all()}
    h_sectors = {s.code for s in host.sectors.all()}
    shared = sorted(v_sectors & h_sectors)
    if shared:
        result.score += 3 * len(shared)
        result.reasons.append(_("Shared sectors: %s") % ", ".join(shared))
    common = _words(visitor.objectives) & _words(host.objectives + " " + host.motivation)
    if common:
        result.score += min(len(common), 5)
        result.reasons.append(_("Matching objectives: %s") % ", ".join(sorted(common)[:5]))
    activities = set(visitor.activity_types) & set(host.activity_types)
    if activities:
        result.score += len(activities)
        result.reasons.append(_("Same activity types: %s") % ", ".join(sorted(activities)))
    host_country = host.organisation.country.code if host.organisation else None
    if host_country and host_country in (visitor.preferred_countries or []):
        result.score += 3
        result.reasons.append(_("Preferred host country: %s") % host.organisation.country.name)
    if (
        visitor.available_from
        and visitor.available_until
        and host.available_from
        and host.available_until
    ):
        start = max(visitor.available_from, host.available_from)
        end = min(visitor.available_until, host.available_until)
        if start <= end:
            result.score += 2
            result.reasons.append(
                _("Both available from %(start)s to %(end)s") % {"start": start, "end": end}
            )
        else:
            result.score -= 3
            result.reasons.append(_("Availability does not overlap"))
    km = (
        distance_km(visitor.organisation, host.organisation)
        if visitor.organisation and host.organisation
        else None
    )
    if km is not None:
        result.reasons.append(_("%(km)d km apart") % {"km": round(km)})
    return result


def suggestions(user, application: Application, *, limit: int = 10) -> list[Suggestion]:
    """The best counterparts for an accepted application, ranked, with the reasons."""
    org = application.organisation
    partnership_id = application.call.partnership_id
    found: list[Suggestion] = []
    if application.wants_to_visit:
        for host in catalogue(user, partnership_id, role="host").exclude(organisation=org):
            if host.organisation.country == org.country:
                continue
            found.append(score(application, host))
    if application.wants_to_host:
        for visitor in catalogue(user, partnership_id, role="visitor").exclude(organisation=org):
            if visitor.organisation.country == org.country:
                continue
            suggestion = score(visitor, application)
            suggestion.counterpart = visitor
            found.append(suggestion)
    found.sort(key=lambda s: (-s.score, s.counterpart.pk))
    return found[:limit]


def can_propose(user, visitor: Application, host: Application) -> str | None:
    """Which side the user proposes for: their own application's side, or 'visitor' for a
    manager of the visitor's cluster / 'host' for a manager of the host's cluster."""
    uid = getattr(user, "pk", None)
    if visitor.applicant_id == uid:
        return "visitor"
    if host.applicant_id == uid:
        return "host"
    scope = scope_of(user)
    if scope.is_admin or visitor.managing_cluster_id in scope.managed_cluster_ids:
        return "visitor"
    if host.managing_cluster_id in scope.managed_cluster_ids:
        return "host"
    return None


def can_respond(user, proposal) -> bool:
    """The side that did not propose answers: its applicant or its cluster's managers."""
    other = proposal.host if proposal.proposer_side == "visitor" else proposal.visitor
    scope = scope_of(user)
    return (
        scope.is_admin
        or other.applicant_id == getattr(user, "pk", None)
        or (other.managing_cluster_id in scope.managed_cluster_ids)
    )


__all__ = [
    "Prefetch",
    "catalogue",
    "suggestions",
    "score",
    "distance_km",
    "can_propose",
    "can_respond",
]
