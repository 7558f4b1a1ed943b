"""The org import's optional phone column: stored on the unit (told to a member whose urgent
report reached no officer), updated by a re-import, kept when the column is absent, put back
by a rollback, and a bad value refused with its line like any other bad cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.units.orgimport import ImportResult, import_org
from bot.units.orgimport.model import ImportObserver
from storage.db import Database
from tests.support.orgimport import COMMUNE, PROVINCE, VILLAGE, import_error, write, xlsx


async def phones(db: Database) -> dict[str, str | None]:
    async with db.read() as tx:
        found = await tx.fetchall("SELECT path, phone FROM units ORDER BY path")
    return {str(r["path"]): r["phone"] for r in found}


async def test_phones_are_stored_and_updated_by_a_reimport(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    first = write(
        tmp_path,
        "v1.csv",
        "path,kind,households,phone\n"
        f"{PROVINCE},province,,+84 205 3812 345\n"
        f"{COMMUNE},commune,,0205.3833.113\n"
        f"{VILLAGE},village,120,\n",
    )
    assert await import_org(db, first, clock) == ImportResult(created=3, updated=0, unchanged=0)
    assert await phones(db) == {
        PROVINCE: "+84 205 3812 345",
        COMMUNE: "0205.3833.113",
        VILLAGE: None,
    }
    second = write(
        tmp_path,
        "v2.csv",
        "path,kind,phone\n"
        f"{PROVINCE},province,+84 205 3812 345\n"
        f"{COMMUNE},commune,0205  3833 114\n",
    )
    assert await import_org(db, second, clock) == ImportResult(created=0, updated=1, unchanged=1)
    assert (await phones(db))[COMMUNE] == "0205 3833 114"  # runs of spaces made one


async def test_without_a_phone_column_stored_phones_are_kept(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await import_org(
        db, write(tmp_path, "a.csv", f"path,kind,phone\n{PROVINCE},province,113\n"), clock
    )
    result = await import_org(
        db, write(tmp_path, "b.csv", f"path,kind\n{PROVINCE},province\n"), clock
    )
    assert result == ImportResult(created=0, updated=0, unchanged=1)
    assert await phones(db) == {PROVINCE: "113"}


async def test_a_phone_in_an_xlsx_sheet(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    book = xlsx(tmp_path, [["path", "kind", "phone"], [PROVINCE, "province", "0205 3812 345"]])
    await import_org(db, book, clock)
    assert await phones(db) == {PROVINCE: "0205 3812 345"}


@pytest.mark.parametrize(
    "value", ["gọi anh Hùng", "0205-3833-113", "12", "+", "0205 3833 113 ext 2"]
)
async def test_bad_phone_is_refused_with_its_line(
    db: Database, clock: ManualClock, tmp_path: Path, value: str
) -> None:
    csv_file = write(
        tmp_path,
        "org.csv",
        f"path,kind,phone\n{PROVINCE},province,\n{COMMUNE},commune,{value}\n",
    )
    error = await import_error(db, csv_file, clock)
    assert error.line == 3
    assert str(error) == (
        f"org.csv, line 3: phone {value!r} is not a phone number; write 3 to 15 digits, with"
        " spaces, dots or a leading + only (e.g. 0205 3833 113)"
    )
    assert await phones(db) == {}  # nothing saved


async def test_a_rollback_puts_the_old_phone_back(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await import_org(
        db, write(tmp_path, "a.csv", f"path,kind,phone\n{PROVINCE},province,113\n"), clock
    )

    class FailAfterWriting(ImportObserver):
        async def written(self, done: int, total: int) -> None:
            raise RuntimeError("disk on fire")  # after the batch (and its journal) committed

    changed = write(
        tmp_path, "b.csv", f"path,kind,phone\n{PROVINCE},province,114\n{COMMUNE},commune,115\n"
    )
    error = await import_error(db, changed, clock, observer=FailAfterWriting())
    assert "rolled back" in str(error)
    assert await phones(db) == {PROVINCE: "113"}
