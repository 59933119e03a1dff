"""The cluster profile in the fields of the European Cluster Collaboration Platform (ECCP),
and what is missing before a manager registers it there."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import Cluster

# The ECCP's conditions for a cluster profile (its registration guidance): at least 15
# committed members, members of at least two kinds (the triple helix: companies, research,
# public bodies …), a management team of at least 0.5 FTE, a website in English.
MIN_MEMBERS = 15
MIN_MEMBER_TYPES = 2
MIN_STAFF_FTE = Decimal("0.5")

FIELDS = [
    "name",
    "acronym",
    "legal_status",
    "year_founded",
    "country",
    "nuts2_region",
    "nuts2_code",
    "city",
    "website",
    "website_en",
    "description",
    "staff_fte",
    "members_sme",
    "members_large",
    "members_research",
    "members_public",
    "members_other",
    "members_total",
    "sectors",
    "technologies",
    "keywords",
    "value_chains",
    "services",
    "label",
    "label_valid_until",
    "eccp_url",
]


def profile(cluster: Cluster) -> dict:
    """One flat record (lists joined by "; " in CSV); sectors are prefetched by the caller."""
    return {
        "name": cluster.name,
        "acronym": cluster.acronym,
        "legal_status": cluster.legal_status,
        "year_founded": cluster.year_founded,
        "country": cluster.country.code,
        "nuts2_region": cluster.nuts2_region,
        "nuts2_code": cluster.nuts2_code,
        "city": cluster.city,
        "website": cluster.website,
        "website_en": cluster.website_en,
        "description": cluster.description,
        "staff_fte": str(cluster.staff_fte) if cluster.staff_fte is not None else None,
        "members_sme": cluster.members_sme,
        "members_large": cluster.members_large,
        "members_research": cluster.members_research,
        "members_public": cluster.members_public,
        "members_other": cluster.members_other,
        "members_total": cluster.members_total,
        "sectors": [f"{s.code} {s.name}" for s in cluster.sectors.all()],
        "technologies": Cluster.lines(cluster.technologies),
        "keywords": Cluster.lines(cluster.keywords),
        "value_chains": Cluster.lines(cluster.value_chains),
        "services": Cluster.lines(cluster.services),
        "label": cluster.label,
        "label_valid_until": (
            cluster.label_valid_until.isoformat() if cluster.label_valid_until else None
        ),
        "eccp_url": cluster.eccp_url,
    }


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str


def readiness(cluster: Cluster) -> list[Check]:
    """The ECCP's conditions, each with what the profile says."""
    types = sum(
        1
        for n in (
            cluster.members_sme,
            cluster.members_large,
            cluster.members_research,
            cluster.members_public,
            cluster.members_other,
        )
        if n
    )
    fte = cluster.staff_fte
    return [
        Check(
            _("At least %(n)s committed members") % {"n": MIN_MEMBERS},
            cluster.members_total >= MIN_MEMBERS,
            _("%(n)s members in the profile") % {"n": cluster.members_total},
        ),
        Check(
            _("Members of at least two kinds (triple helix)"),
            types >= MIN_MEMBER_TYPES,
            _("%(n)s kinds of members") % {"n": types},
        ),
        Check(
            _("A management team of at least 0.5 FTE"),
            fte is not None and fte >= MIN_STAFF_FTE,
            _("%(fte)s FTE") % {"fte": fte if fte is not None else "–"},
        ),
        Check(
            _("A website in English"),
            bool(cluster.website_en),
            cluster.website_en or _("no English website given"),
        ),
    ]
