"""Changes to the unit tree over time, as the org import makes them with --apply-changes.

A renamed or moved unit keeps its id (members, invites and reports follow it) and leaves a
`unit_history` row saying how it was before; a dropped unit is closed (`closed_on`), never
deleted, so its reports and the tallies of past periods keep it. Every change is kept in the
audit trail by the caller. Also what the import asks before it drops a unit: what is there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.db import Row, Tx


@dataclass(frozen=True)
class Usage:
    """What hangs on a subtree of units: a unit with any of it is not dropped lightly."""

    members: int  # serving memberships
    reports: int
    invites: int  # invites that can still be used
    units_below: int  # open units below the top one

    @property
    def empty(self) -> bool:
        """Whether dropping the subtree loses nobody and nothing."""
        return not (self.members or self.reports or self.invites or self.units_below)


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" for _ in ids)


async def usage(tx: Tx, ids: Sequence[int], now_iso: str) -> Usage:
    """What the units `ids` (a subtree, the top one first) hold: members serving there,
    reports filed there, invites still open, and open units below the top one."""
    marks = _marks(ids)
    members = await _count(
        tx,
        f"SELECT COUNT(*) AS n FROM memberships WHERE unit_id IN ({marks}) AND end_date IS NULL",
        tuple(ids),
    )
    reports = await _count(
        tx, f"SELECT COUNT(*) AS n FROM reports WHERE unit_id IN ({marks})", tuple(ids)
    )
    invites = await _count(
        tx,
        f"SELECT COUNT(*) AS n FROM invites WHERE unit_id IN ({marks}) AND revoked_at IS NULL"
        " AND uses_left > 0 AND expires_at > ?",
        (*ids, now_iso),
    )
    below = await _count(
        tx,
        f"SELECT COUNT(*) AS n FROM units WHERE id IN ({marks}) AND closed_on IS NULL",
        tuple(ids),
    )
    return Usage(members, reports, invites, max(0, below - 1))


async def _count(tx: Tx, sql: str, params: tuple[object, ...]) -> int:
    row = await tx.fetchone(sql, params)
    return int(row["n"]) if row is not None else 0


async def serving_in(tx: Tx, ids: Sequence[int]) -> list[Row]:
    """The open stretches in these units (stretch id, member_id, full_name, start_date):
    the members a drop ends the service of."""
    return await tx.fetchall(
        f"""SELECT s.id, s.member_id, m.full_name, s.start_date, s.unit_id
            FROM memberships s JOIN members m ON m.id = s.member_id
            WHERE s.unit_id IN ({_marks(ids)}) AND s.end_date IS NULL ORDER BY s.id""",
        tuple(ids),
    )


async def stretch_row(tx: Tx, stretch_id: int) -> Row | None:
    """A stretch with every column, as the import's journal keeps it to put it back."""
    return await tx.fetchone("SELECT * FROM memberships WHERE id = ?", (stretch_id,))


async def keep_history(tx: Tx, unit: Row, changed_on: date, now_iso: str) -> int:
    """Keep how a unit (id, name, path, kind, parent_id, households) was before a change
    effective on `changed_on`, so a tally of an earlier period shows it as it was."""
    return await tx.insert(
        "INSERT INTO unit_history (unit_id, changed_on, name, path, kind, parent_id,"
        " households, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            int(unit["id"]),
            changed_on.isoformat(),
            str(unit["name"]),
            str(unit["path"]),
            str(unit["kind"]),
            unit["parent_id"],
            unit["households"],
            now_iso,
        ),
    )


async def unit_row(tx: Tx, unit_id: int) -> Row | None:
    """A unit's id, name, path, kind, parent_id, households and closed_on, as a change
    finds it."""
    return await tx.fetchone(
        "SELECT id, name, path, kind, parent_id, households, closed_on FROM units WHERE id = ?",
        (unit_id,),
    )


async def place(tx: Tx, unit_id: int, path: str, name: str, parent_id: int | None) -> None:
    """Give a unit a new path, name and parent (a rename, or a move in the tree)."""
    await tx.execute(
        "UPDATE units SET path = ?, name = ?, parent_id = ? WHERE id = ?",
        (path, name, parent_id, unit_id),
    )


async def set_closed(tx: Tx, unit_id: int, closed_on: str | None) -> None:
    """Close a unit from a day (None: open it again)."""
    await tx.execute("UPDATE units SET closed_on = ? WHERE id = ?", (closed_on, unit_id))


async def revoke_invites(tx: Tx, unit_id: int, now_iso: str) -> list[str]:
    """Revoke the invites of a closed unit that were not revoked; returns their codes."""
    rows = await tx.fetchall(
        "SELECT code FROM invites WHERE unit_id = ? AND revoked_at IS NULL", (unit_id,)
    )
    codes = [str(r["code"]) for r in rows]
    await tx.executemany(
        "UPDATE invites SET revoked_at = ? WHERE code = ?", [(now_iso, c) for c in codes]
    )
    return codes


async def pending_outbox(tx: Tx, member_id: int) -> list[int]:
    """Messages still waiting for a member: what ending their service withdraws."""
    rows = await tx.fetchall(
        "SELECT id FROM outbox WHERE member_id = ? AND status = 'pending'", (member_id,)
    )
    return [int(r["id"]) for r in rows]


async def record_opened(
    tx: Tx, rows: Sequence[tuple[int, str, str, int]], on: date, now_iso: str, actor: str
) -> None:
    """Keep in the audit trail the opening of new units (id, path, kind, how many new units
    below it), in one statement: an import may add thousands to a tree that had units."""
    await tx.executemany(
        "INSERT INTO audit_trail (at, effective_on, actor_id, actor, subject, subject_id,"
        " action, unit_id, other_unit_id, detail) VALUES (?, ?, NULL, ?, 'unit', ?, 'open', ?,"
        " NULL, ?)",
        [
            (
                now_iso,
                on.isoformat(),
                actor,
                str(unit_id),
                unit_id,
                json.dumps(
                    {"path": path, "kind": kind, "units_below": below},
                    ensure_ascii=False,
                    sort_keys=True,
                ),
            )
            for unit_id, path, kind, below in rows
        ],
    )
