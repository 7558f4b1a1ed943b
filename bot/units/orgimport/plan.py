"""Comparing a checked file with the unit tree, in memory, to know every write in advance.

The tree is read once; each row becomes a unit to create (its id chosen here, so a child
can name its parent without asking the database), an update, or nothing. A parent that is
neither in the file nor in the tree is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.units.orgimport.check import CheckedFile
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


@dataclass(frozen=True)
class Plan:
    """Every write of an import, parents before children."""

    creates: list[NewUnit]
    updates: list[Update]
    unchanged: int

    @property
    def changes(self) -> list[NewUnit | Update]:
        """Creates then updates: the order they are written and journaled in."""
        return [*self.creates, *self.updates]


@dataclass(frozen=True)
class _Stored:
    id: int
    kind: str
    households: int | None
    phone: str | None


def make_plan(path: Path, checked: CheckedFile, tree: Iterable[Row], last_id: int) -> Plan:
    """Decide what to create and update; raises OrgImportError for a missing parent, naming
    the first line that needs it."""
    stored = {
        str(r["path"]): _Stored(int(r["id"]), str(r["kind"]), r["households"], r["phone"])
        for r in tree
    }
    listed = {row.path for row in checked.rows}
    for row in checked.rows:
        parent = units.parent_path(row.path)
        if parent is not None and parent not in listed and parent not in stored:
            raise refusal(
                path,
                row.line,
                f"parent unit {parent!r} of {row.path!r} is missing; add a row for it"
                " or import it first",
            )
    ids = {unit_path: unit.id for unit_path, unit in stored.items()}
    creates: list[NewUnit] = []
    updates: list[Update] = []
    unchanged = 0
    next_id = last_id
    # Parents before children, whatever order the file lists them in.
    for row in sorted(checked.rows, key=lambda r: (r.path.count(units.SEPARATOR), r.line)):
        before = stored.get(row.path)
        if before is None:
            next_id += 1
            ids[row.path] = next_id
            parent = units.parent_path(row.path)
            parent_id = ids[parent] if parent is not None else None
            creates.append(
                NewUnit(next_id, parent_id, row.path, row.kind, row.households, row.phone)
            )
            continue
        households = row.households if checked.has_households else before.households
        phone = row.phone if checked.has_phone else before.phone
        if (before.kind, before.households, before.phone) == (row.kind, households, phone):
            unchanged += 1
        else:
            updates.append(
                Update(
                    before.id,
                    row.kind,
                    households,
                    before.kind,
                    before.households,
                    phone,
                    before.phone,
                )
            )
    return Plan(creates=creates, updates=updates, unchanged=unchanged)
