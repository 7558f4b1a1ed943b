"""The kept tallies of the units directly above teams, one per reporting month up to a day
(`through`: the month's last once it has closed; migrations 024 and 025).

A row is right or absent: the triggers of migrations 024 and 025 delete, in the writing transaction,
every row a change may alter, and bot/tally/snapshots.py computes them again. Rows are read
only under the digest of the settings they were computed with (`settings`).
"""

from __future__ import annotations

from storage.db import Tx
from storage.subtree import within, within_params


async def read(tx: Tx, path: str, month: str, through: str, settings: str) -> dict[int, str]:
    """The kept bodies of the units at or below `path` (today's paths) for `month` up to
    `through`, by unit."""
    rows = await tx.fetchall(
        f"""SELECT s.unit_id, s.body FROM units u
            JOIN tally_snapshots s ON s.unit_id = u.id
            WHERE {within("u.path")} AND s.month = ? AND s.through = ? AND s.settings = ?""",
        (*within_params(path), month, through, settings),
    )
    return {int(r[0]): str(r[1]) for r in rows}


async def keep(
    tx: Tx, unit_id: int, month: str, through: str, settings: str, body: str, made_at: str
) -> None:
    """Keep one unit's body for `month` up to `through`, in place of any it had for the month
    (the running month's line of an earlier day); call it in the transaction that computed
    it, so no change can come between the reading and the keeping unseen by the triggers."""
    await tx.execute(
        """INSERT INTO tally_snapshots (unit_id, month, through, settings, body, made_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (unit_id, month) DO UPDATE SET through = excluded.through,
             settings = excluded.settings, body = excluded.body, made_at = excluded.made_at""",
        (unit_id, month, through, settings, body, made_at),
    )


async def has(tx: Tx, unit_id: int, month: str, through: str, settings: str) -> bool:
    """Whether a body is kept for the unit's `month` up to `through` under `settings`."""
    row = await tx.fetchone(
        """SELECT 1 FROM tally_snapshots
           WHERE unit_id = ? AND month = ? AND through = ? AND settings = ?""",
        (unit_id, month, through, settings),
    )
    return row is not None


async def missing(tx: Tx, month: str, through: str, settings: str) -> list[int]:
    """The open units directly above teams (every open unit below them is a team) with no body
    kept for `month` up to `through` under `settings`: what the refill computes, in path
    order."""
    rows = await tx.fetchall(
        """SELECT u.id FROM units u
           WHERE u.closed_on IS NULL
             AND EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id AND c.closed_on IS NULL)
             AND NOT EXISTS (SELECT 1 FROM units c JOIN units g ON g.parent_id = c.id
                             WHERE c.parent_id = u.id AND g.closed_on IS NULL)
             AND NOT EXISTS (SELECT 1 FROM tally_snapshots s
                             WHERE s.unit_id = u.id AND s.month = ? AND s.through = ?
                               AND s.settings = ?)
           ORDER BY u.path""",
        (month, through, settings),
    )
    return [int(r[0]) for r in rows]


async def team_count(tx: Tx) -> int:
    """How many teams (units with none below them, open or closed) the database holds: the
    most a tally can cover, so whether any tally is large enough to read kept lines."""
    row = await tx.fetchone(
        """SELECT COUNT(*) FROM units u
           WHERE NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)"""
    )
    return int(row[0]) if row is not None else 0
