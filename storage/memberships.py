"""Who served where, in which role, from when to when: the stretches behind every tally.

A member's stretches never overlap. The latest one is mirrored in `members.unit_id`, `role`
and `active` (what the bot does today: who is reminded, who may report); a tally reads the
stretches, so a closed period keeps the people it had whatever changed since. Dates are
local 'YYYY-MM-DD' strings, both ends included; a NULL end means still serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from storage import web
from storage.db import Row, Tx

_COLUMNS = "id, member_id, unit_id, role, start_date, end_date"


@dataclass(frozen=True)
class Stretch:
    """One stretch of service: a unit and a role from a day to a day (None: still serving)."""

    id: int
    member_id: int
    unit_id: int
    role: str
    start: date
    end: date | None

    @classmethod
    def from_row(cls, row: Row) -> Stretch:
        """The one place that maps the columns to fields."""
        end = row["end_date"]
        return cls(
            id=int(row["id"]),
            member_id=int(row["member_id"]),
            unit_id=int(row["unit_id"]),
            role=str(row["role"]),
            start=date.fromisoformat(str(row["start_date"])),
            end=date.fromisoformat(str(end)) if end is not None else None,
        )

    def holds_on(self, day: date) -> bool:
        """Whether the member served in this unit and role on `day`."""
        return self.start <= day and (self.end is None or day <= self.end)


async def begin(tx: Tx, member_id: int, unit_id: int, role: str, start: date, now_iso: str) -> int:
    """Open a stretch from `start` and mirror it on the member (active, unit, role) and on
    their personal code not used yet (a roster's code places them where they now serve)."""
    stretch_id = await tx.insert(
        "INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)"
        " VALUES (?, ?, ?, ?, NULL, ?)",
        (member_id, unit_id, str(role), start.isoformat(), now_iso),
    )
    await tx.execute(
        "UPDATE members SET unit_id = ?, role = ?, active = 1 WHERE id = ?",
        (unit_id, str(role), member_id),
    )
    await tx.execute(
        "UPDATE invites SET unit_id = ?, role = ? WHERE member_id = ? AND uses_left > 0"
        " AND revoked_at IS NULL",
        (unit_id, str(role), member_id),
    )
    return stretch_id


async def latest(tx: Tx, member_id: int) -> Stretch | None:
    """The member's last stretch (open, or the one they left from)."""
    row = await tx.fetchone(
        f"SELECT {_COLUMNS} FROM memberships WHERE member_id = ?"
        " ORDER BY start_date DESC, id DESC LIMIT 1",
        (member_id,),
    )
    return Stretch.from_row(row) if row is not None else None


async def history(tx: Tx, member_id: int) -> list[Stretch]:
    """Every stretch of a member, oldest first: where and as what they served."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM memberships WHERE member_id = ? ORDER BY start_date, id",
        (member_id,),
    )
    return [Stretch.from_row(r) for r in rows]


async def end(tx: Tx, stretch: Stretch, last_day: date) -> None:
    """Close a stretch on `last_day` (the member leaves, or moves on the day after). A
    stretch closed before it began (a change dated on its first day) is removed instead."""
    if last_day < stretch.start:
        await tx.execute("DELETE FROM memberships WHERE id = ?", (stretch.id,))
        return
    await tx.execute(
        "UPDATE memberships SET end_date = ? WHERE id = ?", (last_day.isoformat(), stretch.id)
    )


async def change(tx: Tx, stretch: Stretch, unit_id: int, role: str, on: date, now_iso: str) -> int:
    """From `on`, the member serves in `unit_id` as `role`: the open stretch ends the day
    before and a new one begins (a change on the stretch's first day replaces it). Their
    web sessions and links end: what they could open was decided by what they were."""
    await end(tx, stretch, on - timedelta(days=1))
    if (unit_id, str(role)) != (stretch.unit_id, str(stretch.role)):
        await web.revoke_member(tx, stretch.member_id, now_iso)
    return await begin(tx, stretch.member_id, unit_id, role, on, now_iso)


async def leave(tx: Tx, stretch: Stretch, on: date, now_iso: str) -> None:
    """The member left on `on`: they served until the day before and are no longer active,
    and no web session or link of theirs opens any more."""
    await end(tx, stretch, on - timedelta(days=1))
    await web.revoke_member(tx, stretch.member_id, now_iso)
    await tx.execute("UPDATE members SET active = 0 WHERE id = ?", (stretch.member_id,))


async def serving_on(tx: Tx, unit_id: int, day: date) -> list[Row]:
    """Who served in a unit on a day (id, full_name, role), for a team's list as it was."""
    return await tx.fetchall(
        """SELECT m.id, m.full_name, s.role FROM memberships s JOIN members m ON m.id = s.member_id
           WHERE s.unit_id = ?1 AND s.start_date <= ?2
             AND (s.end_date IS NULL OR s.end_date >= ?2)
           ORDER BY m.full_name, m.id""",
        (unit_id, day.isoformat()),
    )
