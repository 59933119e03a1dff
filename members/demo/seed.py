"""Seeds the CLAMTEX demo. Idempotent: every object is looked up by a natural key first."""

import random
from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from members.models import (
    Cluster,
    ClusterManager,
    Contact,
    Membership,
    Organisation,
    Partnership,
    PartnershipCoordinator,
    Representative,
    Sector,
    User,
)

from . import data

DEMO_PASSWORD = "clamtex-demo"
ORGS_PER_CLUSTER = 20

SECTOR_POOLS = {
    "aei": ["C13", "C13.96", "C13.95", "C13.3", "C14.1", "C20"],
    "ateval": ["C13", "C13.92", "C13.2", "C13.91", "C14.1", "C14.3"],
    "produtech": ["C28", "C26", "C27", "J62", "C33", "C25"],
    "citeve": ["C13", "C14", "C14.3", "C13.3", "C13.91", "C15.2"],
    "emc2": ["C25", "C24", "C22", "C30.3", "C29", "M71"],
}


def seed_sectors() -> dict[str, Sector]:
    sectors: dict[str, Sector] = {}
    for code, name, parent in data.SECTORS:
        sector, _ = Sector.objects.update_or_create(
            code=code, defaults={"name": name, "parent": sectors.get(parent)}
        )
        sectors[code] = sector
    return sectors


def seed_partnership(sectors) -> tuple[Partnership, dict[str, Cluster]]:
    values = dict(data.PARTNERSHIP)
    today = timezone.localdate()
    values.update(start_date=data.programme_start(today), end_date=data.programme_end(today))
    partnership, _ = Partnership.objects.update_or_create(
        acronym=values.pop("acronym"), defaults=values
    )
    clusters = {}
    for spec in data.CLUSTERS:
        sme, large, research, public, other = spec["counts"]
        cluster, _ = Cluster.objects.update_or_create(
            partnership=partnership,
            acronym=spec["acronym"],
            defaults={
                "name": spec["name"],
                "is_coordinator": spec.get("is_coordinator", False),
                "legal_status": spec["legal_status"],
                "year_founded": spec["year_founded"],
                "country": spec["country"],
                "nuts2_region": spec["nuts2_region"],
                "nuts2_code": spec["nuts2_code"],
                "city": spec["city"],
                "website": spec["website"],
                "description": spec["description"],
                "staff_fte": Decimal(spec["staff_fte"]),
                "members_sme": sme,
                "members_large": large,
                "members_research": research,
                "members_public": public,
                "members_other": other,
                "technologies": spec["technologies"],
                "keywords": spec["keywords"],
                "value_chains": spec["value_chains"],
                "services": spec["services"],
                "label": spec["label"],
                "label_valid_until": data.current_label_dates(spec["key"], today)[2],
                "eccp_url": "https://clustercollaboration.eu/cluster-organisations",
            },
        )
        cluster.sectors.set([sectors[c] for c in spec["sectors"]])
        clusters[spec["key"]] = cluster
    return partnership, clusters


def _org_type(rng: random.Random, index: int) -> str:
    if index % 10 == 9:
        return rng.choice([Organisation.Type.RTO, Organisation.Type.UNIVERSITY])
    if index % 10 == 8:
        return Organisation.Type.LARGE
    if index % 10 == 7:
        return Organisation.Type.STARTUP
    return Organisation.Type.SME


def seed_members(clusters, sectors) -> dict[str, list[Organisation]]:
    by_cluster = {}
    for spec in data.CLUSTERS:
        cluster = clusters[spec["key"]]
        country = spec["country"]
        rng = random.Random(f"clamtex-{spec['key']}")
        first, second, forms = data.NAME_PARTS[spec["key"]]
        orgs = []
        for i in range(ORGS_PER_CLUSTER):
            name = f"{first[i % 10]} {second[(i * 3 + i // 10) % 10]} {forms[i % 3]}"
            vat_prefix = {"ES": "B", "PT": "5", "FR": "FR"}[country]
            vat = f"{vat_prefix}{rng.randrange(10**7, 10**8)}"
            org_type = _org_type(rng, i)
            employees = {
                Organisation.Type.LARGE: rng.randint(260, 1800),
                Organisation.Type.STARTUP: rng.randint(2, 15),
            }.get(org_type, rng.randint(8, 220))
            turnover = Decimal(employees * rng.randint(60, 180) * 1000)
            city, lat, lon = spec["cities"][i % len(spec["cities"])]
            org, _ = Organisation.objects.update_or_create(
                legal_name=name,
                country=country,
                defaults={
                    "vat_number": vat,
                    "org_type": org_type,
                    "city": city,
                    "address": f"{rng.choice(['Carrer', 'Rua', 'Rue', 'Avinguda'])} {rng.randint(1, 200)}",
                    "postcode": str(rng.randint(10000, 49999)),
                    "latitude": Decimal(str(round(lat + rng.uniform(-0.05, 0.05), 6))),
                    "longitude": Decimal(str(round(lon + rng.uniform(-0.05, 0.05), 6))),
                    "employees": employees,
                    "turnover_eur": turnover,
                    "balance_sheet_eur": (turnover * Decimal("0.7")).quantize(Decimal("1")),
                    "capabilities": data.CAPABILITIES[
                        (i + len(spec["key"])) % len(data.CAPABILITIES)
                    ],
                    "certifications": ", ".join(rng.sample(data.CERTIFICATIONS, 2)),
                    "website": f"https://www.example-{spec['key']}-{i + 1}.eu",
                    "description": "",
                },
            )
            pool = SECTOR_POOLS[spec["key"]]
            org.sectors.set([sectors[c] for c in rng.sample(pool, 2)])
            Membership.objects.get_or_create(
                organisation=org,
                cluster=cluster,
                defaults={
                    "status": Membership.Status.ACTIVE
                    if i % 12 != 11
                    else Membership.Status.PENDING,
                    "start_date": date(2010 + (i % 12), 1 + i % 12, 1),
                },
            )
            firsts, lasts = data.FIRST_NAMES[country], data.LAST_NAMES[country]
            person = f"{firsts[i % 10]} {lasts[(i * 7) % 10]}"
            Contact.objects.update_or_create(
                organisation=org,
                email=f"contact{i + 1}@example-{spec['key']}-{i + 1}.eu",
                defaults={
                    "full_name": person,
                    "job_title": rng.choice(
                        ["CEO", "R&D manager", "Export manager", "Quality manager"]
                    ),
                    "phone": f"+{ {'ES': 34, 'PT': 351, 'FR': 33}[country] } {rng.randint(600000000, 699999999)}",
                    "language": spec["language"],
                    "is_primary": True,
                    "consent_given": i % 5 != 4,
                },
            )
            orgs.append(org)
        by_cluster[spec["key"]] = orgs
    # One organisation belongs to two clusters: a Portuguese textile SME, also in PRODUTECH.
    Membership.objects.get_or_create(
        organisation=by_cluster["citeve"][0],
        cluster=clusters["produtech"],
        defaults={"status": Membership.Status.ACTIVE, "start_date": date(2019, 5, 1)},
    )
    return by_cluster


def _account(email: str, name: str, language: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email)
    user.full_name = name
    user.language = language
    user.is_staff = superuser
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def seed_accounts(partnership, clusters, members) -> list[tuple[str, str]]:
    accounts = []
    _account("admin@clamtex.example", "Portal Administrator", "en", superuser=True)
    accounts.append(("admin@clamtex.example", "administrator"))
    coordinator = _account("coordinator@clamtex.example", "Núria Coordinadora", "ca")
    PartnershipCoordinator.objects.get_or_create(user=coordinator, partnership=partnership)
    accounts.append(("coordinator@clamtex.example", "partnership coordinator (AEI TÈXTILS)"))
    managers = {
        "aei": ("Marc Gestor", "ca"),
        "ateval": ("Elena Gestora", "es"),
        "produtech": ("Tiago Gestor", "pt"),
        "citeve": ("Helena Gestora", "pt"),
        "emc2": ("Camille Gestionnaire", "fr"),
    }
    for key, (name, language) in managers.items():
        user = _account(f"manager.{key}@clamtex.example", name, language)
        ClusterManager.objects.get_or_create(user=user, cluster=clusters[key])
        accounts.append((user.email, f"cluster manager, {clusters[key].acronym}"))
    for key in ("aei", "ateval", "produtech", "citeve", "emc2"):
        org = members[key][0]
        language = next(c["language"] for c in data.CLUSTERS if c["key"] == key)
        user = _account(
            f"sme.{key}@clamtex.example", f"Representative of {org.legal_name}", language
        )
        Representative.objects.get_or_create(user=user, organisation=org)
        accounts.append((user.email, f"SME representative, {org.legal_name}"))
    return accounts


@transaction.atomic
def seed_members_demo(*, with_accounts: bool = True) -> dict:
    """The members part of the demo: sectors, the partnership, its clusters, member
    organisations and (with_accounts) the demo accounts. The feature apps' demos are added
    by clamtex.core.demo, so that members imports no feature app."""
    sectors = seed_sectors()
    partnership, clusters = seed_partnership(sectors)
    members = seed_members(clusters, sectors)
    accounts = seed_accounts(partnership, clusters, members) if with_accounts else []
    return {
        "partnership": partnership,
        "clusters": clusters,
        "members": members,
        "accounts": accounts,
    }
