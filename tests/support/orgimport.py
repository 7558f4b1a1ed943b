"""Helpers for org import tests: files on disk, the unit tree as rows, refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import Clock
from bot.core.config import OrgImportSection
from bot.units.orgimport import ImportObserver, OrgImportError, import_org
from storage.db import Database

PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
VILLAGE = f"{COMMUNE}/Thôn Nà Lẹng"
TEAM = f"{VILLAGE}/Tổ ANTT số 1"


def xlsx(
    tmp_path: Path,
    rows: list[list[Any]],
    cells: dict[tuple[int, int], Any] | None = None,
    name: str = "org.xlsx",
) -> Path:
    """A workbook whose first sheet holds `rows`, plus single `cells` at (row, column)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for (row_number, column), value in (cells or {}).items():
        sheet.cell(row=row_number, column=column, value=value)
    target = tmp_path / name
    workbook.save(target)
    return target


def write(tmp_path: Path, name: str, text: str, *, bom: bool = False) -> Path:
    target = tmp_path / name
    target.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return target


async def all_units(db: Database) -> list[tuple[str, str, str, int | None, str | None]]:
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT u.path, u.name, u.kind, u.households, p.path AS parent"
            " FROM units AS u LEFT JOIN units AS p ON p.id = u.parent_id ORDER BY u.path"
        )
    return [(r["path"], r["name"], r["kind"], r["households"], r["parent"]) for r in rows]


async def unit_rows(db: Database) -> list[tuple[Any, ...]]:
    """Every column of every unit, ids included: 'exactly as before' means this."""
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT * FROM units ORDER BY id")
    return [tuple(r) for r in rows]


async def import_error(
    db: Database,
    path: Path,
    clock: Clock,
    limits: OrgImportSection | None = None,
    observer: ImportObserver | None = None,
) -> OrgImportError:
    with pytest.raises(OrgImportError) as info:
        await import_org(db, path, clock, limits, observer)
    return info.value
