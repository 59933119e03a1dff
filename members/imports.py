"""Import of member organisations from CSV or XLSX: parse, validate every row, and only
then write — all rows or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl import load_workbook

from . import permissions
from .exports import COLUMNS, ORG_FIELDS
from .models import Cluster, Contact, Membership, Organisation, Sector

REQUIRED_COLUMNS = {"legal_name", "country"}
# Blank lines tolerated in a spreadsheet beyond the row limit (spacing between blocks).
IMPORT_BLANK_LINES_MARGIN = 1000

# Uploaded files wait here (in the default storage) until the import is confirmed; the
# privacy retention rule deletes those never confirmed (PRIVACY_RETENTION_IMPORTS_DAYS).
IMPORT_DIR = "private/imports"


class ImportError_(Exception):
    """The file itself cannot be read (wrong format, no header, too many rows)."""


class RowForm(forms.Form):
    legal_name = forms.CharField(max_length=300, label=gettext_lazy("legal name"))
    vat_number = forms.CharField(max_length=40, required=False)
    org_type = forms.ChoiceField(choices=Organisation.Type.choices, required=False)
    country = forms.ChoiceField(choices=list(countries), label=gettext_lazy("country"))
    address = forms.CharField(max_length=300, required=False)
    postcode = forms.CharField(max_length=20, required=False)
    city = forms.CharField(max_length=120, required=False)
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False
    )
    website = forms.URLField(required=False, assume_scheme="https")
    employees = forms.IntegerField(min_value=0, required=False)
    turnover_eur = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    balance_sheet_eur = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False
    )
    sectors = forms.CharField(required=False)
    capabilities = forms.CharField(required=False)
    certifications = forms.CharField(max_length=500, required=False)
    membership_status = forms.ChoiceField(choices=Membership.Status.choices, required=False)
    membership_start = forms.DateField(required=False)
    contact_name = forms.CharField(max_length=200, required=False)
    contact_email = forms.EmailField(required=False)
    contact_phone = forms.CharField(max_length=40, required=False)
    contact_language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)

    def __init__(self, *args, sector_codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_codes = sector_codes or {}

    def clean_sectors(self):
        codes = [c.strip() for c in self.cleaned_data["sectors"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in self.sector_codes]
        if unknown:
            raise forms.ValidationError(_("Unknown sector code(s): %s") % ", ".join(unknown))
        return [self.sector_codes[c] for c in codes]

    def clean(self):
        data = super().clean()
        if data.get("contact_email") and not data.get("contact_name"):
            self.add_error("contact_name", _("A contact with an email needs a name."))
        return data


@dataclass
class RowResult:
    number: int  # line number as the user sees it in their spreadsheet
    values: dict
    errors: list[str] = field(default_factory=list)
    existing: Organisation | None = None


@dataclass
class Preview:
    rows: list[RowResult]
    unknown_columns: list[str]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _normalise(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "date") else value.isoformat()
    return str(value).strip()


def read_rows(name: str, content: bytes) -> tuple[list[str], list[dict]]:
    limit = settings.MEMBER_IMPORT_MAX_ROWS
    too_long = False
    if name.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise ImportError_(_("This is not a readable XLSX file.")) from exc
        sheet = workbook.worksheets[0]
        # Lines are read up to the limit (plus the header and a margin of blank lines),
        # never further: a sheet that declares millions of empty rows costs no more than
        # a full one. Anything on a later line makes the file "too long".
        max_line = limit + 1 + IMPORT_BLANK_LINES_MARGIN
        iterator = sheet.iter_rows(values_only=True, max_row=max_line + 1)
        header = [_normalise(h).lower() for h in next(iterator, [])]
        rows = []
        for line, values in enumerate(iterator, start=2):
            if line > max_line:
                too_long = True
                break
            if all(v in (None, "") for v in values):
                continue
            rows.append(dict(zip(header, (_normalise(v) for v in values), strict=False)))
            if len(rows) > limit:
                break
        workbook.close()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise ImportError_(_("The CSV file must be encoded in UTF-8.")) from exc
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        reader.fieldnames = header
        rows = []
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            rows.append({k: (v or "").strip() for k, v in row.items() if k})
            if len(rows) > limit:
                break
    if not header or not set(header) >= REQUIRED_COLUMNS:
        raise ImportError_(
            _("The first row must be a header with at least the columns: %s.")
            % ", ".join(sorted(REQUIRED_COLUMNS))
        )
    if too_long:
        raise ImportError_(
            _(
                "The sheet goes on beyond line %d (empty lines included): keep at most %d "
                "rows and delete the empty lines at the end."
            )
            % (limit + 1 + IMPORT_BLANK_LINES_MARGIN, limit)
        )
    if len(rows) > limit:
        raise ImportError_(_("The file has more than %d rows.") % limit)
    return header, rows


def import_preview(*, cluster: Cluster, name: str, content: bytes) -> Preview:
    header, raw_rows = read_rows(name, content)
    sector_codes = {s.code: s for s in Sector.objects.all()}
    results: list[RowResult] = []
    seen_vat: dict[tuple[str, str], int] = {}
    file_vats = {str(r.get("vat_number") or "").strip() for r in raw_rows} - {""}
    existing = {
        (o.country.code, o.vat_number.upper()): o
        for o in Organisation.objects.filter(
            vat_number__in=file_vats | {v.upper() for v in file_vats}
        ).prefetch_related("memberships")
    }
    for index, raw in enumerate(raw_rows, start=2):
        raw = {**raw, "country": raw.get("country", "").upper()}
        form = RowForm(data=raw, sector_codes=sector_codes)
        result = RowResult(number=index, values=raw)
        if not form.is_valid():
            for field_name, errors in form.errors.items():
                label = field_name if field_name != "__all__" else _("row")
                result.errors.extend(f"{label}: {e}" for e in errors)
        else:
            result.values = form.cleaned_data
            vat = form.cleaned_data["vat_number"].upper()
            if vat:
                key = (form.cleaned_data["country"], vat)
                if key in seen_vat:
                    result.errors.append(
                        _("vat_number: the same VAT number is already on line %d.") % seen_vat[key]
                    )
                seen_vat[key] = index
                match = existing.get(key)
                if match is not None:
                    if any(m.cluster_id == cluster.pk for m in match.memberships.all()):
                        result.existing = match
                    else:
                        result.errors.append(
                            _(
                                "vat_number: this organisation is already registered by another "
                                "cluster; ask an administrator to add the membership."
                            )
                        )
        results.append(result)
    unknown = [h for h in header if h not in COLUMNS]
    return Preview(rows=results, unknown_columns=unknown)


@transaction.atomic
def members_import(*, cluster: Cluster, preview: Preview, by) -> dict:
    """Creates or updates every row of a valid preview, in one transaction: either all
    rows are imported or none."""
    if not permissions.can_manage_cluster(by, cluster):
        raise PermissionDenied(_("You do not manage this cluster."))
    if not preview.is_valid:
        raise ValueError("members_import needs a preview without errors")
    created = updated = 0
    for row in preview.rows:
        data = row.values
        org = row.existing or Organisation()
        for name in ORG_FIELDS:
            value = data.get(name)
            if name == "org_type" and not value:
                value = org.org_type or Organisation.Type.SME
            setattr(org, name, "" if value is None and name not in _NULLABLE else value)
        org.full_clean()
        org.save()
        org.sectors.set(data["sectors"])
        membership, made = Membership.objects.get_or_create(
            organisation=org,
            cluster=cluster,
            defaults={
                "status": data.get("membership_status") or Membership.Status.ACTIVE,
                "start_date": data.get("membership_start") or timezone.localdate(),
            },
        )
        if not made and data.get("membership_status"):
            membership.status = data["membership_status"]
            if data.get("membership_start"):
                membership.start_date = data["membership_start"]
            membership.save(update_fields=["status", "start_date"])
        if data.get("contact_email"):
            Contact.objects.update_or_create(
                organisation=org,
                email=data["contact_email"].lower(),
                defaults={
                    "full_name": data["contact_name"],
                    "phone": data.get("contact_phone") or "",
                    "language": data.get("contact_language") or "en",
                },
            )
        if row.existing:
            updated += 1
        else:
            created += 1
    return {"created": created, "updated": updated}


_NULLABLE = {"latitude", "longitude", "employees", "turnover_eur", "balance_sheet_eur"}
