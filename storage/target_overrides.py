"""Goals set per unit with a command (`antt-bot targets`, /chitieu): read, set and cleared.

One row per unit and `[tally.targets]` key; the table is small (a few rows per commune that
sets its own targets), so the tally reads every row on the root's path and below at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Row, Tx
from storage.subtree import holds, holds_params, within, within_params


@dataclass(frozen=True)
class StoredGoal:
    """One goal set by a command: on which unit (and its path today), by whom and when."""

    unit_id: int
    path: str
    key: str
    value: float
    set_by: str
    set_at: str


_SELECT = """SELECT t.unit_id, u.path, t.key, t.value, t.set_by_name, t.set_at
             FROM target_overrides t JOIN units u ON u.id = t.unit_id"""


def _goal(r: Row) -> StoredGoal:
    return StoredGoal(
        unit_id=int(r["unit_id"]),
        path=str(r["path"]),
        key=str(r["key"]),
        value=float(r["value"]),
        set_by=str(r["set_by_name"]),
        set_at=str(r["set_at"]),
    )


async def around(tx: Tx, path: str) -> list[StoredGoal]:
    """Every stored goal that can apply to a unit at `path` or below it: on the unit, on its
    ancestors, and on the units of its subtree; in path order."""
    rows = await tx.fetchall(
        f"{_SELECT} WHERE {holds('u.path')} OR {within('u.path')} ORDER BY u.path, t.key",
        (*holds_params(path), *within_params(path)),
    )
    return [_goal(r) for r in rows]


async def of_unit(tx: Tx, unit_id: int) -> dict[str, StoredGoal]:
    """The goals stored on one unit, by key."""
    rows = await tx.fetchall(f"{_SELECT} WHERE t.unit_id = ? ORDER BY t.key", (unit_id,))
    return {g.key: g for g in map(_goal, rows)}


async def put(
    tx: Tx, unit_id: int, key: str, value: float, set_by: int | None, by_name: str, at: str
) -> None:
    """Set (or replace) one goal of a unit; the caller checked the value and audits it."""
    await tx.execute(
        """INSERT INTO target_overrides (unit_id, key, value, set_by, set_by_name, set_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (unit_id, key) DO UPDATE SET value = excluded.value,
             set_by = excluded.set_by, set_by_name = excluded.set_by_name,
             set_at = excluded.set_at""",
        (unit_id, key, value, set_by, by_name, at),
    )


async def remove(tx: Tx, unit_id: int, keys: list[str] | None) -> int:
    """Clear some goals of a unit (`keys`), or all of them (None); how many were cleared."""
    if keys is None:
        cur = await tx.execute("DELETE FROM target_overrides WHERE unit_id = ?", (unit_id,))
    else:
        marks = ", ".join("?" for _ in keys)
        cur = await tx.execute(
            f"DELETE FROM target_overrides WHERE unit_id = ? AND key IN ({marks})",
            (unit_id, *keys),
        )
    return int(cur.rowcount or 0)
