"""Reading the database of a bot that runs in another process (the e2e tests), on either backend.

The e2e tests check what the real `antt-bot run` stored by reading its database while it keeps
running. They write their SQL as the repositories do, in SQLite's dialect; on PostgreSQL it is
translated by storage/pg_sql.py and each argument converted to the type PostgreSQL inferred for
it (storage/pg.py's PgTx), so a test's query reads the same whichever database the bot uses.
Rows come back as dicts on both (a column by name, never by position).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from storage.pg import PgTx
from storage.stores import is_postgres
from tests.support.postgres import run_anywhere


def rows(location: str | Path, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of one query on the bot's database (a SQLite file, opened read-only, or a
    postgresql:// URL), as the bot has committed them so far."""
    where = str(location)
    if not is_postgres(where):
        return _sqlite_rows(where, sql, params)
    # The tests call this from inside their own event loop: asyncpg runs in a thread of its own.
    return run_anywhere(_pg_rows(where, sql, params))


def _sqlite_rows(path: str, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, tuple(params)).fetchall()]
    finally:
        conn.close()


async def _pg_rows(url: str, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        found = await PgTx(conn, lambda: None).fetchall(sql, params)
        return [dict(row.items()) for row in found]
    finally:
        await conn.close()


def database_line(location: str | Path) -> str:
    """The line of a config's `[database]` table naming `location` (a file or a URL)."""
    where = str(location)
    key = "url" if is_postgres(where) else "path"
    return f'{key} = "{where}"'


def database_toml(location: str | Path) -> str:
    """The `[database]` table of a bot's config for `location` (a file or a URL)."""
    return f"[database]\n{database_line(location)}\n"
