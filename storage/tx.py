"""Statements inside a transaction, and the round trips they cost.

Every call into SQLite goes through aiosqlite's thread: the event loop queues the call and
waits for the thread to answer. That wait, not the SQL, is most of what a short statement
costs, so a Tx makes as few of them as it can (storage/db.py opens and ends the transaction):

- a statement with its rows is one trip (aiosqlite's cursor would take three: execute,
  fetch, close);
- BEGIN is not sent on its own: it travels with the transaction's first statement, and a
  transaction that never ran one costs nothing;
- a write whose result nobody reads (a dialog's state, an update id) may be `queue`d: it
  travels with the next statement, or with the COMMIT, in the order it was queued, so what
  later statements see is as if it had run at once;
- a SELECT asked again in the same transaction, with nothing written in between, is
  answered with the rows it gave (never across transactions).

A brief transaction (`Database.transaction(brief=True)`: an update's, the outbox's) does
not hop to the thread at all: its calls run on the event loop's own thread (`OnLoop`). For a
handful of rows by key SQLite answers in microseconds, far less than the hop's queue, wake-up
and hand-back; and writes take turns anyway, so while one runs no other write could. Three
things keep the loop from waiting on it:

- the write lock: BEGIN IMMEDIATE (and a one-statement write) is tried without SQLite's busy
  wait; when another process holds the lock it is sent to the thread after all, to wait
  there, and nothing of it had run;
- a call still on the thread (an interrupted trip's): the next calls queue behind it there;
- a transaction that turns out to read much (a shortlist over a province) says so
  (`Tx.reads_much`) and goes on on the thread; a call that still takes long is logged.

`Trips` counts the trips (calls into SQLite, on either thread), for the benchmarks and for
tests that bound them.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import aiosqlite

Row = Any  # aiosqlite.Row or asyncpg.Record: both index by position and by name
MEMO_ROWS = 200  # a longer result (an export's rows) is not kept for a repeat
SLOW_SECONDS = 0.05  # a call on the event loop's thread longer than this is logged
PATIENCE_MS = 5000  # SQLite's busy wait for the write lock, on the worker thread only
log = logging.getLogger(__name__)
Statement = tuple[str, tuple[Any, ...]]
T = TypeVar("T")


class Trips:
    """How many times the database was called and answered (a statement, or a batch of
    them, BEGIN, COMMIT, ROLLBACK): each waits for SQLite's thread (on a server, for the
    network), so this count, not the SQL's own work, is most of what an update costs."""

    def __init__(self) -> None:
        self.count = 0


async def hop(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` on the connection's own thread, in one trip. aiosqlite has no public call
    for a function of the sqlite3 connection; `_execute` is the one its cursors use, and
    tests/unit/test_db_trips.py fails if a new aiosqlite changes it."""
    raw = conn._conn  # noqa: SLF001  (the sqlite3 connection aiosqlite's thread owns)
    result: T = await conn._execute(work, raw)  # noqa: SLF001
    return result


def busy(err: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds the lock (nothing ran)."""
    return err.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


class LockTaken(Exception):
    """Another connection holds the write lock: the call must wait for it elsewhere."""


class OnLoop:
    """Runs a brief transaction's calls on the event loop's own thread (see the module's
    docstring); one per writing connection. Calls that must wait go to aiosqlite's thread
    through `hop`, counted, so that no call runs here while one is still there."""

    def __init__(self, conn: aiosqlite.Connection, *, slow: float = SLOW_SECONDS) -> None:
        self.conn = conn
        self.slow = slow
        self.sent = 0  # hops handed to the thread: written on the loop's thread only
        self.done = 0  # hops the thread finished: written on the thread only
        self.here = 0  # calls run on the loop's thread (for tests and the benchmark)

    def idle(self) -> bool:
        """No call of this connection is on the worker thread now."""
        return self.sent == self.done

    async def hop(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` on the worker thread, counted until the thread has finished it (even if
        the caller stops waiting)."""

        def _counted(raw: sqlite3.Connection) -> T:
            try:
                return work(raw)
            finally:
                self.done += 1

        self.sent += 1
        return await hop(self.conn, _counted)

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` here and now; a call that took long is logged (a read that belongs on the
        thread: `Tx.reads_much`)."""
        self.here += 1
        started = time.perf_counter()
        try:
            return work(self.conn._conn)  # noqa: SLF001  (see `hop`)
        finally:
            seconds = time.perf_counter() - started
            if seconds > self.slow:
                log.warning("slow call on the event loop", extra={"ms": round(seconds * 1000)})

    def attempt(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work`, whose first statement takes the write lock, here without waiting for
        it; LockTaken when another connection holds it, and then nothing of it ran."""
        raw = self.conn._conn  # noqa: SLF001
        raw.execute("PRAGMA busy_timeout=0")
        try:
            return self.run(work)
        except sqlite3.OperationalError as err:
            if busy(err) and not raw.in_transaction:
                raise LockTaken from err
            raise
        finally:
            raw.execute(f"PRAGMA busy_timeout={PATIENCE_MS}")


def _after(
    queued: list[Statement], work: Callable[[sqlite3.Connection], T]
) -> Callable[[sqlite3.Connection], T]:
    """`work`, preceded by the queued statements, as one function for one trip."""

    def _run(raw: sqlite3.Connection) -> T:
        for sql, params in queued:
            raw.execute(sql, params)
        return work(raw)

    return _run


class Result(Protocol):
    """What a statement tells besides its rows: how many rows it changed, and (SQLite) the
    last inserted row id."""

    @property
    def rowcount(self) -> int:
        """Rows the statement inserted, updated or deleted."""

    @property
    def lastrowid(self) -> int | None:
        """The id of the row an INSERT made (None where the database does not say)."""


class Tx:
    """A transaction in progress: the only way repository functions touch the database.

    Repositories write SQLite's SQL with `?` placeholders; on PostgreSQL the same text is
    translated (storage/pg_sql.py, storage/pg.py's `PgTx`). `dialect` names the database for
    the rare query that must differ ("sqlite" or "postgresql").
    """

    dialect = "sqlite"

    def queue(self, sql: str, params: Iterable[Any] = ()) -> None:
        """Send a write with the next statement or the COMMIT, not on a trip of its own:
        for writes whose result nobody needs (a failure in it surfaces there)."""
        raise NotImplementedError

    def reads_much(self) -> None:
        """Say that the rest of this transaction reads much (a shortlist over a province), so
        a backend that runs brief transactions on the event loop's thread stops doing so."""

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
        """Run one statement; kept thin so repositories read like plain SQL."""
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """Return the first row or None, for lookups by key."""
        raise NotImplementedError

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Return every row, for small result sets such as a team roster."""
        raise NotImplementedError

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows: a planner queues thousands of messages at once."""
        raise NotImplementedError

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row id, which callers need for links."""
        raise NotImplementedError


def no_limit(tx: Tx) -> int | None:
    """The LIMIT parameter that means none: negative on SQLite, NULL on PostgreSQL."""
    return -1 if tx.dialect == "sqlite" else None


class SqliteTx(Tx):
    """A transaction on one aiosqlite connection, in as few trips as it can."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        trips: Trips | None = None,
        begin: str | None = None,
        here: OnLoop | None = None,
        *,
        brief: bool = False,
    ) -> None:
        self.conn = conn
        self.trips = trips if trips is not None else Trips()
        self.here = here  # the connection's OnLoop: every hop of it is counted there
        self.brief = brief and here is not None  # calls run on the loop's thread
        self._locks = begin is not None  # its first call begins it (and takes the lock)
        self._queued: list[Statement] = [(begin, ())] if begin else []
        self.begun = begin is None  # nothing to end until BEGIN has been sent
        # Inside a transaction the same SELECT gives the same rows until this Tx writes:
        # BEGIN IMMEDIATE holds the only write lock, a read sees one snapshot. So a lookup
        # two parts of a handler both make (a roster, the last report) costs one trip.
        # Never across transactions: another process may have written in between.
        self._memo: dict[tuple[str, str, tuple[Any, ...]], Any] | None = {} if begin else None

    def queue(self, sql: str, params: Iterable[Any] = ()) -> None:
        """Send a write with the next statement or the COMMIT, not on a trip of its own:
        for writes whose result nobody needs (a failure in it surfaces there)."""
        self._forget()
        self._queued.append((sql, tuple(params)))

    def _forget(self) -> None:
        if self._memo:
            self._memo.clear()

    async def _read(
        self, how: str, sql: str, values: tuple[Any, ...], work: Callable[[sqlite3.Connection], T]
    ) -> T:
        """A fetch, answered from this transaction's earlier identical SELECT when there
        was one and nothing was written since; any other statement may write: forget all."""
        if self._memo is None or sql.lstrip()[:6].upper() != "SELECT":
            self._forget()
            return await self._trip(work)
        key = (how, sql, values)
        try:
            if key in self._memo:
                found: T = self._memo[key]
                return found
        except TypeError:  # a parameter that cannot be a key: just ask
            return await self._trip(work)
        result = await self._trip(work)
        if not isinstance(result, list) or len(result) <= MEMO_ROWS:
            self._memo[key] = result
        return result

    def reads_much(self) -> None:
        """The rest of this transaction reads much: its calls go to SQLite's thread, so the
        event loop serves other chats meanwhile."""
        self.brief = False

    async def _trip(self, work: Callable[[sqlite3.Connection], T]) -> T:
        queued, self._queued = self._queued, []
        self.trips.count += 1
        call = _after(queued, work) if queued else work
        here = self.here
        if here is None:
            self.begun = True  # from here an interrupted trip may have begun it: end it
            return await hop(self.conn, call)
        if self.brief and here.idle():
            if self.begun and self._locks:  # BEGIN IMMEDIATE has ended: nothing to wait for
                return here.run(call)
            # this call takes the write lock (BEGIN IMMEDIATE, or the one statement's own)
            try:
                result = here.attempt(call)
            except LockTaken:
                pass
            else:
                self.begun = True
                return result
        self.begun = True
        return await here.hop(call)  # waits for the lock, or behind a call still there

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
        """Run one statement; kept thin so repositories read like plain SQL."""
        values = tuple(params)
        self._forget()
        cursor = await self._trip(lambda raw: raw.execute(sql, values))
        return aiosqlite.Cursor(self.conn, cursor)  # for rowcount and lastrowid only

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """Return the first row or None, for lookups by key."""
        values = tuple(params)

        def _first(raw: sqlite3.Connection) -> Row | None:
            cursor = raw.execute(sql, values)
            try:
                row: Row | None = cursor.fetchone()
                return row
            finally:
                cursor.close()

        return await self._read("one", sql, values, _first)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Return every row, for small result sets such as a team roster."""
        values = tuple(params)
        rows = await self._read("all", sql, values, lambda raw: raw.execute(sql, values).fetchall())
        return list(rows)  # a copy: the caller may change its list, not the remembered one

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Run one statement for many rows: a planner queues thousands of messages at once."""
        values = [tuple(r) for r in rows]
        self._forget()
        await self._trip(lambda raw: raw.executemany(sql, values))

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row id, which callers need for links."""
        cursor = await self.execute(sql, params)
        return int(cursor.lastrowid or 0)

    async def commit(self) -> None:
        """Send what is queued and COMMIT, in one trip; nothing at all if no statement ever
        ran. A COMMIT without a transaction raises: the writes did not all happen."""
        if not self.begun and all(sql.startswith("BEGIN") for sql, _ in self._queued):
            self._queued = []
            return
        await self._trip(lambda raw: raw.execute("COMMIT"))

    async def end(self, sql: str = "ROLLBACK") -> None:
        """Drop what is queued and end the transaction if it was begun (ROLLBACK, or COMMIT
        for a read), in one trip queued after any interrupted one; nothing if never begun."""
        self._queued = []
        if not self.begun:
            return

        def _finish(raw: sqlite3.Connection) -> None:
            if raw.in_transaction:
                raw.execute(sql)

        await self._trip(_finish)


class OneStatement(SqliteTx):
    """A Tx for exactly one statement, which SQLite commits as it runs (autocommit)."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        trips: Trips | None = None,
        here: OnLoop | None = None,
        *,
        brief: bool = True,
    ) -> None:
        super().__init__(conn, trips, here=here, brief=brief)
        self._used = False

    def _once(self) -> None:
        if self._used:
            raise RuntimeError("Database.single() runs one statement; use transaction()")
        self._used = True

    def queue(self, sql: str, params: Iterable[Any] = ()) -> None:
        """Refused: in autocommit a queued write would commit apart from the statement."""
        raise RuntimeError("Database.single() cannot queue; use transaction()")

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
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
        cursor = await SqliteTx.execute(self, sql, params)
        return int(cursor.lastrowid or 0)

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Refused: in autocommit each row would commit on its own, not all or none."""
        raise RuntimeError("Database.single() cannot executemany; use transaction()")
