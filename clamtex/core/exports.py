"""Streamed spreadsheet exports: rows come from an iterator, never a list in memory."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

_FORMULA = frozenset("=+-@")
_CONTROL = frozenset("\t\r\n")


def safe_cell(value):
    """Spreadsheet formula injection: a cell starting (after blanks) with = + - @ or a
    control character is read as text."""
    if value is None:
        return ""
    if isinstance(value, str) and value:
        first = value[0]
        # (lstrip only when the cell starts with a blank: the common case costs one test)
        if first in _CONTROL or (
            first in _FORMULA or (first.isspace() and value.lstrip()[:1] in _FORMULA)
        ):
            return "'" + value
    return value


# Rows are written to the response in blocks: one chunk of bytes per CSV_BLOCK rows rather
# than one per row (Django encodes and the server writes each chunk).
CSV_BLOCK = 500


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    def stream() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # BOM, so spreadsheet programs read UTF-8
        writer.writerow([safe_cell(h) for h in header])
        for n, row in enumerate(rows, 1):
            writer.writerow([safe_cell(v) for v in row])
            if n % CSV_BLOCK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, header: list[str], rows: Iterable[list]) -> FileResponse:
    """openpyxl's write-only mode writes rows straight to a temporary file on disk, which
    is then streamed: memory stays flat whatever the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("export")
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by FileResponse)
    workbook.save(tmp)
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
