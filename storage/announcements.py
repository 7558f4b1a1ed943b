"""Announcements (/thongbao): one row each; the messages themselves are outbox rows.

The outbox rows of announcement 7 have keys `announce:7:<member id>` (one per recipient),
`announce:7:progress...` (the sender's progress message and its edits) and `announce:7:done`
(the final report), so delivery progress is counted from the outbox by key prefix.
"""

from __future__ import annotations

from storage.db import Row, Tx

PENDING_STATUSES = ("pending", "sending")


async def create(
    tx: Tx,
    *,
    member_id: int,
    unit_id: int,
    text: str,
    recipients: int,
    reported: str,
    now_iso: str,
) -> int:
    """Record an announcement before its messages are queued, so their keys can carry its id."""
    return await tx.insert(
        """INSERT INTO announcements (member_id, unit_id, text, recipients, created_at, reported)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (member_id, unit_id, text, recipients, now_iso, reported),
    )


async def set_progress_message(tx: Tx, announcement_id: int, outbox_id: int) -> None:
    """Remember the sender's progress message, which later progress reports edit."""
    await tx.execute(
        "UPDATE announcements SET progress_outbox_id = ? WHERE id = ?",
        (outbox_id, announcement_id),
    )


async def unfinished(tx: Tx) -> list[Row]:
    """Announcements still being delivered, with the sender's language for their reports."""
    return await tx.fetchall(
        """SELECT a.id, a.member_id, a.recipients, a.progress_outbox_id, a.reported,
                  m.locale
           FROM announcements a JOIN members m ON m.id = a.member_id
           WHERE a.finished_at IS NULL ORDER BY a.id"""
    )


async def delivery_counts(tx: Tx, announcement_id: int) -> dict[str, int]:
    """Rows per status of the recipients' messages only: their keys end in a member id,
    while the sender's progress messages end in words (`progress...`, `done`)."""
    rows = await tx.fetchall(
        "SELECT status, COUNT(*) AS n FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ?"
        " GROUP BY status",
        (f"announce:{announcement_id}:0", f"announce:{announcement_id}::"),  # ':' follows '9'
    )
    return {str(r["status"]): int(r["n"]) for r in rows}


async def set_reported(tx: Tx, announcement_id: int, reported: str) -> None:
    """Remember the progress last told to the sender, so an unchanged count is not re-sent."""
    await tx.execute(
        "UPDATE announcements SET reported = ? WHERE id = ?", (reported, announcement_id)
    )


async def finish(tx: Tx, announcement_id: int, now_iso: str) -> None:
    """Every message reached a final state: stop reporting progress on this announcement."""
    await tx.execute(
        "UPDATE announcements SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (now_iso, announcement_id),
    )
