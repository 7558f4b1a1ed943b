"""The PostgreSQL Store on the session's own server: migrations once, status, what it refuses,
and SQLite's habits it keeps (ints for text columns, whole sums as ints)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from storage.pg import CollationError, PgDatabase, migration_files
from tests.support import backend
from tests.support.postgres import PgServer


@pytest.fixture
def server() -> PgServer:
    return backend.server()


@pytest.fixture
async def url(server: PgServer) -> AsyncIterator[str]:
    made = await server.fresh_database()
    yield made
    await server.drop_database(made)


async def _create(server: PgServer, name: str, locale: str = "") -> str:
    """A database sorting bytes, or by `locale`'s rules (ICU) when one is given."""
    how = f"LOCALE_PROVIDER icu ICU_LOCALE '{locale}'" if locale else ""
    conn = await asyncpg.connect(server.url())
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name}")
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE 'C.UTF-8' {how}")
    finally:
        await conn.close()
    return server.url(name)


async def test_migrations_apply_once_and_status_says_so(server: PgServer) -> None:
    url = await _create(server, "fresh_status")
    db = await PgDatabase(url).open(migrate=False)
    try:
        assert all(at is None for _, at in await db.migration_status())
        assert await db.migrate() == [name for name, _ in migration_files()]
        assert await db.migrate() == []
        assert all(at is not None for _, at in await db.migration_status())
    finally:
        await db.close()
        await server.drop_database(url)


async def test_a_database_sorting_by_language_rules_is_refused(server: PgServer) -> None:
    url = await _create(server, "wrong_collation", "vi-VN")
    with pytest.raises(CollationError, match="--locale=C.UTF-8"):
        await PgDatabase(url).open()
    await server.drop_database(url)


async def test_values_are_taken_and_given_as_sqlite_does(url: str) -> None:
    db = await PgDatabase(url).open()
    try:
        async with db.transaction() as tx:
            assert tx.dialect == "postgresql"
            await tx.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?), (?, ?)", (5, "7", "b", 8)
            )
            row = await tx.fetchone(
                "SELECT name, SUM(value) AS s FROM counters WHERE name = ? GROUP BY name", (5,)
            )
            assert (row["name"], row["s"]) == ("5", 7)  # text kept as text, a whole sum an int
            cur = await tx.execute("UPDATE counters SET value = value + 1 WHERE value > ?", (0,))
            assert cur.rowcount == 2
        async with db.read() as tx:
            total = await tx.fetchone("SELECT SUM(value) AS s, AVG(value) AS a FROM counters")
            assert (total["s"], total["a"]) == (17, 8.5)
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing(url: str) -> None:
    db = await PgDatabase(url).open()
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO counters (name, value) VALUES ('x', 1)")
                raise RuntimeError("handler bug")
        async with db.read() as tx:
            assert await tx.fetchone("SELECT 1 FROM counters") is None
    finally:
        await db.close()


async def test_replica_reads_go_to_read_url(server: PgServer, url: str) -> None:
    """A stand-in replica (another database) shows where `read(replica=True)` reads."""
    other = await server.fresh_database()
    db = await PgDatabase(url, read_url=other).open()
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('primary', 1)")
        async with db.read() as tx:
            assert await tx.fetchone("SELECT 1 FROM counters") is not None
        async with db.read(replica=True) as tx:
            assert await tx.fetchone("SELECT 1 FROM counters") is None
    finally:
        await db.close()
        await server.drop_database(other)


async def _triggered_on_sqlite(tmp_path, prefix: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The tables with a SQLite trigger whose name starts with `prefix`."""
    import sqlite3

    from storage.db import Database

    lite = await Database(tmp_path / "t.sqlite3").open()
    await lite.close()
    conn = sqlite3.connect(tmp_path / "t.sqlite3")
    found = {
        str(r[0])
        for r in conn.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
            (prefix + "%",),
        )
    }
    conn.close()
    return found


async def _triggered_on_pg(url: str, functions: tuple[str, ...]) -> set[str]:
    """The tables with a PostgreSQL trigger running one of `functions`."""
    db = await PgDatabase(url).open()
    try:
        async with db.read() as tx:
            rows = await tx.fetchall(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = ANY(?)",
                (list(functions),),
            )
    finally:
        await db.close()
    return {str(r[0]) for r in rows}


async def test_the_tables_with_tally_triggers_are_the_same_on_both(url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The tally version moves on PostgreSQL for the same tables as on SQLite, whose list a
    test of the web cache derives from what a real tally reads."""
    on_sqlite = await _triggered_on_sqlite(tmp_path, "tally_version_")
    assert await _triggered_on_pg(url, ("bump_tally_version",)) == on_sqlite


async def test_the_kept_months_are_forgotten_by_the_same_tables_on_both(url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The communes' kept months (migration 024) are forgotten on a change of the same tables
    on both: what the tally of a closed month reads (not who is reached: open months only),
    and report events."""
    on_sqlite = await _triggered_on_sqlite(tmp_path, "tally_snapshots_")
    functions = (
        "tally_snapshots_reports",
        "tally_snapshots_by_report",
        "tally_snapshots_by_unit",
        "tally_snapshots_by_member",
        "tally_snapshots_by_person",
        "tally_snapshots_forget_all",
    )
    assert await _triggered_on_pg(url, functions) == on_sqlite
    version = await _triggered_on_sqlite(tmp_path, "tally_version_")
    assert on_sqlite == (version - {"identities"}) | {"report_events"}


async def test_a_dropped_connection_is_made_again_for_the_next_write(url: str) -> None:
    """A server restart or fail-over drops the writing connection; the next write reconnects
    instead of failing for ever."""
    db = await PgDatabase(url).open()
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('a', 1)")
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND application_name = 'antt-bot'"
            )
        finally:
            await admin.close()
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('b', 2)")
        async with db.read() as tx:
            assert await tx.fetchone("SELECT SUM(value) AS s FROM counters") == (3,)
    finally:
        await db.close()
