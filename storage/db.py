"""The connections, their pragmas, migrations and transactions.

Writes take turns on one aiosqlite connection (storage/turns.py), each in an IMMEDIATE
transaction, so every write is atomic and two dialogs never interleave their changes. Reads
use a second, read-only connection and checkpoints a third (storage/checkpoint.py), so
neither holds up a write. Outbox marks take the first lane and a single autocommit
statement: between the platform accepting a message and its mark being durable there is as
little as possible, since a kill -9 in between makes the restarted sender send it again.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.checkpoint import Checkpointer
from storage.turns import Turns
from storage.tx import PATIENCE_MS, OneStatement, OnLoop, Result, Row, SqliteTx, Trips, Tx

log = logging.getLogger(__name__)

__all__ = ["Database", "OneStatement", "Result", "Row", "SqliteTx", "Store", "Trips", "Tx"]


class Store:
    """What every database backend offers the application: write transactions, one-statement
    writes, consistent reads. `Database` is SQLite's (the embedded default);
    storage/pg.py's `PgDatabase` is PostgreSQL's. `open_store` (storage/stores.py) picks one
    from a URL."""

    dialect = "sqlite"

    @property
    def round_trips(self) -> int:
        """Calls into the database so far (statements, batches, BEGIN, COMMIT...)."""
        raise NotImplementedError

    async def open(self, *, migrate: bool = True) -> Store:
        """Connect and (unless told not to) apply pending migrations."""
        raise NotImplementedError

    async def migrate(self) -> list[str]:
        """Apply the migrations not applied yet; returns their names."""
        raise NotImplementedError

    async def migration_status(self) -> list[tuple[str, str | None]]:
        """Every migration of this backend with when it was applied (None: pending), for
        `antt-bot db status`."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close every connection; safe to call twice."""
        raise NotImplementedError

    def transaction(
        self, *, first: bool = False, brief: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Tx]:
        """A write transaction: committed on success, rolled back on any exception.
        `brief`: a handful of rows by key (an update's, the outbox's), which SQLite runs on
        the event loop's thread rather than paying its worker thread's hop per call."""
        raise NotImplementedError

    def single(self, *, first: bool = False) -> contextlib.AbstractAsyncContextManager[Tx]:
        """A Tx for one write statement, committed as it runs (brief, as an outbox mark
        is)."""
        raise NotImplementedError

    def read(
        self, *, replica: bool = False, one: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Tx]:
        """A read-only snapshot of the last commit; `replica` lets a backend with a read
        replica answer from it (tallies, exports and web pages accept its slight lag).
        `one`: the block runs exactly one statement (a second raises), which is a snapshot
        by itself, so no BEGIN or COMMIT is sent around it: one trip."""
        raise NotImplementedError


class Database(Store):
    """Owns the connections; hands out turns on the writing one, one at a time.

    Writes (and, with `reader=False` or for :memory:, reads) take turns on the main
    connection. Reads otherwise use a second, read-only connection: in WAL mode a reader
    sees the last commit and never blocks the writer, so a long read (a province's monthly
    tally, rendered as the sender delivers it) no longer holds up a mark.

    `first_lane=False`, `reader=False` and `checkpoint_seconds=None` together give the
    behaviour before the marks' lane, the reader and the checkpointer existed (one queue in
    arrival order for everything, a mark as a full transaction, SQLite checkpointing inside
    commits): the outbox benchmark's reference.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        first_lane: bool = True,
        reader: bool = True,
        checkpoint_seconds: float | None = 0.5,
    ) -> None:
        self.path = str(path)
        self.first_lane = first_lane
        memory = self.path == ":memory:"  # a second connection would be another database
        self.checkpoint_seconds = None if memory else checkpoint_seconds
        self.separate_reads = reader and not memory
        self._conn: aiosqlite.Connection | None = None
        self._here: OnLoop | None = None  # brief transactions' calls on the loop's thread
        self._reader: aiosqlite.Connection | None = None
        self._turns = Turns()
        self._reading = Turns()  # reads take turns among themselves only
        self._checkpointer: Checkpointer | None = None
        self.trips = Trips()  # every call on the writing and the reading connection

    @property
    def round_trips(self) -> int:
        """Calls into the database so far (see Trips): what the benchmarks divide by updates
        and the tests bound, since a time would depend on the machine."""
        return self.trips.count

    async def open(self, *, migrate: bool = True) -> Database:
        """Connect, set pragmas for durability under kill -9, and apply pending migrations."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # Brief transactions call it from the event loop's thread too, never at the same
        # time as its worker thread (storage/tx.py's OnLoop).
        conn = await aiosqlite.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = aiosqlite.Row
        # First: switching a new file to WAL takes an exclusive lock, which a second process
        # opening the same new file at the same moment must wait for, not fail on.
        await conn.execute(f"PRAGMA busy_timeout={PATIENCE_MS}")
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only an OS crash may lose the last commit.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        if self.checkpoint_seconds is not None:
            # Checkpoints run on their own connection (storage/checkpoint.py), never in a commit.
            await conn.execute("PRAGMA wal_autocheckpoint=0")
        self._conn = conn
        self._here = OnLoop(conn)
        if migrate:
            await self.migrate()
        if self.separate_reads:
            reader = await aiosqlite.connect(self.path, isolation_level=None)
            reader.row_factory = aiosqlite.Row
            await reader.execute("PRAGMA busy_timeout=5000")
            await reader.execute("PRAGMA query_only=1")  # a write through read() is a bug
            self._reader = reader
        if self.checkpoint_seconds is not None:
            self._checkpointer = Checkpointer(
                self.path, every=self.checkpoint_seconds, turn=lambda: self._turn(False)
            )
            await self._checkpointer.start()
        return self

    async def close(self) -> None:
        """Stop checkpointing and close the connections, the writing one last (SQLite
        checkpoints what is left when the last connection closes); safe to call twice."""
        checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            await checkpointer.stop()
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
        if checkpointer is not None:
            checkpointer.release()  # its -shm descriptor: last, or it drops SQLite's locks

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection; using it before open() is a bug."""
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    @property
    def on_loop(self) -> OnLoop:
        """What runs brief transactions' calls on the event loop's thread, and counts them
        (for tests and the wizard benchmark); using it before open() is a bug."""
        if self._here is None:
            raise RuntimeError("database is not open")
        return self._here

    @property
    def checkpointer(self) -> Checkpointer | None:
        """The background checkpointer (None for :memory: or the reference behaviour)."""
        return self._checkpointer

    @asynccontextmanager
    async def _turn(self, first: bool) -> AsyncIterator[None]:
        await self._turns.acquire(first=first and self.first_lane)
        try:
            yield
        finally:
            self._turns.release()

    @asynccontextmanager
    async def transaction(self, *, first: bool = False, brief: bool = False) -> AsyncIterator[Tx]:
        """Yield a write transaction: committed on success, rolled back on any exception.

        `first` puts it in the first lane (see storage/turns.py): only for writes a crash
        must not find undone, i.e. outbox marks, or ordinary work would queue behind them.
        `brief` runs its calls on the event loop's thread (storage/tx.py's OnLoop).
        """
        async with self._turn(first):
            # BEGIN travels with the first statement (storage/tx.py): one trip fewer.
            tx = SqliteTx(
                self.conn, self.trips, begin="BEGIN IMMEDIATE", here=self._here, brief=brief
            )
            try:
                yield tx
            except BaseException:
                await tx.end("ROLLBACK")
                raise
            try:
                await tx.commit()
            except BaseException:
                # A queued write or the COMMIT failed (or was interrupted): leave nothing open.
                await tx.end("ROLLBACK")
                raise

    @asynccontextmanager
    async def single(self, *, first: bool = False) -> AsyncIterator[Tx]:
        """Yield a Tx for one write statement that SQLite commits as it runs.

        One call instead of three (BEGIN, the statement, COMMIT), on the event loop's thread
        unless it must wait for the write lock, and atomic all the same, since one statement
        is: an outbox mark is durable sooner. A second statement raises. With
        `first_lane=False` it is a plain transaction on the worker thread.
        """
        if not self.first_lane:
            async with self.transaction() as tx:
                yield tx
            return
        async with self._turn(first):
            yield OneStatement(self.conn, self.trips, here=self._here)

    @asynccontextmanager
    async def read(self, *, replica: bool = False, one: bool = False) -> AsyncIterator[Tx]:
        """Yield a read-only view that never sees half a transaction and never waits for a
        write: one snapshot of the last commit on the reader connection (BEGIN ... COMMIT
        around the block), or a turn on the main connection when there is no reader."""
        if self._reader is None:
            async with self._turn(False):
                if one:
                    yield OneStatement(self.conn, self.trips, here=self._here, brief=False)
                else:
                    yield SqliteTx(self.conn, self.trips, here=self._here)
            return
        await self._reading.acquire()
        try:
            if one:  # one statement in autocommit is one snapshot: no BEGIN, no COMMIT
                yield OneStatement(self._reader, self.trips)
                return
            # BEGIN travels with the first statement; COMMIT ends the snapshot (nothing was
            # written), even if the block failed or a trip was interrupted.
            tx = SqliteTx(self._reader, self.trips, begin="BEGIN")
            try:
                yield tx
            finally:
                await tx.end("COMMIT")
        finally:
            self._reading.release()

    async def migrate(self) -> list[str]:
        """Apply the SQLite migrations not applied yet, one IMMEDIATE transaction each;
        returns their names."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        async with self.conn.execute("SELECT name FROM schema_migrations") as cur:
            done = {row[0] for row in await cur.fetchall()}
        applied: list[str] = []
        for name, sql in migration_files():
            if name in done:
                continue
            log.info("applying migration", extra={"migration": name})
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                if await self._applied(name):  # by another process starting with us
                    await self.conn.execute("COMMIT")
                    continue
                for statement in _split_sql(sql):
                    await self.conn.execute(statement)
                await self.conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, datetime('now'))", (name,)
                )
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")
            applied.append(name)
        return applied

    async def _applied(self, name: str) -> bool:
        async with self.conn.execute(
            "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
        ) as cur:
            return await cur.fetchone() is not None

    async def migration_status(self) -> list[tuple[str, str | None]]:
        """Every SQLite migration with when it was applied (None: pending)."""
        async with self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ) as cur:
            exists = await cur.fetchone() is not None
        done: dict[str, str] = {}
        if exists:
            async with self.conn.execute("SELECT name, applied_at FROM schema_migrations") as cur:
                done = {str(r[0]): str(r[1]) for r in await cur.fetchall()}
        return [(name, done.get(name)) for name, _ in migration_files()]


def migration_files() -> list[tuple[str, str]]:
    """The SQLite migrations in order, with their SQL."""
    folder = importlib.resources.files("storage") / "migrations"
    entries = sorted(folder.iterdir(), key=lambda e: e.name)
    return [(e.name, e.read_text(encoding="utf-8")) for e in entries if e.name.endswith(".sql")]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, one `execute` each. A trigger's body (BEGIN ...
    END) holds semicolons of its own, so a piece ends a statement only where SQLite says the
    statement is complete (our migrations hold no semicolons in strings or comments)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statements: list[str] = []
    pending = ""
    for piece in "\n".join(lines).split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n\t;"):
        statements.append(pending.strip())
    return statements
