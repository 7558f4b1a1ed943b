"""`antt-bot roster import`: the commune's list of people, created before they ever chat.

Every row is checked first (name, unit, role, phone, date joined, repeats), and every bad
row is reported with its line; then, all or nothing in one transaction, each new person is
created in their unit and role, serving from the date joined (never before the open tally
month: a closed month never changes), with a personal one-time code and an audit entry.
Someone the file lists who is already listed in that unit is skipped, so re-importing the
same file (or a longer version of it) adds only who is new.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.core.clock import Clock, iso
from bot.core.config import OrgImportSection
from bot.people.invites import unused_code
from bot.people.membership import Actor, earliest
from bot.people.roster.placing import Placed, Skipped, Units, sort_out
from bot.people.roster.rows import Header, RosterRow, read_header, read_role, read_row
from bot.units.orgimport.read import Table, read_table
from storage import audit, invites, members
from storage.db import Store, Tx
from storage.subtree import SEPARATOR

HEADER_SEARCH = 10  # rows a title may take above the header


class RosterError(Exception):
    """The file cannot be imported: every problem, each starting with its file and line."""

    def __init__(self, file: Path, problems: list[str]) -> None:
        """Keep the problems, one line each, for the operator to fix in one go."""
        count = len(problems)
        head = f"{file.name}: {count} row(s) cannot be imported" if count > 1 else problems[0]
        super().__init__(head if count == 1 else "\n  ".join([head + ":", *problems]))
        self.problems = problems


@dataclass(frozen=True)
class Listed:
    """A person created from the file, with their personal code."""

    line: int
    member_id: int
    name: str
    unit_path: str
    role: str
    code: str
    serves_from: date


@dataclass(frozen=True)
class RosterResult:
    """Who was created, who was already listed, and until when the codes work."""

    created: list[Listed]
    skipped: list[Skipped]
    expires_at: datetime

    @property
    def common_path(self) -> str:
        """The unit holding every created person: what `roster sheet --unit` should print."""
        paths = [p.unit_path.split(SEPARATOR) for p in self.created]
        if not paths:
            return ""
        common = paths[0]
        for parts in paths[1:]:
            n = 0
            while n < min(len(common), len(parts)) and common[n] == parts[n]:
                n += 1
            common = common[:n]
        return SEPARATOR.join(common)


@dataclass(frozen=True)
class Settings:
    """What the import needs from the config, and who runs it (for the audit trail)."""

    limits: OrgImportSection
    invite_days: int
    locale: str
    month_starts_on: int
    actor: Actor


async def import_roster(db: Store, path: Path, clock: Clock, settings: Settings) -> RosterResult:
    """Create the people a roster file lists, each with a personal code, all or nothing.

    Raises RosterError listing every bad row by its line (nothing is then saved), and
    OrgImportError (from the shared reader) for a file that cannot be read or is too large.
    """
    path = Path(path)
    table = await asyncio.to_thread(read_table, path, settings.limits)
    now = clock.now().replace(microsecond=0)
    today = now.date()
    header, body = _split(path, table)
    problems, rows = _read(header, body, today)
    async with db.transaction() as tx:
        placed = await _place(tx, header, body, rows, problems)
        new, skipped, repeats = await sort_out(tx, placed)
        problems.update(repeats)
        if problems:
            raise RosterError(path, [_at(path, line, problems[line]) for line in sorted(problems)])
        expires_at = now + timedelta(days=settings.invite_days)
        first = earliest(today, settings.month_starts_on)
        created = [
            await _create(tx, path, p, settings, now, expires_at, max(p.row.joined or today, first))
            for p in new
        ]
    return RosterResult(created, skipped, expires_at)


def _at(path: Path, line: int, problem: str) -> str:
    return f"{path.name}, line {line}: {problem}"


def _split(path: Path, table: Table) -> tuple[Header, Table]:
    """The header row and the rows below it. Lists made in Excel often open with a title
    ("DANH SÁCH TỔ BẢO VỆ ANTT ..."): the header is the first row, among the first few, that
    names the columns."""
    if not table:
        raise RosterError(path, [f"{path.name}: the file is empty; list one person per row"])
    first_problems: list[str] = []
    for index, (line, cells) in enumerate(table[:HEADER_SEARCH]):
        header, wrong = read_header(line, cells)
        if header is not None:
            if index + 1 == len(table):
                raise RosterError(path, [f"{path.name}: nobody is listed below the header row"])
            return header, table[index + 1 :]
        first_problems = first_problems or wrong
    raise RosterError(path, [_at(path, table[0][0], "; ".join(first_problems))])


def _read(header: Header, body: Table, today: date) -> tuple[dict[int, str], dict[int, RosterRow]]:
    """Each row on its own: the rows that pass, and the problems by line."""
    problems: dict[int, str] = {}
    rows: dict[int, RosterRow] = {}
    for line, cells in body:
        row = read_row(header, line, cells, today)
        if isinstance(row, str):
            problems[line] = row
        else:
            rows[line] = row
    return problems, rows


async def _place(
    tx: Tx, header: Header, body: Table, rows: dict[int, RosterRow], problems: dict[int, str]
) -> list[Placed]:
    """Each row's unit, looked up even for rows with other problems, so one pass over the
    file shows the officer everything to fix."""
    lookup = Units(tx)
    placed: list[Placed] = []
    for line, cells in body:
        typed = header.cell(cells, "unit").strip()
        if not typed:
            continue
        unit = await lookup.unit(typed)
        wrong = unit if isinstance(unit, str) else None
        role = read_role(header.cell(cells, "role"))
        if wrong is None and role is not None and not isinstance(unit, str):
            wrong = await lookup.fits(unit, role)
        if wrong is not None:
            problems[line] = f"{problems[line]}; {wrong}" if line in problems else wrong
        elif line in rows and not isinstance(unit, str):
            placed.append(Placed(rows[line], unit))
    return placed


async def _create(
    tx: Tx,
    path: Path,
    placed: Placed,
    settings: Settings,
    now: datetime,
    expires_at: datetime,
    serves_from: date,
) -> Listed:
    """One person: the member and their first stretch, phone, personal code, audit entry."""
    row, unit = placed.row, placed.unit
    now_iso = iso(now)
    member_id = await members.create(
        tx, unit.id, row.role, row.name, settings.locale, now_iso, serves_from=serves_from
    )
    if row.phone:
        await members.set_phone(tx, member_id, row.phone)
    code = await unused_code(tx)
    await invites.create(
        tx, code, unit.id, row.role, 1, iso(expires_at), now_iso, member_id=member_id
    )
    await audit.record(
        tx,
        at=now_iso,
        actor_id=settings.actor.id,
        actor=settings.actor.name,
        subject="member",
        subject_id=member_id,
        action="roster",
        unit_id=unit.id,
        effective_on=serves_from,
        detail={
            "file": path.name,
            "line": row.line,
            "unit_after": unit.path,
            "role_after": str(row.role),
            "joined": row.joined.isoformat() if row.joined else "",
            "joined_as_written": row.joined_text,
            "invite": code,
        },
    )
    return Listed(row.line, member_id, row.name, unit.path, str(row.role), code, serves_from)
