"""The columns of the member directory export, which are also the import format, so an
export can be edited and imported again."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet

from .models import Contact, Membership, Organisation

COLUMNS = [
    "legal_name",
    "vat_number",
    "org_type",
    "country",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "website",
    "employees",
    "turnover_eur",
    "balance_sheet_eur",
    "sectors",
    "capabilities",
    "certifications",
    "membership_status",
    "membership_start",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_language",
    "clusters",
    "is_sme",
]

CHUNK = 2000


def organisation_rows(queryset: QuerySet[Organisation], *, cluster_ids=None) -> Iterator[list]:
    """One row per organisation; reads the database in chunks."""
    memberships = Membership.objects.select_related("cluster").order_by("cluster__acronym")
    qs = queryset.order_by("legal_name", "pk").prefetch_related(
        Prefetch("memberships", queryset=memberships),
        "sectors",
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "full_name")),
    )
    for org in qs.iterator(chunk_size=CHUNK):
        ms = list(org.memberships.all())
        own = [m for m in ms if cluster_ids is None or m.cluster_id in cluster_ids]
        first = own[0] if own else (ms[0] if ms else None)
        contacts = list(org.contacts.all())
        contact = contacts[0] if contacts else None
        yield [
            org.legal_name,
            org.vat_number,
            org.org_type,
            org.country.code,
            org.address,
            org.postcode,
            org.city,
            org.latitude,
            org.longitude,
            org.website,
            org.employees,
            org.turnover_eur,
            org.balance_sheet_eur,
            ";".join(s.code for s in org.sectors.all()),
            org.capabilities,
            org.certifications,
            first.status if first else "",
            first.start_date.isoformat() if first else "",
            contact.full_name if contact else "",
            contact.email if contact else "",
            contact.phone if contact else "",
            contact.language if contact else "",
            ";".join(m.cluster.acronym for m in ms),
            {True: "yes", False: "no", None: ""}[org.is_sme],
        ]
