"""Fixtures shared by the unit tests that need a database or a clock."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock
from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A new, migrated SQLite file (a module that needs rows in it wraps this fixture)."""
    database = await Database(tmp_path / "t.sqlite3").open()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> ManualClock:
    """A morning in Vietnam, moved only by the test."""
    return ManualClock(datetime(2025, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


RowOf = Callable[[str], sqlite3.Row]


@pytest.fixture
def row_of() -> Iterator[RowOf]:
    """One SELECT's row on a bare in-memory connection: the same sqlite3.Row the storage
    layer reads, for checking how each typed row's `from_row` maps it."""
    connection = sqlite3.connect(":memory:")
    connection.row_factory = sqlite3.Row

    def run(sql: str) -> sqlite3.Row:
        row: sqlite3.Row | None = connection.execute(sql).fetchone()
        assert row is not None
        return row

    yield run
    connection.close()
