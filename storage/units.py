"""The unit tree: lookups by id or path, children, and the bulk writes of the org import.

A unit's `path` is the unit names from the root joined by "/", e.g.
"Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng"; its `name` is the last segment. Paths are kept in
Unicode NFC so a name typed with decomposed diacritics still finds the same unit.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Row, Tx
from storage.subtree import SEPARATOR, holds, holds_params, within, within_params

_COLUMNS = "id, parent_id, name, kind, path, households, created_at"


@dataclass(frozen=True)
class Unit:
    """A unit as read by `_COLUMNS`: where a member belongs, or what a command is about."""

    id: int
    parent_id: int | None
    name: str
    kind: str
    path: str
    households: int | None
    created_at: str

    @classmethod
    def from_row(cls, row: Row) -> Unit:
        """The one place that maps the columns to fields, so callers never cast a column."""
        parent_id, households = row["parent_id"], row["households"]
        return cls(
            id=int(row["id"]),
            parent_id=int(parent_id) if parent_id is not None else None,
            name=str(row["name"]),
            kind=str(row["kind"]),
            path=str(row["path"]),
            households=int(households) if households is not None else None,
            created_at=str(row["created_at"]),
        )


@dataclass(frozen=True)
class Above:
    """A unit at or above another, with what an urgent report needs of it: its kind (to find
    the commune) and its phone number (told when no officer could be alerted)."""

    path: str
    name: str
    kind: str
    phone: str | None


async def line_above(tx: Tx, path: str) -> list[Above]:
    """The unit at `path` and every unit above it, nearest first."""
    rows = await tx.fetchall(
        f"SELECT path, name, kind, phone FROM units WHERE {holds('path')}"
        " ORDER BY length(path) DESC",
        holds_params(path),
    )
    return [
        Above(
            str(r["path"]),
            str(r["name"]),
            str(r["kind"]),
            None if r["phone"] is None else str(r["phone"]),
        )
        for r in rows
    ]


def normalize_path(path: str) -> str:
    """Canonical form of a unit path, so the same unit is found however its path was typed.

    Each segment is stripped of surrounding spaces and the whole is put in Unicode NFC.
    Raises ValueError when the path is empty or has an empty segment ("A//B", "A/").
    """
    text = unicodedata.normalize("NFC", path).strip()
    if not text:
        raise ValueError("unit path is empty")
    segments = [segment.strip() for segment in text.split(SEPARATOR)]
    if any(not segment for segment in segments):
        raise ValueError(f"unit path {path!r} has an empty name between '/' separators")
    return SEPARATOR.join(segments)


def parent_path(path: str) -> str | None:
    """The path of the unit directly above, or None for a root; needed to link parent_id."""
    head, sep, _ = path.rpartition(SEPARATOR)
    return head if sep else None


def name_of(path: str) -> str:
    """The unit's own name, which is the last segment of its path."""
    return path.rpartition(SEPARATOR)[2]


async def get_by_path(tx: Tx, path: str) -> Unit | None:
    """Find a unit by its full path, as admins name units on the command line and in files.

    The path is normalized first; a malformed path simply matches nothing.
    """
    try:
        key = normalize_path(path)
    except ValueError:
        return None
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM units WHERE path = ?", (key,))
    return Unit.from_row(row) if row is not None else None


async def get(tx: Tx, unit_id: int) -> Unit | None:
    """Find a unit by id, as members, invites and reports refer to units by id."""
    row = await tx.fetchone(f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,))
    return Unit.from_row(row) if row is not None else None


async def children(tx: Tx, unit_id: int, *, open_only: bool = True) -> list[Unit]:
    """The units directly below a unit, in name order, for browsing and roll-ups (closed
    ones only with `open_only=False`: nothing new is sent to a dissolved unit)."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM units WHERE parent_id = ? {_open(open_only)} ORDER BY name, id",
        (unit_id,),
    )
    return [Unit.from_row(r) for r in rows]


async def upsert(
    tx: Tx, path: str, kind: str, households: int | None, now_iso: str
) -> tuple[int, bool]:
    """Create a unit or bring its kind and households up to date, so imports can be re-run.

    Returns (unit id, changed): changed is True when the row was created or updated and False
    when it already held exactly these values. A new unit's parent is looked up by the parent
    path and must already exist; otherwise LookupError names the missing parent.
    """
    key = normalize_path(path)
    existing = await tx.fetchone("SELECT id, kind, households FROM units WHERE path = ?", (key,))
    if existing is not None:
        unit_id = int(existing["id"])
        if existing["kind"] == kind and existing["households"] == households:
            return unit_id, False
        await tx.execute(
            "UPDATE units SET kind = ?, households = ? WHERE id = ?", (kind, households, unit_id)
        )
        return unit_id, True

    parent_id: int | None = None
    parent = parent_path(key)
    if parent is not None:
        parent_row = await tx.fetchone("SELECT id FROM units WHERE path = ?", (parent,))
        if parent_row is None:
            raise LookupError(f"parent unit {parent!r} of {key!r} does not exist")
        parent_id = int(parent_row["id"])
    unit_id = await tx.insert(
        "INSERT INTO units (parent_id, name, kind, path, households, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (parent_id, name_of(key), kind, key, households, now_iso),
    )
    return unit_id, True


@dataclass(frozen=True)
class NewUnit:
    """A unit the org import creates; its id is chosen by the import so that children can
    name their parent without a round trip per row."""

    id: int
    parent_id: int | None
    path: str
    kind: str
    households: int | None
    phone: str | None = None


async def snapshot(tx: Tx) -> list[Row]:
    """Every unit's id, parent_id, name, path, kind, households, phone and closed_on in one
    query: the org import compares a whole file against the tree in memory instead of asking
    once per row."""
    return await tx.fetchall(
        "SELECT id, parent_id, name, path, kind, households, phone, closed_on FROM units"
    )


async def last_id(tx: Tx) -> int:
    """The highest unit id, so an import can number the units it will create."""
    row = await tx.fetchone("SELECT COALESCE(MAX(id), 0) AS top FROM units")
    return int(row["top"]) if row is not None else 0


async def insert_many(
    tx: Tx, new: Sequence[NewUnit], now_iso: str, opened_on: str | None = None
) -> None:
    """Create units in one statement per batch; parents must come before their children.
    `opened_on` dates units added to a tree that already had some (None: they count in every
    past period, as the first import of a tree does)."""
    await tx.executemany(
        "INSERT INTO units (id, parent_id, name, kind, path, households, phone, created_at,"
        " opened_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                u.id,
                u.parent_id,
                name_of(u.path),
                u.kind,
                u.path,
                u.households,
                u.phone,
                now_iso,
                opened_on,
            )
            for u in new
        ],
    )


async def set_many(tx: Tx, values: Sequence[tuple[int, str, int | None, str | None]]) -> None:
    """Set (id, kind, households, phone) of many units at once: an import's updates, or the
    values a rollback restores."""
    await tx.executemany(
        "UPDATE units SET kind = ?, households = ?, phone = ? WHERE id = ?",
        [(kind, households, phone, unit_id) for unit_id, kind, households, phone in values],
    )


async def delete_unreferenced(tx: Tx, ids: Sequence[int]) -> list[int]:
    """Delete units, children listed before parents, except those something now refers to (a
    member, an invite, a report or a unit below): undoing an import must not break them.
    Returns the ids kept."""
    await tx.execute("SAVEPOINT unit_delete")
    kept: list[int] = []
    try:
        await tx.executemany("DELETE FROM units WHERE id = ?", [(i,) for i in ids])
    except sqlite3.IntegrityError:  # rare: retry one by one to learn which ones are in use
        await tx.execute("ROLLBACK TO unit_delete")
        for unit_id in ids:
            try:
                await tx.execute("DELETE FROM units WHERE id = ?", (unit_id,))
            except sqlite3.IntegrityError:
                kept.append(unit_id)
    await tx.execute("RELEASE unit_delete")
    return kept


async def named_under(tx: Tx, path: str, *, open_only: bool = True) -> list[Unit]:
    """A unit and every unit below it, so a typed unit name is looked up only in scope;
    closed (dissolved) units only with `open_only=False`, e.g. for a past period's tally."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM units WHERE {within('path')} {_open(open_only)} ORDER BY path",
        within_params(path),
    )
    return [Unit.from_row(r) for r in rows]


async def every(tx: Tx, *, open_only: bool = True) -> list[Unit]:
    """Every unit, in path order: a typed name is looked up in the whole tree when no scope
    applies (the operator's shell), or to tell "not yours" from "no such unit"; closed
    units only with `open_only=False`."""
    where = "WHERE closed_on IS NULL" if open_only else ""
    return [
        Unit.from_row(r)
        for r in await tx.fetchall(f"SELECT {_COLUMNS} FROM units {where} ORDER BY path")
    ]


def _open(open_only: bool) -> str:
    """The condition that leaves closed units out, to follow a WHERE clause."""
    return "AND closed_on IS NULL" if open_only else ""


async def any_unit(tx: Tx) -> bool:
    """Whether the tree has been loaded at all (the demo seeds an empty database once)."""
    return await tx.fetchone("SELECT 1 FROM units LIMIT 1") is not None


async def teams_without_report(tx: Tx, kind: str, first_day: str, last_day: str) -> list[int]:
    """Ids of the teams (units open on `last_day` with no open unit below) with no active
    report of `kind` between the two days, both included: the teams the mid-month nudge
    encourages (a closed village is not nudged, nor counted as a team)."""
    rows = await tx.fetchall(
        """SELECT u.id FROM units u
           WHERE (u.opened_on IS NULL OR u.opened_on <= ?3)
             AND (u.closed_on IS NULL OR u.closed_on > ?3)
             AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id
                             AND (c.opened_on IS NULL OR c.opened_on <= ?3)
                             AND (c.closed_on IS NULL OR c.closed_on > ?3))
             AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.unit_id = u.id AND r.kind = ?1
                             AND r.status = 'active' AND r.report_date BETWEEN ?2 AND ?3)""",
        (kind, first_day, last_day),
    )
    return [int(r["id"]) for r in rows]


async def has_open_children(tx: Tx, unit_id: int) -> bool:
    """Whether an open unit hangs below this one (if not, it is a team people report in)."""
    row = await tx.fetchone(
        "SELECT 1 FROM units WHERE parent_id = ? AND closed_on IS NULL LIMIT 1", (unit_id,)
    )
    return row is not None


async def is_closed(tx: Tx, unit_id: int) -> bool:
    """Whether the unit was dissolved (closed by an org import): nobody may join it."""
    row = await tx.fetchone("SELECT closed_on FROM units WHERE id = ?", (unit_id,))
    return row is not None and row["closed_on"] is not None
