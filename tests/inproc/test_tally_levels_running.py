"""The month still running, for a subtree of many teams: added up from the communes' lines
up to its last closed day, with the same figures and message as counting every team over
those days. A report dated today leaves the lines alone; one dated before forgets its
commune's. /thongke and the web page say which days they count, and their files, buttons
and links keep to them."""

from __future__ import annotations

from datetime import date, datetime

from bot.tally.periods import month_named, month_through
from bot.tally.prepared import Prepared
from bot.web.tally.page import TALLIES
from tests.inproc.helpers import file_patrol
from tests.inproc.test_tally_levels import (
    NOW,
    csv_rows,
    kept,
    levels_harness,  # noqa: F401 (fixture h)
    levels_of,
    months_of,
    october,
    refill,
    tallies,
    unit_id,
)
from tests.inproc.web_pages import table, text_of
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, OTHER_COMMUNE, TEAM_A, Harness, TgUser
from tests.support.web import browser, sign_in

NOVEMBER = month_named(2026, 11)
UP_TO_22 = month_through(NOVEMBER, date(2026, 11, 22))  # 23 November 09:00: the 22nd closed
TITLE = "📊 Thống kê Tỉnh Lạng Sơn · Tháng 11/2026 (01/11–22/11/2026)"
CUT_LINE = (
    "Chỉ tính các ngày đã chốt: báo cáo từ ngày 23/11/2026 trở đi được cộng khi ngày đó"
    " qua hạn báo cáo 21:00."
)


async def november(h: Harness) -> dict[str, TgUser]:
    """October's reports, then patrols of Thôn Nà Lẹng on 20 November and a nil day; seen on
    23 November at 09:00."""
    users = await october(h)
    h.clock.set(datetime(2026, 11, 20, 10, 0))
    await file_patrol(users["an"])
    await file_patrol(users["cuong"])
    await users["tai"].send("/menu")
    await users["tai"].press("Hôm nay không có vụ việc")
    h.clock.set(NOW)
    return users


async def assert_same(h: Harness, *, from_lines: bool = True) -> Prepared:
    """The running month as /thongke asks for it says what counting every team up to the
    22nd says; not `from_lines`: too many lines are missing, so every team was counted."""
    whole = await tallies(h, levels=False, period=UP_TO_22)
    levels = await tallies(h, levels=True, period=NOVEMBER, closed_days=True)
    assert levels.tally.period == UP_TO_22
    assert (levels.tally.levels_only is not None) == from_lines
    assert levels_of(levels.tally) == levels_of(whole.tally)
    assert levels.message(1) == whole.message(1)
    return levels


async def test_the_running_month_is_added_up_to_its_last_closed_day(h: Harness) -> None:
    users = await november(h)
    await refill(h)
    text = (await assert_same(h)).message(1)
    assert text.startswith(TITLE)
    assert CUT_LINE in text
    assert "Tuần tra ANTT, ATGT 2" in text  # the patrols of 20 November
    # a patrol filed today is dated today: no line forgets it, and none counts it yet
    before = await kept(h)
    await file_patrol(users["an"])
    assert await kept(h) == before
    await assert_same(h)
    # without levels the month still running is counted as it stands, today's patrol too
    live = await tallies(h, levels=True, period=NOVEMBER)
    assert live.tally.period == NOVEMBER and live.tally.levels_only is None
    assert "Tuần tra ANTT, ATGT 3" in live.message(1)


async def test_a_report_dated_before_the_closed_day_forgets_its_communes_month(
    h: Harness,
) -> None:
    await november(h)
    await refill(h)
    commune, other = await unit_id(h, COMMUNE), await unit_id(h, OTHER_COMMUNE)
    async with h.db.transaction() as tx:  # the patrol of 20 November withdrawn
        await tx.execute(
            "UPDATE reports SET status = 'cancelled' WHERE id = (SELECT MIN(r.id) FROM reports r"
            " JOIN units u ON u.id = r.unit_id WHERE u.path = ? AND r.report_date = ?)",
            (TEAM_A, "2026-11-20"),
        )
    left = await kept(h)
    assert months_of(left, commune) == {"2026-10", "2026-09", "2026-08"}
    assert "2026-11" in months_of(left, other)
    ready = await assert_same(h)  # the forgotten commune counted on its own
    assert "Tuần tra ANTT, ATGT 1" in ready.message(1)
    assert await refill(h) == 1
    await assert_same(h)


async def test_each_deadline_makes_the_next_days_lines_due(h: Harness) -> None:
    await november(h)
    await refill(h)
    h.clock.set(datetime(2026, 11, 23, 21, 30))  # the 23rd has closed: its lines are missing
    ready = await tallies(h, levels=True, period=NOVEMBER, closed_days=True)
    assert ready.tally.levels_only is None  # counted as it stands until the refill
    assert ready.tally.period == NOVEMBER
    assert await refill(h) == 2
    ready = await tallies(h, levels=True, period=NOVEMBER, closed_days=True)
    assert ready.tally.period == month_through(NOVEMBER, date(2026, 11, 23))
    assert ready.tally.levels_only is not None
    through = {(month, day) for _, month, day in await kept(h) if month == "2026-11"}
    assert through == {("2026-11", "2026-11-23")}  # each commune's line of the 22nd replaced


def titles(sent: list[Sent]) -> list[str]:
    return [m.text.split("\n")[0] for m in sent if m.text.startswith("📊")]


async def test_thongke_shows_the_closed_days_and_keeps_to_them_in_files_and_buttons(
    h: Harness,
) -> None:
    users = await november(h)
    await refill(h)
    await file_patrol(users["an"])  # today's: neither the message nor the files count it
    replies = await users["ha"].send("/thongke")
    assert titles(replies) == [TITLE]
    assert CUT_LINE in replies[0].text
    labels = replies[0].labels()
    assert "• Tháng này" in labels  # the month it shows part of
    names = sorted(str(m.file_name) for m in replies if m.file_name)
    assert names[0] == "thongke_tinh-lang-son_m2026-11-den-20261122.csv"
    rows = csv_rows(replies)
    patrols = rows[0].index("Tuần tra ANTT, ATGT")
    counted = {row[0]: row[patrols] for row in rows[1:]}
    assert counted["Thôn Nà Lẹng (Xã Bắc Sơn)"] == "1"  # 20 November only, not today's
    down = await users["ha"].press("🔎 Xã Bắc Sơn")  # a commune: every team, the same days
    assert titles(down) == ["📊 Thống kê Xã Bắc Sơn · Tháng 11/2026 (01/11–22/11/2026)"]
    assert CUT_LINE in down[0].text


async def test_the_web_page_of_the_running_month_keeps_to_the_closed_days(h: Harness) -> None:
    users = await november(h)
    await refill(h)
    await file_patrol(users["an"])  # today's
    async with browser(h) as b:
        await sign_in(b, users["ha"])
        page = await (await b.get("/thong-ke")).text()
        chart = await b.get("/thong-ke/bieu-do?ky=m2026-11~20261122")
        assert chart.status == 200 and chart.content_type == "image/png"
    shown = text_of(page)
    assert "Tháng 11/2026 (01/11–22/11/2026)" in shown
    assert CUT_LINE in shown
    assert "ky=m2026-11~20261122" in page  # drill-down, chart and files keep to the days
    assert [r[0] for r in table(page, "units")] == ["Xã Bắc Sơn", "Xã Hữu Vĩnh"]
    computed = {id(c): c for c in b.server.app[TALLIES]._items.values()}
    assert len(computed) == 1  # the chart, asked for those days, drew the page's tally
    (one,) = computed.values()
    assert one.tally.levels_only is not None and one.tally.period == UP_TO_22
