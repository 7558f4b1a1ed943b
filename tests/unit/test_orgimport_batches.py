"""The org import writes in short journaled batches: other writers get the database between
them, a failure part-way (or a killed process, found by the next import) is rolled back to
exactly the tree before, and only one import runs at a time."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import ManualClock, iso
from bot.core.config import OrgImportSection
from bot.units.orgimport import ImportObserver, ImportResult, Interrupted, import_org
from storage import invites, orgimports, units
from storage.db import Database
from storage.orgimports import Change
from storage.units import NewUnit
from tests.support.orgimport import COMMUNE, PROVINCE, VILLAGE, import_error, unit_rows, write

ROOT = Path(__file__).resolve().parents[2]
BY_TWO = OrgImportSection(batch_rows=2)
# Two villages more than the base file, one commune renamed in kind, one village recounted.
BASE = f"path,kind,households\n{PROVINCE},province,\n{COMMUNE},commune,\n{VILLAGE},village,120\n"
GROWN = (
    f"path,kind,households\n{PROVINCE},province,\n{COMMUNE},ward,\n{VILLAGE},village,130\n"
    + "".join(f"{COMMUNE}/Thôn {n},village,{n}\n" for n in range(1, 6))
)


class Recorder(ImportObserver):
    """Keeps every event; `on_written` runs after each write batch."""

    def __init__(self, on_written: Any = None) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.on_written = on_written

    async def recovering(self, interrupted: Interrupted) -> None:
        self.events.append(("recovering", interrupted))

    async def recovered(self, interrupted: Interrupted, kept: int) -> None:
        self.events.append(("recovered", interrupted.import_id, kept))

    async def planned(self, created: int, updated: int, unchanged: int) -> None:
        self.events.append(("planned", created, updated, unchanged))

    async def written(self, done: int, total: int) -> None:
        self.events.append(("written", done, total))
        if self.on_written is not None:
            await self.on_written(done)

    async def undone(self, done: int, total: int) -> None:
        self.events.append(("undone", done, total))


async def imports(db: Database) -> list[tuple[Any, ...]]:
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT i.id, i.status, i.created, i.updated, i.unchanged, i.kept,"
            " (SELECT COUNT(*) FROM org_import_changes AS c WHERE c.import_id = i.id) AS notes"
            " FROM org_imports AS i ORDER BY i.id"
        )
    return [tuple(r) for r in rows]


async def test_other_writers_get_the_database_between_batches(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    # A second connection that never waits: it fails at once if the import holds the lock.
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    wrote: list[int] = []

    async def write_elsewhere(done: int) -> None:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO counters (name, value) VALUES (?, ?)", (f"w{done}", done))
        other.execute("COMMIT")
        wrote.append(done)

    recorder = Recorder(write_elsewhere)
    result = await import_org(db, write(tmp_path, "org.csv", GROWN), clock, BY_TWO, recorder)
    other.close()
    assert result == ImportResult(created=8, updated=0, unchanged=0)
    assert wrote == [2, 4, 6, 8]
    assert recorder.events == [
        ("planned", 8, 0, 0),
        ("written", 2, 8),
        ("written", 4, 8),
        ("written", 6, 8),
        ("written", 8, 8),
    ]
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT name FROM counters ORDER BY value")
    assert [r["name"] for r in rows] == ["w2", "w4", "w6", "w8"]
    assert await imports(db) == [(1, "done", 8, 0, 0, 0, 8)]


@pytest.mark.parametrize("where", ["between batches", "inside a batch"])
async def test_failure_part_way_leaves_the_tree_exactly_as_before(
    db: Database,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    await import_org(db, write(tmp_path, "a.csv", BASE), clock)
    before = await unit_rows(db)
    clock.advance(days=1)

    async def fail_after_second(done: int) -> None:
        if done == 4 and where == "between batches":
            raise RuntimeError("disk on fire")

    real_set_many = units.set_many

    async def failing_set_many(tx: Any, values: Any) -> None:
        if values and where == "inside a batch":  # the batch holding the updates
            raise sqlite3.OperationalError("disk I/O error")
        await real_set_many(tx, values)

    monkeypatch.setattr(units, "set_many", failing_set_many)
    recorder = Recorder(fail_after_second)
    error = await import_error(db, write(tmp_path, "b.csv", GROWN), clock, BY_TWO, recorder)
    reason = {
        "between batches": "RuntimeError: disk on fire",
        "inside a batch": "OperationalError: disk I/O error",
    }[where]
    assert str(error) == (
        f"b.csv: the import failed while writing ({reason}); what it wrote has been rolled back"
    )
    monkeypatch.undo()
    assert await unit_rows(db) == before
    assert await imports(db) == [(1, "done", 3, 0, 0, 0, 3), (2, "rolled_back", 0, 0, 1, 0, 0)]
    # Creates come first (5 new villages), then the 2 updates; the third batch holds both.
    assert ("written", 4, 7) in recorder.events
    assert recorder.events[-1] == ("undone", 4, 4)


async def test_rollback_keeps_units_that_are_now_in_use(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    async def invite_then_fail(done: int) -> None:
        if done == 2:  # province and commune exist: someone invites to the commune
            async with db.transaction() as tx:
                commune = await units.get_by_path(tx, COMMUNE)
                assert commune is not None
                now = iso(clock.now())
                await invites.create(tx, "ABCD1234", commune.id, "member", 1, now, now)
        else:
            raise RuntimeError("stop")

    error = await import_error(
        db, write(tmp_path, "org.csv", GROWN), clock, BY_TWO, Recorder(invite_then_fail)
    )
    assert str(error) == (
        "org.csv: the import failed while writing (RuntimeError: stop); what it wrote has been"
        " rolled back; 2 unit(s) it created were kept because members, invites or reports now"
        " refer to them"
    )
    assert error.kept == 2
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT path FROM units ORDER BY id")
    assert [r["path"] for r in rows] == [PROVINCE, COMMUNE]
    assert await imports(db) == [(1, "rolled_back", 0, 0, 0, 2, 0)]


KILL_AFTER_TWO_BATCHES = """
import asyncio, os, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from bot.core.clock import ManualClock
from bot.core.config import OrgImportSection
from bot.units.orgimport import ImportObserver, import_org
from storage.db import Database

class Killer(ImportObserver):
    async def written(self, done, total):
        if done == 4:
            os._exit(9)  # as kill -9: no rollback, no cleanup

async def main():
    db = await Database(sys.argv[1]).open()
    clock = ManualClock(datetime(2025, 11, 24, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    await import_org(db, Path(sys.argv[2]), clock, OrgImportSection(batch_rows=2), Killer())

asyncio.run(main())
"""


async def test_a_killed_import_is_rolled_back_by_the_next_one(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await import_org(db, write(tmp_path, "a.csv", BASE), clock)
    before = await unit_rows(db)
    grown = write(tmp_path, "b.csv", GROWN)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_TWO_BATCHES, db.path, str(grown)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 9, killed.stderr
    assert len(await unit_rows(db)) == len(before) + 4  # two batches stayed behind
    assert await imports(db) == [(1, "done", 3, 0, 0, 0, 3), (2, "running", 0, 0, 1, 0, 4)]

    seen: list[Any] = []

    class Watch(Recorder):
        async def recovered(self, interrupted: Interrupted, kept: int) -> None:
            seen.append(await unit_rows(db))  # between the rollback and the new import
            await super().recovered(interrupted, kept)

    watch = Watch()
    clock.advance(days=1)
    result = await import_org(db, grown, clock, BY_TWO, watch)
    assert watch.events[0] == (
        "recovering",
        Interrupted(import_id=2, file="b.csv", started_at="2025-11-24T08:00:00+07:00", pending=4),
    )
    assert watch.events[1:4] == [("undone", 2, 4), ("undone", 4, 4), ("recovered", 2, 0)]
    assert seen == [before]
    assert result == ImportResult(created=5, updated=2, unchanged=1)
    assert await imports(db) == [
        (1, "done", 3, 0, 0, 0, 3),
        (2, "rolled_back", 0, 0, 1, 0, 0),
        (3, "done", 5, 2, 1, 0, 7),
    ]


async def test_a_running_import_is_not_disturbed(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    host = socket.gethostname()
    async with db.transaction() as tx:  # this very process: alive
        await orgimports.start(tx, "first.csv", host, os.getpid(), iso(clock.now()))
    error = await import_error(db, write(tmp_path, "org.csv", BASE), clock)
    assert str(error) == (
        f"org.csv: another org import is running (#1, first.csv, started"
        f" 2025-11-23T08:00:00+07:00, process {os.getpid()} on {host}); wait"
        " for it to finish, then run this import again. If that process was stopped, this one"
        " can go ahead after 08:02:00."
    )
    assert await unit_rows(db) == []
    assert await imports(db) == [(1, "running", 0, 0, 0, 0, 0)]


async def test_a_silent_import_on_another_host_is_taken_for_dead_after_two_minutes(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    async with db.transaction() as tx:  # what an import on another machine left behind
        import_id = await orgimports.start(tx, "x.csv", "other-host", 4242, iso(clock.now()))
        await units.insert_many(tx, [NewUnit(1, None, "Tỉnh Khác", "province", None)], "t")
        await orgimports.record(tx, import_id, [Change(0, 1, orgimports.CREATED)])
    base = write(tmp_path, "org.csv", BASE)
    clock.advance(seconds=119)
    error = await import_error(db, base, clock)
    assert "process 4242 on other-host" in str(error)
    assert "can go ahead after 08:02:00." in str(error)
    clock.advance(seconds=2)
    recorder = Recorder()
    result = await import_org(db, base, clock, observer=recorder)
    assert result == ImportResult(created=3, updated=0, unchanged=0)
    assert recorder.events[2] == ("recovered", 1, 0)
    async with db.read() as tx:
        assert await units.get_by_path(tx, "Tỉnh Khác") is None


async def test_an_import_taken_over_stops_without_undoing(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    async def steal(done: int) -> None:
        async with db.transaction() as tx:  # as another process judging this one dead
            await orgimports.take_over(tx, 1, "thief", 1, iso(clock.now()))

    error = await import_error(
        db, write(tmp_path, "org.csv", GROWN), clock, BY_TWO, Recorder(steal)
    )
    assert str(error) == (
        "org.csv: this import was silent so long that another one judged it dead and is"
        " rolling it back; run it again once that one has finished"
    )
    assert len(await unit_rows(db)) == 2  # left for the new owner to undo
    assert await imports(db) == [(1, "running", 0, 0, 0, 0, 2)]


async def test_refused_and_unchanged_imports(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    orphan = write(tmp_path, "orphan.csv", f"path,kind\n{VILLAGE},village\n")
    error = await import_error(db, orphan, clock)
    assert str(error) == (
        f"orphan.csv, line 2: parent unit {COMMUNE!r} of {VILLAGE!r} is missing; add a row"
        " for it or import it first"
    )
    assert await imports(db) == []  # refused before writing: no trace, slot free
    base = write(tmp_path, "a.csv", BASE)
    assert await import_org(db, base, clock, BY_TWO) == ImportResult(3, 0, 0)
    before = await unit_rows(db)
    assert await import_org(db, base, clock, BY_TWO) == ImportResult(0, 0, 3)
    assert await unit_rows(db) == before
    assert await imports(db) == [(1, "done", 3, 0, 0, 0, 3), (2, "done", 0, 0, 3, 0, 0)]


async def test_a_cancelled_import_is_rolled_back_then_cancelled(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    # Ctrl-C: asyncio.run cancels the command's task wherever it waits (here: just before
    # the next batch's BEGIN); the rollback runs, then the cancellation goes on.
    await import_org(db, write(tmp_path, "a.csv", BASE), clock)
    before = await unit_rows(db)
    tasks: list[asyncio.Task[ImportResult]] = []

    async def cancel(done: int) -> None:
        if done == 4:
            tasks[0].cancel()

    grown = write(tmp_path, "b.csv", GROWN)
    tasks.append(asyncio.create_task(import_org(db, grown, clock, BY_TWO, Recorder(cancel))))
    with pytest.raises(asyncio.CancelledError):
        await tasks[0]
    assert await unit_rows(db) == before
    assert await imports(db) == [(1, "done", 3, 0, 0, 0, 3), (2, "rolled_back", 0, 0, 1, 0, 0)]
    assert await import_org(db, grown, clock) == ImportResult(5, 2, 1)  # connection still fine


async def test_a_rollback_that_fails_is_finished_by_the_next_run(
    db: Database, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.transaction() as tx:  # an import on another machine, silent for an hour
        import_id = await orgimports.start(tx, "x.csv", "other-host", 4242, iso(clock.now()))
        await units.insert_many(tx, [NewUnit(1, None, "Tỉnh Khác", "province", None)], "t")
        await orgimports.record(tx, import_id, [Change(0, 1, orgimports.CREATED)])
    clock.advance(hours=1)

    async def broken(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(orgimports, "undo_latest", broken)
    base = write(tmp_path, "org.csv", BASE)
    error = await import_error(db, base, clock)
    assert str(error) == (
        "org.csv: the interrupted import #1 could not be rolled back (OperationalError: disk"
        " I/O error); nothing of this file was written: run this import again to finish that"
        " rollback first"
    )
    assert await imports(db) == [(1, "running", 0, 0, 0, 0, 1)]
    monkeypatch.undo()
    clock.advance(minutes=3)  # this test's own process still owns it: wait until it is stale
    assert await import_org(db, base, clock) == ImportResult(3, 0, 0)
    assert await imports(db) == [(1, "rolled_back", 0, 0, 0, 0, 0), (2, "done", 3, 0, 0, 0, 3)]
