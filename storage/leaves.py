"""Leave (nghỉ phép, ốm): days a member is excused from reporting.

Dates are ISO 'YYYY-MM-DD', both ends included. A leave is never deleted: cancelling it
stamps `cancelled_at` / `cancelled_by`, so who excused whom stays on record. A member's
non-cancelled leaves never overlap (the dialog refuses an overlap), which lets the tally
add their days up without double counting.
"""

from __future__ import annotations

from storage.db import Row, Tx

_COLUMNS = "id, member_id, start_date, end_date, reason, recorded_by, created_at"


async def create(
    tx: Tx,
    member_id: int,
    start: str,
    end: str,
    reason: str,
    recorded_by: int,
    now_iso: str,
) -> int:
    """Record a leave (already validated and checked for overlaps); returns its id."""
    return await tx.insert(
        """INSERT INTO leaves (member_id, start_date, end_date, reason, recorded_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (member_id, start, end, reason, recorded_by, now_iso),
    )


async def get(tx: Tx, leave_id: int) -> Row | None:
    """One leave that is still in force (not cancelled), for the cancel button."""
    return await tx.fetchone(
        f"SELECT {_COLUMNS} FROM leaves WHERE id = ? AND cancelled_at IS NULL", (leave_id,)
    )


async def overlapping(tx: Tx, member_id: int, start: str, end: str) -> Row | None:
    """The member's earliest non-cancelled leave sharing a day with start..end, if any, so a
    new leave can be refused with the dates of the one in the way."""
    return await tx.fetchone(
        f"""SELECT {_COLUMNS} FROM leaves
            WHERE member_id = ? AND cancelled_at IS NULL
              AND start_date <= ? AND end_date >= ?
            ORDER BY start_date LIMIT 1""",
        (member_id, end, start),
    )


async def upcoming(tx: Tx, member_id: int, today: str, limit: int = 10) -> list[Row]:
    """The member's current and future leaves (ending today or later), soonest first: the
    ones they may still cancel."""
    return await tx.fetchall(
        f"""SELECT {_COLUMNS} FROM leaves
            WHERE member_id = ? AND cancelled_at IS NULL AND end_date >= ?
            ORDER BY start_date LIMIT ?""",
        (member_id, today, limit),
    )


async def cancel(tx: Tx, leave_id: int, by_member: int, now_iso: str) -> bool:
    """Withdraw a leave (kept on record); False when it was already cancelled."""
    cur = await tx.execute(
        """UPDATE leaves SET cancelled_at = ?, cancelled_by = ?
           WHERE id = ? AND cancelled_at IS NULL""",
        (now_iso, by_member, leave_id),
    )
    return cur.rowcount == 1


async def on_leave(tx: Tx, member_id: int, day: str) -> bool:
    """Whether the member is excused on that day (no reminder, not counted as missing)."""
    row = await tx.fetchone(
        """SELECT 1 FROM leaves
           WHERE member_id = ? AND cancelled_at IS NULL AND start_date <= ? AND end_date >= ?
           LIMIT 1""",
        (member_id, day, day),
    )
    return row is not None
