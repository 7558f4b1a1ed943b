"""/bao-cao: the reports of an area filtered by kind, unit, dates and state; one report with
its answers, photos and history; the privacy of tips; other areas refused."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import ManualClock
from bot.web.keys import PHOTOS
from tests.inproc.helpers import SUMMARY, file_patrol, file_tip, one
from tests.inproc.police_world import alert_of, enrol
from tests.support.harness import START, TEAM_B, Harness, TgUser, make_harness
from tests.support.web import browser, sign_in, web_config

WITHHELD = "(chi tiết chỉ dành cho Công an xã trở lên)"


async def file_fire_with_photos(user: TgUser, photos: list[str]) -> None:
    """A fire with a location pin and photos added on the summary."""
    await user.send("/baocao")
    await user.press("PCCC")
    await user.press("Cháy")
    await user.send_location(21.853, 106.761)
    await user.press("Có")
    await user.press("Có")
    await user.send("3")
    await user.send("Đã dập tắt đám cháy")
    await user.press("Thêm ảnh")
    for photo in photos:
        await user.send_photo(photo)
    await user.press("Xong")
    assert SUMMARY in user.last_text, user.last_text
    await user.press("Gửi báo cáo")


def numbers_in(page: str) -> list[str]:
    return sorted({part[:14] for part in page.split(">BC-")[1:] for part in ["BC-" + part]})


async def unit_id(h: Harness, path: str) -> int:
    return int((await one(h, "SELECT id FROM units WHERE path = ?", (path,)))["id"])


async def test_filters_narrow_the_list(tmp_path: Path) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        await h.add_member(2, "Trần Thị Bình", "member", TEAM_B)
        await file_tip(p.an)  # BC-2026-000001, Thôn Nà Lẹng, received
        await file_patrol(h.user(2))  # BC-2026-000002, Thôn Khuôn Pinh
        team_b = await unit_id(h, TEAM_B)
        async with browser(h) as b:
            await sign_in(b, p.cuong)
            everything = await (await b.get("/bao-cao")).text()
            assert numbers_in(everything) == ["BC-2026-000001", "BC-2026-000002"]
            assert "Nguyễn Văn An" in everything and "Thôn Khuôn Pinh" in everything
            assert "2 báo cáo" in everything
            cases = {
                "/bao-cao?loai=tip": ["BC-2026-000001"],
                f"/bao-cao?don-vi={team_b}": ["BC-2026-000002"],
                "/bao-cao?trang-thai=received": ["BC-2026-000001"],
                "/bao-cao?tu=23/11/2026&den=2026-11-23": ["BC-2026-000001", "BC-2026-000002"],
                "/bao-cao?tu=24/11/2026": [],
            }
            for path, wanted in cases.items():
                page = await (await b.get(path)).text()
                assert numbers_in(page) == wanted, path
            bad = await (await b.get("/bao-cao?tu=31/02/2026")).text()
            assert "“Từ ngày” không đọc được. Gõ theo dạng 30/11/2026." in bad
            other = await unit_id(h, "Tỉnh Lạng Sơn/Xã Hữu Vĩnh/Thôn Làng Mới")
            outside = await (await b.get(f"/bao-cao?don-vi={other}")).text()
            assert "Đơn vị này không có hoặc không thuộc phạm vi của bạn." in outside
            assert numbers_in(outside) == []
        async with browser(h) as b:
            await sign_in(b, p.hai)  # the other commune sees neither
            assert numbers_in(await (await b.get("/bao-cao")).text()) == []
    finally:
        await h.close()


async def test_a_report_with_its_fields_photos_and_history(tmp_path: Path) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        await file_fire_with_photos(p.an, ["PH-1", "PH-2"])
        await h.drain()
        h.clock.advance(minutes=5)
        await p.cuong.press("✅ Đã tiếp nhận", on=alert_of(p.cuong))
        fetched: list[str] = []

        async def fetch(file_id: str) -> bytes | None:
            fetched.append(file_id)
            return b"\xff\xd8\xff photo " + file_id.encode()

        async with browser(h) as b, browser(h) as other:
            b.app[PHOTOS]["fetch"] = fetch
            await sign_in(b, p.cuong)
            page = await b.get("/bao-cao/1")
            assert page.status == 200
            text = await page.text()
            for part in (
                "<dt>Số báo cáo</dt><dd>BC-2026-000001</dd>",
                "<dt>Người báo</dt><dd>Nguyễn Văn An</dd>",
                "<dt>Đơn vị</dt><dd>Thôn Nà Lẹng</dd>",
                "<dt>Trạng thái</dt><dd>Đã tiếp nhận</dd>",
                "<dt>Địa điểm</dt><dd>📍 21.85300, 106.76100</dd>",
                "<dt>Kết quả</dt><dd>Đã dập tắt đám cháy</dd>",
                '<img src="/bao-cao/1/anh/1"',
                '<img src="/bao-cao/1/anh/2"',
                "09:05 23/11/2026 — Đã tiếp nhận (Hoàng Văn Cường)",
            ):
                assert part in text, part
            photo = await b.get("/bao-cao/1/anh/2")
            assert photo.status == 200 and photo.headers["Content-Type"] == "image/jpeg"
            assert await photo.read() == b"\xff\xd8\xff photo PH-2"
            assert fetched == ["PH-2"]
            assert (await b.get("/bao-cao/1/anh/3")).status == 404
            assert (await b.get("/bao-cao/99")).status == 404
            await sign_in(other, p.hai)
            assert (await other.get("/bao-cao/1")).status == 403
            assert (await other.get("/bao-cao/1/anh/1")).status == 403
            assert fetched == ["PH-2"]
    finally:
        await h.close()


async def test_a_tips_answers_are_withheld_from_roles_the_config_leaves_out(
    tmp_path: Path,
) -> None:
    config = web_config(tmp_path)
    config.tally.details_roles = ["officer"]
    h = await make_harness(tmp_path, ManualClock(START), config)
    try:
        p = await enrol(h)
        await file_tip(p.an)
        async with browser(h) as officer, browser(h) as supervisor:
            await sign_in(officer, p.cuong)
            shown = await (await officer.get("/bao-cao/1")).text()
            assert "Có nhóm thanh niên tụ tập đánh bạc" in shown and WITHHELD not in shown
            await sign_in(supervisor, p.lan)
            page = await supervisor.get("/bao-cao/1")
            assert page.status == 200
            hidden = await page.text()
            assert WITHHELD in hidden
            assert "đánh bạc" not in hidden and "Ngã ba chợ" not in hidden
            assert "BC-2026-000001" in hidden and "Nguyễn Văn An" in hidden
            listed = await (await supervisor.get("/khan")).text()
            assert "BC-2026-000001" in listed and "Ngã ba chợ" not in listed
    finally:
        await h.close()
