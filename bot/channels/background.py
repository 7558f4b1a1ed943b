"""Files sent in the background after a reply, and waiting for them at shutdown.

A reply's files (a workbook, a chart) take a second or two to build: each messenger sends them
in a task of their own, so the chat's next update does not wait, and `settle` lets shutdown
(and tests) wait until they are out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """The tasks still building and sending files."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, remembered until it ends."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until every task is done, or `timeout` passes with none finishing."""
        while self._tasks:
            pending = list(self._tasks)
            done, _ = await asyncio.wait(pending, timeout=timeout)
            if not done:
                log.warning("files still being sent at shutdown", extra={"count": len(pending)})
                return
