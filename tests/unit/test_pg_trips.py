"""What a PostgreSQL write transaction costs in round trips, and that costing less keeps it
correct: queued writes joined to the next statement only when it cannot read them, the next
transaction begun with the COMMIT when one waits, two stores (two processes) on one database
still serialized, and a connection dropped or a turn given up in between still recovered."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from storage import conversations
from storage.conversations import ARRIVAL
from storage.pg import WRITE_LOCK, PgDatabase, migration_files
from storage.pg_sql import to_postgres
from storage.pg_tx import LOCKED_TWINS, TRIGGER_WRITES, combined
from tests.unit.test_pg_store import server, url

__all__ = ["server", "url"]  # the store tests' fixtures: the session's server, a fresh database

INSERT = ("INSERT INTO processed_updates (channel, update_key, at) VALUES ($1, $2, $3)", [1, 2, 3])
TOUCH = ("UPDATE identities SET last_seen_at = $1 WHERE channel = $2", ["t", "c"])


def test_queued_writes_join_a_statement_that_does_not_name_their_tables() -> None:
    text = combined([INSERT, TOUCH], "SELECT id FROM members WHERE unit_id = $1 AND id > $2")
    assert text == (
        "WITH q0 AS (INSERT INTO processed_updates (channel, update_key, at) VALUES"
        " ($1, $2, $3)), q1 AS (UPDATE identities SET last_seen_at = $4 WHERE channel = $5)\n"
        "SELECT id FROM members WHERE unit_id = $6 AND id > $7"
    )


@pytest.mark.parametrize(
    ("queued", "statement"),
    [
        ([INSERT], "SELECT 1 FROM processed_updates WHERE channel = $1"),  # reads what it writes
        ([TOUCH], "SELECT m.id FROM members m JOIN IDENTITIES i ON i.member_id = m.id"),
        ([INSERT, INSERT], "SELECT 1"),  # two writes of one table: their order matters
        (
            [INSERT, ("DELETE FROM members WHERE id IN (SELECT 1 FROM processed_updates)", [])],
            "SELECT 1",
        ),  # a later write reads what an earlier one writes
        ([("UPDATE reports SET status = $1", ["x"])], "SELECT n FROM tally_version"),
        ([("UPDATE tally_version SET n = n + 1", [])], "SELECT 1"),
        ([INSERT], "WITH x AS (SELECT 1) SELECT * FROM x"),  # its own WITH: left alone
        ([("INSERT INTO a VALUES (1); DELETE FROM b", [])], "SELECT 1"),
        ([("SELECT pg_notify('x', 'y')", [])], "SELECT 1"),
        ([], "SELECT 1"),
    ],
)
def test_queued_writes_go_first_when_the_statement_might_read_them(
    queued: list[tuple[str, list[Any]]], statement: str
) -> None:
    assert combined(queued, statement) is None


def test_the_tables_triggers_write_are_the_ones_the_migrations_name() -> None:
    """A new trigger writing another table must be added to TRIGGER_WRITES, or a statement
    reading that table could be joined to a write whose trigger changes it."""
    written: set[str] = set()
    for _, sql in migration_files():
        for body in re.findall(r"RETURNS trigger.*?\$\$(.*?)\$\$", sql, re.S | re.I):
            written |= {
                t.lower()
                for t in re.findall(
                    r"(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)", body, re.I
                )
            }
    assert written == set(TRIGGER_WRITES)


@pytest.fixture
async def db(url: str) -> AsyncIterator[PgDatabase]:
    store = await PgDatabase(url).open()
    yield store
    await store.close()


async def test_a_queued_write_rides_with_a_read_of_another_table_and_is_seen_by_its_own(
    db: PgDatabase,
) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('seen', 0)")
    async with db.transaction() as tx:
        tx.queue(
            "INSERT INTO processed_updates (channel, update_key, at) VALUES (?, ?, ?)",
            ("telegram", "1", "now"),
        )
        before = db.round_trips
        assert await tx.fetchone("SELECT value FROM counters WHERE name = 'seen'") == (0,)
        assert db.round_trips - before <= 2  # one, and the joined text's plan once
        tx.queue("UPDATE counters SET value = value + 1 WHERE name = ?", ("seen",))
        before = db.round_trips
        assert await tx.fetchone("SELECT value FROM counters WHERE name = 'seen'") == (1,)
        # the write first, then the read that sees it (and its plan, the first time)
        assert 2 <= db.round_trips - before <= 3
    async with db.read() as tx:
        assert await tx.fetchone("SELECT COUNT(*) FROM processed_updates") == (1,)


async def test_a_transaction_waiting_for_the_turn_is_begun_with_the_last_commit(
    db: PgDatabase,
) -> None:
    async def one() -> None:
        async with db.transaction() as tx:
            await tx.fetchone("SELECT value FROM counters WHERE name = 'x'")

    await one()  # the statement's plan is learned once
    before = db.round_trips
    await one()
    alone = db.round_trips - before
    before = db.round_trips
    await asyncio.gather(one(), one(), one())
    together = db.round_trips - before
    assert alone == 3  # BEGIN and the lock, the read, COMMIT
    assert together == 3 + 2 + 2  # the second and third begin with the COMMIT before them


async def _add_one(db: PgDatabase, name: str) -> None:
    """Read, then write what was read plus one: lost updates show if two interleave."""
    async with db.transaction() as tx:
        row = await tx.fetchone("SELECT value FROM counters WHERE name = ?", (name,))
        await asyncio.sleep(0)  # let the other store's transaction run, if it could
        tx.queue("UPDATE counters SET value = ? WHERE name = ?", (row[0] + 1, name))


async def test_two_stores_on_one_database_still_write_one_at_a_time(url: str) -> None:
    first, second = await PgDatabase(url).open(), await PgDatabase(url).open()
    try:
        async with first.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('n', 0)")
        await asyncio.gather(*(_add_one(s, "n") for _ in range(40) for s in (first, second)))
        async with first.read() as tx:
            assert await tx.fetchone("SELECT value FROM counters WHERE name = 'n'") == (80,)
    finally:
        await first.close()
        await second.close()


async def _admin(url: str, sql: str) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def _write_lock_holders(url: str) -> int:
    rows = await _admin(
        url,
        f"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        f" AND objid = {WRITE_LOCK}",
    )
    return int(rows[0][0])


async def test_a_connection_dropped_after_the_early_begin_is_made_again(
    db: PgDatabase, url: str
) -> None:
    go_on = asyncio.Event()
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")

    async def second() -> None:
        async with db.transaction() as tx:
            await go_on.wait()  # begun with the first's COMMIT; the server drops it now
            await tx.execute("INSERT INTO counters (name, value) VALUES ('b', 2)")

    async with db.transaction() as tx:
        waiting = asyncio.create_task(second())
        while db._turns.waiting == (0, 0):  # noqa: SLF001
            await asyncio.sleep(0)
        await tx.execute("INSERT INTO counters (name, value) VALUES ('c', 3)")
    # the writing connection only: a read pool's connection killed while idle may be
    # handed out before asyncpg has noticed, which is no concern of this test
    writer = db._conn.get_server_pid()  # noqa: SLF001
    await _admin(url, f"SELECT pg_terminate_backend({writer})")
    go_on.set()
    await waiting
    async with db.read() as tx:
        assert await tx.fetchone("SELECT SUM(value) AS s FROM counters") == (6,)


async def test_a_begun_turn_nobody_takes_is_ended_and_frees_the_lock(
    db: PgDatabase, url: str
) -> None:
    async def second() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('never', 1)")

    async with db.transaction() as tx:
        waiting = asyncio.create_task(second())
        while db._turns.waiting == (0, 0):  # noqa: SLF001
            await asyncio.sleep(0)
        await tx.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")
    waiting.cancel()  # handed the turn, begun for, and gone before it ran
    with pytest.raises(asyncio.CancelledError):
        await waiting
    tidying = db._tidying  # noqa: SLF001  (the turn fell free: the begun one is ended)
    assert tidying is not None
    await tidying
    assert await _write_lock_holders(url) == 0
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('b', 2)")
    assert await _write_lock_holders(url) == 0
    async with db.read() as tx:
        assert await tx.fetchone("SELECT SUM(value) AS s FROM counters") == (3,)


async def test_a_mark_that_gets_the_turn_begun_for_a_transaction_runs_on_its_own(
    db: PgDatabase, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox mark arrived while the COMMIT that began the next transaction was on its
    way: it rolls that back and commits alone, without the write lock."""
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")
    monkeypatch.setattr(db._turns, "next_kind", lambda: "write")  # noqa: SLF001
    async with db.transaction() as tx:
        await tx.execute("UPDATE counters SET value = 2")
    monkeypatch.undo()
    async with db.single(first=True) as tx:
        await tx.execute("UPDATE counters SET value = 5")
    assert await _write_lock_holders(url) == 0
    assert await _admin(url, "SELECT value FROM counters") == [(5,)]


def test_the_arrival_twin_runs_the_arrival_word_for_word() -> None:
    """Migration 026's function reads what storage/conversations.py's ARRIVAL reads."""
    text = dict(migration_files())["026_arrive_locked.sql"]
    body = text.split("RETURN QUERY", 1)[1].split(";\nEND", 1)[0]
    expected = to_postgres(ARRIVAL)
    for n in range(6, 0, -1):
        expected = expected.replace(f"${n}", f"p{n}")
    assert " ".join(body.split()) == " ".join(expected.split())
    assert set(LOCKED_TWINS) == {to_postgres(ARRIVAL)}


async def _until_one_waits_for_the_write_lock(url: str) -> None:
    """Poll the server until a session waits for the write lock (a bound, not a timing:
    ten seconds of polls, only reached if nobody ever waits)."""
    for _ in range(1000):
        rows = await _admin(
            url,
            f"SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            f" AND objid = {WRITE_LOCK}",
        )
        if rows[0][0]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("nobody waits for the write lock")


async def test_an_arrival_begun_without_the_lock_takes_it_and_reads_after_it_in_one_trip(
    url: str,
) -> None:
    first, second = await PgDatabase(url).open(), await PgDatabase(url).open()
    release = asyncio.Event()
    try:
        async with first.transaction() as tx:  # the arrival's plan is learned once
            await conversations.arrive(tx, "telegram", "u0", "7", "c", "now")

        async def other_process() -> None:
            async with second.transaction() as tx:
                await tx.execute(
                    "INSERT INTO processed_updates (channel, update_key, at) VALUES (?, ?, ?)",
                    ("telegram", "u1", "now"),
                )
                await release.wait()

        async def arrive(key: str) -> conversations.Arrival | None:
            async with first.transaction() as tx:
                assert first._ahead == ""  # noqa: SLF001  (taken by this transaction)
                before = first.round_trips
                arrival = await conversations.arrive(tx, "telegram", key, "7", "c", "now")
                assert first.round_trips - before == 1  # the lock and the read together
                return arrival

        async with first.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")
            waiting = asyncio.create_task(other_process())
            await _until_one_waits_for_the_write_lock(url)
            seen_before = asyncio.create_task(arrive("u1"))  # waits for the turn
            while first._turns.waiting == (0, 0):  # noqa: SLF001
                await asyncio.sleep(0)
        # this COMMIT began the arrival's transaction, and the other process got the lock
        await _until_one_waits_for_the_write_lock(url)  # the arrival waits for it...
        release.set()  # ...while the other process records u1 and commits
        await waiting
        assert await seen_before is None  # so the arrival sees u1: handled before
    finally:
        release.set()
        await first.close()
        await second.close()
