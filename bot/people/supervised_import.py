"""`antt-bot supervised import FILE`: people put on team registers from a CSV or XLSX list.

The columns are found by their Vietnamese (or English) headers, with or without diacritics:
"Thôn/Tổ" (the team: a path or unique name), "Mã" (the code), "Họ tên" (optional), "Từ ngày"
(optional, default today) and "Số ngày thăm" (optional, the person's own rhythm). Every row
is checked as /quanly checks one; one bad row and nothing is imported, with every problem
listed by line so the file is fixed once.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.clock import iso
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.parsing import fold
from bot.core.typed_dates import FORMS, read_day
from bot.people import supervised as register
from bot.people.supervised import Editor, RegisterRefused
from bot.units import lookup
from bot.units.orgimport.model import OrgImportError
from bot.units.orgimport.read import Table, read_table
from storage.db import Store

HEADER_SEARCH = 5  # a title block may sit above the header row
SHOWN = 20  # problems listed at most
COLUMNS: dict[str, tuple[str, ...]] = {
    "unit": ("thon/to", "thon", "to", "thon/to dan pho", "don vi", "unit", "team"),
    "code": ("ma", "ma so", "code"),
    "name": ("ho ten", "ho va ten", "name", "full name"),
    "since": ("tu ngay", "ngay bat dau", "since"),
    "every": ("so ngay tham", "chu ky tham", "every"),
}


class RegisterImportError(Exception):
    """The file cannot be imported; the message lists every problem by line."""


def _header(cells: list[str]) -> dict[str, int] | None:
    """The columns a row names, when it names at least the team and the code."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = " ".join(fold(cell).replace(" / ", "/").split())
        for key, names in COLUMNS.items():
            if name in names and key not in found:
                found[key] = index
    return found if {"unit", "code"} <= found.keys() else None


def _split(path: Path, rows: Table) -> tuple[dict[str, int], Table]:
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        header = _header(cells)
        if header is not None:
            return header, rows[index + 1 :]
    raise RegisterImportError(
        f"{path.name}: no header row naming the columns 'Thôn/Tổ' and 'Mã'"
        " (also read: 'Họ tên', 'Từ ngày', 'Số ngày thăm')"
    )


def _cell(cells: list[str], header: dict[str, int], key: str) -> str:
    index = header.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


async def import_file(db: Store, config: Config, path: Path, editor: Editor, now: datetime) -> int:
    """Add every row's person to their team's register in one transaction; the number
    added, or `RegisterImportError` (nothing saved)."""
    try:
        rows = read_table(path, config.org_import)
    except OrgImportError as err:
        raise RegisterImportError(str(err)) from err
    header, body = _split(path, rows)
    if not body:
        raise RegisterImportError(f"{path.name}: nobody is listed below the header row")
    texts, today, problems, added = Texts.load(), now.date(), [], 0
    async with db.transaction() as tx:
        for line, cells in body:
            where = f"{path.name}, line {line}"
            typed_unit = _cell(cells, header, "unit")
            found = await lookup.find_unit(tx, typed_unit, None, teams_only=True)
            if not isinstance(found, lookup.Found):
                problems.append(f"{where}: no single team {typed_unit!r}; give its path")
                continue
            since_text, every_text = _cell(cells, header, "since"), _cell(cells, header, "every")
            since = read_day(since_text, today) if since_text else today
            if since is None:
                problems.append(f"{where}: not a date: {since_text!r} (use e.g. {FORMS})")
                continue
            if every_text and not (every_text.isdigit() and 1 <= int(every_text) <= 366):
                problems.append(f"{where}: 'Số ngày thăm' must be days from 1 to 366")
                continue
            try:
                await register.add(
                    tx,
                    editor,
                    iso(now),
                    found.unit,
                    _cell(cells, header, "code"),
                    _cell(cells, header, "name") or None,
                    since,
                    today,
                    int(every_text) if every_text else None,
                )
            except RegisterRefused as refused:
                text = texts.t("en", refused.key, **refused.params).lstrip("⚠️ ").strip()
                problems.append(f"{where}: {text}")
                continue
            added += 1
        if problems:
            more = len(problems) - SHOWN
            listed = problems[:SHOWN] + ([f"... and {more} more"] if more > 0 else [])
            raise RegisterImportError("\n".join(listed))
    return added
