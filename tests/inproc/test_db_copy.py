"""`antt-bot db copy`: a province's SQLite database, built through the real app, copied into
a PostgreSQL database (and into another SQLite file): every row there, the tally and a draft
in progress the same, a second copy changing nothing, a second province merged under the
same units with its clashing report numbers renumbered."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.config import Config
from bot.database import cli as db_cli
from bot.database import copy as copy_module
from bot.database.copy import CopyRefused, copy_database
from bot.database.copy_summary import Summary
from bot.database.copy_tables import TABLES, TRANSIENT
from bot.reports.forms import load_forms
from storage import copying
from storage.db import Store
from storage.stores import open_store
from tests.inproc.helpers import file_patrol, file_tip, past_shift, start_patrol
from tests.inproc.police_world import enrol
from tests.support import backend
from tests.support.harness import COMMUNE, TEAM_A, TEAM_C, Harness, make_harness
from tests.support.postgres import PgServer

ACK = "✅ Đã tiếp nhận"
NOW = "2026-11-23T12:00:00"
ALL = ["units", *(t.name for t in TABLES)]


@pytest.fixture
def where(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Which database the next harness opens: `where["at"]` (a SQLite path or a URL)."""
    chosen: dict[str, str] = {}

    async def location(sqlite_file: str) -> str:
        return chosen.get("at", sqlite_file)

    monkeypatch.setattr(backend, "location", location)
    yield chosen


# Each test picks its databases (SQLite files, the session's PostgreSQL): one run each.
pytestmark = pytest.mark.sqlite_only


async def province(tmp_path: Path, where: dict[str, str]) -> tuple[str, str]:
    """A province's SQLite file: members, a patrol, an urgent tip acknowledged (events,
    alerts), a draft in progress; returns its path and the commune's /thongke."""
    path = str(tmp_path / "tinh-a.sqlite3")
    where["at"] = path
    h = await make_harness(tmp_path / "a")
    try:
        people = await enrol(h)
        await h.add_member(2, "Trần Thị Bình", "member", TEAM_A)
        await file_patrol(people.an)
        await file_tip(people.an)
        await h.drain()
        await people.cuong.press(ACK, on=people.cuong.messages[-1])
        await h.drain()
        await start_patrol(h.user(2, "Trần", "Thị Bình"))  # a draft left at question 1
        tally = await _tally(h)
    finally:
        await h.close()
    return path, tally


async def _tally(h: Harness) -> str:
    replies = await h.user(14, "Đinh", "Thị Lan").send("/thongke 23/11/2026-23/11/2026")
    return "\n".join(m.text for m in replies)


async def counts(db: Store) -> dict[str, int]:
    async with db.read() as tx:
        return {name: await copying.count(tx, name) for name in ALL}


_FINGERPRINT = {
    "reports": """SELECT u.path, m.full_name, r.kind, r.report_date, r.status, r.data, r.state,
                         r.urgent, r.created_at, a.full_name AS acked_by
                    FROM reports r JOIN units u ON u.id = r.unit_id
                    JOIN members m ON m.id = r.member_id LEFT JOIN members a ON a.id = r.ack_by""",
    "events": """SELECT m.full_name, e.state, e.at FROM report_events e
                   JOIN members m ON m.id = e.member_id""",
    "people": """SELECT m.full_name, u.path, s.role, s.start_date, s.end_date FROM memberships s
                   JOIN members m ON m.id = s.member_id JOIN units u ON u.id = s.unit_id""",
    "reached": """SELECT m.full_name, i.channel, i.user_id FROM identities i
                    JOIN members m ON m.id = i.member_id""",
}


async def fingerprint(db: Store, without: str) -> dict[str, list[tuple[Any, ...]]]:
    """What a tally of the province reads, by names and paths rather than ids, leaving out
    the person the target had before the copy."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read() as tx:
        for name, sql in _FINGERPRINT.items():
            rows = [tuple(r) for r in await tx.fetchall(sql)]
            found[name] = sorted((r for r in rows if without not in r), key=repr)
    return found


async def counts_at(location: str) -> dict[str, int]:
    db = await open_store(location)
    try:
        return await counts(db)
    finally:
        await db.close()


async def tally_version(db: Store) -> int:
    async with db.read() as tx:
        row = await tx.fetchone("SELECT n FROM tally_version")
    return int(row[0]) if row else 0


async def copy(source: str, target: str) -> Summary:
    src, dst = await open_store(source), await open_store(target)
    try:
        return await copy_database(src, dst, load_forms(), NOW)
    finally:
        await src.close()
        await dst.close()


def accounted(summary: Summary, before: dict[str, int], source: dict[str, int]) -> None:
    """Every source row is copied, already there, the target's kept, or left with a reason."""
    for name in ALL:
        t = summary.tables[name]
        refused = sum(t.refused.values())
        assert t.copied + t.already + t.kept_target + t.left + refused == source[name], name
    assert not any(t.refused for t in summary.tables.values()), summary.lines()


@pytest.fixture
def pg() -> PgServer:
    """The session's PostgreSQL server, started (outside the test's event loop) if not yet."""
    return backend.server()


async def test_a_province_copied_into_postgresql(
    tmp_path: Path, where: dict[str, str], pg: PgServer
) -> None:
    path, tally = await province(tmp_path, where)
    source = await counts_at(path)
    src = await open_store(path)
    try:
        province_print = await fingerprint(src, "")
    finally:
        await src.close()
    url = await pg.fresh_database()
    where["at"] = url
    h = await make_harness(tmp_path / "national")  # the national database: the same units
    try:
        other = await h.add_member(31, "Lò Văn Tám", "member", TEAM_C)  # ids differ there
        await file_patrol(h.user(31, "Lò", "Văn Tám"))  # BC-2026-000001 taken there
        before = await counts(h.db)
        summary = await copy(path, url)
        after = await counts(h.db)
        accounted(summary, before, source)
        assert summary.tables["units"].already == 6 and summary.tables["units"].copied == 0
        assert summary.tables["reports"].renumbered == 1
        for name in ALL:
            extra = 1 if name == "report_audit" else 0  # the renumbering, in the report's audit
            assert after[name] - before[name] == summary.tables[name].copied + extra, name
        # the commune's /thongke on PostgreSQL is the province's, and so is what it reads
        assert await _tally(h) == tally
        assert await fingerprint(h.db, "Lò Văn Tám") == province_print
        async with h.db.read() as tx:
            moved = await tx.fetchall("SELECT number FROM reports ORDER BY id")
            renumbered = await tx.fetchone(
                "SELECT before, after FROM report_audit WHERE action = 'renumbered'"
            )
            ids = await tx.fetchall("SELECT member_id FROM identities ORDER BY member_id")
        assert [r["number"] for r in moved] == [
            "BC-2026-000001",
            "BC-2026-000003",
            "BC-2026-000002",
        ]
        assert renumbered is not None and '"BC-2026-000001"' in renumbered["before"]
        assert other not in [r["member_id"] for r in ids][1:]
        # the draft goes on where it stopped
        replies = await h.user(2, "Trần", "Thị Bình").send(past_shift(h.clock.now()))
        assert "Bước 2/4" in replies[-1].text, replies[-1].text
        # a second copy changes nothing
        version = await tally_version(h.db)
        again = await copy(path, url)
        assert again.copied == 0
        assert await counts(h.db) == {**after, "conversations": after["conversations"]}
        assert await tally_version(h.db) == version
        assert all(t.already for n, t in again.tables.items() if source[n] and n != "outbox")
    finally:
        await h.close()


async def test_new_reports_follow_and_a_second_province_merges(
    tmp_path: Path, where: dict[str, str], pg: PgServer
) -> None:
    path, _ = await province(tmp_path, where)
    url = await pg.fresh_database()
    await copy(path, url)
    where["at"] = path  # the province goes on filing after the first copy
    h = await make_harness(tmp_path / "a")
    try:
        await file_patrol(h.user(1, "Nguyễn", "Văn An"), incidents="1")
    finally:
        await h.close()
    later = await copy(path, url)
    assert later.tables["reports"].copied == 1 and later.tables["reports"].already == 2
    assert later.tables["members"].copied == 0
    # a second province: its own people, its numbers from 1 again, the same province units
    where["at"] = str(tmp_path / "tinh-b.sqlite3")
    b = await make_harness(tmp_path / "b")
    try:
        await b.add_member(41, "Hà Văn Mười", "member", TEAM_C)
        await file_patrol(b.user(41, "Hà", "Văn Mười"))
    finally:
        await b.close()
    merged = await copy(where["at"], url)
    assert merged.tables["units"].already == 6 and merged.tables["units"].copied == 0
    assert merged.tables["reports"].copied == 1 and merged.tables["reports"].renumbered == 1
    target = await open_store(url)
    try:
        async with target.read() as tx:
            numbers = [r[0] for r in await tx.fetchall("SELECT number FROM reports ORDER BY id")]
            units = await copying.count(tx, "units")
    finally:
        await target.close()
    assert numbers == ["BC-2026-000001", "BC-2026-000002", "BC-2026-000003", "BC-2026-000004"]
    assert units == 6


async def test_sqlite_into_sqlite(tmp_path: Path, where: dict[str, str]) -> None:
    path, tally = await province(tmp_path, where)
    target = str(tmp_path / "quoc-gia.sqlite3")
    source = await counts_at(path)
    summary = await copy(path, target)
    accounted(summary, {}, source)
    left = summary.tables["outbox"].left  # messages already sent stay behind
    assert left > 0 and summary.tables["outbox"].left_reason
    where["at"] = target
    h = await make_harness(tmp_path / "t")
    try:
        assert await counts(h.db) == {**source, "outbox": source["outbox"] - left}
        assert await _tally(h) == tally
    finally:
        await h.close()
    assert (await copy(path, target)).copied == 0


async def test_transient_tables_are_said_and_left(tmp_path: Path, where: dict[str, str]) -> None:
    path, _ = await province(tmp_path, where)
    summary = await copy(path, str(tmp_path / "t.sqlite3"))
    lines = "\n".join(summary.lines())
    assert "processed_updates" in lines and TRANSIENT["processed_updates"] in lines
    assert "units                      0 copied, 0 already there" not in lines


async def test_refusals_say_what_to_do(tmp_path: Path, where: dict[str, str]) -> None:
    path, _ = await province(tmp_path, where)
    with pytest.raises(CopyRefused, match="same database"):
        await copy(path, path)
    # a unit placed elsewhere in the target: nothing is written
    target = str(tmp_path / "t.sqlite3")
    db = await open_store(target)
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO units (name, kind, path, created_at) VALUES ('X', 'commune', ?, ?)",
                (COMMUNE, NOW),
            )
    finally:
        await db.close()
    with pytest.raises(CopyRefused, match="elsewhere in the target"):
        await copy(path, target)
    assert (await counts_at(target))["members"] == 0


async def test_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: Any
) -> None:
    parser = argparse.ArgumentParser()
    db_cli.add_parser(parser.add_subparsers())
    missing = parser.parse_args(["db", "copy", "--from", str(tmp_path / "none.sqlite3")])
    assert await db_cli.run(Config(), missing) == 1
    assert "no database at" in capsys.readouterr().err
    path, _ = await province(tmp_path, where)
    target = f"sqlite:///{tmp_path / 'n.sqlite3'}"
    args = parser.parse_args(["db", "copy", "--from", f"sqlite:///{path}", "--to", target])
    assert await db_cli.run(Config(), args) == 0
    out = capsys.readouterr().out
    assert "reports" in out and "2 copied" in out and "row(s) copied in" in out


async def test_every_table_has_a_decision(tmp_path: Path) -> None:
    """A table added later must be copied or left on purpose: this lists those without."""
    db = await open_store(str(tmp_path / "any.sqlite3"))
    try:
        async with db.read() as tx:
            rows = await tx.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    finally:
        await db.close()
    own = {"schema_migrations", "database_identity", "copied_rows", "tally_version"}
    decided = {*ALL, *TRANSIENT, *own}
    assert sorted({str(r[0]) for r in rows} - decided) == []


async def test_in_chunks_a_stopped_copy_is_finished_by_the_next(
    tmp_path: Path, where: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, tally = await province(tmp_path, where)
    source = await counts_at(path)
    target = str(tmp_path / "t.sqlite3")
    monkeypatch.setattr(copy_module, "CHUNK", 2)
    real = copying.insert_rows
    calls = 0

    async def dies_half_way(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 30:
            raise RuntimeError("killed")
        await real(*args)

    monkeypatch.setattr(copying, "insert_rows", dies_half_way)
    src, dst = await open_store(path), await open_store(target)
    try:
        with pytest.raises(RuntimeError, match="killed"):
            await copy_database(src, dst, load_forms(), NOW, in_chunks=True)
        half = await counts(dst)
        assert half["members"] > 0 and half["reports"] < source["reports"]
        summary = await copy_database(src, dst, load_forms(), NOW, in_chunks=True)
        assert summary.tables["members"].already > 0
    finally:
        await src.close()
        await dst.close()
    left = summary.tables["outbox"].left
    assert await counts_at(target) == {**source, "outbox": source["outbox"] - left}
    where["at"] = target
    h = await make_harness(tmp_path / "t")
    try:
        assert await _tally(h) == tally
    finally:
        await h.close()


async def test_the_same_messenger_user_in_both_is_refused_with_the_reason(
    tmp_path: Path, where: dict[str, str]
) -> None:
    path, _ = await province(tmp_path, where)
    target = str(tmp_path / "t.sqlite3")
    where["at"] = target
    h = await make_harness(tmp_path / "t")
    try:
        theirs = await h.add_member(1, "Người Khác", "member", TEAM_C)  # An's Telegram account
    finally:
        await h.close()
    summary = await copy(path, target)
    t = summary.tables["identities"]
    assert list(t.refused.values()) == [1] and "link code" in next(iter(t.refused))
    assert "1 refused (this messenger user is already linked" in "\n".join(summary.lines())
    db = await open_store(target)
    try:
        async with db.read() as tx:
            row = await tx.fetchone("SELECT member_id FROM identities WHERE user_id = '1'")
            an = await tx.fetchone("SELECT id FROM members WHERE full_name = 'Nguyễn Văn An'")
    finally:
        await db.close()
    assert row is not None and row["member_id"] == theirs  # the target's link stands
    assert an is not None  # An is copied all the same, to be linked again
    again = await copy(path, target)
    assert again.copied == 0 and sum(again.tables["identities"].refused.values()) == 1
