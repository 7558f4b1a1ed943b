"""WAL checkpoints off the commit path: a background task with a connection of its own.

By default SQLite copies the write-ahead log back into the database file inside whichever
COMMIT finds the log past 1,000 pages, with two fsyncs: that one commit takes many times
longer than the others. When it is an outbox mark, that is time in which a kill -9 makes the
restarted sender repeat a message the platform already accepted (and every mark queued
behind it waits as long). So the main connection never checkpoints (wal_autocheckpoint = 0)
and this task does it instead, PASSIVE, on its own connection and therefore its own thread:
a passive checkpoint neither waits for nor blocks the writer; it copies the frames no
reader still needs.

It checkpoints at the same size as SQLite would (`pages`, 1,000 by default), looking every
`every` seconds at the log's size in the WAL-index header (the -shm file, whose layout is
part of SQLite's documented file format), so the log restarts as often as before. One sync
stays on the commit path: the first commit after a restart writes and syncs the log's new
header. Checkpointing more often would make that more frequent, not less.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import struct
from collections.abc import Awaitable, Callable
from typing import NamedTuple

import aiosqlite

log = logging.getLogger(__name__)

LARGE_LOG_PAGES = 20_000  # about 80 MB at 4 KiB pages: say so, something keeps it from emptying
_HEADER = 136  # two copies of the WAL-index header (48 bytes each), then the checkpoint info
_MX_FRAME = 16  # frames in the log (first header copy, native byte order)
_BACKFILLED = 96  # frames already copied into the database file


class Result(NamedTuple):
    """What one checkpoint found: busy (1 when it could not run), frames in the log, and
    frames copied into the database file so far."""

    busy: int
    log_frames: int
    checkpointed: int


class Checkpointer:
    """Runs a PASSIVE checkpoint of one WAL database whenever `pages` frames are waiting."""

    def __init__(
        self,
        path: str,
        *,
        every: float = 0.5,
        pages: int = 1000,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.path = path
        self.every = every
        self.pages = pages
        self.sleep = sleep  # tests pass one they control
        self._conn: aiosqlite.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the checkpoint connection and start the periodic task."""
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._task = asyncio.create_task(self._run(), name="sqlite-checkpoint")

    def waiting_frames(self) -> int:
        """Frames in the log not yet copied into the database file, read from the WAL-index
        header without a lock (an estimate is enough); `pages` when it cannot be read, so
        the log is checkpointed rather than left to grow."""
        try:
            with open(self.path + "-shm", "rb") as shm:
                header = shm.read(_HEADER)
            (frames,) = struct.unpack_from("=I", header, _MX_FRAME)
            (copied,) = struct.unpack_from("=I", header, _BACKFILLED)
        except (OSError, struct.error):
            return self.pages
        return max(0, frames - copied)

    async def checkpoint(self) -> Result:
        """Copy what the log holds into the database file now, without waiting for anyone."""
        if self._conn is None:
            raise RuntimeError("checkpointer is not started")
        async with self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)") as cur:
            row = await cur.fetchone()
        result = Result(*(int(v) for v in row)) if row else Result(1, 0, 0)
        if result.log_frames > LARGE_LOG_PAGES:
            log.warning("write-ahead log keeps growing", extra={"frames": result.log_frames})
        return result

    async def stop(self) -> None:
        """Stop the task and close the connection; safe to call twice. The main connection's
        close checkpoints what is left, as SQLite does when the last connection closes."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _run(self) -> None:
        while True:
            await self.sleep(self.every)
            if self.waiting_frames() < self.pages:
                continue
            try:
                await self.checkpoint()
            except sqlite3.Error as err:  # e.g. disk full: the next round tries again
                log.warning("checkpoint failed", extra={"error": type(err).__name__})
