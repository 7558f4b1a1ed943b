"""Announcements (/thongbao): queue one message per member, then tell the sender how it goes.

Queuing happens inside the update that confirmed the announcement, in its transaction: the
announcement row, one outbox row per reachable member and the sender's progress message
commit together or not at all. Progress is reported outside any update, by the scheduler
calling `report_progress` every `[announcements] progress_seconds`: it counts the members'
outbox rows by status and edits the progress message when the count moved, then sends a
final report once nothing is waiting any more. Every key is deterministic, so running it
twice, or again after a restart, queues nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from bot.core.clock import iso
from bot.core.engine import Services
from bot.core.model import Outbound
from storage import announcements, outbox
from storage.db import Row, Tx
from storage.members import Member
from storage.outbox import OutboxRow, Planned
from storage.recipients import Audience, audience
from storage.units import Unit

log = logging.getLogger(__name__)

FAILED_STATUSES = ("given_up", "unreachable", "expired", "cancelled")


@dataclass(frozen=True)
class Queued:
    """What confirming an announcement queued: its number and how many members it goes to."""

    announcement_id: int
    recipients: int


async def queue(
    tx: Tx,
    services: Services,
    *,
    sender: Member,
    unit: Unit,
    text: str,
    reply_to: tuple[str, str],
    now_iso: str,
    served: Collection[str] | None,
) -> Queued | None:
    """Queue an announcement to every reachable active member under `unit` (not the sender).

    Members are counted again here, at send time, since people may have joined, left or
    blocked the bot since the confirmation. Returns None when nobody can be reached.
    `reply_to` is the (channel, chat) the sender wrote from: their progress goes there,
    urgent, so they hear at once even in quiet hours while the members' messages wait.
    """
    tx.reads_much()  # every member under the unit, and a message each: off the loop's thread
    sender_id = sender.id
    who = Audience(paths=[unit.path], exclude_member=sender_id)
    members = [m for m in await audience(tx, who, served) if m.channel is not None]
    if not members:
        return None
    total = len(members)
    announcement_id = await announcements.create(
        tx,
        member_id=sender_id,
        unit_id=unit.id,
        text=text,
        recipients=total,
        reported=_reported(0, total, 0),
        now_iso=now_iso,
    )
    items = []
    for member in members:
        header = services.texts.t(
            member.locale, "announce.header", name=sender.full_name, unit=unit.name
        )
        items.append(
            Planned(
                dedupe_key=f"announce:{announcement_id}:{member.member_id}",
                channel=str(member.channel),
                chat_id=str(member.chat_id),
                member_id=member.member_id,
                payload=Outbound(f"{header}\n\n{text}").to_payload(),
                not_before_iso=now_iso,
            )
        )
    await outbox.enqueue_many(tx, items, now_iso)
    start = services.texts.t(
        sender.locale, "announce.progress_start", number=announcement_id, total=total
    )
    progress_id = await outbox.enqueue(
        tx,
        dedupe_key=f"announce:{announcement_id}:progress",
        channel=reply_to[0],
        chat_id=reply_to[1],
        member_id=sender_id,
        payload=Outbound(start).to_payload(),
        not_before_iso=now_iso,
        now_iso=now_iso,
        urgent=True,
    )
    if progress_id is not None:
        await announcements.set_progress_message(tx, announcement_id, progress_id)
    log.info("announcement queued", extra={"announcement_id": announcement_id, "recipients": total})
    return Queued(announcement_id, total)


def _reported(sent: int, total: int, failed: int) -> str:
    """The progress as remembered in `announcements.reported`, e.g. "12/40/1"."""
    return f"{sent}/{total}/{failed}"


async def report_progress(services: Services) -> int:
    """Tell senders how their announcements are going; returns how many were updated.

    Runs outside any update (the scheduler calls it every `progress_seconds`): for each
    announcement still open, an edit of the progress message when the count changed, and a
    final report once no member's message is pending or being sent.
    """
    now_iso = iso(services.clock.now())
    updated = 0
    async with services.db.transaction() as tx:
        for row in await announcements.unfinished(tx):
            if await _report_one(tx, services, row, now_iso):
                updated += 1
    if updated:
        services.outbox_wakeup()
    return updated


async def _report_one(tx: Tx, services: Services, row: Row, now_iso: str) -> bool:
    """Update one announcement's sender; False when there was nothing new to say."""
    announcement_id = int(row["id"])
    counts = await announcements.delivery_counts(tx, announcement_id)
    sent = counts.get("sent", 0)
    failed = sum(counts.get(status, 0) for status in FAILED_STATUSES)
    waiting = sum(counts.get(status, 0) for status in announcements.PENDING_STATUSES)
    total = int(row["recipients"])
    reported = _reported(sent, total, failed)
    finished = waiting == 0
    if reported == str(row["reported"]) and not finished:
        return False
    locale = str(row["locale"])
    params = {"number": announcement_id, "sent": sent, "total": total, "failed": failed}
    progress = await outbox.get(tx, int(row["progress_outbox_id"] or 0))
    # Zalo and the terminal cannot edit a message: each update would arrive as a new one,
    # so there the sender hears only the final report.
    edits = progress is not None and progress.channel not in services.numbered_channels
    if progress is not None and edits and reported != str(row["reported"]):
        if finished:
            key = "announce.progress_done"
        else:
            key = "announce.progress_failed" if failed else "announce.progress"
        text = services.texts.t(locale, key, **params)
        await _to_sender(
            tx,
            progress,
            f"announce:{announcement_id}:progress:{sent}:{failed}",
            {"edit_of": progress.id, **Outbound(text).to_payload()},
            now_iso,
        )
    await announcements.set_reported(tx, announcement_id, reported)
    if finished:
        key = "announce.done_some" if failed else "announce.done_all"
        text = services.texts.t(locale, key, **params)
        if progress is not None:
            payload = Outbound(text).to_payload()
            await _to_sender(tx, progress, f"announce:{announcement_id}:done", payload, now_iso)
        await announcements.finish(tx, announcement_id, now_iso)
        log.info(
            "announcement delivered",
            extra={"announcement_id": announcement_id, "sent": sent, "failed": failed},
        )
    return True


async def _to_sender(
    tx: Tx, progress: OutboxRow, key: str, payload: dict[str, object], now_iso: str
) -> None:
    """Queue an urgent message in the chat the progress message went to."""
    await outbox.enqueue(
        tx,
        dedupe_key=key,
        channel=progress.channel,
        chat_id=progress.chat_id,
        member_id=progress.member_id,
        payload=payload,
        not_before_iso=now_iso,
        now_iso=now_iso,
        urgent=True,
    )
