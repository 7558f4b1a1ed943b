"""Telegram's pace: one 30/s budget for the bot with replies ahead of bulk, chats in parallel.

Telegram lets a bot send about 30 messages a second; at the evening rush that cap, not the
CPU, sets the pace. Two things keep members in a dialog from waiting on it needlessly:

* `PacedLimiter` (python-telegram-bot's rate-limiter seam) spaces every message the bot
  sends evenly under the cap, and whenever replies and outbox sends both wait, the reply
  goes first: the outbox marks its sends with `bulk()`, so a reminder wave to thousands
  yields to the few members answering a question right now. Urgent outbox sends (alerts
  about tips and fires, what answers them) are marked `bulk(urgent=True)` and go before
  both: at the evening rush the replies alone fill the cap, and an alert must not wait for
  the rush to drain. A 429 pauses every lane. Several processes on one token each take a
  share of the cap (`share`).
* `ChatOrder` (the update-processor seam) lets updates from different chats be handled at
  the same time, while updates of one chat still run strictly one after another, in the
  order Telegram delivered them: one reply waiting on the limiter no longer holds every
  other chat behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from bot.outbox.ratelimit import SecondCap

BOT_RATE = 30.0  # Telegram's documented cap on messages per second for one bot
# Updates being handled at once (each from a different chat). At the rush most of them are
# only waiting for their reply's slot under the 30/s cap; with too few, a member's submit
# waits for a free one before its report (and the alert it raises) is even saved.
CONCURRENT_CHATS = 256

SHARE_WAIT = 0.05  # seconds between looks while this process's share is out of date
LANES = ("urgent", "reply", "bulk")  # the order in which waiting sends get slots
_LANE: contextvars.ContextVar[str] = contextvars.ContextVar("telegram_lane", default="reply")


@contextlib.contextmanager
def bulk(*, urgent: bool = False) -> Iterator[None]:
    """Mark the sends made inside as outbox sends: they wait while any reply waits, unless
    `urgent` (an emergency goes before everyone)."""
    token = _LANE.set("urgent" if urgent else "bulk")
    try:
        yield
    finally:
        _LANE.reset(token)


class PacedLimiter(BaseRateLimiter[None]):
    """Every call that sends to a chat takes the next slot on an even 1/rate grid; waiting
    urgent sends take slots first, then replies, then bulk sends. Calls without a chat
    (answering a button press, polling) are not messages and go at once. A 429 pauses every
    lane for its retry_after and is raised to the caller, which hands the message to the
    outbox."""

    def __init__(
        self,
        rate: float = BOT_RATE,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.interval = 1.0 / rate
        self._share_until = math.inf  # one process alone: the whole cap, for good
        self._cap = SecondCap()
        self.monotonic = monotonic
        self.sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._lanes: dict[str, deque[asyncio.Future[None]]] = {lane: deque() for lane in LANES}
        self._runner: asyncio.Task[None] | None = None
        self.granted = {"reply": 0, "bulk": 0}  # "urgent" appears once one is granted

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Stop handing out slots; whoever still waits for one is cancelled rather than left
        waiting forever (an outbox send stays claimed and is retried at the next start)."""
        if self._runner is not None:
            self._runner.cancel()
            self._runner = None
        for queue in self._lanes.values():
            while queue:
                queue.popleft().cancel()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        """Wait for a slot in the caller's lane, then make the call."""
        if data.get("chat_id") is None:
            return await callback(*args, **kwargs)
        await self.acquire(lane=_LANE.get())
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as flood:
            retry = flood.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            self.pause(seconds)
            raise

    async def acquire(self, *, lane: str = "reply") -> None:
        """Wait until this caller may send (urgent first, then replies, then bulk, each in
        arrival order)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lanes[lane].append(future)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._dispatch())
        await future

    def share(self, fraction: float, *, valid_for: float, start_after: float = 0.0) -> None:
        """Take `fraction` of the cap for the next `valid_for` seconds: several processes send
        through this bot (bot/cluster/presence.py); a newcomer starts after `start_after`."""
        now = self.monotonic()
        self.interval = 1.0 / (self.rate * fraction)
        self._cap.share(self.rate, fraction)
        self._share_until = now + valid_for
        self._paused_until = max(self._paused_until, now + start_after)

    def pause(self, seconds: float) -> None:
        """Telegram said 'retry after N s': nobody sends until then."""
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    def _next_waiter(self) -> tuple[str, asyncio.Future[None]] | None:
        for lane, queue in self._lanes.items():
            while queue:
                future = queue.popleft()
                if not future.done():  # a caller that gave up (cancelled) is skipped
                    return lane, future
        return None

    async def _dispatch(self) -> None:
        """Hand out slots while anyone waits; ends when every lane is empty."""
        while any(self._lanes.values()):
            now = self.monotonic()
            ready = max(self._next_slot, self._paused_until)
            if now >= self._share_until:
                await self.sleep(SHARE_WAIT)  # until the heartbeat says how many send
                continue
            capped = self._cap.wait(now)
            if ready > now or capped > 0:
                await self.sleep(max(ready - now, capped))
                continue
            picked = self._next_waiter()
            if picked is None:
                break
            lane, future = picked
            future.set_result(None)
            self._cap.grant(now)
            self.granted[lane] = self.granted.get(lane, 0) + 1
            # Keep to the grid while busy (a late wake-up must not cost a slot); after an
            # idle spell or a pause start from now, so there is never a catch-up burst.
            behind = now - self._next_slot
            start = self._next_slot if behind < self.interval else now
            self._next_slot = start + self.interval


def _chat_of(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatOrder(BaseUpdateProcessor):
    """Handles updates of different chats concurrently and those of one chat in order.

    python-telegram-bot starts one task per update in arrival order; each task takes its
    chat's lock before handling (asyncio locks are first come, first served), so a chat's
    second update waits for its first while other chats go ahead. Exactly-once is unchanged:
    the journal records updates before they are acknowledged and the engine dedupes by id.
    """

    def __init__(self, max_concurrent_updates: int = CONCURRENT_CHATS) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, tuple[asyncio.Lock, int]] = {}

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once its chat's earlier updates are done."""
        chat = _chat_of(update)
        lock, users = self._locks.get(chat) or (asyncio.Lock(), 0)
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat]
            if users <= 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)
