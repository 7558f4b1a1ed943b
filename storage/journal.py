"""The inbound journal: updates kept from receipt until they are processed.

Each entry names the process that received it: when several processes share the database,
only entries of a dead receiver are replayed by the others, who adopt them first so that
one process replays each (`adopt`, once per death; a start-up looks at every entry of a
process no longer alive). Exactly once is kept by `processed_updates`, written in the
transaction of the update's handler: whichever process commits first handles it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
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
    tx: Tx,
    channel: str,
    updates: list[tuple[str, dict[str, Any]]],
    now_iso: str,
    received_by: str | None = None,
) -> list[str]:
    """Keep raw updates the moment they arrive; a second receipt of the same id (the
    messenger sending it again, maybe to another process) is ignored. Returns the keys that
    were new, which only this receipt may hand to the handlers. A batch (getUpdates) is one
    statement, one round trip."""
    if not updates:
        return []
    params: list[Any] = []
    for key, payload in updates:
        params += [channel, key, json.dumps(payload, ensure_ascii=False), now_iso, received_by]
    rows = await tx.fetchall(
        f"""INSERT INTO inbound_journal (channel, update_key, payload, received_at, received_by)
           VALUES {", ".join("(?, ?, ?, ?, ?)" for _ in updates)}
           ON CONFLICT (channel, update_key) DO NOTHING
           RETURNING update_key""",
        params,
    )
    inserted = {str(r["update_key"]) for r in rows}
    return [key for key, _ in updates if key in inserted]


async def unprocessed(
    tx: Tx,
    channel: str,
    *,
    alive: Collection[str] | None = None,
    adopt_as: str | None = None,
) -> list[dict[str, Any]]:
    """Journaled updates that never reached the end of their handler (and were not set aside
    after failing too often), oldest first.

    With `alive` (the living processes) only updates received by a dead process (or by a
    bot of before processes were known) are returned: the living handle their own.
    `adopt_as` makes them this process's, in the same transaction, so no other living
    process replays them too; should this one die in turn, they pass on again.
    """
    where, params = "", [channel]
    if alive is not None:
        where = "AND (j.received_by IS NULL"
        if alive:
            where += f" OR j.received_by NOT IN ({','.join('?' for _ in alive)})"
            params += list(alive)
        else:
            where += " OR 1 = 1"
        where += ")"
    rows = await tx.fetchall(
        f"""SELECT j.update_key, j.payload FROM inbound_journal j
           WHERE j.channel = ? AND NOT EXISTS (
             SELECT 1 FROM processed_updates p
             WHERE p.channel = j.channel AND p.update_key = j.update_key)
             AND {_NOT_SET_ASIDE.format(t="j")} {where}
           ORDER BY j.received_at, length(j.update_key), j.update_key""",
        params,
    )
    if adopt_as is not None and rows:
        keys = [str(r["update_key"]) for r in rows]
        await tx.execute(
            f"""UPDATE inbound_journal SET received_by = ?
                WHERE channel = ? AND update_key IN ({",".join("?" for _ in keys)})""",
            (adopt_as, channel, *keys),
        )
    return [dict(json.loads(r["payload"])) for r in rows]


async def adopt(
    tx: Tx, channel: str, dead: Collection[str], me: str, since: str
) -> list[dict[str, Any]]:
    """The updates dead processes received (from `since` on) but never handled, made this
    process's: it replays them, and should it die in turn they pass on again. Once per
    death, so only the dead ones' recent entries are read (an update unhandled for longer
    failed, and waits for the next start like any failure)."""
    if not dead:
        return []
    marks = ",".join("?" for _ in dead)
    rows = await tx.fetchall(
        f"""SELECT j.update_key, j.payload FROM inbound_journal j
           WHERE j.channel = ? AND j.received_by IN ({marks}) AND j.received_at >= ?
             AND NOT EXISTS (SELECT 1 FROM processed_updates p
               WHERE p.channel = j.channel AND p.update_key = j.update_key)
             AND {_NOT_SET_ASIDE.format(t="j")}
           ORDER BY j.received_at, length(j.update_key), j.update_key""",
        (channel, *dead, since),
    )
    if rows:
        keys = [str(r["update_key"]) for r in rows]
        await tx.execute(
            f"""UPDATE inbound_journal SET received_by = ?
                WHERE channel = ? AND update_key IN ({",".join("?" for _ in keys)})""",
            (me, channel, *keys),
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
