"""PostgreSQL behind the same Store and Tx as SQLite, for a deployment past one machine.

Writes keep SQLite's guarantees: each process takes turns on one writing connection
(storage/turns.py, with the outbox marks' first lane), and each write transaction holds a
transaction-scoped advisory lock, so write transactions of every process on the database run
one at a time, as SQLite's IMMEDIATE transactions do. The repositories' read-then-write steps
(a report number, a wizard's state) stay correct without each being rewritten for concurrent
writers; a write transaction holds the lock for a few milliseconds, so writes do not scale
with processes (reads, rendering and messenger calls do). One-statement writes (`single`:
outbox marks) take no lock: a statement is atomic and row locks order it. Reads run on a
pool, each in a REPEATABLE READ snapshot, on the primary or, for the callers that accept a
replica's slight lag (`read(replica=True)`: tallies, exports, web pages), on `read_url`.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from storage.db import Result, Row, Store, Trips, Tx
from storage.pg_sql import to_postgres
from storage.pg_values import CONVERTERS, PLANS, Status, inline, setup
from storage.turns import Turns
from storage.tx import MEMO_ROWS

log = logging.getLogger(__name__)

# pg_advisory_xact_lock keys: every write transaction, and migrations at start-up.
WRITE_LOCK = 720_001
MIGRATE_LOCK = 720_002
_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionError,
)
_SESSION = {
    "TimeZone": "UTC",
    "application_name": "antt-bot",
    "standard_conforming_strings": "on",
}


class PgTx(Tx):
    """A transaction (or one statement, or a read snapshot) on one PostgreSQL connection."""

    dialect = "postgresql"

    def __init__(self, conn: Any, counter: Callable[[], None], *, memo: bool = False) -> None:
        self._conn = conn
        self._count = counter
        self._queued: list[str] = []
        # As on SQLite (storage/tx.py): inside a write transaction, which holds the write
        # lock, the same SELECT gives the same rows until this Tx writes.
        self._memo: dict[tuple[str, str, tuple[Any, ...]], Any] | None = {} if memo else None

    def _forget(self) -> None:
        if self._memo:
            self._memo.clear()

    async def _read(self, how: str, sql: str, params: Iterable[Any]) -> Any:
        values = tuple(params)
        key = (how, sql, values)
        remembered = self._memo is not None and sql.lstrip()[:6].upper() == "SELECT"
        if remembered:
            try:
                if key in self._memo:  # type: ignore[operator]
                    return self._memo[key]  # type: ignore[index]
            except TypeError:  # a parameter that cannot be a key: just ask
                remembered = False
        else:
            self._forget()
        await self._flush()
        text = to_postgres(sql)
        args = await self._args(text, values)
        self._count()
        if how == "one":
            result = await self._conn.fetchrow(text, *args)
        else:
            result = list(await self._conn.fetch(text, *args))
        if remembered and (how == "one" or len(result) <= MEMO_ROWS):
            self._memo[key] = result  # type: ignore[index]
        return result

    def queue(self, sql: str, params: Iterable[Any] = ()) -> None:
        """Hold a write whose result nobody reads; it is sent, with its values written into
        the text, in one script before the next statement, or with the COMMIT."""
        self._forget()
        self._queued.append(inline(to_postgres(sql), list(params)))

    async def _flush(self, then: str = "") -> None:
        """Send the queued writes (and `then`, e.g. COMMIT) as one simple-query script."""
        script = [*self._queued, then] if then else self._queued
        self._queued = []
        if script:
            self._count()
            await self._conn.execute(";\n".join(script))

    def _drop_queued(self) -> None:
        self._queued = []

    async def _args(self, text: str, params: Iterable[Any]) -> list[Any]:
        args = list(params)
        plan = PLANS.get(text)
        if plan is None:
            statement = await self._conn.prepare(text)
            self._count()
            plan = tuple(CONVERTERS.get(t.name) for t in statement.get_parameters())
            PLANS[text] = plan
        return [value if f is None else f(value) for f, value in zip(plan, args, strict=False)]

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
        """Run one statement; its command tag gives the rows it changed."""
        self._forget()
        await self._flush()
        text = to_postgres(sql)
        args = await self._args(text, params)
        self._count()
        return Status(await self._conn.execute(text, *args))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """Return the first row or None, for lookups by key."""
        row: Row | None = await self._read("one", sql, params)
        return row

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Return every row."""
        rows: list[Row] = await self._read("all", sql, params)
        return list(rows)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows, pipelined by asyncpg in one round trip."""
        self._forget()
        await self._flush()
        text = to_postgres(sql)
        batch = [await self._args(text, r) for r in rows]
        if batch:
            self._count()
            await self._conn.executemany(text, batch)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row's id (RETURNING id is added when missing)."""
        if "returning" not in sql.lower():
            sql = sql.rstrip().rstrip(";") + " RETURNING id"
        row = await self.fetchone(sql, params)
        return int(row[0]) if row is not None else 0


class CollationError(RuntimeError):
    """The database compares text by a language's rules, not byte by byte."""


class PgDatabase(Store):
    """A PostgreSQL database (and optionally a read replica) behind the Store interface."""

    dialect = "postgresql"

    def __init__(self, url: str, *, read_url: str = "", readers: int = 4) -> None:
        self.url = url
        self.read_url = read_url
        self.readers = readers
        self.trips = Trips()
        self._conn: Any = None
        self._pool: Any = None
        self._replica: Any = None
        self._turns = Turns()

    @property
    def round_trips(self) -> int:
        """Calls to the server so far (statements, scripts, BEGIN, COMMIT)."""
        return self.trips.count

    def _counted(self) -> None:
        self.trips.count += 1

    async def open(self, *, migrate: bool = True) -> PgDatabase:
        """Connect the writing connection and the read pools; apply pending migrations."""
        self._conn = await self._connect()
        await self._check_collation()
        if migrate:
            await self.migrate()
        self._pool = await asyncpg.create_pool(
            self.url, min_size=1, max_size=self.readers, init=setup, server_settings=_SESSION
        )
        if self.read_url:
            self._replica = await asyncpg.create_pool(
                self.read_url,
                min_size=1,
                max_size=self.readers,
                init=setup,
                server_settings=_SESSION,
            )
        return self

    async def _connect(self) -> Any:
        conn = await asyncpg.connect(self.url, server_settings=_SESSION)
        await setup(conn)
        return conn

    async def _writer(self) -> Any:
        """The writing connection, connected again if the server dropped it (a restart, a
        fail-over): its transaction, if any, was rolled back by the server."""
        if self._conn is None or self._conn.is_closed():
            log.warning("database connection lost; connecting again")
            self._conn = await self._connect()
        return self._conn

    async def _begin(self) -> Any:
        """BEGIN and take the write lock, in one trip; on a connection the server dropped
        since the last write (noticed only now), once more on a new one."""
        self._counted()
        conn = await self._writer()
        try:
            await conn.execute(_BEGIN)
        except _LOST:
            conn.terminate()
            self._conn = None
            conn = await self._writer()
            await conn.execute(_BEGIN)
        return conn

    async def _check_collation(self) -> None:
        """Unit paths are compared byte by byte (a subtree is a range of paths, as in
        SQLite): a database sorting text by a language's rules would put units outside
        their subtree. Refuse one, saying how to create it."""
        row = await self._conn.fetchrow(
            "SELECT datcollate, datlocprovider::text FROM pg_database"
            " WHERE datname = current_database()"
        )
        collation, provider = str(row[0]), str(row[1])
        if provider != "c" or collation.split(".")[0] not in {"C", "POSIX"}:
            await self._conn.close()
            self._conn = None
            raise CollationError(
                f"the database sorts text by language rules ({collation}, provider {provider});"
                " antt-bot needs byte order: create it with"
                " `createdb --template=template0 --locale-provider=libc --locale=C.UTF-8 NAME`"
            )

    async def close(self) -> None:
        """Close the pools and the writing connection; safe to call twice."""
        for name in ("_replica", "_pool"):
            pool = getattr(self, name)
            setattr(self, name, None)
            if pool is not None:
                await pool.close()
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    @asynccontextmanager
    async def transaction(self, *, first: bool = False) -> AsyncIterator[Tx]:
        """A write transaction holding the write lock: committed on success, rolled back on
        any exception (a lost connection rolls back on the server by itself)."""
        await self._turns.acquire(first=first)
        try:
            conn = await self._begin()
            tx = PgTx(conn, self._counted, memo=True)
            try:
                yield tx
                await tx._flush("COMMIT")  # noqa: SLF001  (the queued writes go with it)
            except BaseException:
                tx._drop_queued()  # noqa: SLF001
                with contextlib.suppress(Exception):
                    await conn.execute("ROLLBACK")
                raise
        finally:
            self._turns.release()

    @asynccontextmanager
    async def single(self, *, first: bool = False) -> AsyncIterator[Tx]:
        """One statement, committed as it runs (no write lock: row locks order it)."""
        await self._turns.acquire(first=first)
        try:
            yield PgTx(await self._writer(), self._counted)
        finally:
            self._turns.release()

    @asynccontextmanager
    async def read(self, *, replica: bool = False) -> AsyncIterator[Tx]:
        """A read-only REPEATABLE READ snapshot from the pool; `replica` reads from
        `read_url` when one is configured (tallies, exports and pages accept its lag)."""
        pool = self._replica if replica and self._replica is not None else self._pool
        async with pool.acquire() as conn:
            self._counted()
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield PgTx(conn, self._counted)
            finally:
                self._counted()
                await conn.execute("COMMIT")

    async def migrate(self) -> list[str]:
        """Apply the PostgreSQL migrations not applied yet, one transaction each, under a
        lock so that processes starting together apply each once; returns their names."""
        conn = self._conn
        applied: list[str] = []
        await conn.execute(f"SELECT pg_advisory_lock({MIGRATE_LOCK})")
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations"
                " (name TEXT PRIMARY KEY, applied_at TEXT)"
            )
            done = {r[0] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for name, sql in migration_files():
                if name in done:
                    continue
                log.info("applying migration", extra={"migration": name})
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations VALUES ($1, to_char(now() AT TIME ZONE"
                        " 'UTC', 'YYYY-MM-DD HH24:MI:SS'))",
                        name,
                    )
                applied.append(name)
        finally:
            await conn.execute(f"SELECT pg_advisory_unlock({MIGRATE_LOCK})")
        return applied

    async def migration_status(self) -> list[tuple[str, str | None]]:
        """Every migration of this backend with when it was applied (None: pending)."""
        conn = self._conn
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        done: dict[str, str] = {}
        if exists:
            rows = await conn.fetch("SELECT name, applied_at FROM schema_migrations")
            done = {r[0]: r[1] for r in rows}
        return [(name, done.get(name)) for name, _ in migration_files()]


def migration_files() -> list[tuple[str, str]]:
    """The PostgreSQL migrations in order, with their SQL."""
    folder = importlib.resources.files("storage") / "migrations" / "postgresql"
    entries = sorted(folder.iterdir(), key=lambda e: e.name)
    return [(e.name, e.read_text(encoding="utf-8")) for e in entries if e.name.endswith(".sql")]
