"""The tally page's kept figures: computed again after every change a tally reads (a report,
a withdrawn report, a leave, a role, a goal, a member who blocked the bot), kept through the
bot's own bookkeeping (a sign-in, a message answered in chat, an outbox mark).

The changes are stored the way their dialogs store them (the storage functions): what is
tested here is when the page computes, not the dialogs."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.core.clock import iso
from bot.tally.periods import month_named
from bot.tally.prepared import prepare
from bot.web.tally.page import TALLIES
from storage import leaves, members, memberships, reports, target_overrides, units
from storage.data_version import tally_version
from storage.db import Row, Tx
from tests.inproc.helpers import file_patrol, one
from tests.inproc.police_world import People, enrol
from tests.inproc.web_pages import text_of
from tests.support.harness import COMMUNE, PROVINCE, Harness
from tests.support.web import browser, sign_in

COMPUTED = re.compile(r"Số liệu tính lúc (\d\d:\d\d \d\d/\d\d/\d{4})")
FIRST = "09:00 23/11/2026"
LATER = "09:05 23/11/2026"


async def tally_page(b: TestClient) -> tuple[str, str]:
    """The province page's text and when its figures were computed."""
    got = await b.get("/thong-ke")
    assert got.status == 200
    text = text_of(await got.text())
    found = COMPUTED.search(text)
    assert found, text
    return text, found.group(1)


async def a_report_filed(h: Harness, p: People) -> None:
    await file_patrol(p.an)


async def the_report_withdrawn(h: Harness, p: People) -> None:
    report = await one(h, "SELECT id FROM reports WHERE status = 'active'")
    async with h.db.transaction() as tx:
        await reports.withdraw(tx, int(report["id"]), iso(h.clock.now()))


async def a_leave_recorded(h: Harness, p: People) -> None:
    today = h.clock.now().date()
    async with h.db.transaction() as tx:
        await leaves.create(
            tx,
            p.ids["an"],
            (today - timedelta(days=3)).isoformat(),
            today.isoformat(),
            "ốm",
            p.ids["cuong"],
            iso(h.clock.now()),
        )


async def a_role_changed(h: Harness, p: People) -> None:
    async with h.db.transaction() as tx:
        stretch = await memberships.latest(tx, p.ids["an"])
        assert stretch is not None
        await memberships.change(
            tx, stretch, stretch.unit_id, "leader", h.clock.now().date(), iso(h.clock.now())
        )


async def a_goal_set(h: Harness, p: People) -> None:
    async with h.db.transaction() as tx:
        commune = await units.get_by_path(tx, COMMUNE)
        assert commune is not None
        await target_overrides.put(
            tx,
            commune.id,
            "patrol_participation",
            0.5,
            p.ids["lan"],
            "Đinh Thị Lan",
            iso(h.clock.now()),
        )


async def the_member_blocked_the_bot(h: Harness, p: People) -> None:
    async with h.db.transaction() as tx:
        assert await members.mark_unreachable(tx, "telegram", "1", iso(h.clock.now())) == 1


Change = Callable[[Harness, People], Awaitable[None]]


@pytest.mark.parametrize(
    "change",
    [
        a_report_filed,
        the_report_withdrawn,
        a_leave_recorded,
        a_role_changed,
        a_goal_set,
        the_member_blocked_the_bot,
    ],
)
async def test_a_change_a_tally_reads_makes_the_page_compute_again(
    wh: Harness, change: Change
) -> None:
    p = await enrol(wh)
    await file_patrol(p.an)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        _, computed = await tally_page(b)
        assert computed == FIRST
        wh.clock.advance(minutes=5)
        await change(wh, p)
        text, computed = await tally_page(b)
        assert computed == LATER
        assert len(b.server.app[TALLIES]) == 1  # the tally of the older version is dropped
        reports_now = 0 if change is the_report_withdrawn else 2 if change is a_report_filed else 1
        assert f"Tổng số báo cáo {reports_now}" in text


async def test_a_sign_in_and_a_chat_answered_keep_the_tally_computed(wh: Harness) -> None:
    p = await enrol(wh)
    await file_patrol(p.an)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        before, computed = await tally_page(b)
        assert computed == FIRST
        async with wh.db.read() as tx:
            version = await tally_version(tx)
        wh.clock.advance(minutes=5)
        async with browser(wh) as other:
            await sign_in(other, p.lan)  # /web in chat, a one-time link, a new session
        await p.an.send("/trogiup")  # the inbound journal, the member's last message, a reply
        outbox_id = await wh.enqueue("nhac-viec", 1)  # a message queued, sent and marked
        assert await wh.drain() == 1
        sent = await one(wh, "SELECT status FROM outbox WHERE id = ?", (outbox_id,))
        assert sent["status"] == "sent"
        async with wh.db.read() as tx:
            assert await tally_version(tx) == version
        again, computed = await tally_page(b)
        assert computed == FIRST
        assert again == before
        assert len(b.server.app[TALLIES]) == 1


class _Watched(Tx):
    """A transaction on a plain sqlite3 connection, which says which tables it read."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.plain = conn
        self.read: set[str] = set()
        conn.set_authorizer(self._note)

    def _note(self, action: int, table: str | None, *_: Any) -> int:
        if action == sqlite3.SQLITE_READ and table:
            self.read.add(table)
        return sqlite3.SQLITE_OK

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return list(self.plain.execute(sql, tuple(params)).fetchall())

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        row: Row | None = self.plain.execute(sql, tuple(params)).fetchone()
        return row


@pytest.mark.sqlite_only  # reads SQLite's own catalogue (PostgreSQL's twin: test_pg_store)
async def test_every_table_a_tally_reads_moves_the_tally_version(
    wh: Harness, tmp_path: Path
) -> None:
    p = await enrol(wh)
    await file_patrol(p.an)
    conn = sqlite3.connect(tmp_path / "bot.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        province = await units.get_by_path(_Watched(conn), PROVINCE)
        assert province is not None
        services = wh.runtime.services
        now = wh.clock.now()
        watched = _Watched(conn)
        await prepare(
            watched,
            province,
            month_named(now.year, now.month),
            config=services.config,
            forms=services.forms,
            texts=services.texts,
            locale="vi",
            now=now,
        )
        conn.set_authorizer(None)
        triggers = conn.execute(
            "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND sql LIKE '%UPDATE tally_version SET n = n + 1%'"
        ).fetchall()
    finally:
        conn.close()
    assert {"reports", "memberships", "units", "leaves"} <= watched.read
    for table in watched.read:
        on = {
            re.search(r"AFTER (INSERT|UPDATE|DELETE)", t["sql"]).group(1)  # type: ignore[union-attr]
            for t in triggers
            if t["tbl_name"] == table
        }
        assert on == {"INSERT", "UPDATE", "DELETE"}, table
