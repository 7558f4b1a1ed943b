"""Invite codes: one row per code, tying a future member to a unit and a role.

Codes are stored exactly as given (callers pass the canonical upper-case form). Times are
ISO-8601 strings with offset; expiry is compared as instants in SQL, so a row written in one
time zone still compares correctly with a 'now' given in another.
"""

from __future__ import annotations

from storage.db import Row, Tx
from storage.subtree import within, within_params


async def create(
    tx: Tx,
    code: str,
    unit_id: int,
    role: str,
    uses: int,
    expires_at_iso: str,
    now_iso: str,
    member_id: int | None = None,
) -> None:
    """Store a new invite so an admin can hand its code or deep link to a future member
    (with `member_id`: a one-use code for a member listed in advance, for the roster sheet)."""
    await tx.execute(
        "INSERT INTO invites (code, unit_id, role, uses_left, expires_at, created_at, member_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code, unit_id, str(role), uses, expires_at_iso, now_iso, member_id),
    )


async def get(tx: Tx, code: str) -> Row | None:
    """Look up an invite by its code, e.g. to detect a collision before creating one."""
    return await tx.fetchone(
        "SELECT code, unit_id, role, uses_left, expires_at, created_at FROM invites WHERE code = ?",
        (code,),
    )


async def get_with_unit(tx: Tx, code: str) -> Row | None:
    """Look up an invite together with its unit, which is what the join dialog shows the user.

    Columns: code, unit_id, role, uses_left, expires_at, revoked_at, unit_name, unit_path,
    unit_kind.
    """
    return await tx.fetchone(
        "SELECT i.code, i.unit_id, i.role, i.uses_left, i.expires_at, i.revoked_at,"
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
        " WHERE code = ? AND uses_left > 0 AND revoked_at IS NULL"
        " AND CAST(strftime('%s', expires_at) AS INTEGER) > CAST(strftime('%s', ?) AS INTEGER)",
        (code, now_iso),
    )
    return cur.rowcount == 1


async def listing(tx: Tx, path: str | None, now_iso: str, everything: bool) -> list[Row]:
    """The invites of a subtree (every unit when `path` is None), newest first, so the operator
    sees which codes are still out there; without `everything`, only those that can still
    join someone (not revoked, not expired, uses left).

    Columns: code, role, uses_left, expires_at, created_at, revoked_at, unit_path, for_name.
    """
    where = [within("u.path")] if path is not None else []
    params: list[object] = list(within_params(path)) if path is not None else []
    if not everything:
        where.append(
            "i.revoked_at IS NULL AND i.uses_left > 0 AND CAST(strftime('%s', i.expires_at)"
            " AS INTEGER) > CAST(strftime('%s', ?) AS INTEGER)"
        )
        params.append(now_iso)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return await tx.fetchall(
        "SELECT i.code, i.role, i.uses_left, i.expires_at, i.created_at, i.revoked_at,"
        " u.path AS unit_path, u.id AS unit_id, m.full_name AS for_name"
        " FROM invites AS i JOIN units AS u ON u.id = i.unit_id"
        f" LEFT JOIN members AS m ON m.id = i.member_id{clause}"
        " ORDER BY i.created_at DESC, i.code",
        params,
    )


async def revoke(tx: Tx, code: str, now_iso: str) -> bool:
    """Withdraw a code that was lost or handed to the wrong person, so it joins no one from
    now on; False when it was already revoked."""
    cur = await tx.execute(
        "UPDATE invites SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL", (now_iso, code)
    )
    return cur.rowcount == 1
