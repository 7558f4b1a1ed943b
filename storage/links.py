"""One-time codes that link another messenger's account to an existing member."""

from __future__ import annotations

from storage.db import Row, Tx


async def create(
    tx: Tx,
    code: str,
    member_id: int,
    channel: str,
    chat_id: str,
    expires_at_iso: str,
    now_iso: str,
) -> None:
    """Store a fresh code; earlier unused codes of the member stop working (one at a time)."""
    await tx.execute(
        "UPDATE link_codes SET used_at = ? WHERE member_id = ? AND used_at IS NULL",
        (now_iso, member_id),
    )
    await tx.execute(
        """INSERT INTO link_codes (code, member_id, channel, chat_id, expires_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (code, member_id, channel, chat_id, expires_at_iso, now_iso),
    )


async def get(tx: Tx, code: str) -> Row | None:
    """A code with its state, so the caller can say why it cannot be used."""
    return await tx.fetchone(
        """SELECT code, member_id, channel, chat_id, expires_at, created_at, used_at
           FROM link_codes WHERE code = ?""",
        (code,),
    )


async def redeem(tx: Tx, code: str, now_iso: str) -> bool:
    """Use a code up; a single guarded UPDATE, so two messengers cannot both redeem it."""
    cur = await tx.execute(
        """UPDATE link_codes SET used_at = ? WHERE code = ? AND used_at IS NULL
           AND CAST(strftime('%s', expires_at) AS INTEGER) > CAST(strftime('%s', ?) AS INTEGER)""",
        (now_iso, code, now_iso),
    )
    return cur.rowcount == 1
