"""The register of people under post-sentence management (content 4.5) and their reoffences.

One list per team (`unit_id`). A person is named everywhere by `code`; `full_name` is read
here like any column, and the callers (bot/people/supervised.py) decide who is shown it.
Visits are the team's reintegration reports naming the code (compared without case), so a
visit filed before the person was put on the register counts once they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.db import Row, Tx
from storage.subtree import within, within_params


@dataclass(frozen=True)
class Person:
    """One person on a team's register, with their last visit when it was asked for."""

    id: int
    unit_id: int
    code: str
    full_name: str | None
    since: date
    until: date | None  # the last day under management; None: still
    every: int | None  # their own visit rhythm in days; None: the configured one
    last_visit: date | None = None
    reoffences: int = 0  # recorded and not withdrawn

    @classmethod
    def from_row(cls, row: Row) -> Person:
        """The one place that maps the columns to fields."""
        keys = row.keys()
        last = row["last_visit"] if "last_visit" in keys else None
        return cls(
            id=int(row["id"]),
            unit_id=int(row["unit_id"]),
            code=str(row["code"]),
            full_name=str(row["full_name"]) if row["full_name"] else None,
            since=date.fromisoformat(str(row["since"])),
            until=date.fromisoformat(str(row["until_on"])) if row["until_on"] else None,
            every=int(row["visit_every_days"]) if row["visit_every_days"] else None,
            last_visit=date.fromisoformat(str(last)) if last else None,
            reoffences=int(row["reoffences"]) if "reoffences" in keys else 0,
        )


@dataclass(frozen=True)
class Reoffence:
    """A recorded reoffence still standing (not withdrawn)."""

    id: int
    person_id: int
    on: date


_COLUMNS = "s.id, s.unit_id, s.code, s.full_name, s.since, s.until_on, s.visit_every_days"

# The person's visits: the team's active reports of the visit kind (?) naming the code.
_VISITS = """FROM reports r
             WHERE r.unit_id = s.unit_id AND r.kind = ? AND r.status = 'active'
               AND upper(trim(json_extract(r.data, '$.person'))) = upper(s.code)
               AND r.report_date >= s.since"""
_STANDING = (
    "(SELECT COUNT(*) FROM supervised_reoffences o"
    " WHERE o.person_id = s.id AND o.withdrawn_at IS NULL)"
)


async def add(
    tx: Tx,
    *,
    unit_id: int,
    code: str,
    full_name: str | None,
    since: date,
    every: int | None,
    by: int | None,
    now_iso: str,
) -> int:
    """Put a person on the register (the code already checked free in the team)."""
    return await tx.insert(
        "INSERT INTO supervised (unit_id, code, full_name, since, visit_every_days,"
        " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (unit_id, code, full_name, since.isoformat(), every, now_iso, by),
    )


async def get(tx: Tx, person_id: int, visit_kind: str = "") -> Person | None:
    """One person, with their last visit and standing reoffences."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS}, (SELECT MAX(r.report_date) {_VISITS}) AS last_visit,"
        f" {_STANDING} AS reoffences FROM supervised s WHERE s.id = ?",
        (visit_kind, person_id),
    )
    return Person.from_row(row) if row else None


async def by_code(tx: Tx, unit_id: int, code: str) -> Person | None:
    """The person a code names in a team, still under management (codes compared without
    case), so a typed code finds them however it was written."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM supervised s"
        " WHERE s.unit_id = ? AND upper(s.code) = upper(?) AND s.until_on IS NULL",
        (unit_id, code),
    )
    return Person.from_row(row) if row else None


async def of_unit(tx: Tx, unit_id: int, visit_kind: str, *, ended: bool = False) -> list[Person]:
    """A team's register by code, with each person's last visit and standing reoffences;
    those whose management ended only with `ended`."""
    still = "" if ended else " AND s.until_on IS NULL"
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS}, (SELECT MAX(r.report_date) {_VISITS}) AS last_visit,"
        f" {_STANDING} AS reoffences FROM supervised s"
        f" WHERE s.unit_id = ?{still} ORDER BY s.until_on IS NOT NULL, s.code",
        (visit_kind, unit_id),
    )
    return [Person.from_row(r) for r in rows]


async def under(tx: Tx, path: str, visit_kind: str) -> list[tuple[str, Person]]:
    """Every person still under management in a subtree, with their team's path, in path
    order (the command line's list)."""
    rows = await tx.fetchall(
        f"SELECT u.path AS unit_path, {_COLUMNS},"
        f" (SELECT MAX(r.report_date) {_VISITS}) AS last_visit, {_STANDING} AS reoffences"
        f" FROM supervised s JOIN units u ON u.id = s.unit_id"
        f" WHERE s.until_on IS NULL AND {within('u.path')} ORDER BY u.path, s.code",
        (visit_kind, *within_params(path)),
    )
    return [(str(r["unit_path"]), Person.from_row(r)) for r in rows]


async def end(tx: Tx, person_id: int, last_day: date) -> None:
    """Close a person's management on `last_day` (checked not before `since`)."""
    await tx.execute(
        "UPDATE supervised SET until_on = ? WHERE id = ?", (last_day.isoformat(), person_id)
    )


async def add_reoffence(tx: Tx, person_id: int, on: date, by: int | None, now_iso: str) -> int:
    """Record a reoffence on the day it happened."""
    return await tx.insert(
        "INSERT INTO supervised_reoffences (person_id, on_date, recorded_at, recorded_by)"
        " VALUES (?, ?, ?, ?)",
        (person_id, on.isoformat(), now_iso, by),
    )


async def reoffences(tx: Tx, person_id: int) -> list[Reoffence]:
    """A person's standing reoffences, newest first (the one to withdraw is usually the last
    entered)."""
    rows = await tx.fetchall(
        "SELECT id, person_id, on_date FROM supervised_reoffences"
        " WHERE person_id = ? AND withdrawn_at IS NULL ORDER BY on_date DESC, id DESC",
        (person_id,),
    )
    return [
        Reoffence(int(r["id"]), int(r["person_id"]), date.fromisoformat(str(r["on_date"])))
        for r in rows
    ]


async def withdraw_reoffence(tx: Tx, reoffence_id: int, by: int | None, now_iso: str) -> bool:
    """Withdraw a reoffence entered by mistake; False when it was withdrawn already."""
    cursor = await tx.execute(
        "UPDATE supervised_reoffences SET withdrawn_at = ?, withdrawn_by = ?"
        " WHERE id = ? AND withdrawn_at IS NULL",
        (now_iso, by, reoffence_id),
    )
    return bool(cursor.rowcount)


async def codes(tx: Tx, unit_id: int) -> list[str]:
    """The codes of a team's people still under management, in order: the choices of the
    reintegration report's person question (codes only: every member sees it)."""
    rows = await tx.fetchall(
        "SELECT code FROM supervised WHERE unit_id = ? AND until_on IS NULL ORDER BY code",
        (unit_id,),
    )
    return [str(r["code"]) for r in rows]


async def for_tally(tx: Tx, path: str, start: date, end: date, visit_kind: str) -> list[Row]:
    """One row per person of the subtree on the register on some day of [start, end]: their
    team, since, until, rhythm, last visit before `start`, first visit in the period, and the
    reoffences (not withdrawn) dated in it. bot/tally/supervised.py turns them into figures."""
    first, last = start.isoformat(), end.isoformat()
    return await tx.fetchall(
        f"""SELECT s.unit_id, s.since, s.until_on, s.visit_every_days,
                  (SELECT MAX(r.report_date) {_VISITS} AND r.report_date < ?) AS last_before,
                  (SELECT MIN(r.report_date) {_VISITS}
                     AND r.report_date BETWEEN ? AND ?) AS first_in,
                  (SELECT COUNT(*) FROM supervised_reoffences o
                    WHERE o.person_id = s.id AND o.withdrawn_at IS NULL
                      AND o.on_date BETWEEN ? AND ?) AS reoffences
           FROM supervised s JOIN units u ON u.id = s.unit_id
           WHERE s.since <= ? AND (s.until_on IS NULL OR s.until_on >= ?)
             AND {within("u.path")}""",
        (
            visit_kind,
            first,
            visit_kind,
            first,
            last,
            first,
            last,
            last,
            first,
            *within_params(path),
        ),
    )
