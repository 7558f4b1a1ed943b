"""storage.tx: what a transaction costs in round trips to SQLite's thread, and that the
savings (BEGIN with the first statement, writes queued for the next trip, a repeated
SELECT answered again) change nothing a caller can see."""

from __future__ import annotations

import sqlite3

import aiosqlite
import pytest

from storage import journal
from storage.db import Database
from storage.tx import hop


async def _names(db: Database) -> list[str]:
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT name FROM counters ORDER BY name")
    return [str(r["name"]) for r in rows]


async def test_a_statement_with_its_rows_is_one_trip_and_begin_rides_with_it(
    db: Database,
) -> None:
    before = db.round_trips
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")
        row = await tx.fetchone("SELECT value FROM counters WHERE name = 'a'")
    assert row is not None and row["value"] == 1
    assert db.round_trips - before == 3  # BEGIN+INSERT, SELECT, COMMIT


async def test_a_transaction_that_runs_nothing_costs_nothing(db: Database) -> None:
    before = db.round_trips
    async with db.transaction():
        pass
    async with db.read():
        pass
    assert db.round_trips == before


async def test_queued_writes_travel_with_the_next_trip_in_order_and_are_seen_by_it(
    db: Database,
) -> None:
    before = db.round_trips
    async with db.transaction() as tx:
        tx.queue("INSERT INTO counters (name, value) VALUES ('q', 1)")
        tx.queue("UPDATE counters SET value = value + 1 WHERE name = 'q'")
        row = await tx.fetchone("SELECT value FROM counters WHERE name = 'q'")
        tx.queue("INSERT INTO counters (name, value) VALUES ('r', 1)")
    assert row is not None and row["value"] == 2
    assert db.round_trips - before == 2  # BEGIN+2 writes+SELECT; the write+COMMIT
    assert await _names(db) == ["q", "r"]


async def test_a_failing_queued_write_undoes_the_whole_transaction_and_frees_the_connection(
    db: Database,
) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('kept?', 1)")
            tx.queue("INSERT INTO counters (name, value) VALUES ('kept?', 2)")  # same key
    assert await _names(db) == []
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('after', 1)")
    assert await _names(db) == ["after"]


async def test_queued_writes_are_dropped_when_the_block_fails(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('sent', 1)")
            tx.queue("INSERT INTO counters (name, value) VALUES ('queued', 1)")
            raise RuntimeError("handler failed")
    assert await _names(db) == []


async def test_a_repeated_select_is_answered_again_until_the_transaction_writes(
    db: Database,
) -> None:
    sql = "SELECT name FROM counters ORDER BY name"
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")
        before = db.round_trips
        first = await tx.fetchall(sql)
        again = await tx.fetchall(sql)
        assert db.round_trips - before == 1
        first.clear()  # a caller's own list: the remembered rows stay as they were
        assert [r["name"] for r in await tx.fetchall(sql)] == ["x"]
        tx.queue("INSERT INTO counters (name, value) VALUES ('y', 1)")
        after_queue = await tx.fetchall(sql)
        await tx.execute("INSERT INTO counters (name, value) VALUES ('z', 1)")
        after_write = await tx.fetchall(sql)
    assert [r["name"] for r in again] == ["x"]
    assert [r["name"] for r in after_queue] == ["x", "y"]
    assert [r["name"] for r in after_write] == ["x", "y", "z"]


async def test_a_write_through_fetchone_is_never_answered_again(db: Database) -> None:
    upsert = """INSERT INTO counters (name, value) VALUES ('n', 1)
                ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value"""
    async with db.transaction() as tx:
        first = await tx.fetchone(upsert)
        second = await tx.fetchone(upsert)
    assert first is not None and second is not None
    assert (first["value"], second["value"]) == (1, 2)


async def test_a_select_is_asked_again_in_the_next_transaction(db: Database) -> None:
    sql = "SELECT COUNT(*) AS n FROM counters"
    async with db.transaction() as tx:
        assert (await tx.fetchone(sql) or {"n": -1})["n"] == 0
    other = await aiosqlite.connect(db.path)  # another process's write, say
    try:
        await other.execute("INSERT INTO counters (name, value) VALUES ('other', 1)")
        await other.commit()
    finally:
        await other.close()
    async with db.transaction() as tx:
        assert (await tx.fetchone(sql) or {"n": -1})["n"] == 1


async def test_a_batch_of_journaled_updates_is_one_statement(db: Database) -> None:
    updates = [(str(i), {"update_id": i, "message": {"text": "Chào"}}) for i in range(50)]
    before = db.round_trips
    async with db.transaction() as tx:
        new = await journal.record(tx, "telegram", updates, "2026-11-23T20:00:00")
    # BEGIN with the one INSERT (whose RETURNING says which ids were new), then the COMMIT
    assert db.round_trips - before == 2
    assert new == [key for key, _ in updates]
    async with db.read() as tx:
        pending = await journal.unprocessed(tx, "telegram")
    assert [p["update_id"] for p in pending] == list(range(50))


async def test_a_read_is_two_trips_and_counts_on_the_reader(db: Database) -> None:
    before = db.round_trips
    async with db.read() as tx:
        await tx.fetchone("SELECT 1")
    assert db.round_trips - before == 2  # BEGIN+SELECT, COMMIT


async def test_one_trip_runs_a_function_on_aiosqlites_thread(db: Database) -> None:
    """storage.tx.hop uses aiosqlite's private `_execute`: a new aiosqlite that changes it
    fails here first, not in production."""

    def work(raw: sqlite3.Connection) -> int:
        return int(raw.execute("SELECT 41 + 1").fetchone()[0])

    assert await hop(db.conn, work) == 42
