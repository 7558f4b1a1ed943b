"""A transaction on one asyncpg connection, in as few round trips as it can (storage/pg.py
opens and ends it).

asyncpg sends a statement with parameters on its own (the extended protocol) and a script of
several statements only without any (the simple protocol, which returns no rows). So the
writes a Tx `queue`s cannot ride in the same message as the next read the way they do on
SQLite. Instead they go with it in the same statement, as data-modifying WITH clauses:

    WITH q0 AS (INSERT INTO processed_updates ...), q1 AS (UPDATE identities ...)
    SELECT id, full_name, role FROM members WHERE unit_id = $5

PostgreSQL runs every part of such a statement on one snapshot: the SELECT does not see what
q0 and q1 write, and the parts run in no set order. That is the same answer as running the
writes first only when nothing in the statement reads what they write, so they are joined
only when (`combined`): each queued write is one plain INSERT, UPDATE or DELETE of a table,
neither a later write nor the statement names a table an earlier write writes (so no two
write the same table either), and no table a trigger writes is involved at all
(TRIGGER_WRITES, checked against the migrations by tests/unit/test_pg_trips.py). Otherwise
the queued writes go first, as one script with their values written in (one trip), as
before. A joined text is the same for every update that takes the same path, so asyncpg's
statement cache and `PLANS` learn it once.

A Tx on a connection whose BEGIN was sent ahead (with the previous COMMIT, storage/pg.py)
notices a connection the server dropped in between only at its first trip; nothing of the
transaction had run, so that trip is sent again once, on a new connection begun afresh
(`fresh`), unless it held the COMMIT: the server may have committed it before the drop.

A Tx begun ahead without the write lock (another process held it at that COMMIT) takes it
(`lock`) with its first statement where it can rather than on a trip of its own: an update's
arrival (storage/conversations.py's ARRIVAL, every update's first read) through its twin
function, which waits for the lock and then reads on a snapshot taken after it
(`LOCKED_TWINS`, PostgreSQL migration 026); queued writes flushed first carry the lock at
the head of their script; anything else takes it on a trip first, as before.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import asyncpg

from storage.conversations import ARRIVAL
from storage.pg_sql import to_postgres
from storage.pg_values import CONVERTERS, PLANS, Status, inline
from storage.tx import MEMO_ROWS, Result, Row, Tx

T = TypeVar("T")
LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    ConnectionError,
)
# Tables the migrations' triggers write (bump_tally_version): never joined either way.
TRIGGER_WRITES = frozenset({"tally_version", "tally_snapshots"})
_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)\s", re.I)
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_PLACEHOLDER = re.compile(r"\$(\d+)")
Queued = tuple[str, list[Any]]  # a translated write and its values
# First reads with a twin that takes the write lock before reading (see the module's
# docstring): the read's text, translated, and the twin's (the read's values, then the key).
LOCKED_TWINS = {
    to_postgres(ARRIVAL): "SELECT * FROM antt_arrive_locked($1, $2, $3, $4, $5, $6, $7)",
}


def lock_statement(key: int) -> str:
    """The statement that waits for and takes the transaction-scoped advisory lock `key`."""
    return f"SELECT pg_advisory_xact_lock({key})"


def _shifted(text: str, by: int) -> str:
    return _PLACEHOLDER.sub(lambda m: f"${int(m.group(1)) + by}", text) if by else text


def _names(sql: str) -> set[str]:
    return set(_NAME.findall(sql.lower()))


def combined(queued: list[Queued], text: str) -> str | None:
    """`text` with the queued writes as WITH clauses before it (their values first), or
    None when the statement might read what they write (see the module's docstring)."""
    if not queued or text.lstrip()[:6].upper() not in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
        return None
    written: set[str] = set()
    for write, _ in queued:  # nor may a write read what an earlier one writes
        found = _WRITE.match(write)
        table = found.group(1).lower() if found else ""
        if not table or ";" in write or _names(write) & (written | TRIGGER_WRITES):
            return None
        written.add(table)
    if _names(text) & (written | TRIGGER_WRITES):
        return None
    clauses, count = [], 0
    for n, (write, values) in enumerate(queued):
        clauses.append(f"q{n} AS ({_shifted(write, count)})")
        count += len(values)
    return "WITH " + ", ".join(clauses) + "\n" + _shifted(text, count)


class PgTx(Tx):
    """A transaction (or one statement, or a read snapshot) on one PostgreSQL connection."""

    dialect = "postgresql"

    def __init__(
        self,
        conn: Any,
        counter: Callable[[], None],
        *,
        memo: bool = False,
        fresh: Callable[[], Awaitable[Any]] | None = None,
        lock: int | None = None,
    ) -> None:
        self.conn = conn
        self._count = counter
        self._queued: list[Queued] = []
        self._fresh = fresh
        self._lock = lock  # the write lock's key while this transaction has yet to take it
        # As on SQLite (storage/tx.py): inside a write transaction, which holds the write
        # lock, the same SELECT gives the same rows until this Tx writes.
        self._memo: dict[tuple[str, str, tuple[Any, ...]], Any] | None = {} if memo else None

    async def _trip(self, work: Callable[[Any], Awaitable[T]], *, again: bool = True) -> T:
        """One call to the server. On a connection begun ahead, the first is sent on a new
        one if the server had dropped it: found closed, or (`again`: the trip holds no
        COMMIT, so nothing of it can have lasted) failing as lost."""
        self._count()
        fresh, self._fresh = self._fresh, None
        if fresh is None:
            return await work(self.conn)
        if self.conn.is_closed():
            self.conn = await fresh()
            return await work(self.conn)
        try:
            return await work(self.conn)
        except LOST:
            if not again:
                raise
            self.conn = await fresh()
            return await work(self.conn)

    def _forget(self) -> None:
        if self._memo:
            self._memo.clear()

    def _with_queued(self, text: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
        """The statement to send and its values: the queued writes joined to it when that is
        sound (they are then no longer queued), else unchanged."""
        joined = combined(self._queued, text)
        if joined is None:
            return text, list(values)
        args = [v for _, queued_values in self._queued for v in queued_values]
        self._queued = []
        return joined, [*args, *values]

    async def _read(self, how: str, sql: str, params: Iterable[Any]) -> Any:
        values = tuple(params)
        key = (how, sql, values)
        select = sql.lstrip()[:6].upper() == "SELECT"
        remembered = self._memo is not None and select
        if remembered:
            try:
                if key in self._memo:  # type: ignore[operator]
                    return self._memo[key]  # type: ignore[index]
            except TypeError:  # a parameter that cannot be a key: just ask
                remembered = False
        else:
            self._forget()
        translated = to_postgres(sql)
        twin = LOCKED_TWINS.get(translated) if self._lock is not None and select else None
        if twin is not None and not self._queued:
            lock, self._lock = self._lock, None
            args = [*await self._args(translated, values), lock]
            rows = list(await self._trip(lambda conn: conn.fetch(twin, *args)))
            found = (rows[0] if rows else None) if how == "one" else rows
            if remembered and (how == "one" or len(rows) <= MEMO_ROWS):
                self._memo[key] = found  # type: ignore[index]
            return found
        text, args = self._with_queued(translated, values)
        await self._ready()
        args = await self._args(text, args)
        if how == "one":
            result = await self._trip(lambda conn: conn.fetchrow(text, *args))
        else:
            result = list(await self._trip(lambda conn: conn.fetch(text, *args)))
        if remembered and (how == "one" or len(result) <= MEMO_ROWS):
            self._memo[key] = result  # type: ignore[index]
        return result

    async def _ready(self) -> None:
        """Before a statement of its own: send the queued writes, and take the write lock
        this transaction was begun without (with those writes, else on a trip of its own)."""
        await self._flush()
        if self._lock is None:
            return
        statement, self._lock = lock_statement(self._lock), None
        await self._trip(lambda conn: conn.execute(statement))

    def queue(self, sql: str, params: Iterable[Any] = ()) -> None:
        """Hold a write whose result nobody reads; it is sent with the next statement (see
        the module's docstring), or with the COMMIT."""
        self._forget()
        self._queued.append((to_postgres(sql), list(params)))

    async def _flush(self, then: str = "") -> str:
        """Send the queued writes, their values written in (and `then`, e.g. COMMIT), as one
        simple-query script; returns the status of its last statement."""
        script = [inline(text, values) for text, values in self._queued]
        self._queued = []
        if script and self._lock is not None:  # writes: the lock first, in the same trip
            script.insert(0, lock_statement(self._lock))
            self._lock = None
        if then:
            script.append(then)
        if not script:
            return ""
        text = ";\n".join(script)
        status: str = await self._trip(lambda conn: conn.execute(text), again=not then)
        return status

    def _drop_queued(self) -> None:
        self._queued = []

    async def _args(self, text: str, params: Iterable[Any]) -> list[Any]:
        args = list(params)
        plan = PLANS.get(text)
        if plan is None:
            statement = await self._trip(lambda conn: conn.prepare(text))
            plan = tuple(CONVERTERS.get(t.name) for t in statement.get_parameters())
            PLANS[text] = plan
        return [value if f is None else f(value) for f, value in zip(plan, args, strict=False)]

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
        """Run one statement; its command tag gives the rows it changed."""
        self._forget()
        text, args = self._with_queued(to_postgres(sql), params)
        await self._ready()
        args = await self._args(text, args)
        return Status(await self._trip(lambda conn: conn.execute(text, *args)))

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
        await self._ready()
        text = to_postgres(sql)
        batch = [await self._args(text, r) for r in rows]
        if batch:
            await self._trip(lambda conn: conn.executemany(text, batch))

    async def insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run an INSERT and return the new row's id (RETURNING id is added when missing)."""
        if "returning" not in sql.lower():
            sql = sql.rstrip().rstrip(";") + " RETURNING id"
        row = await self.fetchone(sql, params)
        return int(row[0]) if row is not None else 0


class PgOneStatement(PgTx):
    """Exactly one statement, on its own (autocommit), as storage/tx.py's OneStatement: for
    a read that one statement answers, which is one snapshot without BEGIN and COMMIT."""

    def __init__(self, conn: Any, counter: Callable[[], None]) -> None:
        super().__init__(conn, counter)
        self._used = False

    def _once(self) -> None:
        if self._used:
            raise RuntimeError("read(one=True) runs one statement; use read()")
        self._used = True

    def queue(self, sql: str, params: Iterable[Any] = ()) -> None:
        """Refused: nothing is written here."""
        raise RuntimeError("read(one=True) cannot queue")

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> Result:
        """Run the one statement."""
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

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        """Refused: one statement per row would be several."""
        raise RuntimeError("read(one=True) cannot executemany")
