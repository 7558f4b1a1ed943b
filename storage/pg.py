"""PostgreSQL behind the same Store and Tx as SQLite, for a deployment past one machine.

Writes keep SQLite's guarantees: each process takes turns on one writing connection
(storage/turns.py, with the outbox marks' first lane), and each write transaction holds a
transaction-scoped advisory lock, taken before its first statement, so write transactions of
every process on the database run one at a time, as SQLite's IMMEDIATE transactions do. The
repositories' read-then-write steps (a report number, a wizard's state) stay correct without
each being rewritten for concurrent writers; a write transaction holds the lock for a few
milliseconds, so writes do not scale with processes (reads, rendering and messenger calls do).
One-statement writes (`single`: outbox marks) take no lock: a statement is atomic and row
locks order it. Reads run on a pool, each in a REPEATABLE READ snapshot (or, for one
statement, on its own), on the primary or, for the callers that accept a replica's slight lag
(`read(replica=True)`: tallies, exports, web pages), on `read_url`.

Round trips: BEGIN and the lock cost one of their own, since asyncpg sends no script together
with a statement that has parameters, except when another write transaction of this process
waits for the turn: then the COMMIT's script begins it and takes the lock if it is free
(`pg_try_advisory_xact_lock`; the script's status says whether), so under load a transaction
starts without a trip. The lock is still released at every COMMIT, so another process waiting
for it is served first. When that other process has it, the next transaction takes the lock
with its first statement (storage/pg_tx.py, antt_arrive_locked): waiting for it inside the
COMMIT's script instead would hold the committed caller until the other process's
transaction ends, which measured 0.72x the updates/s with two processes
(`make bench-wizard`), so the lock is only tried there.
Queued writes ride with the next statement when it cannot read them (storage/pg_tx.py)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from storage.db import Store, Trips, Tx
from storage.pg_tx import LOST, PgOneStatement, PgTx, lock_statement
from storage.pg_values import setup
from storage.turns import Turns

__all__ = ["CollationError", "PgDatabase", "PgTx", "migration_files"]

log = logging.getLogger(__name__)

# pg_advisory_xact_lock keys: every write transaction, and migrations at start-up.
WRITE_LOCK = 720_001
MIGRATE_LOCK = 720_002
# READ COMMITTED, whatever the server's default: each statement reads a snapshot taken after
# the lock was granted (under REPEATABLE READ the lock's own statement would fix it before).
_BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED"
_LOCK = lock_statement(WRITE_LOCK)
# After a COMMIT, when a write transaction waits for the next turn: begin it in the same
# script and take the lock if it is free; the script's status says whether it was taken.
_COMMIT_AND_BEGIN = f"COMMIT; {_BEGIN}; SELECT 1 WHERE pg_try_advisory_xact_lock({WRITE_LOCK})"
_TAKEN = "SELECT 1"
_WRITE = "write"  # the turn's kind for a write transaction (storage/turns.py)
_SESSION = {
    "TimeZone": "UTC",
    "application_name": "antt-bot",
    "standard_conforming_strings": "on",
}
_READER = {**_SESSION, "default_transaction_read_only": "on"}  # the read pools' sessions


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
        self._turns = Turns(idle=self._idled)
        # A write transaction begun ahead, with the last COMMIT, for the next turn:
        # "" none, "begun" (another process had the lock), "locked" (the lock is held).
        self._ahead = ""
        self._tidying: asyncio.Task[None] | None = None

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
            self.url, min_size=1, max_size=self.readers, init=setup, server_settings=_READER
        )
        if self.read_url:
            self._replica = await asyncpg.create_pool(
                self.read_url,
                min_size=1,
                max_size=self.readers,
                init=setup,
                server_settings=_READER,
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

    async def _begin(self) -> tuple[Any, Any, int | None]:
        """The connection for a write transaction, begun, how to begin one afresh if its
        first trip finds it dropped (or None), and the write lock's key if the transaction
        has yet to take it. Begun ahead with the lock: no trip; begun ahead without it: no
        trip either, the transaction's first statement takes the lock (storage/pg_tx.py);
        else BEGIN and the lock in one trip."""
        ahead, self._ahead = self._ahead, ""
        conn = self._conn
        if ahead == "locked" and conn is not None and not conn.is_closed():
            return conn, self._fresh, None
        if ahead == "begun" and conn is not None and not conn.is_closed():
            return conn, self._fresh, WRITE_LOCK
        return await self._begin_again(), None, None

    async def _begin_again(self) -> Any:
        """BEGIN and take the write lock, in one trip; on a connection the server dropped
        since the last write (noticed only now), once more on a new one. A transaction left
        open by an interrupted trip is rolled back first, in the same script."""
        self._counted()
        conn = await self._writer()
        script = f"{_BEGIN}; {_LOCK}"
        try:
            await conn.execute(f"ROLLBACK; {script}" if conn.is_in_transaction() else script)
        except LOST:
            conn.terminate()
            self._conn = None
            conn = await self._writer()
            await conn.execute(script)
        return conn

    async def _fresh(self) -> Any:
        """A new connection, begun and holding the lock, for a transaction whose connection
        (begun ahead) the server dropped before its first statement."""
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None
        return await self._begin_again()

    async def _end_ahead(self) -> None:
        """Roll back a transaction begun ahead that no write transaction will use."""
        self._ahead = ""
        conn = self._conn
        if conn is not None and not conn.is_closed():
            self._counted()
            try:
                await conn.execute("ROLLBACK")
            except LOST:
                conn.terminate()
                self._conn = None

    def _idled(self) -> None:
        """The turn fell free with a transaction begun ahead (its waiter was cancelled):
        end it soon, so that no one holds the write lock for nothing."""
        if self._ahead and self._tidying is None:
            self._tidying = asyncio.get_running_loop().create_task(self._tidy())

    async def _tidy(self) -> None:
        try:
            await self._turns.acquire()
            try:
                if self._ahead:
                    await self._end_ahead()
            finally:
                self._turns.release()
        finally:
            self._tidying = None

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
        tidying, self._tidying = self._tidying, None
        if tidying is not None:
            tidying.cancel()
        self._ahead = ""
        for name in ("_replica", "_pool"):
            pool = getattr(self, name)
            setattr(self, name, None)
            if pool is not None:
                await pool.close()
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    @asynccontextmanager
    async def transaction(self, *, first: bool = False, brief: bool = False) -> AsyncIterator[Tx]:
        """A write transaction holding the write lock: committed on success, rolled back on
        any exception (a lost connection rolls back on the server by itself). When another
        write transaction of this process waits for the turn, its BEGIN (and the lock, if
        free) travel in the COMMIT's script: one trip fewer for it. `brief` changes nothing
        here: asyncpg already waits for the server without a thread."""
        await self._turns.acquire(first=first, kind=_WRITE)
        try:
            conn, fresh, lock = await self._begin()
            tx = PgTx(conn, self._counted, memo=True, fresh=fresh, lock=lock)
            try:
                yield tx
                ahead = self._turns.next_kind() == _WRITE
                # the queued writes go with the COMMIT
                status = await tx._flush(_COMMIT_AND_BEGIN if ahead else "COMMIT")  # noqa: SLF001
                if ahead:
                    self._ahead = "locked" if status == _TAKEN else "begun"
            except BaseException:
                tx._drop_queued()  # noqa: SLF001
                with contextlib.suppress(Exception):
                    await tx.conn.execute("ROLLBACK")
                raise
        finally:
            self._turns.release()

    @asynccontextmanager
    async def single(self, *, first: bool = False) -> AsyncIterator[Tx]:
        """One statement, committed as it runs (no write lock: row locks order it)."""
        await self._turns.acquire(first=first)
        try:
            if self._ahead:  # begun for a write transaction, but this statement came first
                await self._end_ahead()
            yield PgTx(await self._writer(), self._counted)
        finally:
            self._turns.release()

    @asynccontextmanager
    async def read(self, *, replica: bool = False, one: bool = False) -> AsyncIterator[Tx]:
        """A read-only REPEATABLE READ snapshot from the pool; `replica` reads from
        `read_url` when one is configured (tallies, exports and pages accept its lag).
        `one`: the block runs one statement, a snapshot by itself: no BEGIN, no COMMIT (the
        pool's sessions are read-only by default, so a write is refused all the same)."""
        pool = self._replica if replica and self._replica is not None else self._pool
        async with pool.acquire() as conn:
            if one:
                yield PgOneStatement(conn, self._counted)
                return
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
