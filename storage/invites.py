"""Invite codes: one row per code, tying a future member to a unit and a role.

Codes are stored exactly as given (callers pass the canonical upper-case form). Times are
ISO-8601 strings with offset; expiry is compared as instants in SQL, so a row written in one
time zone still compares correctly with a 'now' given in another.
"""

from __future__ import annotations

from storage.db import Row, Tx


async def create(
    tx: Tx,
    code: str,
    unit_id: int,
    role: str,
    uses: int,
    expires_at_iso: str,
    now_iso: str,
) -> None:
    """Store a new invite so an admin can hand its code or deep link to a future member."""
    await tx.execute(
        "INSERT INTO invites (code, unit_id, role, uses_left, expires_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (code, unit_id, str(role), uses, expires_at_iso, now_iso),
    )


async def get(tx: Tx, code: str) -> Row | None:
    """Look up an invite by its code, e.g. to detect a collision before creating one."""
    return await tx.fetchone(
        "SELECT code, unit_id, role, uses_left, expires_at, created_at FROM invites WHERE code = ?",
        (code,),
    )


async def get_with_unit(tx: Tx, code: str) -> Row | None:
    """Look up an invite together with its unit, which is what the join dialog shows the user.

    Columns: code, unit_id, role, uses_left, expires_at, unit_name, unit_path, unit_kind.
    """
    return await tx.fetchone(
        "SELECT i.code, i.unit_id, i.role, i.uses_left, i.expires_at,"
        " u.name AS unit_name, u.path AS unit_path, u.kind AS unit_kind"
        " FROM invites AS i JOIN units AS u ON u.id = i.unit_id"
        " WHERE i.code = ?",
        (code,),
    )


async def consume(tx: Tx, code: str, now_iso: str) -> bool:
    """Use up one use of an invite, so a code joins at most as many people as it was made for.

    The decrement happens in a single UPDATE guarded by uses_left > 0 and expires_at > now,
    so it cannot go below zero or succeed after expiry. Returns whether a use was taken.
    """
    cur = await tx.execute(
        "UPDATE invites SET uses_left = uses_left - 1"
        " WHERE code = ? AND uses_left > 0"
        " AND CAST(strftime('%s', expires_at) AS INTEGER) > CAST(strftime('%s', ?) AS INTEGER)",
        (code, now_iso),
    )
    return cur.rowcount == 1
