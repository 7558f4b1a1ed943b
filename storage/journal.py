"""The inbound journal: updates kept from receipt until they are processed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from storage.db import Tx


async def record(
    tx: Tx, channel: str, updates: list[tuple[str, dict[str, Any]]], now_iso: str
) -> None:
    """Keep raw updates the moment they arrive; a second receipt of the same id is ignored."""
    for key, payload in updates:
        await tx.execute(
            """INSERT OR IGNORE INTO inbound_journal (channel, update_key, payload, received_at)
               VALUES (?, ?, ?, ?)""",
            (channel, key, json.dumps(payload, ensure_ascii=False), now_iso),
        )


async def unprocessed(tx: Tx, channel: str) -> list[dict[str, Any]]:
    """Journaled updates that never reached the end of their handler, oldest first."""
    rows = await tx.fetchall(
        """SELECT j.payload FROM inbound_journal j
           WHERE j.channel = ? AND NOT EXISTS (
             SELECT 1 FROM processed_updates p
             WHERE p.channel = j.channel AND p.update_key = j.update_key)
           ORDER BY j.received_at, CAST(j.update_key AS INTEGER)""",
        (channel,),
    )
    return [dict(json.loads(r["payload"])) for r in rows]


async def prune(tx: Tx, channel: str, before_iso: str) -> int:
    """Forget processed updates received before a cut-off; the journal stays small."""
    cur = await tx.execute(
        """DELETE FROM inbound_journal WHERE channel = ? AND received_at < ? AND EXISTS (
             SELECT 1 FROM processed_updates p
             WHERE p.channel = inbound_journal.channel
               AND p.update_key = inbound_journal.update_key)""",
        (channel, before_iso),
    )
    return cur.rowcount


async def for_replay(tx: Tx, channel: str, now: datetime) -> list[dict[str, Any]]:
    """At start-up: the updates received but never processed, to replay in order.

    Also drops what is too old to matter: journal entries after two days and remembered
    update ids after seven, so neither table grows without bound.
    """
    from storage import conversations  # local: the two repositories share one clean-up

    pending = await unprocessed(tx, channel)
    await prune(tx, channel, (now - timedelta(days=2)).isoformat(timespec="seconds"))
    await conversations.prune_processed(
        tx, channel, (now - timedelta(days=7)).isoformat(timespec="seconds")
    )
    return pending
