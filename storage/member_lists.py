"""A unit's people as /thanhvien and `antt-bot member list` show them, and the former member
behind a messenger account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from storage.db import Row, Tx
from storage.members import Member
from storage.subtree import within, within_params

# The day a member left: the day the audit trail says (a stretch left on its first day is
# removed, leaving no end), else the day after their last stretch ended.
_LEFT_ON = """COALESCE(
    (SELECT a.effective_on FROM audit_trail a
      WHERE a.subject = 'member' AND a.subject_id = CAST(m.id AS TEXT) AND a.action = 'leave'
      ORDER BY a.id DESC LIMIT 1),
    (SELECT date(MAX(s.end_date), '+1 day') FROM memberships s WHERE s.member_id = m.id)
) AS left_on"""


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
        active = bool(row["active"])
        left_on = _day(row["left_on"]) if not active else None
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
        f"""SELECT m.id, m.full_name, m.role, m.phone, m.active,
                  EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id) AS joined_bot,
                  {_LEFT_ON}
           FROM members m WHERE m.unit_id = ?
           ORDER BY m.active DESC, CASE WHEN m.active = 1 THEN m.full_name END,
                    left_on DESC, m.full_name, m.id""",
        (unit_id,),
    )
    return [Person.from_row(r) for r in rows]


async def former_member(tx: Tx, channel: str, user_id: str) -> tuple[Member, date | None] | None:
    """The member behind a messenger account who no longer serves, with the day they left
    (None when unknown), so they are told so rather than treated as a stranger."""
    row = await tx.fetchone(
        f"""SELECT m.id, m.unit_id, m.role, m.full_name, m.locale, m.active,
                  u.name AS unit_name, u.path AS unit_path, u.kind AS unit_kind, {_LEFT_ON}
           FROM identities i JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
           WHERE i.channel = ? AND i.user_id = ? AND m.active = 0""",
        (channel, user_id),
    )
    if row is None:
        return None
    return Member.from_row(row), _day(row["left_on"])


def _day(value: object) -> date | None:
    """A stored 'YYYY-MM-DD', or None."""
    return date.fromisoformat(str(value)) if value else None


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


async def under(tx: Tx, path: str | None, everything: bool) -> list[Row]:
    """The members whose current (or last) unit lies in the subtree at `path`, by unit then
    name, so the operator can pick the id to move, re-role or mark as left; without
    `everything`, only those still serving. `path` None: the whole tree.

    Columns: id, full_name, role, active, phone, unit_path, joined (1 when they have a
    messenger account: the bot can reach them), since and until (their last stretch's first
    and last day, until NULL while serving) and left_on (the day they left, read as
    /thanhvien reads it).
    """
    where = [within("u.path")] if path is not None else ["1 = 1"]
    if not everything:
        where.append("m.active = 1")
    return await tx.fetchall(
        f"""SELECT m.id, m.full_name, m.role, m.active, m.phone, u.path AS unit_path,
                   EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id) AS joined,
                   s.start_date AS since, s.end_date AS until, {_LEFT_ON}
              FROM members m JOIN units u ON u.id = m.unit_id
              LEFT JOIN memberships s ON s.id = (
                   SELECT s2.id FROM memberships s2 WHERE s2.member_id = m.id
                    ORDER BY s2.start_date DESC, s2.id DESC LIMIT 1)
             WHERE {" AND ".join(where)}
             ORDER BY u.path, m.full_name, m.id""",
        within_params(path) if path is not None else (),
    )
