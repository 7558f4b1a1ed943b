"""WAL checkpoints off the commit path: a background task with a connection of its own.

By default SQLite copies the write-ahead log back into the database file inside whichever
COMMIT finds the log past 1,000 pages, with two fsyncs: that one commit takes many times
longer than the others. When it is an outbox mark, that is time in which a kill -9 makes the
restarted sender repeat a message the platform already accepted (and every mark queued
behind it waits as long). So the main connection never checkpoints (wal_autocheckpoint = 0)
and this task does it instead, PASSIVE, on its own connection and therefore its own thread:
a passive checkpoint neither waits for nor blocks the writer; it copies the frames no
reader still needs. It looks every `every` seconds at the log's size in the WAL-index header
(the -shm file, whose layout is part of SQLite's documented file format) and starts once
`pages` frames (1,000, as SQLite) are in the log, then again each round until all are
copied: the writer starts the log over only after a checkpoint that copied everything.

The header is read through one descriptor opened once and closed only after the database's
last connection (`release`, called by Database.close). Closing any descriptor of a file
drops every POSIX lock the process holds on it, SQLite's included: a peek that opened and
closed the -shm file each time silently dropped this process's shared lock on it, and
another process opening the database (an `antt-bot org import` beside the running bot) then
took itself for the only user, rebuilt the WAL-index under the bot's feet and the database
came out malformed (the bot died of SIGBUS on the shrunken mapping).

Two costs stay with the writer. The first commit after the log starts over writes and
syncs its new header (one fsync per 1,000 pages, as before). And under a steady stream of
commits on a slow disk, a background pass may never copy everything (commits land during
its two fsyncs), so the log would grow without end: past `limit` frames the task
checkpoints holding an ordinary turn of the main connection (`turn`), when no commit can
land meanwhile, and the log starts over. Marks then wait as they did for the old checkpoint
in a commit, but once per `limit` (4,000) frames rather than 1,000, and only where the
background could not keep up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
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
    """Runs PASSIVE checkpoints of one WAL database once its log holds `pages` frames."""

    def __init__(
        self,
        path: str,
        *,
        every: float = 0.5,
        pages: int = 1000,
        limit: int = 4000,
        turn: Callable[[], AbstractAsyncContextManager[None]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.path = path
        self.every = every
        self.pages = pages
        self.limit = limit
        self.turn = turn  # an ordinary turn of the writing connection (Database._turn)
        self.sleep = sleep  # tests pass one they control
        self._conn: aiosqlite.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._shm: int | None = None  # the -shm descriptor, held until `release`

    async def start(self) -> None:
        """Open the checkpoint connection and start the periodic task."""
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._task = asyncio.create_task(self._run(), name="sqlite-checkpoint")

    def log_frames(self) -> tuple[int, int]:
        """(frames in the log, frames already copied into the database file), read from
        the WAL-index header without a lock (an estimate is enough); (`limit`, 0) when it
        cannot be read, so the log is checkpointed rather than left to grow."""
        try:
            if self._shm is None:  # opened once, never closed while SQLite holds locks
                self._shm = os.open(self.path + "-shm", os.O_RDONLY | os.O_CLOEXEC)
            header = os.pread(self._shm, _HEADER, 0)
            (frames,) = struct.unpack_from("=I", header, _MX_FRAME)
            (copied,) = struct.unpack_from("=I", header, _BACKFILLED)
        except (OSError, struct.error):
            return self.limit, 0
        return frames, min(copied, frames)

    def waiting_frames(self) -> int:
        """Frames in the log not yet copied into the database file."""
        frames, copied = self.log_frames()
        return frames - copied

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

    def release(self) -> None:
        """Close the -shm descriptor: only once every connection of this process to the
        database is closed (closing it earlier would drop their locks); safe to call twice."""
        if self._shm is not None:
            os.close(self._shm)
            self._shm = None

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
            frames, copied = self.log_frames()
            if frames < self.pages or copied >= frames:
                continue
            held = self.turn() if frames >= self.limit and self.turn else nullcontext()
            try:
                async with held:
                    await self.checkpoint()
            except Exception as err:  # e.g. disk full: the next round tries again
                log.warning("checkpoint failed", extra={"error": type(err).__name__})
