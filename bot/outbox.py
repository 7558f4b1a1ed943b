"""The sender that drains the durable outbox of one channel.

Rows are claimed one at a time in their own transaction, sent, then marked. A crash between
send and mark leaves the row 'sending'; start-up puts it back to 'pending' (at-least-once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from bot.channels import Channel, DeliveryError
from bot.clock import Clock, iso
from bot.model import Outbound
from storage import conversations, outbox
from storage.db import Database, Row

log = logging.getLogger(__name__)


class OutboxSender:
    """Drains due messages of one channel; woken at once when a handler queues something."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        channel: Channel,
        *,
        max_attempts: int = 5,
        batch: int = 20,
        idle_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.channel = channel
        self.max_attempts = max_attempts
        self.batch = batch
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Tell the sender there is new work (called after a handler's commit)."""
        self._wake.set()

    def stop(self) -> None:
        """Ask the loop to finish after the current message."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Drain forever: send what is due, then sleep until woken or a second passes."""
        async with self.db.transaction() as tx:
            recovered = await outbox.recover_interrupted(tx)
        if recovered:
            log.warning("outbox rows recovered after interruption", extra={"count": recovered})
        while not self._stopping:
            try:
                sent = await self.drain_once()
            except Exception:
                log.exception("outbox drain failed", extra={"channel": self.channel.name})
                sent = 0
            if sent == 0 and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_seconds)

    async def drain_once(self) -> int:
        """Send every message due now; returns how many were handled."""
        async with self.db.read() as tx:
            rows = await outbox.due(tx, self.channel.name, iso(self.clock.now()), self.batch)
        handled = 0
        for row in rows:
            if self._stopping:
                break
            async with self.db.transaction() as tx:
                if not await outbox.claim(tx, int(row["id"])):
                    continue
            await self._send(row)
            handled += 1
        return handled

    async def _send(self, row: Row) -> None:
        outbox_id = int(row["id"])
        payload = outbox.payload_of(row)
        attempts = int(row["attempts"]) + 1
        try:
            if "edit_of" in payload:
                message_id = await self._edit(row, payload)
            else:
                message_id = await self.channel.deliver(
                    str(row["chat_id"]), Outbound.from_payload(payload)
                )
        except _NotYet:
            async with self.db.transaction() as tx:
                later = iso(self.clock.now() + timedelta(seconds=2))
                await tx.execute(
                    "UPDATE outbox SET status='pending', attempts = attempts - 1, not_before = ? "
                    "WHERE id = ?",
                    (later, outbox_id),
                )
            return
        except DeliveryError as err:
            await self._failed(outbox_id, attempts, err)
            return
        except Exception as err:  # an unexpected bug must not lose the message
            log.exception("outbox send crashed", extra={"outbox_id": outbox_id})
            await self._failed(outbox_id, attempts, DeliveryError(repr(err), transient=True))
            return
        async with self.db.transaction() as tx:
            now = iso(self.clock.now())
            await outbox.mark_sent(tx, outbox_id, message_id, now)
            if self.channel.numbered and payload.get("choices"):
                flat = [[value, label] for row in payload["choices"] for label, value in row]
                await conversations.remember_pushed_choices(
                    tx, self.channel.name, str(row["chat_id"]), flat, now
                )
        log.info("outbox sent", extra={"outbox_id": outbox_id, "channel": self.channel.name})

    async def _edit(self, row: Row, payload: dict[str, object]) -> str | None:
        async with self.db.read() as tx:
            target = await outbox.get(tx, int(str(payload["edit_of"])))
        if target is None or target["status"] in {"cancelled", "given_up", "unreachable"}:
            return None
        if target["status"] != "sent":
            raise _NotYet()
        if target["platform_message_id"]:
            await self.channel.edit(
                str(row["chat_id"]), str(target["platform_message_id"]), str(payload["text"])
            )
            return str(target["platform_message_id"])
        await self.channel.deliver(str(row["chat_id"]), Outbound(str(payload["text"])))
        return None

    async def _failed(self, outbox_id: int, attempts: int, err: DeliveryError) -> None:
        async with self.db.transaction() as tx:
            if err.blocked:
                await outbox.mark_failed(tx, outbox_id, "unreachable", err.reason)
            elif err.transient and attempts < self.max_attempts:
                delay = err.retry_after if err.retry_after is not None else 2.0**attempts
                when = iso(self.clock.now() + timedelta(seconds=delay))
                await outbox.mark_retry(tx, outbox_id, err.reason, when)
            else:
                await outbox.mark_failed(tx, outbox_id, "given_up", err.reason)
        log.warning(
            "outbox send failed",
            extra={"outbox_id": outbox_id, "attempts": attempts, "reason": err.reason[:200]},
        )


class _NotYet(Exception):
    """The message an edit refers to has not been sent yet."""
