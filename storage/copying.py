"""The SQL of copying one database into another (`antt-bot db copy`, bot/database/copy.py):
each database's identity, the map of rows already copied, rows read in chunks, rows written
with ids reserved in the target, and the report counters kept ahead of the numbers copied.

Table and column names come from the copy's fixed list of tables (bot/database/copy_tables.py),
never from input, so they are put in the SQL text as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from storage.db import Row, Tx


async def identity(tx: Tx, now_iso: str) -> str:
    """This database's own id, made at its first copy, so the copies into a target tell
    their sources apart whatever path or URL reached them."""
    row = await tx.fetchone("SELECT uid FROM database_identity WHERE id = 1")
    if row is not None:
        return str(row["uid"])
    await tx.execute(
        "INSERT INTO database_identity (id, uid, created_at) VALUES (1, ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        (uuid.uuid4().hex, now_iso),
    )
    row = await tx.fetchone("SELECT uid FROM database_identity WHERE id = 1")
    assert row is not None
    return str(row["uid"])


async def known_identity(tx: Tx) -> str | None:
    """The id without making one (a read-only look)."""
    row = await tx.fetchone("SELECT uid FROM database_identity WHERE id = 1")
    return None if row is None else str(row["uid"])


async def copied(tx: Tx, source_id: str) -> dict[str, dict[str, str]]:
    """What earlier copies from this source brought in: per table, old key -> key here."""
    rows = await tx.fetchall(
        "SELECT table_name, old_key, new_id FROM copied_rows WHERE source_id = ?", (source_id,)
    )
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(str(r["table_name"]), {})[str(r["old_key"])] = str(r["new_id"])
    return found


async def copied_back(tx: Tx, target_id: str) -> dict[str, dict[str, str]]:
    """Rows this source got from the target by an earlier copy the other way: per table,
    the key here -> the key in the target, so they map home instead of coming back twice."""
    rows = await tx.fetchall(
        "SELECT table_name, old_key, new_id FROM copied_rows WHERE source_id = ?", (target_id,)
    )
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(str(r["table_name"]), {})[str(r["new_id"])] = str(r["old_key"])
    return found


async def remember(
    tx: Tx, source_id: str, table: str, pairs: Sequence[tuple[str, str]], now_iso: str
) -> None:
    """Record rows copied, in the same transaction as the rows themselves."""
    await insert_rows(
        tx,
        "copied_rows",
        ("source_id", "table_name", "old_key", "new_id", "copied_at"),
        [(source_id, table, old, new, now_iso) for old, new in pairs],
    )


async def chunk(
    tx: Tx, table: str, order: Sequence[str], where: str, after: Sequence[Any], size: int
) -> list[dict[str, Any]]:
    """The next rows of a table past `after` in key order (keyset paging: a province's
    millions of reports are never held at once)."""
    cols = ", ".join(order)
    conds = [f"({where})"] if where else []
    params: list[Any] = []
    if after:
        marks = ", ".join("?" for _ in order)
        conds.append(f"({cols}) > ({marks})")
        params.extend(after)
    sql = f"SELECT * FROM {table}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    sql += f" ORDER BY {cols} LIMIT {int(size)}"
    rows = await tx.fetchall(sql, params)
    return [_as_dict(r) for r in rows]


# The outbox rows a copy takes: those still to be sent, and those alerts and announcements
# point at; the others are the source messenger's history.
OUTBOX_TAKEN = (
    "status IN ('pending', 'sending') OR id IN (SELECT outbox_id FROM alerts)"
    " OR id IN (SELECT progress_outbox_id FROM announcements)"
)
REPORT_COUNTERS = "substr(name, 1, 7) = 'report:'"


def not_null(column: str) -> str:
    """The condition for rows where a column is set (a chunk's `where`)."""
    return f"{column} IS NOT NULL"


# Parameters a statement may carry: PostgreSQL's limit is 32,767, SQLite's 32,766 since
# 3.32 (999 before; Python's bundled SQLite is newer).
_PARAMS = {"postgresql": 30_000, "sqlite": 30_000}


def _as_dict(row: Row) -> dict[str, Any]:
    return dict(zip(row.keys(), tuple(row), strict=True))


async def count(tx: Tx, table: str, where: str = "") -> int:
    """Rows of a table (those matching `where`), for the summary and the tests."""
    sql = f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where}" if where else "")
    row = await tx.fetchone(sql)
    return int(row[0]) if row else 0


async def reserve_ids(tx: Tx, table: str, n: int) -> list[int]:
    """Ids for `n` new rows of a table, so a chunk is written in one statement and rows can
    point at each other before they exist. On PostgreSQL the identity's sequence hands them
    out (other processes' inserts go on safely); on SQLite the write transaction is alone."""
    if n <= 0:
        return []
    if tx.dialect == "postgresql":
        rows = await tx.fetchall(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id"
            " FROM generate_series(1, ?)",
            (n,),
        )
        return [int(r["id"]) for r in rows]
    row = await tx.fetchone(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    top = int(row[0]) if row else 0
    return list(range(top + 1, top + n + 1))


async def insert_rows(
    tx: Tx, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write a chunk of rows, every column given (ids included), many rows a statement: on
    PostgreSQL a statement fires the tally-version trigger once, not once a row."""
    cols = ", ".join(columns)
    one = "(" + ", ".join("?" for _ in columns) + ")"
    per = max(1, _PARAMS[tx.dialect] // len(columns))
    pending = [list(r) for r in rows]
    for start in range(0, len(pending), per):
        batch = pending[start : start + per]
        values = ", ".join(one for _ in batch)
        params = [v for r in batch for v in r]
        await tx.execute(f"INSERT INTO {table} ({cols}) VALUES {values}", params)


async def present(
    tx: Tx, table: str, columns: Sequence[str], values: Sequence[Any]
) -> dict[str, Any] | None:
    """The target's row with these values in these columns (a key or a unique index), if
    there is one: the conflicts a copy decides about."""
    where = " AND ".join(
        f"{c} IS NULL" if v is None else f"{c} = ?" for c, v in zip(columns, values, strict=True)
    )
    params = [v for v in values if v is not None]
    row = await tx.fetchone(f"SELECT * FROM {table} WHERE {where}", params)
    return None if row is None else _as_dict(row)


async def taken(tx: Tx, table: str, column: str, values: Sequence[Any]) -> set[str]:
    """Which of these values a unique column of the target already holds."""
    if not values:
        return set()
    marks = ", ".join("?" for _ in values)
    rows = await tx.fetchall(f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", values)
    return {str(r[0]) for r in rows}


async def units_by_path(tx: Tx) -> dict[str, tuple[int, int | None]]:
    """Every unit of the target by path: its id and its parent's, which the copy matches
    the source's units against."""
    rows = await tx.fetchall("SELECT id, parent_id, path FROM units")
    return {
        str(r["path"]): (int(r["id"]), None if r["parent_id"] is None else int(r["parent_id"]))
        for r in rows
    }


async def unit_paths(tx: Tx) -> dict[int, str]:
    """Every unit's path by id, to name a unit in a message."""
    rows = await tx.fetchall("SELECT id, path FROM units")
    return {int(r["id"]): str(r["path"]) for r in rows}


async def set_column(tx: Tx, table: str, column: str, pairs: Sequence[tuple[Any, int]]) -> None:
    """Point rows at others once both exist (a report's duplicate_of)."""
    await tx.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?", pairs)


async def counter_at_least(tx: Tx, name: str, value: int) -> None:
    """Keep a report counter past the numbers copied in, so the target never hands one out
    again."""
    await tx.execute(
        """INSERT INTO counters (name, value) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET value = CASE
             WHEN counters.value < excluded.value THEN excluded.value ELSE counters.value END""",
        (name, value),
    )
