"""The inbound journal: updates kept from receipt until they are processed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Tx

# An update set aside after too many failures is never replayed, whatever else is pruned.
_NOT_SET_ASIDE = """NOT EXISTS (SELECT 1 FROM update_failures f
    WHERE f.channel = {t}.channel AND f.update_key = {t}.update_key
      AND f.set_aside_at IS NOT NULL)"""


@dataclass(frozen=True)
class Retention:
    """Cut-offs (ISO timestamps) of what the journal and the update tables keep."""

    journal_before: str  # handled updates received before this leave the journal
    ids_before: str  # remembered update ids older than this are forgotten
    failed_before: str  # updates set aside before this are deleted, payload and all


async def record(
    tx: Tx, channel: str, updates: list[tuple[str, dict[str, Any]]], now_iso: str
) -> None:
    """Keep raw updates the moment they arrive; a second receipt of the same id is ignored.
    The rows go with the transaction's next trip, its COMMIT: a batch costs one trip."""
    for key, payload in updates:
        tx.queue(
            """INSERT OR IGNORE INTO inbound_journal (channel, update_key, payload, received_at)
               VALUES (?, ?, ?, ?)""",
            (channel, key, json.dumps(payload, ensure_ascii=False), now_iso),
        )


async def unprocessed(tx: Tx, channel: str) -> list[dict[str, Any]]:
    """Journaled updates that never reached the end of their handler (and were not set aside
    after failing too often), oldest first."""
    rows = await tx.fetchall(
        f"""SELECT j.payload FROM inbound_journal j
           WHERE j.channel = ? AND NOT EXISTS (
             SELECT 1 FROM processed_updates p
             WHERE p.channel = j.channel AND p.update_key = j.update_key)
             AND {_NOT_SET_ASIDE.format(t="j")}
           ORDER BY j.received_at, length(j.update_key), j.update_key""",
        (channel,),
    )
    return [dict(json.loads(r["payload"])) for r in rows]


async def prune(tx: Tx, keep: Retention) -> dict[str, int]:
    """Forget what no longer matters, for every messenger, so a bot that runs for months
    keeps these tables small: handled updates in the journal, old update ids, updates set
    aside long ago, and failure counts of updates that later succeeded or left no journal."""
    counts: dict[str, int] = {}
    cur = await tx.execute(
        f"""DELETE FROM inbound_journal WHERE received_at < ? AND EXISTS (
              SELECT 1 FROM processed_updates p
              WHERE p.channel = inbound_journal.channel
                AND p.update_key = inbound_journal.update_key)
              AND {_NOT_SET_ASIDE.format(t="inbound_journal")}""",
        (keep.journal_before,),
    )
    counts["journal"] = cur.rowcount
    cur = await tx.execute(
        """DELETE FROM inbound_journal WHERE EXISTS (SELECT 1 FROM update_failures f
             WHERE f.channel = inbound_journal.channel
               AND f.update_key = inbound_journal.update_key AND f.set_aside_at < ?)""",
        (keep.failed_before,),
    )
    counts["set_aside"] = cur.rowcount
    await tx.execute("DELETE FROM update_failures WHERE set_aside_at < ?", (keep.failed_before,))
    cur = await tx.execute(
        """DELETE FROM update_failures WHERE set_aside_at IS NULL AND (
             EXISTS (SELECT 1 FROM processed_updates p
               WHERE p.channel = update_failures.channel
                 AND p.update_key = update_failures.update_key)
             OR (last_at < ? AND NOT EXISTS (SELECT 1 FROM inbound_journal j
               WHERE j.channel = update_failures.channel
                 AND j.update_key = update_failures.update_key)))""",
        (keep.journal_before,),
    )
    counts["failures"] = cur.rowcount
    cur = await tx.execute("DELETE FROM processed_updates WHERE at < ?", (keep.ids_before,))
    counts["update_ids"] = cur.rowcount
    return counts
