"""Placing roster rows: the unit each row names, and whom the file already lists.

A unit is read the way chat and every `--unit` read it (bot.units.lookup.find_unit over the
whole tree): a full path, or a unique name with or without diacritics or level word. When a
name answers to several units, or to none, the row is refused with the candidates or the
closest paths, so the officer can fix the cell at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.people.membership import TEAM_ROLES, is_team
from bot.people.roster.rows import RosterRow, same_person
from bot.units import cli_unit
from bot.units.lookup import Ambiguous, Found, find_unit
from storage import roster, units
from storage.db import Row, Tx
from storage.units import Unit

SHOWN = 5  # candidates or close paths named in one refusal


@dataclass(frozen=True)
class Placed:
    """A checked row with its unit."""

    row: RosterRow
    unit: Unit


@dataclass(frozen=True)
class Skipped:
    """A row naming someone already listed in its unit: kept as they are, not added again."""

    line: int
    name: str
    unit_path: str
    why: str


class Units:
    """Unit lookups of one import: each distinct cell is looked up once, however many rows
    repeat it (a commune's list names the same few villages hundreds of times)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._found: dict[str, Unit | str] = {}
        self._team: dict[int, bool] = {}
        self._every: list[Unit] | None = None

    async def unit(self, typed: str) -> Unit | str:
        """The unit a cell names, or why none is (several, or none and the closest)."""
        if typed not in self._found:
            self._found[typed] = await self._look_up(typed)
        return self._found[typed]

    async def _look_up(self, typed: str) -> Unit | str:
        found = await find_unit(self.tx, typed, None)
        if isinstance(found, Found):
            return found.unit
        if isinstance(found, Ambiguous):
            paths = [u.path for u in found.candidates]
            more = f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else ""
            return (
                f"unit {typed!r} answers to {len(paths)} units: {'; '.join(paths[:SHOWN])}{more};"
                " write the full path"
            )
        close = await self.closest(typed)
        if close:
            return f"no unit {typed!r}; the closest: {'; '.join(close)}"
        return (
            f"no unit {typed!r}, nor one close to it; check the spelling, or load the unit"
            " tree first with `antt-bot org import FILE`"
        )

    async def closest(self, typed: str) -> list[str]:
        """The paths whose name or path reads most like what was typed (diacritics aside)."""
        if self._every is None:
            self._every = await units.every(self.tx)
        return cli_unit.closest(typed, self._every, SHOWN)

    async def fits(self, unit: Unit, role: str) -> str | None:
        """Why a role cannot be held in the unit (None: it can): team roles in a team,
        officers and supervisors above one; nobody joins a dissolved unit."""
        if await units.is_closed(self.tx, unit.id):
            return f"unit {unit.path!r} is dissolved; list the person in the unit that took over"
        if unit.id not in self._team:
            self._team[unit.id] = await is_team(self.tx, unit)
        if self._team[unit.id] != (role in TEAM_ROLES):
            where = "a team (thôn, bản, tổ)" if role in TEAM_ROLES else "a commune or above"
            return f"the role {role} belongs in {where}, not in {unit.path!r}"
        return None


async def sort_out(
    tx: Tx, placed: list[Placed]
) -> tuple[list[Placed], list[Skipped], dict[int, str]]:
    """Which rows are new people, which name someone already listed in their unit (skipped:
    re-importing a file adds only who is new), and which repeat a row of the file (refused)."""
    listed = {
        (int(r["unit_id"]), same_person(str(r["full_name"]))): r
        for r in await roster.listed_in(tx, {p.unit.id for p in placed})
    }
    new: list[Placed] = []
    skipped: list[Skipped] = []
    repeats: dict[int, str] = {}
    first_line: dict[tuple[int, str], int] = {}
    for p in placed:
        key = (p.unit.id, same_person(p.row.name))
        if key in first_line:
            repeats[p.row.line] = (
                f"{p.row.name} in {p.unit.path!r} is already on line {first_line[key]}; if they"
                " are two people, tell them apart in the name column"
            )
            continue
        first_line[key] = p.row.line
        known = listed.get(key)
        if known is None:
            new.append(p)
        else:
            skipped.append(Skipped(p.row.line, p.row.name, p.unit.path, _why(known, p)))
    return new, skipped, repeats


def _why(row: Row, p: Placed) -> str:
    """Why an already listed person is skipped, with what to run to change them instead."""
    if not row["active"]:
        return "already listed and has left since (bring them back with `antt-bot member return`)"
    if int(row["now_unit_id"]) != p.unit.id:
        return f"already listed, moved since to {row['now_path']!r}"
    if str(row["role"]) != p.row.role:
        return (
            f"already listed as {row['role']}, not {p.row.role} (change it with"
            " `antt-bot member role`)"
        )
    return "already listed"
