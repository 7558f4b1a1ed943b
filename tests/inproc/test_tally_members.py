"""The workbook's per-member sheet against a team worked out by hand, on a real database.

Xã X has Thôn A and Thôn B; the period is November 2026 (30 days), tallied on the morning
of 1 December, so every day is due (deadline 21:00; a report is late once 06:00 of the next
day has passed).

- a1 (leader of A): nil reports on 1..10/11 at 20:00, a patrol on 11/11 at 20:30 with a2
  and m as team-mates, a good deed for 12/11 filed on 13/11 at 07:00 (late).
  Due 30 days, on time 11 (1..11; the late one does not count), reports 12, patrols 1.
- a2 (member of A): on leave 21..25/11, a nil report on 21/11 (a leave day: neither helps
  nor hurts). Due 30 - 5 = 25, on time 0, reports 1, patrols 1 (picked by a1).
- m: member of A until 15/11, of B from 16/11. In A: a nil report on 5/11; due 15, on time
  1, reports 1, patrols 1 (picked by a1). In B: a nil report on 20/11 and a patrol on 22/11
  with b1; due 15, on time 2, reports 2, patrols 1.
- b1 (leader of B): files nothing; picked on m's patrol. Due 30, on time 0, patrols 1.

So team A's members add up to due 30 + 25 + 15 = 70 and on time 11 + 0 + 1 = 12; team B's
to 15 + 30 = 45 and 2: the team sheet's own figures.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.core.config import Config
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally import files as tally_files
from bot.tally.compute import Tally, compute
from bot.tally.labels import labels_for
from bot.tally.periods import month_named
from storage import leaves, members, memberships, reports, units
from storage.db import Store
from storage.stores import open_store
from tests.support import backend
from tests.support.workbook import records

X = "Xã X"
A = f"{X}/Thôn A"
B = f"{X}/Thôn B"
NOW = datetime(2026, 12, 1, 8, 0)
CONFIG = Config()
FORMS = load_forms(None)
KINDS = [c.key for c in FORMS.categories]
URGENT = [c.key for c in FORMS.categories if c.urgent]
TEXTS = Texts.load()


class World:
    """A commune of two teams, its people and their reports."""

    def __init__(self, db: Store) -> None:
        self.db = db
        self.ids: dict[str, int] = {}
        self.units: dict[str, int] = {}
        self.count = 0

    async def unit(self, path: str, kind: str) -> None:
        async with self.db.transaction() as tx:
            self.units[path], _ = await units.upsert(tx, path, kind, None, "2026-01-01")

    async def member(self, key: str, path: str, role: str) -> None:
        async with self.db.transaction() as tx:
            self.ids[key] = await members.create(
                tx, self.units[path], role, f"Người {key}", "vi", "2026-01-01T08:00:00+07:00"
            )

    async def report(
        self, who: str, path: str, kind: str, day: int, filed: str, with_: tuple[str, ...] = ()
    ) -> None:
        """File one report for `day` of November at `filed` ('2026-11-13T07:00')."""
        self.count += 1
        stamp = f"{filed}:00+07:00"
        async with self.db.transaction() as tx:
            rid = await reports.create(
                tx,
                number=f"BC-{self.count}",
                member_id=self.ids[who],
                unit_id=self.units[path],
                kind=kind,
                report_date=f"2026-11-{day:02d}",
                data={},
                urgent=False,
                now_iso=stamp,
                edit_until_iso=stamp,
            )
            if with_:
                await reports.set_participants(tx, rid, [self.ids[k] for k in with_])


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_store(await backend.location(str(tmp_path / "members.sqlite3")))
    w = World(db)
    await w.unit(X, "commune")
    await w.unit(A, "village")
    await w.unit(B, "village")
    await w.member("o", X, "officer")
    await w.member("a1", A, "leader")
    await w.member("a2", A, "member")
    await w.member("m", A, "member")
    await w.member("b1", B, "leader")
    async with db.transaction() as tx:
        stretch = await memberships.latest(tx, w.ids["m"])
        assert stretch is not None
        await memberships.change(
            tx, stretch, w.units[B], "member", date(2026, 11, 16), "2026-11-16T08:00:00+07:00"
        )
        await leaves.create(
            tx, w.ids["a2"], "2026-11-21", "2026-11-25", "ốm", w.ids["a1"], "2026-11-20T08:00"
        )
    for day in range(1, 11):
        await w.report("a1", A, "nil", day, f"2026-11-{day:02d}T20:00")
    await w.report("a1", A, "patrol", 11, "2026-11-11T20:30", with_=("a2", "m"))
    await w.report("a1", A, "good_deed", 12, "2026-11-13T07:00")
    await w.report("a2", A, "nil", 21, "2026-11-21T20:00")
    await w.report("m", A, "nil", 5, "2026-11-05T19:00")
    await w.report("m", B, "nil", 20, "2026-11-20T19:00")
    await w.report("m", B, "patrol", 22, "2026-11-22T20:00", with_=("b1",))
    yield w
    await db.close()


async def tally_of(world: World) -> Tally:
    async with world.db.read() as tx:
        unit = await units.get_by_path(tx, X)
        assert unit is not None
        return await compute(tx, unit, month_named(2026, 11), CONFIG, KINDS, NOW, URGENT)


async def test_the_member_sheet_matches_the_hand_worked_team(world: World) -> None:
    tally = await tally_of(world)
    labels = labels_for(TEXTS, FORMS, CONFIG, "vi")
    book = load_workbook(
        io.BytesIO(await tally_files.xlsx_bytes(world.db, tally, labels, CONFIG, None))
    )
    lines = records(book["Từng thành viên"])
    got = [
        (
            r["Tổ"],
            r["Họ và tên"],
            r["Vai trò"],
            r["Ngày phải báo cáo"],
            r["Ngày báo cáo đúng hạn"],
            r["Tổng số báo cáo"],
            r["Số lần tuần tra"],
        )
        for r in lines
    ]
    assert got == [
        ("Thôn A", "Người a1", "Tổ trưởng", 30, 11, 12, 1),
        ("Thôn A", "Người a2", "Tổ viên", 25, 0, 1, 1),
        ("Thôn A", "Người m", "Tổ viên", 15, 1, 1, 1),
        ("Thôn B", "Người b1", "Tổ trưởng", 30, 0, 0, 1),
        ("Thôn B", "Người m", "Tổ viên", 15, 2, 2, 1),
    ]
    a1 = lines[0]
    assert (a1["Không có vụ việc"], a1["Tuần tra ANTT, ATGT"], a1["Người tốt, việc tốt"]) == (
        10,
        1,
        1,
    )
    assert a1["Tỷ lệ đúng hạn"] == pytest.approx(11 / 30)
    assert all(r["Xã"] == "Xã X" for r in lines)
    # The members add up to their team's line.
    teams = {r["Đơn vị"]: r for r in records(book["Các tổ"])}
    for team in ("Thôn A", "Thôn B"):
        mine = [r for r in lines if r["Tổ"] == team]
        assert sum(r["Ngày phải báo cáo"] for r in mine) == teams[team]["Ngày phải báo cáo"]
        assert sum(r["Ngày báo cáo đúng hạn"] for r in mine) == teams[team]["Ngày báo cáo đúng hạn"]
    assert (teams["Thôn A"]["Ngày phải báo cáo"], teams["Thôn B"]["Ngày phải báo cáo"]) == (70, 45)
