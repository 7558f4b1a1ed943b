"""Per-chat dialog state and the record of updates already handled."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Tx
from storage.members import _MEMBER_COLUMNS, Member, touch

# Whether the update was handled, who wrote it and their chat's state: one statement, so an
# update costs one trip (with its BEGIN) before its handler runs. Every column comes from a
# LEFT JOIN or a subquery, so the one row exists for a stranger and for a new chat too.
ARRIVAL = f"""SELECT
    CASE WHEN EXISTS (SELECT 1 FROM processed_updates p
                      WHERE p.channel = ? AND p.update_key = ?) THEN 1 ELSE 0 END AS seen,
    (SELECT c.state FROM conversations c WHERE c.channel = ? AND c.chat_id = ?) AS state,
    {_MEMBER_COLUMNS}
  FROM (SELECT 1 AS one) AS o
  LEFT JOIN identities i ON i.channel = ? AND i.user_id = ?
  LEFT JOIN members m ON m.id = i.member_id AND m.active = 1
  LEFT JOIN units u ON u.id = m.unit_id"""


@dataclass(frozen=True)
class Arrival:
    """An update seen for the first time: who wrote it (None for a stranger) and the saved
    state of their chat (as `load` gives it)."""

    member: Member | None
    state: dict[str, Any]


async def load(tx: Tx, channel: str, chat_id: str) -> dict[str, Any]:
    """The saved dialog state of a chat; empty when the chat is idle, and when what was saved
    is not a JSON object (the dialog starts over instead of every update failing)."""
    row = await tx.fetchone(
        "SELECT state FROM conversations WHERE channel = ? AND chat_id = ?", (channel, chat_id)
    )
    return _state(row["state"] if row else None)


def _state(saved: str | None) -> dict[str, Any]:
    try:
        state = json.loads(saved) if saved else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


async def arrive(
    tx: Tx, channel: str, update_key: str, user_id: str, chat_id: str, now_iso: str
) -> Arrival | None:
    """Start handling an update in one trip: None if it was handled before (a redelivery),
    else who wrote and their chat's state. The update id is recorded, and a member's
    messenger marked as last used (and reachable), with the transaction's next trip: in the
    same transaction, whose write lock (BEGIN IMMEDIATE) keeps another process from
    recording the same id in between; a plain INSERT would fail the update if one had."""
    row = await tx.fetchone(ARRIVAL, (channel, update_key, channel, chat_id, channel, user_id))
    if row is None or row["seen"]:
        return None
    tx.queue(
        "INSERT INTO processed_updates (channel, update_key, at) VALUES (?, ?, ?)",
        (channel, update_key, now_iso),
    )
    member = Member.from_row(row) if row["id"] is not None else None
    if member is not None:
        await touch(tx, channel, user_id, now_iso)
    return Arrival(member, _state(row["state"]))


async def save(tx: Tx, channel: str, chat_id: str, state: dict[str, Any], now_iso: str) -> None:
    """Persist the state after every answer, so a restart resumes the same question; sent
    with the transaction's next trip (for the engine, its COMMIT)."""
    if not state:
        tx.queue("DELETE FROM conversations WHERE channel = ? AND chat_id = ?", (channel, chat_id))
        return
    tx.queue(
        """INSERT INTO conversations (channel, chat_id, state, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (channel, chat_id) DO UPDATE SET
             state = excluded.state, updated_at = excluded.updated_at""",
        (channel, chat_id, json.dumps(state, ensure_ascii=False), now_iso),
    )


async def first_time(tx: Tx, channel: str, update_key: str, now_iso: str) -> bool:
    """Record an update id; False means it was handled before and must be ignored."""
    cur = await tx.execute(
        "INSERT OR IGNORE INTO processed_updates (channel, update_key, at) VALUES (?, ?, ?)",
        (channel, update_key, now_iso),
    )
    return cur.rowcount == 1


async def seen(tx: Tx, channel: str, update_key: str) -> bool:
    """Whether an update was handled already, checked before costly work such as downloads."""
    row = await tx.fetchone(
        "SELECT 1 FROM processed_updates WHERE channel = ? AND update_key = ?",
        (channel, update_key),
    )
    return row is not None
