"""Reading a tally workbook's sheets back in tests: the table under the title block."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from bot.tally.render.sheet import HEADER_ROW


def headers(ws: Worksheet) -> list[Any]:
    """The table's header row (under the title block)."""
    return [c.value for c in ws[HEADER_ROW]]


def lines(ws: Worksheet) -> list[tuple[Any, ...]]:
    """The table's rows, from under the header to the blank row before the signature."""
    found = []
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
        if not row or all(v is None for v in row):
            break
        found.append(row)
    return found


def records(ws: Worksheet) -> list[dict[str, Any]]:
    """The table's rows as dicts by header."""
    names = headers(ws)
    return [dict(zip(names, row, strict=False)) for row in lines(ws)]


def note(ws: Worksheet) -> str:
    """The sheet's own note (a cut list, how ✓/✗ count), the row over the header."""
    return str(ws.cell(HEADER_ROW - 1, 1).value or "")
