"""The spreadsheet writers every export shares (clamtex/core/exports.py)."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from clamtex.core.exports import guard_row, safe_cell, write_xlsx


def _read(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _write(header, rows) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows)
    return buffer.getvalue()


def test_cells_keep_their_type():
    madrid = ZoneInfo("Europe/Madrid")
    rows = [
        [
            "Tèxtils Sabadell SL",
            12,
            Decimal("1100.50"),
            2.5,
            True,
            datetime.date(2026, 3, 9),
            datetime.datetime(2026, 3, 9, 14, 30, tzinfo=madrid),
            None,
            "",
        ]
    ]
    header = ["name", "n", "amount", "ratio", "sme", "day", "at", "none", "empty"]
    read = _read(_write(header, rows))
    assert read[0] == tuple(header)
    name, n, amount, ratio, sme, day, at, none, empty = read[1]
    assert (name, n, amount, ratio, sme) == ("Tèxtils Sabadell SL", 12, 1100.5, 2.5, True)
    assert day == datetime.datetime(2026, 3, 9)
    # An aware time is written in the portal's time zone (settings.TIME_ZONE), as shown on
    # the pages; spreadsheets have no time zones.
    assert at.replace(second=0) == datetime.datetime(2026, 3, 9, 14, 30)
    assert none is None and empty is None


def test_text_is_never_a_formula_a_link_or_a_number():
    rows = [['=HYPERLINK("http://evil")', "https://aei.example/", "00123", "+34 600 000 000"]]
    read = _read(_write(["a", "b", "c", "d"], rows))
    assert read[1] == (
        '\'=HYPERLINK("http://evil")',
        "https://aei.example/",
        "00123",
        "'+34 600 000 000",
    )


def test_rows_are_counted_and_the_header_guarded():
    buffer = io.BytesIO()
    assert write_xlsx(buffer, ["=sum"], ([i] for i in range(3))) == 3
    assert _read(buffer.getvalue()) == [("'=sum",), (0,), (1,), (2,)]


def test_control_characters_do_not_break_the_export():
    # openpyxl refused them (IllegalCharacterError: a 500 on the export); they are written
    # escaped as the format says (_x001F_), which spreadsheet programs show as the character.
    read = _read(_write(["c"], [["bell\x07 unit\x1f"]]))
    assert read[1] == ("bell_x0007_ unit_x001F_",)


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n=+-@ "), max_size=40
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=5))
def test_any_text_comes_back_as_the_guarded_text(cells):
    read = _read(_write(["c"] * len(cells), [cells]))
    row = read[1] if len(read) > 1 else (None,) * len(cells)  # an empty row is not stored
    assert row == tuple(safe_cell(c) or None for c in cells)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.none()
        | st.integers()
        | st.text(max_size=6)
        | st.text(alphabet="=+-@ \t\r\n\u00a0\u3000\u2028a1", max_size=6),
        max_size=6,
    )
)
def test_guard_row_is_safe_cell_on_every_text(row):
    guarded = guard_row(row)
    assert guarded == [v if v is None else safe_cell(v) for v in row]


def test_guard_row_guards_text_subclasses():
    from django.utils.safestring import mark_safe

    assert guard_row([mark_safe("=1+1")]) == ["'=1+1"]
