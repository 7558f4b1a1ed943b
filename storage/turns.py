"""Turns on the writing connection: an asyncio lock with a lane that goes first.

Every write of the process goes through one connection (and so do reads where there is no
read-only connection), so they take turns. Most may wait in arrival order, but one kind
may not: recording that the platform accepted an outbox message. Until that mark commits,
a kill -9 makes the restarted sender send the message again, so each millisecond a mark
waits behind a dialog, a claim or a progress report is a millisecond in which a crash
duplicates a message. Waiters in the first lane are served before every ordinary waiter,
so a mark waits at most for the turn in progress (and for the marks queued before it).

On release the turn is handed straight to the next waiter, first lane first; within each
lane the order is the order of arrival.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque


class Turns:
    """Mutual exclusion with two queues: `first` waiters, then everyone else, each FIFO."""

    def __init__(self) -> None:
        self._held = False
        self._first: deque[asyncio.Future[None]] = deque()
        self._others: deque[asyncio.Future[None]] = deque()

    @property
    def held(self) -> bool:
        """Whether someone has the turn (for tests)."""
        return self._held

    @property
    def waiting(self) -> tuple[int, int]:
        """How many wait in each lane (first, others), for tests that line waiters up."""
        return len(self._first), len(self._others)

    async def acquire(self, *, first: bool = False) -> None:
        """Wait for the turn; `first` waiters go before all ordinary ones."""
        if not self._held and not self._first and not self._others:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane = self._first if first else self._others
        lane.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed the turn just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    lane.remove(future)
            raise

    def release(self) -> None:
        """End the turn and hand it to the next waiter, first lane before the other."""
        for lane in (self._first, self._others):
            while lane:
                future = lane.popleft()
                if not future.done():
                    future.set_result(None)  # the turn passes on without ever being free
                    return
        self._held = False
