"""storage.db transactions: a cancelled task must not leave the shared connection in a
transaction, or every later update of the process fails."""

from __future__ import annotations

import asyncio

import pytest

from storage.db import Database


async def test_a_transaction_cancelled_at_begin_leaves_the_connection_usable(
    db: Database,
) -> None:
    async def write() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO counters (name, value) VALUES ('cancelled', 1)")

    task = asyncio.create_task(write())
    await asyncio.sleep(0)  # the task now waits for BEGIN IMMEDIATE, sent with its INSERT
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO counters (name, value) VALUES ('next', 2)")
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT name FROM counters")
    assert [r["name"] for r in rows] == ["next"]
