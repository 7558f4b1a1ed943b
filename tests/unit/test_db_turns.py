"""Turns on the database: an outbox mark goes before ordinary work, reads never wait for
writes, a single-statement turn stays one statement, and the reference keeps the old order."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database(tmp_path / "turns.sqlite3").open()
    async with database.transaction() as tx:
        await tx.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, who TEXT)")
    yield database
    await database.close()


async def _queue(task: asyncio.Task[None]) -> None:
    """Let a freshly created task run until it waits for its turn."""
    for _ in range(3):
        await asyncio.sleep(0)
    assert not task.done()


async def test_a_mark_queued_behind_ordinary_waiters_gets_the_database_first(
    db: Database,
) -> None:
    order: list[str] = []
    release = asyncio.Event()

    async def dialog() -> None:  # the transaction in progress when the answer arrives
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (who) VALUES ('dialog')")
            order.append("dialog")
            await release.wait()

    async def ordinary(name: str) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (who) VALUES (?)", (name,))
            order.append(name)

    async def mark() -> None:
        async with db.single(first=True) as tx:
            await tx.execute("INSERT INTO notes (who) VALUES ('mark')")
            order.append("mark")

    tasks = [asyncio.create_task(dialog())]
    await _queue(tasks[0])
    for work in (ordinary("journal"), ordinary("planner"), mark()):
        tasks.append(asyncio.create_task(work))
        await _queue(tasks[-1])
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["dialog", "mark", "journal", "planner"]  # waits only for the one in progress


async def test_reads_do_not_wait_for_a_write_in_progress_and_see_the_last_commit(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO notes (who) VALUES ('committed')")
    writing, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (who) VALUES ('uncommitted')")
            writing.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await writing.wait()

    async def count() -> int:
        async with db.read() as tx:
            row = await tx.fetchone("SELECT COUNT(*) FROM notes")
        return int(row[0]) if row else -1

    assert await asyncio.wait_for(count(), 10) == 1  # a guard against a deadlock, not a timing
    release.set()
    await task
    assert await count() == 2


async def test_a_read_sees_one_snapshot_while_writes_commit(db: Database) -> None:
    async def add() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (who) VALUES ('meanwhile')")

    async with db.read() as tx:
        before = await tx.fetchone("SELECT COUNT(*) FROM notes")
        await asyncio.wait_for(add(), 10)  # the writer does not wait for this read
        after = await tx.fetchone("SELECT COUNT(*) FROM notes")
    assert before is not None and after is not None and before[0] == after[0] == 0
    async with db.read() as tx:
        now = await tx.fetchone("SELECT COUNT(*) FROM notes")
    assert now is not None and now[0] == 1


async def test_a_read_cannot_write(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with db.read() as tx:
            await tx.execute("INSERT INTO notes (who) VALUES ('sneaky')")


async def test_single_runs_exactly_one_statement(db: Database) -> None:
    async with db.single() as tx:
        await tx.execute("INSERT INTO notes (who) VALUES ('one')")
        with pytest.raises(RuntimeError):
            await tx.execute("INSERT INTO notes (who) VALUES ('two')")
    with pytest.raises(RuntimeError):
        async with db.single() as tx:
            await tx.executemany("INSERT INTO notes (who) VALUES (?)", [("a",), ("b",)])
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT who FROM notes")
    assert [r["who"] for r in rows] == ["one"]


async def test_the_reference_keeps_one_queue_in_arrival_order(tmp_path: Path) -> None:
    """first_lane=False, reader=False, checkpoint_seconds=None: the benchmark's reference."""
    db = await Database(
        tmp_path / "ref.sqlite3", first_lane=False, reader=False, checkpoint_seconds=None
    ).open()
    try:
        order: list[str] = []
        release = asyncio.Event()

        async def hold() -> None:
            async with db.transaction():
                order.append("dialog")
                await release.wait()

        async def ordinary() -> None:
            async with db.read():
                order.append("read")

        async def mark() -> None:
            async with db.single(first=True) as tx:
                await tx.execute("SELECT 1")
                await tx.execute("SELECT 2")  # a plain transaction: more than one is fine
                order.append("mark")

        tasks = [asyncio.create_task(hold())]
        await _queue(tasks[0])
        for work in (ordinary(), mark()):
            tasks.append(asyncio.create_task(work))
            await _queue(tasks[-1])
        release.set()
        await asyncio.gather(*tasks)
        assert order == ["dialog", "read", "mark"]
        cur = await db.conn.execute("PRAGMA wal_autocheckpoint")
        assert (await cur.fetchone())[0] == 1000  # SQLite checkpoints inside commits
        assert db.checkpointer is None
    finally:
        await db.close()


async def test_a_read_cancelled_while_it_begins_leaves_the_reader_usable(db: Database) -> None:
    async def read() -> None:
        async with db.read() as tx:
            await tx.fetchone("SELECT COUNT(*) FROM notes")

    task = asyncio.create_task(read())
    await asyncio.sleep(0)  # it waits for SQLite's thread to run its BEGIN
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await read()  # the BEGIN that ran anyway was ended: this one can begin
    await read()
