"""The date functions the storage SQL calls, as each database answers them: on PostgreSQL the
twins of SQLite's (storage/migrations/postgresql) must give what SQLite gives, empty text
included (an open period's end is '', and a tally reads its julianday)."""

from __future__ import annotations

from pathlib import Path

from storage.stores import open_store
from tests.support import backend


async def test_empty_text_is_no_date_and_a_day_reads_alike(tmp_path: Path) -> None:
    store = await open_store(await backend.location(str(tmp_path / "dates.sqlite3")))
    try:
        async with store.read() as tx:
            row = await tx.fetchone(
                "SELECT julianday('') AS j, date('') AS d, julianday(?) AS p,"
                " julianday('2026-11-30') AS day, date('2026-11-30T18:30:00+00:00') AS of",
                ("",),
            )
    finally:
        await store.close()
    assert row is not None
    assert (row["j"], row["d"], row["p"]) == (None, None, None)
    assert (row["day"], row["of"]) == (2461374.5, "2026-11-30")
