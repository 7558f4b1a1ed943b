"""The durable outbox: messages the bot starts, deduplicated by key, drained by a sender."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Row, Tx


async def enqueue(
    tx: Tx,
    *,
    dedupe_key: str,
    channel: str,
    chat_id: str,
    member_id: int | None,
    payload: dict[str, Any],
    not_before_iso: str,
    now_iso: str,
) -> int | None:
    """Queue a message once per key; returns its id, or None if the key was already queued."""
    cur = await tx.execute(
        """INSERT OR IGNORE INTO outbox
             (dedupe_key, channel, chat_id, member_id, payload, not_before, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (
            dedupe_key,
            channel,
            chat_id,
            member_id,
            json.dumps(payload, ensure_ascii=False),
            not_before_iso,
            now_iso,
        ),
    )
    return int(cur.lastrowid) if cur.rowcount == 1 and cur.lastrowid else None


async def due(tx: Tx, channel: str, now_iso: str, limit: int) -> list[Row]:
    """Pending messages whose time has come, oldest first."""
    return await tx.fetchall(
        """SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND not_before <= ?
           ORDER BY not_before, id LIMIT ?""",
        (channel, now_iso, limit),
    )


async def claim(tx: Tx, outbox_id: int) -> bool:
    """Mark a message as being sent; False if another sender or a cancel got there first."""
    cur = await tx.execute(
        """UPDATE outbox SET status = 'sending', attempts = attempts + 1
           WHERE id = ? AND status = 'pending'""",
        (outbox_id,),
    )
    return cur.rowcount == 1


async def mark_sent(tx: Tx, outbox_id: int, platform_message_id: str | None, now_iso: str) -> None:
    """Record delivery and the platform's message id (needed to edit it later)."""
    await tx.execute(
        """UPDATE outbox SET status = 'sent', sent_at = ?, platform_message_id = ?,
           last_error = NULL WHERE id = ?""",
        (now_iso, platform_message_id, outbox_id),
    )


async def mark_retry(tx: Tx, outbox_id: int, error: str, not_before_iso: str) -> None:
    """Put a message back in the queue after a transient failure."""
    await tx.execute(
        "UPDATE outbox SET status = 'pending', last_error = ?, not_before = ? WHERE id = ?",
        (error, not_before_iso, outbox_id),
    )


async def mark_failed(tx: Tx, outbox_id: int, status: str, error: str) -> None:
    """Stop trying: 'given_up' after too many attempts, 'unreachable' when the user blocked us."""
    await tx.execute(
        "UPDATE outbox SET status = ?, last_error = ? WHERE id = ?", (status, error, outbox_id)
    )


async def cancel_pending(tx: Tx, outbox_id: int) -> bool:
    """Withdraw a message not yet sent (e.g. an alert someone already acknowledged)."""
    cur = await tx.execute(
        "UPDATE outbox SET status = 'cancelled' WHERE id = ? AND status = 'pending'",
        (outbox_id,),
    )
    return cur.rowcount == 1


async def get(tx: Tx, outbox_id: int) -> Row | None:
    """One outbox row, e.g. the alert an edit refers to."""
    return await tx.fetchone("SELECT * FROM outbox WHERE id = ?", (outbox_id,))


async def recover_interrupted(tx: Tx) -> int:
    """After a crash, put messages caught mid-send back in the queue."""
    cur = await tx.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cur.rowcount


def payload_of(row: Row) -> dict[str, Any]:
    """Decode a row's payload."""
    return dict(json.loads(row["payload"]))
