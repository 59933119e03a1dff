"""The columns of the member directory export, which are also the import format, so an
export can be edited and imported again."""

from collections.abc import Iterator
from types import SimpleNamespace

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

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

# The organisation's own columns, exported and imported alike (members/imports.py).
ORG_FIELDS = [
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
    "capabilities",
    "certifications",
]
_ORG_FIELDS = ["id", *ORG_FIELDS]
_is_sme = Organisation.is_sme.fget  # the EU rule, on anything with the three figures
_SME = {True: "yes", False: "no", None: ""}


def _of(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """The rows of these organisations. On PostgreSQL the ids go as one array parameter
    (``organisation_id = ANY(%s)``): Django prepares each of the 2,000 values of an
    ``__in`` list on its own, which cost more than the query."""
    if connection.vendor == "postgresql":
        column = f'"{queryset.model._meta.db_table}"."organisation_id"'
        return queryset.filter(RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField()))
    return queryset.filter(organisation_id__in=ids)


def _chunks(queryset: QuerySet[Organisation]) -> Iterator[list[tuple]]:
    rows = queryset.order_by("legal_name", "pk").values_list(*_ORG_FIELDS)
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def organisation_rows(queryset: QuerySet[Organisation], *, cluster_ids=None) -> Iterator[list]:
    """One row per organisation. Plain value rows, read in chunks of CHUNK organisations
    with three more queries per chunk (memberships, sectors, contacts): no model
    instances and no prefetch machinery, so memory stays flat and 100,000 rows take
    seconds."""
    for chunk in _chunks(queryset):
        ids = [row[0] for row in chunk]
        memberships: dict[int, list[tuple]] = {}
        for org_id, cluster_id, acronym, status, start in (
            _of(Membership.objects.all(), ids)
            .order_by("cluster__acronym", "pk")
            .values_list(
                "organisation_id", "cluster_id", "cluster__acronym", "status", "start_date"
            )
        ):
            memberships.setdefault(org_id, []).append((cluster_id, acronym, status, start))
        sectors: dict[int, list[str]] = {}
        for org_id, code in (
            _of(Organisation.sectors.through.objects.all(), ids)
            .order_by("sector__code")
            .values_list("organisation_id", "sector__code")
        ):
            sectors.setdefault(org_id, []).append(code)
        contacts: dict[int, tuple] = {}
        for org_id, *contact in (
            _of(Contact.objects.all(), ids)
            .order_by("organisation_id", "-is_primary", "full_name", "pk")
            .values_list("organisation_id", "full_name", "email", "phone", "language")
        ):
            contacts.setdefault(org_id, tuple(contact))
        for row in chunk:
            (org_id, legal_name, vat, org_type, country, address, postcode, city, lat, lon,
             website, employees, turnover, balance, capabilities, certifications) = row  # fmt: skip
            ms = memberships.get(org_id, [])
            own = [m for m in ms if cluster_ids is None or m[0] in cluster_ids]
            first = own[0] if own else (ms[0] if ms else None)
            contact = contacts.get(org_id, ("", "", "", ""))
            figures = SimpleNamespace(
                employees=employees, turnover_eur=turnover, balance_sheet_eur=balance
            )
            yield [
                legal_name,
                vat,
                org_type,
                country,
                address,
                postcode,
                city,
                lat,
                lon,
                website,
                employees,
                turnover,
                balance,
                ";".join(sectors.get(org_id, [])),
                capabilities,
                certifications,
                first[2] if first else "",
                first[3].isoformat() if first else "",
                *contact,
                ";".join(m[1] for m in ms),
                _SME[_is_sme(figures)],
            ]
