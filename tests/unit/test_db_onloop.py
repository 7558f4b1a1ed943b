"""storage.tx's OnLoop: a brief transaction's calls run on the event loop's own thread, and
every call that must wait (for another connection's write lock, behind a call still on
SQLite's worker thread, or because the transaction reads much) goes to that thread instead,
with the same results and the loop free meanwhile."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from storage.db import Database


async def _value(db: Database, name: str) -> int | None:
    async with db.read() as tx:
        row = await tx.fetchone("SELECT value FROM counters WHERE name = ?", (name,))
    return None if row is None else int(row["value"])


async def _ticks_while(task: asyncio.Task[None], ticks: int = 5) -> int:
    """Let the loop run a few rounds while `task` waits: how many the loop managed (rounds,
    not time: a write waiting inline would block the first round until SQLite gave up)."""
    done = 0
    for _ in range(ticks):
        await asyncio.sleep(0)
        done += 1
    assert not task.done()
    return done


async def test_a_brief_transaction_never_hops_to_the_thread_and_writes_as_any_other(
    db: Database,
) -> None:
    here = db.on_loop
    sent, ran, trips = here.sent, here.here, db.round_trips
    async with db.transaction(brief=True) as tx:
        tx.queue("INSERT INTO counters (name, value) VALUES ('a', 1)")
        row = await tx.fetchone("SELECT value FROM counters WHERE name = 'a'")
        await tx.execute("UPDATE counters SET value = value + 1 WHERE name = 'a'")
    assert row is not None and row["value"] == 1
    assert here.sent == sent  # not one call went to the worker thread
    assert here.here - ran == 3  # BEGIN+INSERT+SELECT, UPDATE, COMMIT
    assert db.round_trips - trips == 3  # counted as calls, wherever they ran
    assert await _value(db, "a") == 2


async def test_an_ordinary_transaction_still_runs_on_the_thread(db: Database) -> None:
    here = db.on_loop
    sent, ran = here.sent, here.here
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('t', 1)")
    assert here.sent - sent == 2 and here.done == here.sent
    assert here.here == ran


async def test_a_failing_brief_transaction_is_rolled_back_and_the_connection_stays_usable(
    db: Database,
) -> None:
    async with db.transaction(brief=True) as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('k', 1)")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction(brief=True) as tx:
            await tx.execute("UPDATE counters SET value = 5 WHERE name = 'k'")
            await tx.execute("INSERT INTO counters (name, value) VALUES ('k', 2)")
    with pytest.raises(RuntimeError):
        async with db.transaction(brief=True) as tx:
            await tx.execute("UPDATE counters SET value = 6 WHERE name = 'k'")
            raise RuntimeError("the handler failed")
    assert await _value(db, "k") == 1
    async with db.transaction(brief=True) as tx:
        await tx.execute("UPDATE counters SET value = 7 WHERE name = 'k'")
    assert await _value(db, "k") == 7


async def _while_another_process_writes(
    tmp_path: Path, work: Callable[[], Awaitable[None]], write: str = ""
) -> None:
    """Run `work` while another connection holds the file's write lock (having run `write`):
    it must wait, with the loop running on, and finish once the other commits."""
    other = sqlite3.connect(tmp_path / "t.sqlite3", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        if write:
            other.execute(write)
        task = asyncio.create_task(work())
        assert await _ticks_while(task) == 5  # the loop ran on while the work waited
        other.execute("COMMIT")
        await task
    finally:
        other.close()


async def test_another_process_holding_the_write_lock_is_waited_for_on_the_thread(
    db: Database, tmp_path: Path
) -> None:
    sent = db.on_loop.sent

    async def write() -> None:
        async with db.transaction(brief=True) as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('mine', 1)")

    other = "INSERT INTO counters (name, value) VALUES ('other', 1)"
    await _while_another_process_writes(tmp_path, write, other)
    assert db.on_loop.sent > sent  # BEGIN went to the thread to wait there
    assert await _value(db, "other") == 1 and await _value(db, "mine") == 1
    row = await db.conn.execute_fetchall("PRAGMA busy_timeout")
    assert list(row)[0][0] == 5000  # the wait is back for the thread's next calls


async def test_the_call_that_takes_the_lock_runs_here_without_sqlites_busy_wait(
    db: Database,
) -> None:
    """What keeps a blocked file from blocking the loop: no busy wait while it is tried."""
    here = db.on_loop

    def busy_timeout(raw: sqlite3.Connection) -> int:
        return int(raw.execute("PRAGMA busy_timeout").fetchone()[0])

    assert here.attempt(busy_timeout) == 0
    assert here.run(busy_timeout) == 5000  # the thread's calls wait as before


async def test_a_single_statement_waits_for_the_lock_on_the_thread_too(
    db: Database, tmp_path: Path
) -> None:
    async def mark() -> None:
        async with db.single(first=True) as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('mark', 1)")

    await _while_another_process_writes(tmp_path, mark)
    assert await _value(db, "mark") == 1


async def test_a_call_still_on_the_thread_is_queued_behind_not_run_beside(
    db: Database,
) -> None:
    release = threading.Event()
    order: list[str] = []

    def slow(raw: sqlite3.Connection) -> None:  # an interrupted trip's call, still running
        release.wait(10)
        order.append("thread")

    stuck = asyncio.create_task(db.on_loop.hop(slow))
    await asyncio.sleep(0)
    assert not db.on_loop.idle()

    async def write() -> None:
        async with db.transaction(brief=True) as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('after', 1)")
        order.append("brief")

    task = asyncio.create_task(write())
    await _ticks_while(task)
    release.set()
    await asyncio.gather(stuck, task)
    assert order == ["thread", "brief"]
    assert db.on_loop.idle()
    assert await _value(db, "after") == 1


async def test_a_transaction_that_reads_much_goes_on_on_the_thread(db: Database) -> None:
    here = db.on_loop
    async with db.transaction(brief=True) as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('r', 1)")
        sent = here.sent
        tx.reads_much()
        await tx.fetchall("SELECT name FROM counters")
        await tx.execute("UPDATE counters SET value = 2 WHERE name = 'r'")
    assert here.sent - sent == 3  # the SELECT, the UPDATE, the COMMIT
    assert await _value(db, "r") == 2


async def test_a_slow_call_on_the_loop_is_logged_without_its_sql_or_values(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    db.on_loop.slow = 0.0  # every call counts as slow
    with caplog.at_level(logging.WARNING, logger="storage.tx"):
        async with db.transaction(brief=True) as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('Nguyễn Văn A', 1)")
    slow = [r for r in caplog.records if r.getMessage() == "slow call on the event loop"]
    assert slow and all(isinstance(r.__dict__.get("ms"), int) for r in slow)
    assert not any("Nguyễn" in r.getMessage() or "INSERT" in r.getMessage() for r in slow)
