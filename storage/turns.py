"""Turns on the writing connection: an asyncio lock with a lane that goes first.

Every write of the process goes through one connection (and so do reads where there is no
read-only connection), so they take turns. Most may wait in arrival order, but one kind
may not: recording that the platform accepted an outbox message. Until that mark commits,
a kill -9 makes the restarted sender send the message again, so each millisecond a mark
waits behind a dialog, a claim or a progress report is a millisecond in which a crash
duplicates a message. Waiters in the first lane are served before every ordinary waiter,
so a mark waits at most for the turn in progress (and for the marks queued before it).

On release the turn is handed straight to the next waiter, first lane first; within each
lane the order is the order of arrival. A waiter may say what it will do with its turn
(`kind`), so the holder can prepare for the next one (storage/pg.py begins the next write
transaction together with its own COMMIT); `idle` is called whenever the turn becomes free.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable


class Turns:
    """Mutual exclusion with two queues: `first` waiters, then everyone else, each FIFO."""

    def __init__(self, idle: Callable[[], None] | None = None) -> None:
        self._held = False
        self._idle = idle
        self._first: deque[tuple[asyncio.Future[None], str]] = deque()
        self._others: deque[tuple[asyncio.Future[None], str]] = deque()

    @property
    def held(self) -> bool:
        """Whether someone has the turn (for tests)."""
        return self._held

    @property
    def waiting(self) -> tuple[int, int]:
        """How many wait in each lane (first, others), for tests that line waiters up."""
        return len(self._first), len(self._others)

    def next_kind(self) -> str | None:
        """The `kind` the next waiter gave (None when nobody waits)."""
        for lane in (self._first, self._others):
            for future, kind in lane:
                if not future.done():
                    return kind
        return None

    async def acquire(self, *, first: bool = False, kind: str = "") -> None:
        """Wait for the turn; `first` waiters go before all ordinary ones."""
        if not self._held and not self._first and not self._others:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane = self._first if first else self._others
        waiter = (future, kind)
        lane.append(waiter)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed the turn just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    lane.remove(waiter)
            raise

    def release(self) -> None:
        """End the turn and hand it to the next waiter, first lane before the other."""
        for lane in (self._first, self._others):
            while lane:
                future, _ = lane.popleft()
                if not future.done():
                    future.set_result(None)  # the turn passes on without ever being free
                    return
        self._held = False
        if self._idle is not None:
            self._idle()
