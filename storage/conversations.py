"""Per-chat dialog state and the record of updates already handled."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Tx


async def load(tx: Tx, channel: str, chat_id: str) -> dict[str, Any]:
    """The saved dialog state of a chat; empty when the chat is idle, and when what was saved
    is not a JSON object (the dialog starts over instead of every update failing)."""
    row = await tx.fetchone(
        "SELECT state FROM conversations WHERE channel = ? AND chat_id = ?", (channel, chat_id)
    )
    try:
        state = json.loads(row["state"]) if row else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


async def save(tx: Tx, channel: str, chat_id: str, state: dict[str, Any], now_iso: str) -> None:
    """Persist the state after every answer, so a restart resumes the same question."""
    if not state:
        await tx.execute(
            "DELETE FROM conversations WHERE channel = ? AND chat_id = ?", (channel, chat_id)
        )
        return
    await tx.execute(
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
