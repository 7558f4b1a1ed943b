"""Checkpoints off the commit path: commits never copy the log into the database file, the
background task does once enough frames wait, the log then starts over (holding a turn of the
writer if it has grown past its limit regardless), and closing stops it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from storage.checkpoint import Checkpointer
from storage.db import Database

ROW = "x" * 3000  # most of a 4 KiB page: one row, about one frame


class Ticks:
    """A sleep the test controls: each tick lets the checkpointer run one round."""

    def __init__(self) -> None:
        self.ticks: asyncio.Queue[None] = asyncio.Queue()
        self.asleep = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        """Wait for the next tick (`seconds` is the checkpointer's own `every`)."""
        self.asleep.set()
        await self.ticks.get()

    async def round(self) -> None:
        """Let one round run and wait until it is asleep again."""
        self.asleep.clear()
        self.ticks.put_nowait(None)
        await self.asleep.wait()


async def _write(db: Database, rows: int) -> None:
    for _ in range(rows):  # one commit each, as outbox marks are
        async with db.single() as tx:
            await tx.execute("INSERT INTO scratch (body) VALUES (?)", (ROW,))


async def _open(tmp_path: Path) -> Database:
    # Its own checkpointer looks only once an hour: the test runs another one it can drive.
    db = await Database(tmp_path / "ckpt.sqlite3", checkpoint_seconds=3600).open()
    async with db.transaction() as tx:
        await tx.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, body TEXT)")
    return db


async def test_commits_never_checkpoint(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    try:
        cur = await db.conn.execute("PRAGMA wal_autocheckpoint")
        assert (await cur.fetchone())[0] == 0
        assert db.checkpointer is not None
        await _write(db, 1100)  # past SQLite's 1,000 pages, which would checkpoint in a commit
        assert db.checkpointer.waiting_frames() >= 1100  # still all in the log
    finally:
        await db.close()


async def test_the_background_task_checkpoints_once_enough_frames_wait(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    clock = Ticks()
    checkpointer = Checkpointer(db.path, every=1.0, pages=500, sleep=clock.sleep)
    await checkpointer.start()
    try:
        await clock.asleep.wait()
        await checkpointer.checkpoint()  # the migrations' frames out of the way
        await _write(db, 20)
        waiting = checkpointer.waiting_frames()
        assert 20 <= waiting < 500
        await clock.round()
        assert checkpointer.waiting_frames() == waiting  # below `pages`: left alone
        await _write(db, 500)
        await clock.round()
        assert checkpointer.waiting_frames() == 0  # copied into the database file
        await _write(db, 3)
        result = await checkpointer.checkpoint()
        assert result.busy == 0 and result.log_frames < 20  # the log started over
        async with db.read() as tx:
            row = await tx.fetchone("SELECT COUNT(*) FROM scratch")
        assert row is not None and row[0] == 523
    finally:
        await checkpointer.stop()
        await db.close()
        checkpointer.release()


async def test_closing_the_database_stops_its_checkpointer(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    checkpointer = db.checkpointer
    assert checkpointer is not None
    await db.close()
    assert db.checkpointer is None
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "sqlite-checkpoint"]
    await checkpointer.stop()  # twice is harmless
    await db.close()
    assert not (tmp_path / "ckpt.sqlite3-wal").exists()  # the last close checkpointed the rest


async def test_a_log_past_its_limit_is_checkpointed_holding_a_turn_of_the_writer(
    tmp_path: Path,
) -> None:
    db = await _open(tmp_path)
    clock = Ticks()
    held: list[str] = []

    @asynccontextmanager
    async def turn() -> AsyncIterator[None]:  # stands for Database's ordinary turn
        held.append("taken")
        yield
        held.append("given back")

    checkpointer = Checkpointer(
        db.path, every=1.0, pages=100, limit=400, turn=turn, sleep=clock.sleep
    )
    await checkpointer.start()
    try:
        await clock.asleep.wait()
        await checkpointer.checkpoint()
        await _write(db, 50)  # past `pages`, below `limit`: in the background
        await clock.round()
        assert checkpointer.waiting_frames() == 0 and held == []
        await _write(db, 1)  # the log starts over
        frames, _ = checkpointer.log_frames()
        assert frames < 20
        await _write(db, 200)  # past `limit`: a background pass did not keep up
        await clock.round()
        assert checkpointer.waiting_frames() == 0 and held == ["taken", "given back"]
    finally:
        await checkpointer.stop()
        await db.close()
        checkpointer.release()


async def test_an_unreadable_index_means_checkpoint_anyway(tmp_path: Path) -> None:
    checkpointer = Checkpointer(str(tmp_path / "missing.sqlite3"), pages=1000, limit=4000)
    assert checkpointer.log_frames() == (4000, 0)


async def test_the_databases_checkpointer_holds_an_ordinary_turn_of_the_writer(
    tmp_path: Path,
) -> None:
    db = await _open(tmp_path)
    try:
        checkpointer = db.checkpointer
        assert checkpointer is not None and checkpointer.turn is not None
        async with checkpointer.turn():
            write = asyncio.create_task(_write(db, 1))
            for _ in range(3):
                await asyncio.sleep(0)
            assert not write.done()  # no commit lands while the checkpoint runs
        await write
    finally:
        await db.close()


_PROBE = """
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
# Would a write lock on SQLite's 'database is in use' byte of the -shm (offset 128) conflict?
probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 128, 1, 0)
print(struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, probe))[0] != fcntl.F_UNLCK)
"""


async def _in_use_seen_from_outside(shm: str) -> bool:
    """What another process sees: whether this process still marks the database in use."""
    probe = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _PROBE, shm, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await probe.communicate()
    return out.decode().strip() == "True"


async def test_peeking_at_the_log_keeps_sqlites_locks(tmp_path: Path) -> None:
    """Reading the WAL-index header must not drop SQLite's locks on it: another process
    would take itself for the only user and rebuild the index under our connections."""
    db = await Database(str(tmp_path / "locks.sqlite3"), checkpoint_seconds=0.5).open()
    try:
        async with db.single() as tx:
            await tx.execute("CREATE TABLE scratch (body TEXT)")
        assert await _in_use_seen_from_outside(db.path + "-shm")
        checkpointer = db.checkpointer
        assert checkpointer is not None
        for _ in range(3):
            checkpointer.log_frames()
        assert await _in_use_seen_from_outside(db.path + "-shm")
    finally:
        await db.close()
