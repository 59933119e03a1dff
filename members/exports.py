"""The columns of the member directory export, which are also the import format, so an
export can be edited and imported again."""

import datetime
from collections.abc import Iterator
from types import SimpleNamespace

from django.db import connection
from django.db.models import QuerySet

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
    """One row per organisation, in the order of the name. Plain value rows, no model
    instances, memory flat whatever the number of rows: on PostgreSQL one query streamed
    from a server-side cursor; elsewhere chunks of CHUNK organisations with three more
    queries each."""
    if connection.vendor == "postgresql":
        rows = _postgresql_rows(queryset)
    else:
        rows = _chunked_rows(queryset)
    for (_org_id, legal_name, vat, org_type, country, address, postcode, city, lat, lon,
         website, employees, turnover, balance, capabilities, certifications,
         ms, sectors, contact) in rows:  # fmt: skip
        own = [m for m in ms if cluster_ids is None or m[0] in cluster_ids]
        first = own[0] if own else (ms[0] if ms else None)
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
            ";".join(sectors),
            capabilities,
            certifications,
            first[2] if first else "",
            first[3].isoformat() if first else "",
            *contact,
            ";".join(m[1] for m in ms),
            _SME[_is_sme(figures)],
        ]


_NO_CONTACT = ("", "", "", "")


def _postgresql_rows(queryset: QuerySet[Organisation]) -> Iterator[tuple]:
    """The organisations in scope with their memberships, sectors and first contact
    aggregated by PostgreSQL: three grouped scans restricted to the scope (a hash join
    over the whole tables for a landscape's directory, index lookups for one cluster's
    members) instead of 150 round trips of 2,000 ids for 100,000 organisations."""
    scope_sql, params = queryset.order_by().values("id").query.get_compiler(queryset.db).as_sql()
    org = Organisation._meta.db_table
    membership = Membership._meta.db_table
    cluster = Membership._meta.get_field("cluster").related_model._meta.db_table
    sectors = Organisation.sectors.through._meta.db_table
    sector = Organisation.sectors.field.related_model._meta.db_table
    contact = Contact._meta.db_table
    columns = ", ".join(f"o.{Organisation._meta.get_field(f).column}" for f in _ORG_FIELDS)
    sql = f"""
        WITH scope AS MATERIALIZED ({scope_sql})
        SELECT {columns}, m.ms, s.codes, c.full_name, c.email, c.phone, c.language
        FROM {org} o
        JOIN scope ON scope.id = o.id
        LEFT JOIN (
            SELECT mm.organisation_id,
                   array_agg(ARRAY[mm.cluster_id::text, cl.acronym, mm.status,
                                   mm.start_date::text] ORDER BY cl.acronym, mm.id) AS ms
            FROM {membership} mm JOIN {cluster} cl ON cl.id = mm.cluster_id
            WHERE mm.organisation_id IN (SELECT id FROM scope)
            GROUP BY mm.organisation_id
        ) m ON m.organisation_id = o.id
        LEFT JOIN (
            SELECT os.organisation_id, array_agg(se.code ORDER BY se.code) AS codes
            FROM {sectors} os JOIN {sector} se ON se.id = os.sector_id
            WHERE os.organisation_id IN (SELECT id FROM scope)
            GROUP BY os.organisation_id
        ) s ON s.organisation_id = o.id
        LEFT JOIN (
            SELECT DISTINCT ON (ct.organisation_id)
                   ct.organisation_id, ct.full_name, ct.email, ct.phone, ct.language
            FROM {contact} ct
            WHERE ct.organisation_id IN (SELECT id FROM scope)
            ORDER BY ct.organisation_id, ct.is_primary DESC, ct.full_name, ct.id
        ) c ON c.organisation_id = o.id
        ORDER BY o.legal_name, o.id
    """  # noqa: S608 (table and column names from the models; values are parameters)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK):
            for *fields, ms, codes, name, email, phone, language in batch:
                memberships = [
                    (int(cid), acronym, status, datetime.date.fromisoformat(start))
                    for cid, acronym, status, start in ms or ()
                ]
                yield (
                    *fields,
                    memberships,
                    codes or (),
                    _NO_CONTACT if email is None else (name, email, phone, language),
                )


def _chunked_rows(queryset: QuerySet[Organisation]) -> Iterator[tuple]:
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
        for org_id, *fields in chunk:
            yield (
                org_id,
                *fields,
                memberships.get(org_id, []),
                sectors.get(org_id, ()),
                contacts.get(org_id, _NO_CONTACT),
            )
