"""The sender that drains the durable outbox of one channel, under a rate limit.

Each round reads the messages that are due (urgent first; during quiet hours only urgent
ones), leaves out chats still inside their per-chat gap, claims the rest in one
transaction and sends them with a bounded number in flight, spaced by the overall rate.
Each send is marked the moment the platform answers, in one autocommit statement that goes
before every other writer waiting for the database (storage/turns.py), so a kill -9 can
only repeat a message whose answer was on the wire at that instant or had just arrived (the
mark waits at most for the one write in progress); start-up puts claimed rows back in the
queue (at-least-once, with that one window).

With several processes on one database (bot/cluster/presence.py) each claims rows in its
own name, takes its share of the bot's rate, and puts back only rows whose owner is dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.channels import Channel, DeliveryError
from bot.core import dialog
from bot.core.clock import Clock, iso
from bot.core.model import Outbound
from bot.outbox.ratelimit import RateLimiter
from storage import members, outbox
from storage.db import Store
from storage.outbox import OutboxRow

log = logging.getLogger(__name__)

Renderer = Callable[[dict[str, Any]], Awaitable[Outbound]]
URGENT_IN_FLIGHT = 2  # alerts in flight at once in the urgent lane (besides max_in_flight)


@dataclass(frozen=True)
class SendPolicy:
    """Pace and patience of one channel's sender (from [telegram]/[zalo] and [outbox])."""

    rate: float | None = None  # messages per second overall; None = as fast as possible
    per_chat: float | None = None  # messages per second in one chat
    max_in_flight: int = 8
    max_attempts: int = 8
    backoff_seconds: float = 5.0
    backoff_max_seconds: float = 1800.0
    batch: int = 64

    def backoff(self, attempts: int, outbox_id: int) -> float:
        """Exponential backoff with a spread taken from the row id (so retries of many
        messages failing together do not all come back in the same second)."""
        base = min(self.backoff_max_seconds, self.backoff_seconds * 2.0 ** (attempts - 1))
        spread = 0.8 + 0.4 * ((outbox_id * 2654435761) % 1000) / 1000
        return base * spread


class OutboxSender:
    """Drains due messages of one channel; woken at once when a handler queues something."""

    def __init__(
        self,
        db: Store,
        clock: Clock,
        channel: Channel,
        *,
        policy: SendPolicy | None = None,
        limiter: RateLimiter | None = None,
        quiet: Callable[[datetime], bool] = lambda _: False,
        renderer: Renderer | None = None,
        idle_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.channel = channel
        self.policy = policy or SendPolicy()
        self.limiter = limiter or RateLimiter(self.policy.rate, self.policy.per_chat)
        self.quiet = quiet
        self.renderer = renderer
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._wake_urgent = asyncio.Event()
        self._stopping = False
        self._slots = asyncio.Semaphore(self.policy.max_in_flight)
        # The urgent lane's own sends in flight: never held by a batch of reminders.
        self._urgent_slots = asyncio.Semaphore(URGENT_IN_FLIGHT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._ended = 0  # sends finished so far (drain_once: did a chat free up meanwhile?)
        # Set when several processes share the database: the name rows are claimed in, and
        # the living processes' ids (only a dead owner's rows are recovered).
        self.owner: str | None = None
        self.alive: Callable[[], Awaitable[list[str] | None]] | None = None

    @property
    def channel_name(self) -> str:
        """The messenger this sender sends to (the presence shares its bot's rate)."""
        return str(self.channel.name)

    @property
    def shared(self) -> RateLimiter:
        """The pace the presence divides among the processes sending through this bot."""
        return self.limiter

    def wake(self) -> None:
        """Tell the sender there is new work (called after a handler's commit)."""
        self._wake.set()
        self._wake_urgent.set()

    def stop(self) -> None:
        """Ask the loop to finish the messages in flight and stop."""
        self._stopping = True
        self._wake.set()
        self._wake_urgent.set()

    async def run(self) -> None:
        """Drain until stopped: send what is due, then sleep until woken or work is due.

        Urgent rows (alerts about tips and fires) also have a lane of their own: the main
        round may be busy starting a batch of reminders that wait behind members' replies,
        and an alert queued meanwhile must not wait for that whole batch.
        """
        await self.recover()
        urgent_lane = asyncio.create_task(self._drain(urgent=True))
        try:
            await self._drain(urgent=False)
        finally:
            if not self._stopping:  # cancelled: the urgent lane goes too
                urgent_lane.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await urgent_lane
        await self._settle()

    async def _drain(self, *, urgent: bool) -> None:
        wake = self._wake_urgent if urgent else self._wake
        while not self._stopping:
            try:
                started = await self.pump(urgent_only=urgent)
            except Exception:
                log.exception("outbox round failed", extra={"channel": self.channel.name})
                started = 0
            if started == 0 and not self._stopping:
                await self._idle(wake)

    async def recover(self) -> int:
        """After a crash, put rows caught between claim and mark back in the queue.

        Only this channel's rows: each messenger's sender recovers its own at its start.
        Among several processes, only rows of dead ones: the living are sending theirs.
        """
        alive = await self.alive() if self.alive is not None else None
        async with self.db.transaction() as tx:
            recovered = await outbox.recover_interrupted(tx, self.channel.name, alive=alive)
        if recovered:
            log.warning("outbox rows recovered after interruption", extra={"count": recovered})
        return recovered

    async def _idle(self, wake: asyncio.Event) -> None:
        """Sleep until woken, until a cooling chat may be sent to, or for idle_seconds."""
        wake.clear()
        wait = self.idle_seconds
        ready = self.limiter.ready_in()
        if ready is not None:
            wait = min(wait, ready + 0.001)
        if self._tasks:
            wait = min(wait, 0.05)  # sends in flight end soon and free their chats
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), wait)

    async def drain_once(self) -> int:
        """Send every message due now and wait for them (tests, the demo); returns how many.

        A round that found nothing may have read while a send was still in flight and left
        out its chat; if that send ended meanwhile, the chat's next message is due, so the
        drain only stops after a round in which nothing ended either.
        """
        total = 0
        while True:
            ended = self._ended
            started = await self.pump()
            if started == 0:
                if self._tasks:
                    await self._settle()
                    continue
                if self._ended == ended:
                    break
                continue
            total += started
        return total

    async def pump(self, *, urgent_only: bool = False) -> int:
        """One round: claim the due messages that may go now and start sending them (only
        the urgent ones in the urgent lane)."""
        now = self.clock.now()
        now_iso = iso(now)
        async with self.db.read(one=True) as tx:
            rows = await outbox.due(
                tx,
                self.channel.name,
                now_iso,
                self.policy.batch,
                urgent_only=urgent_only or self.quiet(now),
                skip_chats=self.limiter.cooling(),
            )
        picked: list[OutboxRow] = []
        chats: set[str] = set()
        for row in rows:
            if row.chat_id not in chats:  # one per chat per round: the gap applies
                chats.add(row.chat_id)
                picked.append(row)
        if not picked:
            return 0
        late = {r.id for r in picked if r.expires_at and r.expires_at <= now_iso}
        ids = [r.id for r in picked]
        async with self.db.transaction(
            brief=True
        ) as tx:  # two statements: sends in flight wait for it
            expired = await outbox.expire(tx, [i for i in ids if i in late])
            taken = await outbox.claim(
                tx,
                [i for i in ids if i not in late],
                owner=self.owner,
                now_iso=now_iso,
                others_gap_from=self._others_gap_from(now),
            )
        claimed = [row for row in picked if row.id in taken]
        for row in picked:
            if row.id not in taken and row.id not in late:
                self.limiter.hold(row.chat_id)  # another process sends to it: not now
        if expired:
            log.info("outbox rows expired", extra={"count": expired})
        for index, row in enumerate(claimed):
            if self._stopping:
                await self._unclaim(claimed[index:])
                break
            await self.limiter.acquire()
            # An urgent row takes an urgent slot whichever lane claimed it: the main slots
            # may all be held by reminders waiting behind members' replies.
            slots = self._urgent_slots if row.urgent else self._slots
            await slots.acquire()
            chat = row.chat_id
            if self.limiter.busy(chat):  # the other lane started a send to it meanwhile
                slots.release()
                await self._unclaim([row])
                continue
            self.limiter.start(chat)
            task = asyncio.create_task(self._send(row))
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._finished, chat=chat, slots=slots))
        return len(picked)

    def _others_gap_from(self, now: datetime) -> str | None:
        """Sends to a chat by another process since this moment hold the chat back (its
        per-chat gap across processes); None when this process runs alone."""
        if self.owner is None or not self.policy.per_chat:
            return None
        return iso(now - timedelta(seconds=1.0 / self.policy.per_chat))

    def _finished(self, task: asyncio.Task[None], chat: str, slots: asyncio.Semaphore) -> None:
        self._ended += 1
        self._tasks.discard(task)
        slots.release()
        self.limiter.done(chat)

    async def _settle(self) -> None:
        """Wait for the sends in flight."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def _unclaim(self, rows: list[OutboxRow]) -> None:
        async with self.db.transaction(brief=True) as tx:
            for row in rows:
                await outbox.mark_retry(
                    tx,
                    row.id,
                    row.last_error or "",
                    row.not_before,
                    counts=False,
                )

    async def _send(self, row: OutboxRow) -> None:
        outbox_id = row.id
        payload = row.payload()
        attempts = row.attempts + 1
        try:
            if "edit_of" in payload:
                message_id = await self._edit(row, payload)
            else:
                message = await self._message(payload)
                message_id = await self.channel.deliver(row.chat_id, message, urgent=row.urgent)
        except _NotYet:
            async with self.db.transaction(brief=True) as tx:
                later = iso(self.clock.now() + timedelta(seconds=2))
                await outbox.mark_retry(
                    tx, outbox_id, "waiting for the message to edit", later, counts=False
                )
            return
        except DeliveryError as err:
            await self._failed(row, attempts, err)
            return
        except Exception as err:  # an unexpected bug must not lose the message
            log.exception("outbox send crashed", extra={"outbox_id": outbox_id})
            await self._failed(row, attempts, DeliveryError(repr(err)[:200], transient=True))
            return
        await self._mark_sent(row, payload, message_id)
        log.debug("outbox sent", extra={"outbox_id": outbox_id, "channel": self.channel.name})

    async def _mark_sent(
        self, row: OutboxRow, payload: dict[str, Any], message_id: str | None
    ) -> None:
        """Record that the platform accepted the message, as soon as it can be durable.

        Until this commits, a kill -9 makes the restarted sender send the message again, so
        the mark goes before every ordinary waiter for the database (Store's first lane)
        and is one autocommit statement. On text-only channels a pushed message is also
        remembered as the newest in the chat (its choices answer typed numbers); that takes
        a transaction of its own, still in the first lane, so the two stay all or nothing.
        """
        now = iso(self.clock.now())
        outbox_id = row.id
        # A handed-over reply's choices are in the dialog state already (with whether the
        # question takes typed numbers), so only pushed messages are remembered: with or
        # without choices, they are the newest thing the member saw (see dialog.Dialog).
        if not (self.channel.numbered and not payload.get("reply")):
            async with self.db.single(first=True) as tx:
                await outbox.mark_sent(tx, outbox_id, message_id, now)
            return
        flat = [[value, label] for line in payload.get("choices", []) for label, value in line]
        async with self.db.transaction(first=True, brief=True) as tx:
            await outbox.mark_sent(tx, outbox_id, message_id, now)
            await dialog.remember_pushed_choices(tx, self.channel.name, row.chat_id, flat, now)

    async def _message(self, payload: dict[str, Any]) -> Outbound:
        """The message itself, or what a deferred row (a monthly tally) renders to now."""
        if "render" in payload:
            if self.renderer is None:
                raise DeliveryError("no renderer for deferred message", transient=False)
            return await self.renderer(payload)
        return Outbound.from_payload(payload)

    async def _edit(self, row: OutboxRow, payload: dict[str, object]) -> str | None:
        async with self.db.read() as tx:
            target = await outbox.get(tx, int(str(payload["edit_of"])))
        if target is None or target.status in {
            "cancelled",
            "given_up",
            "unreachable",
            "expired",
        }:
            return None
        if target.status != "sent":
            raise _NotYet()
        if target.platform_message_id:
            await self.channel.edit(
                row.chat_id, target.platform_message_id, str(payload["text"]), urgent=row.urgent
            )
            return target.platform_message_id
        await self.channel.deliver(row.chat_id, Outbound(str(payload["text"])), urgent=row.urgent)
        return None

    async def _failed(self, row: OutboxRow, attempts: int, err: DeliveryError) -> None:
        outbox_id = row.id
        now = self.clock.now()
        async with self.db.transaction(brief=True) as tx:
            if err.remaining is not None and not err.blocked:
                # The first parts of a long message arrived: a retry sends only the rest.
                rest = {**row.payload(), **err.remaining.to_payload()}
                await outbox.set_payload(tx, outbox_id, rest)
            if err.blocked:
                await outbox.mark_failed(tx, outbox_id, "unreachable", err.reason)
                await members.mark_unreachable(tx, self.channel.name, row.chat_id, iso(now))
                await outbox.drop_chat(tx, self.channel.name, row.chat_id)
            elif err.retry_after is not None:
                self.limiter.pause(err.retry_after)
                when = iso(now + timedelta(seconds=err.retry_after))
                await outbox.mark_retry(tx, outbox_id, err.reason, when, counts=False)
            elif err.transient and attempts < self.policy.max_attempts:
                delay = self.policy.backoff(attempts, outbox_id)
                when = iso(now + timedelta(seconds=delay))
                await outbox.mark_retry(tx, outbox_id, err.reason, when)
            else:
                await outbox.mark_failed(tx, outbox_id, "given_up", err.reason)
        log.warning(
            "outbox send failed",
            extra={"outbox_id": outbox_id, "attempts": attempts, "reason": err.reason[:200]},
        )


class _NotYet(Exception):
    """The message an edit refers to has not been sent yet."""
