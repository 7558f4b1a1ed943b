"""/ban-do: reports with a location pin as points for the page's script (JSON in the page),
the same reports as a table, Leaflet served from the bot itself, no inline script, and the
page's word when there is no base map."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.core.clock import ManualClock
from tests.inproc.helpers import SUMMARY, file_tip
from tests.inproc.police_world import enrol
from tests.support.harness import START, TgUser, make_harness
from tests.support.web import browser, sign_in, web_config

NO_TILES = "Không tải được bản đồ nền"
POINTS = re.compile(r'<script type="application/json" id="map-points">(.*?)</script>', re.S)


async def file_fire_at(user: TgUser, lat: float, lon: float) -> None:
    await user.send("/baocao")
    await user.press("PCCC")
    await user.press("Cháy")
    await user.send_location(lat, lon)
    await user.press("Có")
    await user.press("Có")
    await user.send("3")
    await user.send("Đã dập tắt đám cháy")
    assert SUMMARY in user.last_text, user.last_text
    await user.press("Gửi báo cáo")


def points_of(page: str) -> list[dict[str, object]]:
    found = POINTS.search(page)
    assert found, page
    return list(json.loads(found.group(1)))


async def test_a_located_report_is_a_point_on_the_map_and_a_line_of_the_table(
    tmp_path: Path,
) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        await file_fire_at(p.an, 21.853, 106.761)  # BC-2026-000001, a pin
        await file_tip(p.an)  # BC-2026-000002, a typed place: no point
        async with browser(h) as b, browser(h) as other:
            await sign_in(b, p.cuong)
            page = await b.get("/ban-do")
            assert page.status == 200
            text = await page.text()
            points = points_of(text)
            assert [(x["id"], x["number"], x["lat"], x["lon"]) for x in points] == [
                (1, "BC-2026-000001", 21.853, 106.761)
            ]
            assert '<a href="/bao-cao/1">BC-2026-000001</a>' in text  # the table, no script
            assert "BC-2026-000002" not in text
            assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in text
            assert f'id="map-no-tiles" hidden>{NO_TILES}' in text  # shown by the script
            scripts = re.findall(r"<script([^>]*)>", text)
            assert scripts and all("src=" in s or "application/json" in s for s in scripts)
            assert points_of(await (await b.get("/ban-do?loai=tip")).text()) == []
            for path in ("/static/leaflet/leaflet.js", "/static/map.js", "/static/reports.css"):
                assert (await b.get(path)).status == 200, path
            await sign_in(other, p.hai)
            assert points_of(await (await other.get("/ban-do")).text()) == []
    finally:
        await h.close()


async def test_without_a_tile_server_the_page_says_so_and_keeps_the_points(
    tmp_path: Path,
) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path, tile_url=""))
    try:
        p = await enrol(h)
        await file_fire_at(p.an, 21.853, 106.761)
        async with browser(h) as b:
            await sign_in(b, p.cuong)
            text = await (await b.get("/ban-do")).text()
            assert f'id="map-no-tiles">{NO_TILES}' in text
            assert len(points_of(text)) == 1
    finally:
        await h.close()
