"""The durable outbox: messages the bot starts, deduplicated by key, drained by a sender.

A row's life: pending → sending (claimed) → sent; or back to pending with a later
not_before after a transient failure; or given_up, unreachable (the user blocked the bot),
expired (too late to matter, e.g. a reminder after its deadline) or cancelled.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from storage.db import Row, Tx


@dataclass(frozen=True)
class Planned:
    """One message a planner wants sent; its key makes planning it twice harmless."""

    dedupe_key: str
    channel: str
    chat_id: str
    member_id: int | None
    payload: dict[str, Any]
    not_before_iso: str
    urgent: bool = False
    expires_iso: str | None = None


@dataclass(frozen=True)
class OutboxRow:
    """One queued message as stored (`SELECT *`): what the sender sends and the CLI retries.

    The payload stays the stored JSON text: the sender decodes it when it sends, while the
    CLI and announcement progress never look inside it.
    """

    id: int
    dedupe_key: str
    channel: str
    chat_id: str
    member_id: int | None
    payload_text: str
    not_before: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: str | None
    platform_message_id: str | None
    created_at: str
    urgent: bool
    expires_at: str | None

    @classmethod
    def from_row(cls, row: Row) -> OutboxRow:
        """The one place that maps the columns to fields, so callers never cast a column."""
        return cls(
            id=int(row["id"]),
            dedupe_key=str(row["dedupe_key"]),
            channel=str(row["channel"]),
            chat_id=str(row["chat_id"]),
            member_id=None if row["member_id"] is None else int(row["member_id"]),
            payload_text=str(row["payload"]),
            not_before=str(row["not_before"]),
            status=str(row["status"]),
            attempts=int(row["attempts"]),
            last_error=_text_or_none(row["last_error"]),
            sent_at=_text_or_none(row["sent_at"]),
            platform_message_id=_text_or_none(row["platform_message_id"]),
            created_at=str(row["created_at"]),
            urgent=bool(row["urgent"]),
            expires_at=_text_or_none(row["expires_at"]),
        )

    def payload(self) -> dict[str, Any]:
        """The message to send, decoded afresh each time, so a caller may change its copy."""
        return dict(json.loads(self.payload_text))


def _text_or_none(value: object) -> str | None:
    """A nullable text column."""
    return None if value is None else str(value)


_INSERT = """INSERT INTO outbox
    (dedupe_key, channel, chat_id, member_id, payload, not_before, created_at, urgent, expires_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING"""


_INSERT_ARRAYS = """INSERT INTO outbox
    (dedupe_key, channel, chat_id, member_id, payload, not_before, created_at, urgent, expires_at)
    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],
                         ?::text[], ?::bigint[], ?::text[])
    ON CONFLICT DO NOTHING"""


def _values(item: Planned, now_iso: str) -> tuple[Any, ...]:
    return (
        item.dedupe_key,
        item.channel,
        item.chat_id,
        item.member_id,
        json.dumps(item.payload, ensure_ascii=False),
        item.not_before_iso,
        now_iso,
        int(item.urgent),
        item.expires_iso,
    )


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
    urgent: bool = False,
    expires_iso: str | None = None,
) -> int | None:
    """Queue a message once per key; returns its id, or None if the key was already queued."""
    item = Planned(
        dedupe_key, channel, chat_id, member_id, payload, not_before_iso, urgent, expires_iso
    )
    row = await tx.fetchone(_INSERT + " RETURNING id", _values(item, now_iso))
    return int(row[0]) if row is not None else None


def enqueue_later(tx: Tx, item: Planned, now_iso: str) -> None:
    """Queue a message once per key, sent with the transaction's next trip (often its
    COMMIT): for a notice whose id nobody needs, one trip to the database fewer."""
    tx.queue(_INSERT, _values(item, now_iso))


async def enqueue_many(tx: Tx, items: Sequence[Planned], now_iso: str) -> int:
    """Queue a planner's messages in one statement; returns how many keys were new."""
    if not items:
        return 0
    rows = [_values(item, now_iso) for item in items]
    if tx.dialect != "sqlite":
        # One statement over arrays: PostgreSQL's tag counts the rows that were new.
        columns = [list(column) for column in zip(*rows, strict=True)]
        cur = await tx.execute(_INSERT_ARRAYS, columns)
        return cur.rowcount
    before = await tx.fetchone("SELECT total_changes() AS n")
    await tx.executemany(_INSERT, rows)
    after = await tx.fetchone("SELECT total_changes() AS n")
    assert before is not None and after is not None
    return int(after["n"]) - int(before["n"])


async def due(
    tx: Tx,
    channel: str,
    now_iso: str,
    limit: int,
    *,
    urgent_only: bool = False,
    skip_chats: Collection[str] = (),
) -> list[OutboxRow]:
    """Pending messages whose time has come: urgent ones first, then oldest first.

    `skip_chats` leaves out chats that may not receive another message yet (the per-chat
    rate limit), so one busy chat never holds up everyone queued behind it.
    """
    skip = f"AND chat_id NOT IN ({','.join('?' for _ in skip_chats)})" if skip_chats else ""
    kinds = (1,) if urgent_only else (1, 0)
    # One statement, so one snapshot in one trip (storage/db.py's read(one=True)).
    sql = " UNION ALL ".join(
        f"""SELECT * FROM (SELECT * FROM outbox
              WHERE channel = ? AND status = 'pending' AND urgent = ? AND not_before <= ? {skip}
              ORDER BY not_before, id LIMIT ?) AS due{urgent}"""
        for urgent in kinds
    )
    params = [v for urgent in kinds for v in (channel, urgent, now_iso, *skip_chats, limit)]
    found = await tx.fetchall(f"{sql} ORDER BY urgent DESC, not_before, id", params)
    return [OutboxRow.from_row(row) for row in found][:limit]


async def claim(
    tx: Tx,
    outbox_ids: Sequence[int],
    *,
    owner: str | None = None,
    now_iso: str | None = None,
    others_gap_from: str | None = None,
) -> set[int]:
    """Mark messages as being sent by `owner` (this process); returns those claimed (another
    sender or a cancel may have got to the others first). One statement for the whole
    round, not one per row: while the claim holds the database, the marks of messages the
    platform has just accepted wait.

    A row is not claimed while its chat has a row being sent, by any process, nor while
    another process sent to the chat at or after `others_gap_from`: a chat's pace holds
    across processes (this process keeps its own chats' gap in its RateLimiter).
    """
    if not outbox_ids:
        return set()
    marks = ",".join("?" for _ in outbox_ids)
    # PostgreSQL: a row another sender holds (claiming, marking, cancelling) is passed over,
    # never waited for. The NOT EXISTS below is exact on both databases because claims run
    # in write transactions, which take turns (SQLite's write lock; on PostgreSQL the write
    # lock every transaction takes, storage/pg.py).
    lock = "FOR UPDATE OF o SKIP LOCKED" if tx.dialect == "postgresql" else ""
    rows = await tx.fetchall(
        f"""UPDATE outbox SET status = 'sending', attempts = attempts + 1,
                claimed_by = ?, claimed_at = ?
            WHERE id IN (
              SELECT o.id FROM outbox o
              WHERE o.status = 'pending' AND o.id IN ({marks})
                AND NOT EXISTS (
                  SELECT 1 FROM outbox s
                  WHERE s.channel = o.channel AND s.chat_id = o.chat_id
                    AND (s.status = 'sending'
                         OR (s.status = 'sent' AND s.claimed_by <> ? AND s.sent_at >= ?)))
              {lock})
            RETURNING id""",
        # With no gap, "~" sorts after every ISO time: no other process's send holds a chat.
        (owner, now_iso, *outbox_ids, owner, others_gap_from or "~"),
    )
    return {int(row["id"]) for row in rows}


async def expire(tx: Tx, outbox_ids: Sequence[int]) -> int:
    """Give up messages that are too late to matter (a reminder after its deadline)."""
    if not outbox_ids:
        return 0
    cur = await tx.execute(
        f"""UPDATE outbox SET status = 'expired', last_error = 'too late to send'
            WHERE status = 'pending' AND id IN ({",".join("?" for _ in outbox_ids)})""",
        outbox_ids,
    )
    return cur.rowcount


async def mark_sent(tx: Tx, outbox_id: int, platform_message_id: str | None, now_iso: str) -> None:
    """Record delivery and the platform's message id (needed to edit it later)."""
    await tx.execute(
        """UPDATE outbox SET status = 'sent', sent_at = ?, platform_message_id = ?,
           last_error = NULL WHERE id = ?""",
        (now_iso, platform_message_id, outbox_id),
    )


async def mark_retry(
    tx: Tx, outbox_id: int, error: str, not_before_iso: str, *, counts: bool = True
) -> None:
    """Put a message back in the queue after a transient failure.

    `counts=False` gives the attempt back: the platform asked us to slow down (retry_after),
    which says nothing about whether this message can be delivered.
    """
    await tx.execute(
        "UPDATE outbox SET status = 'pending', last_error = ?, not_before = ?,"
        " attempts = attempts - ? WHERE id = ?",
        (error, not_before_iso, 0 if counts else 1, outbox_id),
    )


async def mark_failed(tx: Tx, outbox_id: int, status: str, error: str) -> None:
    """Stop trying: 'given_up' after too many attempts, 'unreachable' when the user blocked us,
    'expired' when it is too late to matter."""
    await tx.execute(
        "UPDATE outbox SET status = ?, last_error = ? WHERE id = ?", (status, error, outbox_id)
    )


async def set_payload(tx: Tx, outbox_id: int, payload: dict[str, Any]) -> None:
    """Replace what a row will send: after a long message failed part-way, only the parts
    that did not arrive are left to send."""
    await tx.execute(
        "UPDATE outbox SET payload = ? WHERE id = ?",
        (json.dumps(payload, ensure_ascii=False), outbox_id),
    )


async def cancel_pending(tx: Tx, outbox_id: int) -> bool:
    """Withdraw a message not yet sent (e.g. an alert someone already acknowledged)."""
    cur = await tx.execute(
        "UPDATE outbox SET status = 'cancelled' WHERE id = ? AND status = 'pending'",
        (outbox_id,),
    )
    return cur.rowcount == 1


async def cancel_pending_keys(tx: Tx, keys: list[str]) -> int:
    """Withdraw the messages of these dedupe keys not yet sent (an alert's voice notes)."""
    if not keys:
        return 0
    marks = ", ".join("?" for _ in keys)
    cur = await tx.execute(
        f"UPDATE outbox SET status = 'cancelled' WHERE dedupe_key IN ({marks})"
        " AND status = 'pending'",
        tuple(keys),
    )
    return int(cur.rowcount)


async def get(tx: Tx, outbox_id: int) -> OutboxRow | None:
    """One outbox row, e.g. the alert an edit refers to."""
    row = await tx.fetchone("SELECT * FROM outbox WHERE id = ?", (outbox_id,))
    return OutboxRow.from_row(row) if row is not None else None


async def recover_interrupted(
    tx: Tx, channel: str | None = None, *, alive: Collection[str] | None = None
) -> int:
    """After a crash, put messages caught mid-send back in the queue.

    With `alive` (the processes whose heartbeat is fresh, this one included) only rows of
    dead owners go back: the living are still sending theirs, and putting them back would
    send them twice. Without it every row being sent goes back (one process, as before).
    """
    where = "status = 'sending'"
    params: list[str] = []
    if channel is not None:
        where += " AND channel = ?"
        params.append(channel)
    if alive is not None:
        where += " AND (claimed_by IS NULL"
        if alive:
            where += f" OR claimed_by NOT IN ({','.join('?' for _ in alive)})"
            params += list(alive)
        else:
            where += " OR 1 = 1"
        where += ")"
    cur = await tx.execute(f"UPDATE outbox SET status = 'pending' WHERE {where}", params)
    return int(cur.rowcount)


async def summary(tx: Tx) -> list[Row]:
    """Rows per channel and status, for `antt-bot outbox`."""
    return await tx.fetchall(
        """SELECT channel, status, COUNT(*) AS n, MIN(not_before) AS oldest
           FROM outbox GROUP BY channel, status ORDER BY channel, status"""
    )


async def requeue(tx: Tx, outbox_id: int | None, now_iso: str) -> int:
    """Give given-up messages another chance (one, or all when `outbox_id` is None)."""
    if outbox_id is None:
        cur = await tx.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, not_before = ?"
            " WHERE status = 'given_up'",
            (now_iso,),
        )
    else:
        cur = await tx.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, not_before = ?"
            " WHERE status = 'given_up' AND id = ?",
            (now_iso, outbox_id),
        )
    return cur.rowcount


async def drop_chat(tx: Tx, channel: str, chat_id: str) -> int:
    """A chat blocked the bot: its other queued messages cannot arrive either."""
    cur = await tx.execute(
        """UPDATE outbox SET status = 'unreachable', last_error = 'blocked'
           WHERE channel = ? AND chat_id = ? AND status = 'pending'""",
        (channel, chat_id),
    )
    return cur.rowcount


# What each view of `antt-bot outbox` selects and in which order. Chat ids and payloads are
# never selected: the operator's screen shows member ids and keys only.
_OPERATOR_VIEWS: dict[str, tuple[str, str]] = {
    "pending": ("status = 'pending'", "not_before, id"),
    "waiting": ("status = 'pending' AND attempts = 0", "not_before, id"),
    "failing": ("status = 'pending' AND attempts > 0", "not_before, id"),
    "sending": ("status = 'sending'", "not_before, id"),
    "sent": ("status = 'sent'", "sent_at DESC, id DESC"),
    "given_up": ("status = 'given_up'", "id DESC"),
    "unreachable": ("status = 'unreachable'", "id DESC"),
    "expired": ("status = 'expired'", "id DESC"),
    "cancelled": ("status = 'cancelled'", "id DESC"),
    "all": ("1 = 1", "id DESC"),
}
OPERATOR_VIEWS = tuple(_OPERATOR_VIEWS)


async def operator_view(tx: Tx, view: str, limit: int) -> tuple[list[Row], int]:
    """One section of `antt-bot outbox` and its full size, so the operator sees "50 of 812".

    The queue (pending, failing) comes in the order it will be sent; finished rows newest
    first, because the latest failures are the ones worth looking at.
    """
    where, order = _OPERATOR_VIEWS[view]
    rows = await tx.fetchall(
        f"""SELECT id, dedupe_key, channel, member_id, status, attempts, not_before, urgent,
                   expires_at, last_error, created_at, sent_at
            FROM outbox WHERE {where} ORDER BY {order} LIMIT ?""",
        (limit,),
    )
    total = await tx.fetchone(f"SELECT COUNT(*) AS n FROM outbox WHERE {where}")
    return rows, int(total["n"]) if total else 0


async def cancel_member(tx: Tx, member_id: int) -> int:
    """Withdraw every message still waiting for a member (they left the force)."""
    cur = await tx.execute(
        "UPDATE outbox SET status = 'cancelled' WHERE member_id = ? AND status = 'pending'",
        (member_id,),
    )
    return int(cur.rowcount)
