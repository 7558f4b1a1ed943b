"""Checking an org file's rows on their own, before the database is looked at.

Every problem is reported with its line, the first one found; a file with one bad row is
refused whole, so a mistake is fixed in the file and the file imported again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.core.controlchars import describe_character, first_control_character
from bot.core.phones import PHONE_DIGITS, normalize_phone
from bot.units.orgimport import kinds
from bot.units.orgimport.model import refusal
from bot.units.orgimport.read import Table
from storage import units

RENAMED_FROM = "renamed_from"

REQUIRED_COLUMNS = ("path", "kind")
OPTIONAL_COLUMNS = ("households", "phone", RENAMED_FROM)
# Other headers that mean the same column.
SYNONYMS = {"old_path": RENAMED_FROM}

_HOUSEHOLDS_RE = re.compile(r"[0-9]+")
_MAX_HOUSEHOLDS = 2**63 - 1


@dataclass(frozen=True)
class UnitRow:
    """One checked row: a normalized unit path, its kind (stored form), households and phone
    (None = blank), and the existing path it renames (None: not a rename)."""

    line: int
    path: str
    kind: str
    households: int | None
    phone: str | None = None
    renamed_from: str | None = None


@dataclass(frozen=True)
class CheckedFile:
    """The rows of a file that passed every check, and whether it has a households column
    and a phone column (without one, the stored values are kept)."""

    rows: list[UnitRow]
    has_households: bool
    has_phone: bool = False


def check_rows(path: Path, table: Table) -> CheckedFile:
    """Check the header and every row; raises OrgImportError naming the first bad line."""
    if not table:
        raise refusal(path, None, "the file is empty; expected a header row with path, kind")
    header_line, header = table[0]
    columns = _columns(path, header_line, header)
    has_households = "households" in columns
    has_phone = "phone" in columns
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for line, cells in table[1:]:
        unit_path = _unit_path(path, line, _cell(cells, columns, "path"))
        if unit_path in seen:
            raise refusal(
                path, line, f"unit {unit_path!r} is already listed on line {seen[unit_path]}"
            )
        seen[unit_path] = line
        kind = _kind(path, line, unit_path, _cell(cells, columns, "kind"))
        households = None
        if has_households:
            households = _households(path, line, _cell(cells, columns, "households"))
        phone = _phone(path, line, _cell(cells, columns, "phone")) if has_phone else None
        old = _renamed_from(path, line, unit_path, cells, columns)
        rows.append(
            UnitRow(
                line=line,
                path=unit_path,
                kind=kind,
                households=households,
                phone=phone,
                renamed_from=old,
            )
        )
    return CheckedFile(rows=rows, has_households=has_households, has_phone=has_phone)


def _columns(path: Path, line: int, header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.lower()
        key = SYNONYMS.get(key, key)
        if key in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            if key in columns:
                raise refusal(path, line, f"column {key!r} appears twice in the header")
            columns[key] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(repr(name) for name in header if name) or "nothing"
        raise refusal(
            path,
            line,
            f"header is missing column(s) {', '.join(missing)}; expected path, kind"
            f" and optionally households, phone, renamed_from (found {found})",
        )
    return columns


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns[name]
    return cells[index] if index < len(cells) else ""


def _unit_path(path: Path, line: int, raw: str) -> str:
    if not raw:
        raise refusal(path, line, "path is empty")
    try:
        unit_path = units.normalize_path(raw)
    except ValueError as exc:
        raise refusal(path, line, str(exc)) from exc
    for name in unit_path.split(units.SEPARATOR):
        char = first_control_character(name)
        if char is not None:
            raise refusal(
                path,
                line,
                f"unit name {name!r} contains the invisible character {describe_character(char)};"
                " delete it (retype the name) and save the file again",
            )
    return unit_path


def _kind(path: Path, line: int, unit_path: str, raw: str) -> str:
    _no_control_character(path, line, "kind", raw)
    if not raw:
        raise refusal(path, line, f"kind is empty for {unit_path!r}")
    kind = kinds.canonical(raw)
    if kind is None:
        raise refusal(
            path,
            line,
            f"kind {raw!r} is not valid; write a level in Vietnamese ({kinds.SHOWN_VIETNAMESE};"
            " with or without diacritics, any case) or in English, lower-case letters and '_'"
            f" only ({kinds.SHOWN_ENGLISH})",
        )
    return kind


def _renamed_from(
    path: Path, line: int, unit_path: str, cells: list[str], columns: dict[str, int]
) -> str | None:
    """The existing path a row renames (or moves), checked like a path; None when blank."""
    if RENAMED_FROM not in columns:
        return None
    raw = _cell(cells, columns, RENAMED_FROM)
    if not raw:
        return None
    try:
        old = units.normalize_path(raw)
    except ValueError as exc:
        raise refusal(path, line, f"renamed_from: {exc}") from exc
    if old == unit_path:
        return None  # the same path: not a rename
    return old


def _households(path: Path, line: int, raw: str) -> int | None:
    if not raw:
        return None
    _no_control_character(path, line, "households", raw)
    if not _HOUSEHOLDS_RE.fullmatch(raw) or int(raw) > _MAX_HOUSEHOLDS:
        raise refusal(path, line, f"households {raw!r} is not a non-negative whole number")
    return int(raw)


def _phone(path: Path, line: int, raw: str) -> str | None:
    if not raw:
        return None
    _no_control_character(path, line, "phone", raw)
    phone = normalize_phone(raw)
    if phone is None:
        low, high = PHONE_DIGITS
        raise refusal(
            path,
            line,
            f"phone {raw!r} is not a phone number; write {low} to {high} digits, with spaces,"
            " dots or a leading + only (e.g. 0205 3833 113)",
        )
    return phone


def _no_control_character(path: Path, line: int, column: str, raw: str) -> None:
    """Kind and households would be refused anyway; naming the hidden character says why a
    value that looks right on screen is not accepted."""
    char = first_control_character(raw)
    if char is not None:
        raise refusal(
            path,
            line,
            f"{column} {raw!r} contains the invisible character {describe_character(char)};"
            " delete it and save the file again",
        )
