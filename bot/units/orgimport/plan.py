"""Comparing a checked file with the unit tree, in memory, to know every write in advance.

The tree is read once; each row becomes a unit to create (its id chosen here, so a child
can name its parent without asking the database), an update, a rename (a `renamed_from`
row), a closed unit to reopen, or nothing. A parent that is neither in the file nor in the
tree is refused before anything is written.

Dropping: the file speaks for the units below every unit it lists with at least one unit
below it in the file; an open unit there that the file does not list (nor anything below
it) is dropped, with everything below it. A file listing only a new village and not its
commune drops nothing; a province's full list drops what it no longer holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.units.orgimport.check import CheckedFile, UnitRow
from bot.units.orgimport.model import refusal
from storage import units
from storage.db import Row
from storage.units import NewUnit


@dataclass(frozen=True)
class Update:
    """A unit whose kind, households or phone the file changes, with what it held before
    (the journal keeps that so a rollback can put it back)."""

    unit_id: int
    kind: str
    households: int | None
    prev_kind: str
    prev_households: int | None
    phone: str | None = None
    prev_phone: str | None = None
    line: int = 0
    path: str = ""
    moved: bool = False  # also renamed or moved: its history row is the move's

    @property
    def new_kind(self) -> bool:
        """Whether the kind changes (kept in the unit's history and the audit trail)."""
        return self.kind != self.prev_kind

    @property
    def new_households(self) -> bool:
        """Whether the household count changes (kept likewise: a closed period's households
        target keeps the count it had)."""
        return self.households != self.prev_households


@dataclass(frozen=True)
class Move:
    """A unit that gets a new path: renamed or moved by a `renamed_from` row (`line`), or
    below one that is (line 0); it keeps its id, so members and reports follow it."""

    unit_id: int
    path: str
    parent_id: int | None
    prev_path: str
    line: int


@dataclass(frozen=True)
class Reopen:
    """A closed unit the file lists again: it is opened again under its old id."""

    unit_id: int
    path: str
    line: int


@dataclass(frozen=True)
class Drop:
    """An open unit the file no longer lists under a parent it lists with its units: it is
    closed with every open unit below it (`ids`, the top one first)."""

    unit_id: int
    path: str
    parent: str
    line: int  # the parent's line
    ids: tuple[int, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Close:
    """One unit a drop closes (the top one has `top` set)."""

    unit_id: int
    path: str
    top: bool


@dataclass(frozen=True)
class Leave:
    """A member whose service a drop ends (their open stretch in a closed unit)."""

    member_id: int
    stretch_id: int
    unit_id: int


@dataclass
class Plan:
    """Every write of an import: moves first (they free the paths they leave), then new
    units parents before children, updates, reopened units, closed units, ended service."""

    creates: list[NewUnit]
    updates: list[Update]
    unchanged: int
    moves: list[Move] = field(default_factory=list)
    reopens: list[Reopen] = field(default_factory=list)
    drops: list[Drop] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    tree_had_units: bool = False

    @property
    def closes(self) -> list[Close]:
        """Each unit the drops close, top ones first within a drop."""
        return [
            Close(unit_id, path, index == 0)
            for drop in self.drops
            for index, (unit_id, path) in enumerate(zip(drop.ids, drop.paths, strict=True))
        ]

    @property
    def changes(self) -> list[Move | NewUnit | Update | Reopen | Close | Leave]:
        """Every change in the order it is written and journaled."""
        return [
            *self.moves,
            *self.creates,
            *self.updates,
            *self.reopens,
            *self.closes,
            *self.leaves,
        ]

    @property
    def renames(self) -> list[Move]:
        """The moves a `renamed_from` row asked for (not the units below them)."""
        return [m for m in self.moves if m.line]


@dataclass
class _Stored:
    id: int
    parent_id: int | None
    path: str
    kind: str
    households: int | None
    phone: str | None
    closed: bool
    final: str = ""  # its path once the file's renames are made
    final_parent: int | None = None


def make_plan(path: Path, checked: CheckedFile, tree: Iterable[Row], last_id: int) -> Plan:
    """Decide what to create, update, rename, reopen and drop; raises OrgImportError for a
    missing parent or a rename that cannot be made, naming the first line concerned."""
    stored = {
        str(r["path"]): _Stored(
            int(r["id"]),
            None if r["parent_id"] is None else int(r["parent_id"]),
            str(r["path"]),
            str(r["kind"]),
            r["households"],
            r["phone"],
            r["closed_on"] is not None,
        )
        for r in tree
    }
    renamed = _renames(path, checked.rows, stored)
    _place_finally(stored, renamed)
    final = {unit.final: unit for unit in stored.values()}
    listed = {row.path for row in checked.rows}
    for row in checked.rows:
        parent = units.parent_path(row.path)
        if parent is not None and parent not in listed and parent not in final:
            raise refusal(
                path,
                row.line,
                f"parent unit {parent!r} of {row.path!r} is missing; add a row for it"
                " or import it first",
            )
        if parent is not None and parent not in listed and final[parent].closed:
            raise refusal(
                path,
                row.line,
                f"the unit above {row.path!r}, {parent!r}, is closed; add a row for it too"
                " to open it again",
            )
    moves = _moves(path, checked.rows, stored, renamed, final)
    plan = Plan(creates=[], updates=[], unchanged=0, moves=moves, tree_had_units=bool(stored))
    moved = {m.unit_id for m in moves}
    ids = {unit_path: unit.id for unit_path, unit in final.items()}
    next_id = last_id
    # Parents before children, whatever order the file lists them in.
    for row in sorted(checked.rows, key=lambda r: (r.path.count(units.SEPARATOR), r.line)):
        before = final.get(row.path)
        if before is None:
            next_id += 1
            ids[row.path] = next_id
            parent = units.parent_path(row.path)
            parent_id = ids[parent] if parent is not None else None
            plan.creates.append(
                NewUnit(next_id, parent_id, row.path, row.kind, row.households, row.phone)
            )
            continue
        if before.closed:
            plan.reopens.append(Reopen(before.id, row.path, row.line))
        households = row.households if checked.has_households else before.households
        phone = row.phone if checked.has_phone else before.phone
        if (before.kind, before.households, before.phone) == (row.kind, households, phone):
            if not before.closed and before.id not in moved:
                plan.unchanged += 1
        else:
            plan.updates.append(
                Update(
                    before.id,
                    row.kind,
                    households,
                    before.kind,
                    before.households,
                    phone,
                    before.phone,
                    line=row.line,
                    path=row.path,
                    moved=before.id in moved,
                )
            )
    plan.drops = _drops(checked.rows, stored, final)
    return plan


def _renames(path: Path, rows: list[UnitRow], stored: dict[str, _Stored]) -> dict[int, UnitRow]:
    """The units the file renames (by id), each checked: an open unit, renamed once, to a
    path no other unit has."""
    listed = {row.path: row.line for row in rows}
    renamed: dict[int, UnitRow] = {}
    seen: dict[str, int] = {}
    for row in rows:
        old = row.renamed_from
        if old is None:
            continue
        unit = stored.get(old)
        if unit is None or unit.closed:
            state = "no unit has this path" if unit is None else "that unit is closed"
            raise refusal(
                path,
                row.line,
                f"renamed_from {old!r}: {state}; write the unit's current path as"
                " 'antt-bot tally' or the previous import shows it, or leave the cell blank",
            )
        if old in seen:
            raise refusal(
                path, row.line, f"{old!r} is renamed on line {seen[old]} already; keep one row"
            )
        seen[old] = row.line
        if old in listed:
            raise refusal(
                path,
                row.line,
                f"{old!r} is renamed to {row.path!r} here but also listed on line"
                f" {listed[old]}; a renamed unit is listed once, under its new path",
            )
        if row.path in stored:
            raise refusal(
                path,
                row.line,
                f"cannot rename {old!r} to {row.path!r}: a unit already has that path"
                f"{' (closed)' if stored[row.path].closed else ''}; choose another name, or"
                " rename the other unit first in a separate import",
            )
        if row.path.startswith(old + units.SEPARATOR):
            raise refusal(path, row.line, f"cannot move {old!r} below itself ({row.path!r})")
        renamed[unit.id] = row
    return renamed


def _place_finally(stored: dict[str, _Stored], renamed: dict[int, UnitRow]) -> None:
    """Each unit's path once the renames are made: a renamed unit's new path, and below it
    the new path of its parent followed by its own name."""
    by_id = {unit.id: unit for unit in stored.values()}
    for unit in sorted(stored.values(), key=lambda u: u.path.count(units.SEPARATOR)):
        row = renamed.get(unit.id)
        if row is not None:
            unit.final = row.path
        elif unit.parent_id is not None and unit.parent_id in by_id:
            unit.final = by_id[unit.parent_id].final + units.SEPARATOR + units.name_of(unit.path)
        else:
            unit.final = unit.path


def _moves(
    path: Path,
    rows: list[UnitRow],
    stored: dict[str, _Stored],
    renamed: dict[int, UnitRow],
    final: dict[str, _Stored],
) -> list[Move]:
    """The units whose path changes, shallowest first, each with its parent once moved."""
    listed = {row.path for row in rows}
    moves: list[Move] = []
    for unit in sorted(stored.values(), key=lambda u: u.path.count(units.SEPARATOR)):
        unit.final_parent = unit.parent_id
        if unit.final == unit.path:
            continue
        row = renamed.get(unit.id)
        if row is not None:
            parent = units.parent_path(row.path)
            if parent is not None and parent not in final:
                where = "is new in this file" if parent in listed else "does not exist"
                raise refusal(
                    path,
                    row.line,
                    f"cannot move {unit.path!r} below {parent!r}: that unit {where}; import"
                    " it first, then the rename",
                )
            unit.final_parent = final[parent].id if parent is not None else None
        moves.append(
            Move(unit.id, unit.final, unit.final_parent, unit.path, row.line if row else 0)
        )
    return moves


def _drops(
    rows: list[UnitRow], stored: dict[str, _Stored], final: dict[str, _Stored]
) -> list[Drop]:
    """The open units the file no longer lists under a parent it lists with its units."""
    kept: set[str] = set()
    for row in rows:
        at: str | None = row.path
        while at is not None and at not in kept:
            kept.add(at)
            at = units.parent_path(at)
    speaking: dict[str, int] = {}
    for row in rows:
        above = units.parent_path(row.path)
        if above is not None:
            speaking.setdefault(above, 0)
    lines = {row.path: row.line for row in rows}
    below: dict[int, list[_Stored]] = {}
    for unit in stored.values():
        if unit.final_parent is not None and not unit.closed:
            below.setdefault(unit.final_parent, []).append(unit)
    drops: list[Drop] = []
    for parent_path in sorted(speaking, key=lambda p: lines.get(p, 0)):
        speaker = final.get(parent_path)
        if speaker is None or parent_path not in lines:
            continue  # new in the file, or not listed itself: it speaks for nothing
        for child in sorted(below.get(speaker.id, []), key=lambda u: u.final):
            if child.final in kept:
                continue
            subtree = _subtree(child, below)
            drops.append(
                Drop(
                    child.id,
                    child.final,
                    parent_path,
                    lines[parent_path],
                    tuple(u.id for u in subtree),
                    tuple(u.final for u in subtree),
                )
            )
    return drops


def _subtree(top: _Stored, below: dict[int, list[_Stored]]) -> list[_Stored]:
    """A unit and every open unit below it, parents before children."""
    found = [top]
    for unit in found:
        found.extend(sorted(below.get(unit.id, []), key=lambda u: u.final))
    return found
