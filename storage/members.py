"""Members and their messenger identities."""

from __future__ import annotations

from storage.db import Row, Tx

_MEMBER_COLUMNS = """
    m.id, m.unit_id, m.role, m.full_name, m.locale, m.active,
    u.name AS unit_name, u.path AS unit_path, u.kind AS unit_kind
"""


async def by_identity(tx: Tx, channel: str, user_id: str) -> Row | None:
    """Who is writing: the active member behind a platform user id, with their unit."""
    return await tx.fetchone(
        f"""SELECT {_MEMBER_COLUMNS}, i.chat_id FROM identities i
            JOIN members m ON m.id = i.member_id JOIN units u ON u.id = m.unit_id
            WHERE i.channel = ? AND i.user_id = ? AND m.active = 1""",
        (channel, user_id),
    )


async def get(tx: Tx, member_id: int) -> Row | None:
    """One member with their unit, for names on receipts and alerts."""
    return await tx.fetchone(
        f"""SELECT {_MEMBER_COLUMNS} FROM members m JOIN units u ON u.id = m.unit_id
            WHERE m.id = ?""",
        (member_id,),
    )


async def create(tx: Tx, unit_id: int, role: str, full_name: str, locale: str, now_iso: str) -> int:
    """Add a member to a unit (called once the invite has been consumed)."""
    return await tx.insert(
        "INSERT INTO members (unit_id, role, full_name, locale, joined_at) VALUES (?, ?, ?, ?, ?)",
        (unit_id, role, full_name, locale, now_iso),
    )


async def link_identity(
    tx: Tx, channel: str, user_id: str, chat_id: str, member_id: int, now_iso: str
) -> None:
    """Tie a messenger account to a member; a re-join replaces the old link."""
    await tx.execute(
        """INSERT INTO identities (channel, user_id, chat_id, member_id, linked_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (channel, user_id) DO UPDATE SET
             chat_id = excluded.chat_id, member_id = excluded.member_id,
             linked_at = excluded.linked_at""",
        (channel, user_id, chat_id, member_id, now_iso),
    )


async def team_roster(tx: Tx, unit_id: int) -> list[Row]:
    """Active members of a team, in a stable order, for picking patrol team-mates."""
    return await tx.fetchall(
        "SELECT id, full_name, role FROM members WHERE unit_id = ? AND active = 1 ORDER BY id",
        (unit_id,),
    )


async def contact(tx: Tx, member_id: int) -> Row | None:
    """Where to reach a member: their most recently linked messenger identity."""
    return await tx.fetchone(
        """SELECT channel, chat_id FROM identities WHERE member_id = ?
           ORDER BY linked_at DESC LIMIT 1""",
        (member_id,),
    )


async def officers_over(tx: Tx, unit_path: str, roles: tuple[str, ...]) -> list[Row]:
    """Members with one of `roles` whose unit contains `unit_path` (itself or an ancestor)."""
    marks = ",".join("?" for _ in roles)
    return await tx.fetchall(
        f"""SELECT m.id, m.full_name, m.locale FROM members m JOIN units u ON u.id = m.unit_id
            WHERE m.active = 1 AND m.role IN ({marks})
              AND (? = u.path OR substr(?, 1, length(u.path) + 1) = u.path || '/')
            ORDER BY m.id""",
        (*roles, unit_path, unit_path),
    )


async def set_locale(tx: Tx, member_id: int, locale: str) -> None:
    """Remember the language a member chose; every later message uses it."""
    await tx.execute("UPDATE members SET locale = ? WHERE id = ?", (locale, member_id))
