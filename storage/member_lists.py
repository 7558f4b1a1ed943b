"""A unit's people as /thanhvien lists them, and the former member behind a messenger account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from storage.db import Row, Tx
from storage.members import Member


@dataclass(frozen=True)
class Person:
    """One person of a unit's list: serving or left (with the day they left), their phone and
    whether they ever joined the bot (a roster may name people before they chat)."""

    id: int
    full_name: str
    role: str
    phone: str | None
    active: bool
    joined_bot: bool
    left_on: date | None

    @classmethod
    def from_row(cls, row: Row) -> Person:
        """The one place that maps the columns to fields."""
        last = row["last_day"]
        active = bool(row["active"])
        left_on = None
        if not active and last is not None:
            left_on = date.fromisoformat(str(last)) + timedelta(days=1)
        return cls(
            id=int(row["id"]),
            full_name=str(row["full_name"]),
            role=str(row["role"]),
            phone=str(row["phone"]) if row["phone"] else None,
            active=active,
            joined_bot=bool(row["joined_bot"]),
            left_on=left_on,
        )


async def people_of(tx: Tx, unit_id: int) -> list[Person]:
    """Everyone whose latest stretch is in this unit, serving first, then those who left
    from it (newest first), so an officer sees who is there and whom they may bring back."""
    rows = await tx.fetchall(
        """SELECT m.id, m.full_name, m.role, m.phone, m.active,
                  EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id) AS joined_bot,
                  (SELECT MAX(s.end_date) FROM memberships s WHERE s.member_id = m.id) AS last_day
           FROM members m WHERE m.unit_id = ?
           ORDER BY m.active DESC, CASE WHEN m.active = 1 THEN m.full_name END,
                    last_day DESC, m.full_name, m.id""",
        (unit_id,),
    )
    return [Person.from_row(r) for r in rows]


async def former_member(tx: Tx, channel: str, user_id: str) -> tuple[Member, date | None] | None:
    """The member behind a messenger account who no longer serves, with the day they left
    (None when unknown), so they are told so rather than treated as a stranger."""
    row = await tx.fetchone(
        """SELECT m.id, m.unit_id, m.role, m.full_name, m.locale, m.active,
                  u.name AS unit_name, u.path AS unit_path, u.kind AS unit_kind,
                  (SELECT MAX(s.end_date) FROM memberships s WHERE s.member_id = m.id) AS last_day
           FROM identities i JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
           WHERE i.channel = ? AND i.user_id = ? AND m.active = 0""",
        (channel, user_id),
    )
    if row is None:
        return None
    last = row["last_day"]
    left_on = date.fromisoformat(str(last)) + timedelta(days=1) if last is not None else None
    return Member.from_row(row), left_on


@asynccontextmanager
async def trial(tx: Tx) -> AsyncIterator[None]:
    """Run changes only to see whether they would be accepted: everything written inside
    is undone on leaving (a refusal raised inside is undone and passed on), so a dialog can
    check a change with the very rules that will make it, before asking to confirm it."""
    await tx.execute("SAVEPOINT trial")
    try:
        yield
    finally:
        await tx.execute("ROLLBACK TO trial")
        await tx.execute("RELEASE trial")
