"""Which database a test runs on: SQLite files, or PostgreSQL.

Every in-process test (tests/inproc) runs on both: tests/conftest.py parametrizes them with
`db_backend` ("sqlite", "postgresql"); `ANTT_TEST_BACKEND=sqlite` (or `postgresql`) keeps one
for a quicker run while working. Tests of SQLite's own machinery (its files, locks and
checkpoints) are marked `sqlite_only` and run once. The e2e core (the real bot process:
reports, urgent cases, reminders, Zalo) runs on both too, each test so marked
`both_backends`: its bot gets `bot_database`, the tests read it with tests/support/dbread.py.

A test asks for a database by the SQLite path it would use; on PostgreSQL the same path
always names the same fresh database for the rest of that test (a test that restarts the bot
on its file finds its data again), and the databases a test made are dropped after it. The
PostgreSQL server is the session's own (tests/support/postgres.py), started at first use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.db import Row, Store
from tests.support.dbread import database_line
from tests.support.postgres import PgServer, run_anywhere, start_server

BACKENDS = ("sqlite", "postgresql")
ONLY = os.environ.get("ANTT_TEST_BACKEND", "")

_server: PgServer | None = None
_made: dict[str, str] = {}
current = "sqlite"


def chosen() -> tuple[str, ...]:
    """The backends this run covers."""
    return (ONLY,) if ONLY in BACKENDS else BACKENDS


def on_postgres() -> bool:
    """Whether the running test is on PostgreSQL."""
    return current == "postgresql"


def server() -> PgServer:
    """The session's PostgreSQL server, started at the first call."""
    global _server
    if _server is None:
        _server = start_server()
    return _server


def stop_server() -> None:
    """Stop the session's server, if one was started."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


async def location(sqlite_file: str) -> str:
    """The database a test uses where it would use `sqlite_file`: the file itself on SQLite,
    else its PostgreSQL twin (made from the migrated template at the first ask)."""
    if not on_postgres():
        return sqlite_file
    url = _made.get(sqlite_file)
    if url is None:
        url = await server().fresh_database()
        _made[sqlite_file] = url
    return url


async def drop_made() -> None:
    """Drop the PostgreSQL databases made for the test that just ended."""
    made = list(_made.values())
    _made.clear()
    for url in made:
        await server().drop_database(url)


def drop_made_sync() -> None:
    """`drop_made` for a synchronous fixture's teardown."""
    if _made:
        run_anywhere(drop_made())


def settings(sqlite_file: str) -> dict[str, str]:
    """The `[database]` settings naming a test's database, for a config the test builds (a
    command-line run reads the same database as the harness)."""
    url = _made.get(sqlite_file)
    return {"url": url} if url else {"path": sqlite_file}


def toml(sqlite_file: str) -> str:
    """The same as a line of a config file's `[database]` table."""
    return database_line(_made.get(sqlite_file) or sqlite_file)


async def rows(db: Store, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
    """A test's look at the database, on whichever backend it runs."""
    async with db.read() as tx:
        return await tx.fetchall(sql, params)


@contextmanager
def bot_database(sqlite_file: Path | str, on: str) -> Iterator[str]:
    """The database of a bot process (the e2e tests) on backend `on`, for as long as the
    block runs: the file itself on SQLite, else a fresh PostgreSQL database dropped after it
    (the bot process is stopped by then; its connections are closed in any case)."""
    if on != "postgresql":
        yield str(sqlite_file)
        return
    url = run_anywhere(server().fresh_database())
    try:
        yield url
    finally:
        run_anywhere(server().drop_database(url))
