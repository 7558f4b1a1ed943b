"""Updates whose handling raised: counted, told to the user once, set aside after a limit.

A journaled update that raises is rolled back and stays unprocessed, so it is replayed at
every start; without a count, one poison update would fail (and alarm its sender) forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Row, Tx


@dataclass(frozen=True)
class Failure:
    """Where an update stands after one more failure."""

    attempts: int
    set_aside: bool  # this failure reached the limit: never replayed again
    tell_user: bool  # the first failure the user hears of (they hear of one only)


async def record(
    tx: Tx, channel: str, update_key: str, error: str, now_iso: str, max_attempts: int
) -> Failure:
    """Count one more failure of an update; at `max_attempts` set it aside and mark it
    handled, so neither a replay nor the platform's redelivery runs it again."""
    await tx.execute(
        """INSERT INTO update_failures (channel, update_key, attempts, error, first_at, last_at)
           VALUES (?, ?, 1, ?, ?, ?)
           ON CONFLICT (channel, update_key) DO UPDATE SET
             attempts = update_failures.attempts + 1, error = excluded.error,
             last_at = excluded.last_at""",
        (channel, update_key, error[:100], now_iso, now_iso),
    )
    row = await tx.fetchone(
        "SELECT attempts, told_at FROM update_failures WHERE channel = ? AND update_key = ?",
        (channel, update_key),
    )
    assert row is not None
    attempts = int(row["attempts"])
    tell = row["told_at"] is None
    set_aside = attempts >= max_attempts
    await tx.execute(
        """UPDATE update_failures SET
             told_at = COALESCE(told_at, ?),
             set_aside_at = CASE WHEN ? THEN ? ELSE set_aside_at END
           WHERE channel = ? AND update_key = ?""",
        (now_iso, set_aside, now_iso, channel, update_key),
    )
    if set_aside:
        await tx.execute(
            "INSERT OR IGNORE INTO processed_updates (channel, update_key, at) VALUES (?, ?, ?)",
            (channel, update_key, now_iso),
        )
    return Failure(attempts, set_aside, tell)


async def listing(tx: Tx, *, set_aside: bool, limit: int) -> tuple[list[Row], int]:
    """Set-aside updates (or those still failing, to be replayed at the next start), newest
    first, and how many there are: for `antt-bot updates`. Ids and error types only."""
    where = "set_aside_at IS NOT NULL" if set_aside else "set_aside_at IS NULL"
    rows = await tx.fetchall(
        f"""SELECT f.channel, f.update_key, f.attempts, f.error, f.first_at, f.last_at,
                   f.set_aside_at,
                   EXISTS (SELECT 1 FROM inbound_journal j WHERE j.channel = f.channel
                           AND j.update_key = f.update_key) AS journaled
            FROM update_failures f WHERE {where}
            ORDER BY f.last_at DESC, f.channel, f.update_key LIMIT ?""",
        (limit,),
    )
    total = await tx.fetchone(f"SELECT COUNT(*) AS n FROM update_failures WHERE {where}")
    return rows, int(total["n"]) if total else 0
