"""Which schedule slots were planned or skipped: the memory that makes catch-up safe."""

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


async def record(tx: Tx, job: str, slot: str, outcome: str, queued: int, now_iso: str) -> None:
    """Remember a slot's outcome in the transaction that queued its messages."""
    await tx.execute(
        "INSERT INTO schedule_slots (job, slot, outcome, queued, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (job, slot) DO UPDATE SET outcome = excluded.outcome,"
        " queued = excluded.queued, at = excluded.at",
        (job, slot, outcome, queued, now_iso),
    )
