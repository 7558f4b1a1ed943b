"""The connections, their pragmas, migrations and transactions.

Writes take turns on one aiosqlite connection (storage/turns.py), each in an IMMEDIATE
transaction, so every write is atomic and two dialogs never interleave their changes. Reads
use a second, read-only connection and checkpoints a third (storage/checkpoint.py), so
neither holds up a write. Outbox marks take the first lane and a single autocommit
statement: between the platform accepting a message and its mark being durable there is as
little as possible, since a kill -9 in between makes the restarted sender send it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.checkpoint import Checkpointer
from storage.turns import Turns

log = logging.getLogger(__name__)

Row = aiosqlite.Row


class Tx:
    """A transaction in progress: the only way repository functions touch the database."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Cursor:
        """Run one statement; kept thin so repositories read like plain SQL."""
        return await self.conn.execute(sql, tuple(params))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """Return the first row or None, for lookups by key."""
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Return every row, for small result sets such as a team roster."""
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows: a planner queues thousands of messages at once."""
        await self.conn.executemany(sql, [tuple(r) for r in rows])

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row id, which callers need for links."""
        cur = await self.conn.execute(sql, tuple(params))
        return int(cur.lastrowid or 0)


class _OneStatement(Tx):
    """A Tx for exactly one statement, which SQLite commits as it runs (autocommit)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn)
        self._used = False

    def _once(self) -> None:
        if self._used:
            raise RuntimeError("Database.single() runs one statement; use transaction()")
        self._used = True

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Cursor:
        """Run the one statement; it is committed when this returns."""
        self._once()
        return await super().execute(sql, params)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """Run the one statement and return its first row."""
        self._once()
        return await super().fetchone(sql, params)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Run the one statement and return its rows."""
        self._once()
        return await super().fetchall(sql, params)

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run the one INSERT and return the new row id."""
        self._once()
        return await super().insert(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Refused: in autocommit each row would commit on its own, not all or none."""
        raise RuntimeError("Database.single() cannot executemany; use transaction()")


class Database:
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
        self._reader: aiosqlite.Connection | None = None
        self._turns = Turns()
        self._reading = Turns()  # reads take turns among themselves only
        self._checkpointer: Checkpointer | None = None

    async def open(self) -> Database:
        """Connect, set pragmas for durability under kill -9, and apply pending migrations."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; only an OS crash may lose the last commit.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        if self.checkpoint_seconds is not None:
            # Checkpoints run on their own connection (storage/checkpoint.py), never in a commit.
            await conn.execute("PRAGMA wal_autocheckpoint=0")
        self._conn = conn
        await self._migrate()
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
    async def transaction(self, *, first: bool = False) -> AsyncIterator[Tx]:
        """Yield a write transaction: committed on success, rolled back on any exception.

        `first` puts it in the first lane (see storage/turns.py): only for writes a crash
        must not find undone, i.e. outbox marks, or ordinary work would queue behind them.
        """
        async with self._turn(first):
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
            except asyncio.CancelledError:
                # aiosqlite runs the queued BEGIN anyway: end it, or every later transaction
                # of this connection fails ("cannot start a transaction within a transaction").
                await self._rollback_if_begun()
                raise
            try:
                yield Tx(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def _rollback_if_begun(self) -> None:
        # Queued after the BEGIN, so it runs after it; if the BEGIN failed there is nothing to end.
        with contextlib.suppress(sqlite3.OperationalError):
            await self.conn.execute("ROLLBACK")

    @asynccontextmanager
    async def single(self, *, first: bool = False) -> AsyncIterator[Tx]:
        """Yield a Tx for one write statement that SQLite commits as it runs.

        One trip to SQLite's thread instead of three (BEGIN, the statement, COMMIT) and
        atomic all the same, since one statement is: an outbox mark is durable sooner.
        A second statement raises. With `first_lane=False` it is a plain transaction.
        """
        if not self.first_lane:
            async with self.transaction() as tx:
                yield tx
            return
        async with self._turn(first):
            yield _OneStatement(self.conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Yield a read-only view that never sees half a transaction and never waits for a
        write: one snapshot of the last commit on the reader connection (BEGIN ... COMMIT
        around the block), or a turn on the main connection when there is no reader."""
        if self._reader is None:
            async with self._turn(False):
                yield Tx(self.conn)
            return
        await self._reading.acquire()
        try:
            try:
                await self._reader.execute("BEGIN")
            except asyncio.CancelledError:
                # aiosqlite runs the queued BEGIN anyway: end it, or every later read fails
                # ("cannot start a transaction within a transaction").
                with contextlib.suppress(sqlite3.OperationalError):
                    await self._reader.execute("COMMIT")
                raise
            try:
                yield Tx(self._reader)
            finally:
                await self._reader.execute("COMMIT")  # ends the snapshot; nothing was written
        finally:
            self._reading.release()

    async def _migrate(self) -> None:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        async with self.conn.execute("SELECT name FROM schema_migrations") as cur:
            done = {row[0] for row in await cur.fetchall()}
        folder = importlib.resources.files("storage") / "migrations"
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".sql") or entry.name in done:
                continue
            sql = entry.read_text(encoding="utf-8")
            log.info("applying migration", extra={"migration": entry.name})
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                if await self._applied(entry.name):  # by another process starting with us
                    await self.conn.execute("COMMIT")
                    continue
                for statement in _split_sql(sql):
                    await self.conn.execute(statement)
                await self.conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, datetime('now'))", (entry.name,)
                )
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def _applied(self, name: str) -> bool:
        async with self.conn.execute(
            "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
        ) as cur:
            return await cur.fetchone() is not None


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
