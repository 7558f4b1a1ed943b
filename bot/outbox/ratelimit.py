"""The outbox sender's pace: an overall rate with no bursts, and a minimum gap per chat.

Time here is the process's monotonic clock, not the injected domain clock: rate limits are
about real seconds on the wire. Tests pass a fake `monotonic` and `sleep`.

Several processes sending through one bot token each take a share of its rate
(bot/cluster/presence.py sets it from the heartbeats): `share` divides the rate, and a share
is only good for a while, so a process that has not heard how many others send (a stalled
heartbeat, or a newcomer the others have not seen yet) sends nothing rather than too much.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

HOLD_SECONDS = 0.5  # a chat another process sends to is left this long (no per-chat gap set)
# Seconds of the window SecondCap counts in: over one, since a request reaches the
# messenger a few milliseconds after its grant, unevenly, and the messenger counts arrivals.
CAP_WINDOW = 1.2
SHARE_WAIT = 0.05  # seconds between looks while this process's share is out of date


class SecondCap:
    """At most `cap` grants in any window of CAP_WINDOW seconds. With several processes the
    even grid alone is not enough: catching up after a late wake-up may put one more in a
    second, requests reach the messenger a little unevenly, and each process doing so at
    once would put the token over its rate."""

    def __init__(self) -> None:
        self.cap: int | None = None  # None: no cap (one process, no heartbeat)
        self._grants: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more grant keeps every one-second window within the cap."""
        if self.cap is None:
            return 0.0
        while self._grants and self._grants[0] <= now - CAP_WINDOW:
            self._grants.popleft()
        if len(self._grants) < self.cap:
            return 0.0
        return self._grants[0] + CAP_WINDOW - now

    def grant(self, now: float) -> None:
        """Count a grant made now."""
        if self.cap is not None:
            self._grants.append(now)

    def share(self, rate: float, fraction: float) -> None:
        """The cap of a share of `rate`: whole messages a second, never above the share."""
        self.cap = max(1, math.floor(rate * fraction + 1e-9))


class RateLimiter:
    """Spaces sends evenly at `rate` per second and keeps each chat `1 / per_chat` apart.

    The per-chat gap runs from the moment the previous send to that chat completed, so the
    platform sees the two requests at least a full gap apart however long the first took.
    `pause` honours a platform's retry_after for the whole channel.
    """

    def __init__(
        self,
        rate: float | None,
        per_chat: float | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.interval = 1.0 / rate if rate else 0.0
        self._share_until = math.inf  # one process alone: its whole rate, for good
        self._cap = SecondCap()
        self.chat_gap = 1.0 / per_chat if per_chat else 0.0
        self.monotonic = monotonic
        self.sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._chat_free: dict[str, float] = {}
        self._busy: dict[str, int] = {}

    async def acquire(self) -> None:
        """Wait for the next overall send slot (and for any retry_after pause to end)."""
        while True:
            now = self.monotonic()
            ready = max(self._next_slot, self._paused_until)
            if self.rate and now >= self._share_until:
                await self.sleep(SHARE_WAIT)  # until the heartbeat says how many send
                continue
            capped = self._cap.wait(now)
            if ready <= now and capped <= 0:
                # Stay on the fixed grid while keeping up (asyncio wakes a little late, and
                # counting from the wake-up would lose that each time); after an idle spell
                # or a pause start again from now, so there is never a catch-up burst.
                behind = now - self._next_slot
                start = self._next_slot if behind < self.interval else now
                self._next_slot = start + self.interval
                self._cap.grant(now)
                return
            await self.sleep(max(ready - now, capped))

    def share(self, fraction: float, *, valid_for: float, start_after: float = 0.0) -> None:
        """Send at `fraction` of the rate for the next `valid_for` seconds (several processes
        share one token), and not before `start_after` seconds (a newcomer waits until every
        other process has seen it and lowered its own share)."""
        if self.rate:
            self.interval = 1.0 / (self.rate * fraction)
            self._cap.share(self.rate, fraction)
        now = self.monotonic()
        self._share_until = now + valid_for
        self._paused_until = max(self._paused_until, now + start_after)

    def cooling(self) -> list[str]:
        """Chats that may not get another message yet: in flight, or sent to too recently."""
        now = self.monotonic()
        if self._chat_free:
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
        return sorted({*self._chat_free, *self._busy})

    def ready_in(self) -> float | None:
        """Seconds until the first cooling chat may be sent to again (None: none cooling)."""
        if not self._chat_free:
            return None
        return max(0.0, min(self._chat_free.values()) - self.monotonic())

    def busy(self, chat_id: str) -> bool:
        """Whether a send to this chat is in flight (another round started it meanwhile)."""
        return chat_id in self._busy

    def start(self, chat_id: str) -> None:
        """A send to this chat begins: no other may start until it ends and the gap passes."""
        self._busy[chat_id] = self._busy.get(chat_id, 0) + 1

    def done(self, chat_id: str) -> None:
        """The send ended (either way): the chat's gap starts now."""
        left = self._busy.get(chat_id, 1) - 1
        if left <= 0:
            self._busy.pop(chat_id, None)
        else:
            self._busy[chat_id] = left
        if self.chat_gap:
            self._chat_free[chat_id] = self.monotonic() + self.chat_gap

    def hold(self, chat_id: str) -> None:
        """Another process sends to this chat (or took the row): leave it for a gap, so the
        next rounds go to other chats instead of asking for it again at once."""
        self._chat_free[chat_id] = self.monotonic() + (self.chat_gap or HOLD_SECONDS)

    def pause(self, seconds: float) -> None:
        """The platform said 'too many requests, retry after N s': nothing goes out until then."""
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    @property
    def paused_for(self) -> float:
        """Seconds left of a retry_after pause (0 when not paused)."""
        return max(0.0, self._paused_until - self.monotonic())
