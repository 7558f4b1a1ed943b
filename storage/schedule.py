"""Which schedule slots were planned or skipped: the memory that makes catch-up safe.

A slot is claimed before it is planned, in the transaction that queues its messages: of
several processes planning the same slot, the first to commit plans it and the others find
it taken and abandon their plan.
"""

from __future__ import annotations

from storage.db import Tx


async def last_slot(tx: Tx, job: str | None = None) -> str | None:
    """The latest slot of a job (or of any job) already planned or skipped, or None."""
    if job is None:
        row = await tx.fetchone("SELECT MAX(slot) AS slot FROM schedule_slots")
    else:
        row = await tx.fetchone(
            "SELECT MAX(slot) AS slot FROM schedule_slots WHERE job = ?", (job,)
        )
    return str(row["slot"]) if row and row["slot"] else None


async def claim(tx: Tx, job: str, slot: str, outcome: str, now_iso: str) -> bool:
    """Record a slot's outcome unless it is recorded already; False means another run (or
    another process) planned or skipped it first, and this plan must be abandoned."""
    row = await tx.fetchone(
        """INSERT INTO schedule_slots (job, slot, outcome, queued, at) VALUES (?, ?, ?, 0, ?)
           ON CONFLICT (job, slot) DO NOTHING RETURNING slot""",
        (job, slot, outcome, now_iso),
    )
    return row is not None


async def set_queued(tx: Tx, job: str, slot: str, queued: int) -> None:
    """How many messages the slot queued, once the planner has run (same transaction)."""
    await tx.execute(
        "UPDATE schedule_slots SET queued = ? WHERE job = ? AND slot = ?", (queued, job, slot)
    )
