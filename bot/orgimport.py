"""Loading the unit tree from a spreadsheet, which is how a province hands us its organisation.

The file (CSV or XLSX) has a header row with at least `path` and `kind`, optionally
`households`. Every row is checked before anything is written, and the whole file is applied
in one transaction: a bad row means nothing from the file is saved. Re-importing the same file
changes nothing, so the import can be re-run safely after fixing a mistake.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock, iso
from storage import units
from storage.db import Database

REQUIRED_COLUMNS = ("path", "kind")
OPTIONAL_COLUMNS = ("households",)

_KIND_RE = re.compile(r"[a-z_]+")
_HOUSEHOLDS_RE = re.compile(r"[0-9]+")
_MAX_HOUSEHOLDS = 2**63 - 1


class OrgImportError(Exception):
    """The file cannot be imported; the message names the line and what is wrong.

    `line` is the 1-based line (or sheet row) number, with the header on line 1, or None when
    the problem concerns the whole file (unreadable, unsupported type).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class ImportResult:
    """How many units the import created, updated and left as they were."""

    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class _UnitRow:
    line: int
    path: str
    kind: str
    households: int | None


async def import_org(db: Database, path: Path, clock: Clock) -> ImportResult:
    """Create or update units from a CSV or XLSX file, all or nothing.

    Raises OrgImportError naming the file line and the problem for any bad row, a missing
    header column, a parent that is neither in the file nor in the database, or an unsupported
    file type. A blank `households` cell clears the stored value; when the file has no
    `households` column at all, stored values are kept.
    """
    path = Path(path)
    table = await asyncio.to_thread(_read_table, path)
    rows, has_households = _parse(path, table)
    now_iso = iso(clock.now())
    created = updated = unchanged = 0
    async with db.transaction() as tx:
        listed = {row.path for row in rows}
        for row in rows:
            parent = units.parent_path(row.path)
            if parent is None or parent in listed:
                continue
            if await units.get_by_path(tx, parent) is None:
                raise _error(
                    path,
                    row.line,
                    f"parent unit {parent!r} of {row.path!r} is missing; add a row for it"
                    " or import it first",
                )
        # Parents before children, whatever order the file lists them in.
        for row in sorted(rows, key=lambda r: (r.path.count(units.SEPARATOR), r.line)):
            existing = await units.get_by_path(tx, row.path)
            households = row.households
            if not has_households and existing is not None:
                households = existing["households"]
            try:
                _, changed = await units.upsert(tx, row.path, row.kind, households, now_iso)
            except LookupError as exc:  # pragma: no cover - ruled out by the check above
                raise _error(path, row.line, str(exc)) from exc
            if existing is None:
                created += 1
            elif changed:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _error(path: Path, line: int | None, problem: str) -> OrgImportError:
    where = f"{path.name}, line {line}" if line is not None else path.name
    return OrgImportError(f"{where}: {problem}", line)


def _read_table(path: Path) -> list[tuple[int, list[str]]]:
    """Every non-blank row of the file as (line number, cells as stripped text)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _read_csv(path)
    elif suffix == ".xlsx":
        raw = _read_xlsx(path)
    else:
        raise _error(
            path, None, f"unsupported file type {path.suffix or '(none)'!r}; use .csv or .xlsx"
        )
    table: list[tuple[int, list[str]]] = []
    for line, cells in raw:
        stripped = [unicodedata.normalize("NFC", cell).strip() for cell in cells]
        if any(stripped):
            table.append((line, stripped))
    return table


def _read_csv(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise _error(path, None, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise _error(path, None, "file is not UTF-8 text; save it as 'CSV UTF-8'") from exc
    except OSError as exc:
        raise _error(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _error(path, start, f"malformed CSV: {exc}") from exc
    return rows


def _sniff_delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more (Excel in vi-VN writes ';')."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _read_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    import openpyxl  # imported lazily: only XLSX imports pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise _error(path, None, "file not found") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _error(path, None, f"not a readable XLSX workbook: {exc}") from exc
    try:
        if not workbook.worksheets:
            raise _error(path, None, "the workbook has no sheets")
        sheet = workbook.worksheets[0]
        return [
            (line, [_cell_text(value) for value in values])
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns[name]
    return cells[index] if index < len(cells) else ""


def _parse(path: Path, table: list[tuple[int, list[str]]]) -> tuple[list[_UnitRow], bool]:
    """Check the header and every row; returns the rows and whether `households` was given."""
    if not table:
        raise _error(path, None, "the file is empty; expected a header row with path, kind")
    header_line, header = table[0]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.lower()
        if key in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            if key in columns:
                raise _error(path, header_line, f"column {key!r} appears twice in the header")
            columns[key] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(repr(name) for name in header if name) or "nothing"
        raise _error(
            path,
            header_line,
            f"header is missing column(s) {', '.join(missing)}; expected path, kind"
            f" and optionally households (found {found})",
        )
    has_households = "households" in columns

    rows: list[_UnitRow] = []
    seen: dict[str, int] = {}
    for line, cells in table[1:]:
        raw_path = _cell(cells, columns, "path")
        if not raw_path:
            raise _error(path, line, "path is empty")
        try:
            unit_path = units.normalize_path(raw_path)
        except ValueError as exc:
            raise _error(path, line, str(exc)) from exc
        if unit_path in seen:
            raise _error(
                path, line, f"unit {unit_path!r} is already listed on line {seen[unit_path]}"
            )
        seen[unit_path] = line

        raw_kind = _cell(cells, columns, "kind")
        kind = raw_kind.lower()
        if not kind:
            raise _error(path, line, f"kind is empty for {unit_path!r}")
        if not _KIND_RE.fullmatch(kind):
            raise _error(
                path,
                line,
                f"kind {raw_kind!r} is not valid; use lower-case letters and '_' only"
                " (e.g. province, commune, village)",
            )

        households: int | None = None
        if has_households:
            raw = _cell(cells, columns, "households")
            if raw:
                if not _HOUSEHOLDS_RE.fullmatch(raw) or int(raw) > _MAX_HOUSEHOLDS:
                    raise _error(
                        path,
                        line,
                        f"households {raw!r} is not a non-negative whole number",
                    )
                households = int(raw)
        rows.append(_UnitRow(line=line, path=unit_path, kind=kind, households=households))
    return rows, has_households
