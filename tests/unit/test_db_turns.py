"""Turns on the database: an outbox mark goes before ordinary work, a single-statement turn
stays one statement, and the reference keeps the old order."""

from __future__ import annotations

import asyncio
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
    """first_lane=False: the benchmark's reference."""
    db = await Database(tmp_path / "ref.sqlite3", first_lane=False).open()
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
    finally:
        await db.close()
