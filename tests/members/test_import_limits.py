"""The member import reads XLSX in read-only mode and stops at the row limit: a small file
declaring millions of empty rows is refused in well under a second, not walked."""

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from members import imports


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def _with_empty_rows(content: bytes, count: int) -> bytes:
    """Appends `count` empty <row/> elements after the data, as the reviewer's 322 KB file
    did with 3 million of them."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # Rows without their optional `r` attribute compress to almost nothing.
                empty = b"<row><c/><c/></row>" * count
                data = data.replace(b"</sheetData>", empty + b"</sheetData>")
                # … and the sheet's dimension says so, as Excel writes it.
                data = re.sub(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="A1:B{count + 2}"'.encode(), data
                )
            target.writestr(item, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def three_million_empty_rows() -> bytes:
    return _with_empty_rows(_xlsx([["legal_name", "country"], ["Tèxtil S.L.", "ES"]]), 3_000_000)


def test_three_million_empty_rows_are_not_walked(three_million_empty_rows):
    assert len(three_million_empty_rows) < 1024 * 1024  # small on disk
    started = time.perf_counter()
    with pytest.raises(imports.ImportError_, match="empty lines at the end"):
        imports.read_rows("members.xlsx", three_million_empty_rows)
    elapsed = time.perf_counter() - started
    assert elapsed < 2, elapsed


def test_blank_lines_within_the_margin_are_skipped(settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 5
    content = _with_empty_rows(_xlsx([["legal_name", "country"], ["A S.L.", "ES"]]), 500)
    header, rows = imports.read_rows("members.xlsx", content)
    assert header == ["legal_name", "country"] and len(rows) == 1


def test_rows_over_the_limit_are_refused(settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 5
    content = _xlsx([["legal_name", "country"]] + [[f"Org {i}", "ES"] for i in range(6)])
    with pytest.raises(imports.ImportError_, match="more than 5 rows"):
        imports.read_rows("members.xlsx", content)
    ok = _xlsx([["legal_name", "country"]] + [[f"Org {i}", "ES"] for i in range(5)])
    assert len(imports.read_rows("members.xlsx", ok)[1]) == 5
