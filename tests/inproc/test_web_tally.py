"""/thong-ke: a unit's tally on a page, the same figures as /thongke, drill-down and refusals."""

from __future__ import annotations

import re

import pytest

from bot.web import links
from bot.web.tally.page import TALLIES
from storage import units
from tests.inproc.helpers import file_patrol
from tests.inproc.police_world import People, enrol
from tests.inproc.web_pages import href, table, text_of
from tests.support.harness import COMMUNE, TEAM_A, Harness, TgUser
from tests.support.web import browser, path_of, sign_in

TARGET_LINE = re.compile(
    r"^• (?:(\d\.\d) )?(.+?)(?: \(thực tiễn địa phương\))?: (\d+/\d+) \((.+)\)$"
)
TOTALS = re.compile(r"Tổng: (\d+) tổ · (\d+/\d+) tổ viên đã báo cáo · đúng hạn (\S+) · muộn (\d+)")
BAD_DATE = "Gõ ngày theo dạng ngày/tháng/năm, ví dụ 01/10/2026, hoặc chọn ngày trên lịch."


async def unit_id(h: Harness, path: str) -> int:
    async with h.db.read() as tx:
        unit = await units.get_by_path(tx, path)
    assert unit is not None
    return unit.id


async def chat_tally(user: TgUser, args: str = "") -> str:
    """The /thongke message the user gets in chat."""
    replies = await user.send(f"/thongke {args}".strip())
    return next(m.text for m in replies if m.file_kind is None)


def same_figures(chat: str, page: str) -> None:
    """The page shows the totals and every target line of the chat's message alike."""
    totals = TOTALS.search(chat)
    assert totals, chat
    teams, reporters, compliance, late = totals.groups()
    tiles = text_of(re.search(r'<ul class="totals">(.*?)</ul>', page, re.S).group(1))  # type: ignore[union-attr]
    assert tiles == (
        f"Tổ {teams} Người báo cáo {reporters} Báo cáo đúng hạn {compliance} "
        f"Báo cáo muộn {late} Tổng số báo cáo {tiles.rsplit(' ', 1)[1]}"
    )
    lines = [m.groups() for line in chat.splitlines() if (m := TARGET_LINE.match(line))]
    assert len(lines) == 14, chat
    rows = table(page, "targets")
    assert [(r[0], r[2], r[5]) for r in rows] == [(c or "", v, n) for c, _, n, v in lines]
    for row in rows:
        assert row[4] in {"✓", "✗", "—"}


async def test_a_province_supervisor_drills_down_to_a_team_and_sees_the_chat_figures(
    wh: Harness,
) -> None:
    p = await enrol(wh)
    await file_patrol(p.an)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        page = await (await b.get("/thong-ke")).text()
        assert "Tỉnh Lạng Sơn · Tháng 11/2026 (01/11–30/11/2026)" in page
        assert "Số liệu tính lúc 09:00 23/11/2026" in page
        same_figures(await chat_tally(p.son), page)
        assert "(thực tiễn địa phương)" in page
        units_below = table(page, "units")
        assert [r[0] for r in units_below] == ["Xã Bắc Sơn", "Xã Hữu Vĩnh"]
        assert '<img class="chart" src="/thong-ke/bieu-do?don-vi=' in page

        got = await b.get(href(page, "Xã Bắc Sơn"))
        commune = await got.text()
        assert got.status == 200 and "Xã Bắc Sơn · Tháng 11/2026" in commune
        same_figures(await chat_tally(p.son, "Xã Bắc Sơn"), commune)
        assert [r[0] for r in table(commune, "units")] == ["Thôn Khuôn Pinh", "Thôn Nà Lẹng"]
        assert (
            href(commune, "Tỉnh Lạng Sơn")
            == f"/thong-ke?don-vi={await unit_id(wh, 'Tỉnh Lạng Sơn')}&ky=m2026-11"
        )
        assert "(do cấp có thẩm quyền quyết định)" in commune

        team = await (await b.get(href(commune, "Thôn Nà Lẹng"))).text()
        chat = await chat_tally(p.son, "Nà Lẹng")
        rating = re.search(r"Đạt (\d+)/(\d+) chỉ tiêu · gợi ý: (.+)", chat)
        assert rating, chat
        met, applicable, suggested = rating.groups()
        assert f"Đạt {met}/{applicable} chỉ tiêu." in text_of(team)
        assert f"Gợi ý xếp loại: {suggested} (do cấp có thẩm quyền quyết định)." in text_of(team)
        marks = [r[4] for r in table(team, "targets")]
        assert marks.count("✓") == int(met) and marks.count("✓") + marks.count("✗") == int(
            applicable
        )
        members = table(team, "members")
        assert [m[0] for m in members] == ["Nguyễn Văn An"]
        assert href(team, "Xã Bắc Sơn").startswith("/thong-ke?don-vi=")

        chart = await b.get(f"/thong-ke/bieu-do?don-vi={await unit_id(wh, TEAM_A)}&ky=m2026-11")
        assert chart.status == 200 and chart.headers["Content-Type"] == "image/png"
        assert (await chart.read())[:8] == b"\x89PNG\r\n\x1a\n"


async def test_an_officer_of_another_commune_is_refused_the_commune_and_its_chart(
    wh: Harness,
) -> None:
    p = await enrol(wh)
    commune = await unit_id(wh, COMMUNE)
    async with browser(wh) as b:
        await sign_in(b, p.hai)
        for path in (f"/thong-ke?don-vi={commune}", f"/thong-ke/bieu-do?don-vi={commune}"):
            refused = await b.get(path)
            assert refused.status == 403
            assert "Không có quyền" in await refused.text()
        for path in ("/thong-ke?don-vi=999999", "/thong-ke?don-vi=abc"):
            assert (await b.get(path)).status == 404
        own = await b.get("/thong-ke")
        assert own.status == 200 and "Xã Hữu Vĩnh · Tháng 11/2026" in await own.text()
        assert len(b.server.app[TALLIES]) == 1  # the refused ones computed nothing


async def test_a_member_with_a_files_session_opens_no_tally(wh: Harness) -> None:
    p: People = await enrol(wh)
    async with wh.db.transaction() as tx:
        made = await links.file(tx, wh.config, p.ids["an"], wh.clock.now(), "a.csv", b"x")
    async with browser(wh) as b:
        assert (await b.post(path_of(made.url))).status == 200  # claimed: a 'files' session
        for path in ("/thong-ke", "/thong-ke/bieu-do", "/tai-ve"):
            assert (await b.get(path)).status == 403


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("tu=31/13/2026&den=01/12/2026", "Chưa đọc được ngày bắt đầu “31/13/2026”. " + BAD_DATE),
        ("tu=01/11/2026&den=hôm+qua", "Chưa đọc được ngày kết thúc “hôm qua”. " + BAD_DATE),
        ("tu=01/11/2026", "Cần cả “Từ ngày” và “Đến ngày”, ví dụ từ 01/10/2026 đến 31/10/2026"),
        ("tu=30/11/2026&den=01/11/2026", "“Từ ngày” đang sau “Đến ngày”."),
        ("tu=01/01/2020&den=01/11/2026", "Khoảng ngày dài quá 731 ngày."),
        (
            "thang=2026-13",
            "Chưa đọc được tháng “2026-13”. Chọn tháng trên lịch hoặc gõ theo dạng 10/2026",
        ),
        ("ky=zzz", "Kỳ thống kê trong địa chỉ không đúng."),
    ],
)
async def test_dates_that_cannot_be_read_say_what_to_type_and_compute_nothing(
    wh: Harness, query: str, says: str
) -> None:
    p = await enrol(wh)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        got = await b.get("/thong-ke?" + query)
        page = await got.text()
        assert got.status == 400
        assert says in text_of(page)
        assert '<table class="targets">' not in page and 'class="chart"' not in page
        assert len(b.server.app[TALLIES]) == 0


async def test_typed_and_picked_dates_name_the_same_period(wh: Harness) -> None:
    p = await enrol(wh)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        for query in ("tu=01/11/2026&den=22/11/2026", "tu=2026-11-01&den=2026-11-22"):
            page = await (await b.get("/thong-ke?" + query)).text()
            assert "Tỉnh Lạng Sơn · 01/11–22/11/2026" in page
        for month in ("2026-10", "10/2026"):
            page = await (await b.get("/thong-ke?thang=" + month)).text()
            assert "Tỉnh Lạng Sơn · Tháng 10/2026 (01/10–31/10/2026)" in page
        assert len(b.server.app[TALLIES]) == 2  # the same range twice is computed once


async def test_a_new_report_is_on_the_page_at_once_and_the_old_tally_is_dropped(
    wh: Harness,
) -> None:
    p = await enrol(wh)
    async with browser(wh) as b:
        await sign_in(b, p.son)
        before = await (await b.get("/thong-ke")).text()
        assert "Tổng số báo cáo 0" in text_of(before)
        again = await (await b.get("/thong-ke")).text()
        assert again == before  # nothing changed: the kept tally, computed at the same time
        wh.clock.advance(minutes=5)
        await file_patrol(p.an)
        after = text_of(await (await b.get("/thong-ke")).text())
        assert "Tổng số báo cáo 1" in after and "Số liệu tính lúc 09:05 23/11/2026" in after
        assert len(b.server.app[TALLIES]) == 1
