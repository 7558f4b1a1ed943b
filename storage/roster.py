"""The roster's rows: personal invites (one code for one member listed in advance), the
members a roster file is checked against, and what the printed code sheet lists.

A personal invite is an `invites` row with `member_id` set and one use: joining with it links
the chat to that member. A revoked one (`revoked_at`) joins no one.
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.db import Row, Tx
from storage.subtree import within, within_params

SQL_VARIABLES = 900  # ids per IN (...) list: SQLite allows 999 bound variables by default


async def personal_invite(tx: Tx, code: str) -> Row | None:
    """The personal invite with this code, with its member as listed (None: no such code, or
    an ordinary invite). Columns: code, member_id, uses_left, expires_at, revoked_at,
    full_name, active, unit_id, role, unit_name, unit_path."""
    return await tx.fetchone(
        """SELECT i.code, i.member_id, i.uses_left, i.expires_at, i.revoked_at,
                  m.full_name, m.active, m.unit_id, m.role, u.name AS unit_name,
                  u.path AS unit_path
           FROM invites i JOIN members m ON m.id = i.member_id
           JOIN units u ON u.id = m.unit_id
           WHERE i.code = ? AND i.member_id IS NOT NULL""",
        (code,),
    )


async def listed_in(tx: Tx, unit_ids: Iterable[int]) -> list[Row]:
    """Everyone who ever served in these units (serving there now, moved on or left), to tell
    a roster row that is already listed from a new one. Columns: id, unit_id (the unit of
    the roster), full_name, role, active, now_unit_id, now_path (where they are now)."""
    wanted = sorted(set(unit_ids))
    found: list[Row] = []
    for start in range(0, len(wanted), SQL_VARIABLES):
        chunk = wanted[start : start + SQL_VARIABLES]
        marks = ", ".join("?" * len(chunk))
        found.extend(
            await tx.fetchall(
                "SELECT DISTINCT m.id, s.unit_id, m.full_name, m.role, m.active,"
                " m.unit_id AS now_unit_id, u.path AS now_path"
                " FROM memberships s JOIN members m ON m.id = s.member_id"
                " JOIN units u ON u.id = m.unit_id"
                f" WHERE s.unit_id IN ({marks}) ORDER BY m.id",
                chunk,
            )
        )
    return found


async def sheet(tx: Tx, path: str) -> list[Row]:
    """The serving members of a subtree for the printed code sheet, unit by unit, each with
    whether they have joined on a messenger and their newest unrevoked personal code.

    Columns: member_id, full_name, role, unit_id, unit_path, joined, code, uses_left,
    expires_at (the last three NULL when the member has no such code).
    """
    # Two codes made in the same second: SQLite's insertion order; PostgreSQL has none to
    # offer, the code decides.
    newest = "p.rowid" if tx.dialect == "sqlite" else "p.code"
    return await tx.fetchall(
        f"""SELECT m.id AS member_id, m.full_name, m.role, u.id AS unit_id, u.path AS unit_path,
                   EXISTS (SELECT 1 FROM identities d WHERE d.member_id = m.id) AS joined,
                   i.code, i.uses_left, i.expires_at
            FROM members m JOIN units u ON u.id = m.unit_id
            LEFT JOIN invites i ON i.code = (
                SELECT p.code FROM invites p
                WHERE p.member_id = m.id AND p.revoked_at IS NULL
                ORDER BY p.created_at DESC, {newest} DESC LIMIT 1)
            WHERE m.active = 1 AND {within("u.path")}
            ORDER BY u.path, m.full_name, m.id""",
        within_params(path),
    )
