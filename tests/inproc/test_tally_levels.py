"""A month of many teams from the communes' kept months, closed or up to the last closed day
of the month still running: the same figures and the same message as counting every team,
whether the communes' lines are kept, missing or forgotten by a change, and /thongke still
sends every team in its files."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.config import Config, TallySection
from bot.tally import snapshots
from bot.tally.compute import Tally
from bot.tally.periods import Period, month_named, span
from bot.tally.prepared import Prepared, prepare
from bot.web.tally import rows as web_rows
from bot.web.tally.page import TALLIES
from storage import tally_snapshots, units
from tests.inproc.helpers import file_patrol, file_tip
from tests.inproc.web_pages import table, text_of
from tests.support.fakebot import Sent
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
    TgUser,
    make_harness,
)
from tests.support.web import browser, sign_in, web_config

OCTOBER = month_named(2026, 10)
NOW = datetime(2026, 11, 23, 9, 0)
SUMMARY_LINE = "Đơn vị có 3 tổ: tin nhắn chỉ tóm tắt, chi tiết từng tổ nằm trong tệp Excel/CSV."


def levels_config(tmp_path: Path) -> Config:
    """Every tally of more than one team may be shown as levels (both limits at 1); the web
    pages on."""
    config = web_config(tmp_path)
    config.tally = TallySection(file_team_limit=1, phone_team_limit=1)
    return config


@pytest.fixture(name="h")
async def levels_harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """A province whose members report from 1 October (`october`), seen on 23 November."""
    clock = ManualClock(datetime(2026, 10, 1, 8, 0))
    harness = await make_harness(tmp_path, clock, levels_config(tmp_path))
    yield harness
    await harness.close()


async def october(h: Harness) -> dict[str, TgUser]:
    """Members in the three teams from 1 October; patrols, a tip and nil days in it."""
    names = [
        (1, "Nguyễn Văn An", "member", TEAM_A),
        (2, "Lý Thị Bình", "leader", TEAM_A),
        (3, "Hoàng Văn Cường", "member", TEAM_B),
        (8, "Nông Văn Tài", "member", TEAM_C),
        (5, "Lê Thị Hà", "supervisor", PROVINCE),
    ]
    for user_id, name, role, path in names:
        await h.add_member(user_id, name, role, path)
    users = {key: h.user(i) for key, i in [("an", 1), ("binh", 2), ("cuong", 3), ("tai", 8)]}
    users["ha"] = h.user(5)
    for day in (2, 3, 9, 20):
        h.clock.set(datetime(2026, 10, day, 10, 0))
        await file_patrol(users["an"])
        if day in (3, 20):
            await file_patrol(users["cuong"])
        await users["tai"].send("/menu")
        await users["tai"].press("Hôm nay không có vụ việc")
    h.clock.set(datetime(2026, 10, 12, 10, 0))
    await file_tip(users["tai"])
    h.clock.set(NOW)
    return users


async def tallies(
    h: Harness,
    levels: bool,
    period: Period = OCTOBER,
    now: datetime | None = None,
    *,
    closed_days: bool = False,
) -> Prepared:
    """The province's tally (October's, seen now), from the communes' lines when it may be
    (`levels`; the running month up to its last closed day with `closed_days`, as /thongke
    asks), else counting every team."""
    async with h.db.read() as tx:
        province = await units.get_by_path(tx, PROVINCE)
        assert province is not None
        return await prepare(
            tx,
            province,
            period,
            config=h.config,
            forms=h.runtime.services.forms,
            texts=h.runtime.services.texts,
            locale="vi",
            now=h.clock.now() if now is None else now.replace(tzinfo=h.clock.tz),
            levels_over=1 if levels else None,
            closed_days=closed_days,
        )


def levels_of(tally: Tally) -> list[tuple[Any, ...]]:
    """Every figure, target and class of the units above the teams."""
    return [
        (
            u.unit_id,
            u.name,
            u.depth,
            u.figures,
            u.targets,
            u.teams_meeting,
            u.teams_applicable,
            u.movement_class,
        )
        for u in tally.units
        if not u.is_team
    ]


async def assert_same(h: Harness, from_lines: bool = True) -> Prepared:
    """The tally from the communes' lines says what counting every team says; not
    `from_lines`: too many lines are missing, and the tally counts every team instead."""
    whole = await tallies(h, levels=False)
    levels = await tallies(h, levels=True)
    assert whole.tally.levels_only is None
    assert (levels.tally.levels_only is not None) == from_lines
    assert (levels.tally.teams == []) == from_lines
    assert levels_of(levels.tally) == levels_of(whole.tally)
    assert levels.message(1) == whole.message(1)
    return levels


async def kept(h: Harness) -> dict[tuple[int, str, str], str]:
    """The kept lines' settings, by unit, month and last day counted."""
    async with h.db.read() as tx:
        found = await tx.fetchall("SELECT unit_id, month, through, settings FROM tally_snapshots")
    return {(int(r[0]), str(r[1]), str(r[2])): str(r[3]) for r in found}


def months_of(lines: dict[tuple[int, str, str], str], unit: int) -> set[str]:
    """The months a unit has a line of."""
    return {month for uid, month, _ in lines if uid == unit}


async def unit_id(h: Harness, path: str) -> int:
    async with h.db.read() as tx:
        unit = await units.get_by_path(tx, path)
    assert unit is not None
    return unit.id


async def refill(h: Harness) -> int:
    return await snapshots.refill_snapshots(h.runtime.services)


async def test_the_levels_say_what_counting_every_team_says_kept_or_not(h: Harness) -> None:
    await october(h)
    # nothing kept yet: every team is counted (quicker than each commune on its own)
    assert (await tallies(h, levels=True)).tally.levels_only is None
    # two communes × the last three closed months and November up to 22 November
    assert await refill(h) == 8
    assert await refill(h) == 0  # nothing missing
    months = {(month, through) for _, month, through in await kept(h)}
    assert months == {
        ("2026-11", "2026-11-22"),
        ("2026-10", "2026-10-31"),
        ("2026-09", "2026-09-30"),
        ("2026-08", "2026-08-31"),
    }
    ready = await assert_same(h)  # from the kept lines
    text = ready.message(1)
    assert SUMMARY_LINE in text
    assert "Tổng: 3 tổ · 3/4 tổ viên đã báo cáo" in text
    assert "🏅 Tốt nhất: Thôn Khuôn Pinh (Xã Bắc Sơn) (4/7)" in text
    assert "⚠️ Cần cố gắng: Thôn Làng Mới (Xã Hữu Vĩnh) (3/10)" in text
    assert "Khu dân cư (thôn, tổ dân phố): Tốt 0 · Khá 0 · Trung bình 1 · Yếu 2" in text


async def test_a_database_no_tally_of_which_reads_lines_keeps_none(h: Harness) -> None:
    await october(h)
    h.runtime.services.config.tally = TallySection(phone_team_limit=1, file_team_limit=3)
    assert await refill(h) == 0  # three teams: no tally covers more than both limits
    assert await kept(h) == {}
    h.runtime.services.config.tally = TallySection(phone_team_limit=2, file_team_limit=1)
    assert await refill(h) == 8


async def test_each_communes_best_and_weakest_stand_for_its_teams(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "RANKED_KEPT", 1)  # only one of each kept per commune
    await october(h)
    await refill(h)
    await assert_same(h)


async def test_a_change_forgets_the_lines_it_alters_in_the_same_transaction(h: Harness) -> None:
    await october(h)
    await refill(h)
    commune, other = await unit_id(h, COMMUNE), await unit_id(h, OTHER_COMMUNE)
    async with h.db.transaction() as tx:  # a patrol of Thôn Nà Lẹng withdrawn
        await tx.execute(
            "UPDATE reports SET status = 'cancelled' WHERE id = (SELECT MIN(r.id) FROM reports r"
            " JOIN units u ON u.id = r.unit_id WHERE u.path = ? AND r.report_date = ?)",
            (TEAM_A, "2026-10-09"),
        )
    left = await kept(h)
    # October and the months after it (models count "so far"); not September
    assert months_of(left, commune) == {"2026-09", "2026-08"}
    assert "2026-10" in months_of(left, other)  # the other commune's month is untouched
    ready = await assert_same(h)  # the one forgotten commune is counted on its own
    assert "Tuần tra ANTT, ATGT 5" in ready.message(1)
    assert await refill(h) == 2
    await assert_same(h)


@pytest.mark.parametrize(
    ("statement", "forgets"),
    [
        # a member moved into Thôn Khuôn Pinh: every month of Xã Bắc Sơn
        (
            "INSERT INTO memberships (member_id, unit_id, role, start_date, created_at)"
            " SELECT 1, u.id, 'member', '2026-11-23', '2026-11-23' FROM units u"
            f" WHERE u.path = '{TEAM_B}'",
            {COMMUNE},
        ),
        # a leave of Nông Văn Tài: his commune's months
        (
            "INSERT INTO leaves (member_id, start_date, end_date, recorded_by, created_at)"
            " SELECT m.id, '2026-10-05', '2026-10-06', m.id, '2026-11-23' FROM members m"
            " WHERE m.full_name = 'Nông Văn Tài'",
            {OTHER_COMMUNE},
        ),
        # households of a team changed: the tree changed, every line
        (
            f"UPDATE units SET households = 40 WHERE path = '{TEAM_C}'",
            {COMMUNE, OTHER_COMMUNE},
        ),
    ],
)
async def test_each_kind_of_change_forgets_what_it_may_alter(
    h: Harness, statement: str, forgets: set[str]
) -> None:
    await october(h)
    await refill(h)
    before = await kept(h)
    async with h.db.transaction() as tx:
        await tx.execute(statement)
    after = await kept(h)
    gone = {uid for uid, _, _ in set(before) - set(after)}
    assert gone == {await unit_id(h, path) for path in forgets}
    await assert_same(h, from_lines=len(forgets) == 1)  # one of two may be counted on its own


async def test_lines_of_other_settings_are_not_read(h: Harness) -> None:
    await october(h)
    await refill(h)
    async with h.db.transaction() as tx:  # a stale line, as if kept under other targets
        await tx.execute("UPDATE tally_snapshots SET body = '{}', settings = 'other'")
    await assert_same(h, from_lines=False)  # not read
    assert await refill(h) == 8
    await assert_same(h)
    assert await h.count("SELECT COUNT(*) FROM tally_snapshots") == 8


async def test_a_line_that_does_not_read_is_computed_again(h: Harness) -> None:
    await october(h)
    await refill(h)
    commune = await unit_id(h, COMMUNE)
    async with h.db.transaction() as tx:  # kept by a version with other figures
        await tx.execute(
            "UPDATE tally_snapshots SET body = ? WHERE unit_id = ? AND month = '2026-10'",
            ('{"figures": {"gone": 1}}', commune),
        )
    await assert_same(h)


async def test_a_line_kept_meanwhile_by_another_process_is_not_computed_twice(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await october(h)
    real = tally_snapshots.missing
    commune = await unit_id(h, COMMUNE)

    async def stale(tx: Any, month: str, through: str, settings: str) -> list[int]:
        """What the refill saw before another process kept every line."""
        return await real(tx, month, through, settings) or [commune]

    assert await refill(h) == 8
    monkeypatch.setattr(tally_snapshots, "missing", stale)
    assert await refill(h) == 0


async def test_an_open_month_or_another_period_counts_every_team(h: Harness) -> None:
    await october(h)
    await refill(h)
    cases = [
        (month_named(2026, 11), NOW, False),  # still running
        (month_named(2026, 10), datetime(2026, 10, 31, 20, 0), False),  # before its last deadline
        (span(date(2026, 10, 1), date(2026, 10, 31)), NOW, False),  # the same days, typed
        (month_named(2026, 10), NOW, True),
    ]
    for period, now, levels in cases:
        ready = await tallies(h, levels=True, period=period, now=now)
        assert (ready.tally.levels_only is not None) == levels, period


def csv_rows(sent: list[Sent]) -> list[list[str]]:
    data = next(m.file_data for m in sent if str(m.file_name).endswith(".csv"))
    return list(csv.reader(io.StringIO((data or b"").decode("utf-8-sig"))))


async def test_thongke_shows_last_month_as_levels_and_files_every_team(h: Harness) -> None:
    users = await october(h)
    await refill(h)
    await users["ha"].send("/thongke")
    replies = await users["ha"].press("Tháng trước")
    text = replies[0].text
    assert text.startswith("📊 Thống kê Tỉnh Lạng Sơn · Tháng 10/2026 (01/10–31/10/2026)")
    assert SUMMARY_LINE in text
    assert text.startswith((await tallies(h, levels=False)).message(1).split("\n\n")[0])
    labels = replies[0].labels()
    assert "🔎 Xã Bắc Sơn" in labels and "🔎 Xã Hữu Vĩnh" in labels
    teams = [row[0] for row in csv_rows(replies)[1:]]
    assert sorted(teams) == sorted(
        [
            "Thôn Nà Lẹng (Xã Bắc Sơn)",
            "Thôn Khuôn Pinh (Xã Bắc Sơn)",
            "Thôn Làng Mới (Xã Hữu Vĩnh)",
        ]
    ), teams


async def test_the_web_page_of_last_month_shows_the_same_from_the_kept_lines(h: Harness) -> None:
    users = await october(h)
    await refill(h)
    whole, levels = await tallies(h, levels=False), await tallies(h, levels=True)
    for make in (web_rows.unit_rows, web_rows.target_rows, web_rows.area_classes):
        assert make(levels.tally, levels.labels) == make(whole.tally, whole.labels)
    async with browser(h) as b:
        await sign_in(b, users["ha"])
        page = await (await b.get("/thong-ke?ky=m2026-10")).text()
    shown = b.server.app[TALLIES]._items
    assert [c.tally.levels_only is not None for c in shown.values()] == [True]
    assert [r[0] for r in table(page, "units")] == ["Xã Bắc Sơn", "Xã Hữu Vĩnh"]
    assert "Trung bình 1" in text_of(page) and "Yếu 2" in text_of(page)
