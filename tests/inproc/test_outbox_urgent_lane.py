"""The outbox's urgent lane: an alert queued while the sender is busy starting a batch of
reminders (held behind members' replies at the rush) goes out without waiting for them."""

from __future__ import annotations

import asyncio

from bot.core.clock import iso
from bot.core.model import Outbound
from bot.outbox.sender import OutboxSender, SendPolicy
from storage import outbox
from tests.support.harness import Harness


class HeldChannel:
    """A messenger whose non-urgent sends hang until released, as reminders do while the
    pace limiter hands every slot to replies."""

    name = "telegram"
    numbered = False
    locations = True
    files = True

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.sent: list[tuple[str, bool]] = []
        self.urgent_sent = asyncio.Event()

    async def deliver(self, chat_id: str, message: Outbound, *, urgent: bool = False) -> str:
        if not urgent:
            await self.release.wait()
        self.sent.append((message.text, urgent))
        if urgent:
            self.urgent_sent.set()
        return str(len(self.sent))

    async def edit(self, chat_id: str, message_id: str, text: str, *, urgent: bool = False) -> None:
        await self.deliver(chat_id, Outbound(text), urgent=urgent)


async def _queue(h: Harness, key: str, chat: int, *, urgent: bool) -> None:
    now = iso(h.clock.now())
    async with h.db.transaction() as tx:
        await outbox.enqueue(
            tx,
            dedupe_key=key,
            channel="telegram",
            chat_id=str(chat),
            member_id=None,
            payload={"text": key, "choices": []},
            not_before_iso=now,
            now_iso=now,
            urgent=urgent,
        )


async def test_an_alert_does_not_wait_for_a_batch_of_held_reminders(h: Harness) -> None:
    channel = HeldChannel()
    sender = OutboxSender(
        h.db, h.clock, channel, policy=SendPolicy(max_in_flight=2), idle_seconds=0.05
    )
    for n in range(20):
        await _queue(h, f"remind:{n}", 1000 + n, urgent=False)
    running = asyncio.create_task(sender.run())
    for _ in range(50):  # the main round has started the reminders it may and holds the rest
        await asyncio.sleep(0.01)
    assert channel.sent == []
    await _queue(h, "alert:1:7", 7, urgent=True)
    sender.wake()
    await asyncio.wait_for(channel.urgent_sent.wait(), 5)
    assert channel.sent == [("alert:1:7", True)]  # every reminder is still held
    channel.release.set()
    for _ in range(200):
        if len(channel.sent) == 21:
            break
        await asyncio.sleep(0.01)
    sender.stop()
    await asyncio.wait_for(running, 5)
    assert len(channel.sent) == 21
    async with h.db.read() as tx:
        rows = await tx.fetchall("SELECT status FROM outbox")
    assert {str(r["status"]) for r in rows} == {"sent"}


async def test_stopping_ends_both_lanes(h: Harness) -> None:
    sender = OutboxSender(h.db, h.clock, HeldChannel(), idle_seconds=0.05)
    running = asyncio.create_task(sender.run())
    await asyncio.sleep(0.05)
    sender.stop()
    await asyncio.wait_for(running, 5)
