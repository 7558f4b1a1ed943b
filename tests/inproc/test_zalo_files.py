"""Files on Zalo by link: with `[web] public_url` the chart and photos arrive by sendPhoto
from a URL the bot's web server serves, and each workbook, CSV or DOCX as a personal link
that opens only for its owner; without it, the texts say how an administrator turns links on
and nothing is stored."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from aiohttp.test_utils import TestClient

from bot.core.config import Config
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from bot.web.auth import when
from tests.inproc.commend_world import build
from tests.inproc.phase_world import config_for
from tests.inproc.police_world import enrol
from tests.inproc.test_zalo import fake  # noqa: F401  (the fake Zalo server)
from tests.support.fakezalo import PHOTO_BYTES, FakeZalo, SentMessage
from tests.support.harness import COMMUNE, START, TEAM_A
from tests.support.web import browser, path_of, sign_in
from tests.support.zaloweb import ZaloWeb, zalo_web

LINK_HINT = (
    "Muốn nhận tệp ngay trên Zalo: quản trị viên đặt địa chỉ trang (mục [web] public_url)"
    " trong tệp cấu hình rồi khởi động lại bot."
)

FILES_FAILED = "⚠️ Không gửi được tệp thống kê lúc này. Chọn lại kỳ thống kê sau ít phút."


def linked(messages: list[SentMessage], suffix: str) -> tuple[SentMessage, str]:
    """The one text that links a file ending in `suffix`, and the link's path."""
    found = [m for m in messages if m.text.startswith("📎 ") and f"{suffix}: http" in m.text]
    assert len(found) == 1, [m.text for m in messages]
    url = found[0].text.split(f"{suffix}: ", 1)[1].split()[0]
    return found[0], path_of(url)


async def owner_downloads(client: TestClient, path: str) -> bytes:
    """What the owner does: open the link (a page with one button), tap "Tải về"."""
    page = await client.get(path)
    assert page.status == 200 and "Tải về" in await page.text()
    got = await client.post(path)
    assert got.status == 200
    return await got.read()


async def test_the_tally_on_zalo_sends_the_chart_by_url_and_personal_file_links(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    async with zalo_web(tmp_path, fake) as z:
        p = await enrol(z.h)
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        replies = await z.say(tu, "/thongke")
        methods = [m.method for m in replies]  # the table (in two parts), then its files
        assert methods == ["sendMessage", "sendMessage", "sendPhoto", "sendMessage", "sendMessage"]
        table = replies[0].text
        assert table.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 11/2026")
        assert "📎 Kèm theo: bảng Excel, tệp CSV và biểu đồ." in table
        assert "Telegram" not in table and "public_url" not in table
        chart = replies[2]
        assert chart.photo and chart.photo.startswith("http://antt.test/tep/")
        workbook, xlsx_path = linked(replies, ".xlsx")
        expires = when(START.replace(tzinfo=z.h.clock.tz) + timedelta(hours=72), z.h.clock.tz)
        assert workbook.text.splitlines()[1] == (
            f"Mở được đến {expires}. Liên kết chỉ dành cho bạn: lần đầu mở, chọn “Tải về”"
            " trên trang; không chuyển cho người khác."
        )
        _, csv_path = linked(replies, ".csv")
        async with (
            browser(z.h) as zalo_fetch,
            browser(z.h) as owner,
            browser(z.h) as forwarded,
            browser(z.h) as officer,
        ):
            got = await zalo_fetch.get(path_of(chart.photo))
            assert got.status == 200 and got.headers["Content-Type"] == "image/png"
            assert (await got.read()).startswith(b"\x89PNG")
            book = openpyxl.load_workbook(io.BytesIO(await owner_downloads(owner, xlsx_path)))
            assert len(book.sheetnames) >= 2
            csv = await (await owner.get(csv_path)).read()  # the same browser: opens at once
            assert "Thôn Nà Lẹng" in csv.decode("utf-8-sig")
            refused = await forwarded.get(xlsx_path)  # claimed by the owner's browser
            assert refused.status == 403 and "trình duyệt khác" in await refused.text()
            await sign_in(officer, p.hai)  # another officer, signed in on the web
            assert (await officer.get(xlsx_path)).status == 403
        stored = await z.h.count(
            "SELECT COUNT(*) FROM web_links WHERE purpose IN ('file', 'photo')"
        )
        assert stored == 3


async def test_a_unit_with_many_teams_gets_the_summary_and_its_files_on_zalo(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    async with zalo_web(tmp_path, fake) as z:
        z.h.config.tally.phone_team_limit = 1  # Xã Bắc Sơn's two teams are "many"
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        replies = await z.say(tu, "/thongke")
        summary = "Đơn vị có 2 tổ: tin nhắn chỉ tóm tắt, chi tiết từng tổ nằm trong tệp Excel/CSV."
        assert summary in replies[0].lines()
        assert [m.method for m in replies][1:] == ["sendPhoto", "sendMessage", "sendMessage"]
        linked(replies, ".xlsx")


async def test_the_phase_report_on_zalo_is_a_docx_link_for_its_owner(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    async with zalo_web(tmp_path, fake, config_for(tmp_path)) as z:
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        await z.say(tu, "/baocaodot")
        made = await z.pick(tu, "Sơ kết Đợt 1")
        assert made[0].text.startswith("📄 Đã soạn báo cáo sơ kết Đợt 1 của Xã Bắc Sơn")
        assert "Telegram" not in made[0].text
        _, docx_path = linked(made, ".docx")
        _, annex_path = linked(made, "_phuluc.xlsx")
        async with browser(z.h) as owner:
            docx = await owner_downloads(owner, docx_path)
            assert docx.startswith(b"PK")
            got = await owner.get(annex_path)
            assert got.status == 200 and "spreadsheetml" in got.headers["Content-Type"]


async def report_a_fire_with_a_photo(z: ZaloWeb, reporter_name: str) -> None:
    """A member on Zalo reports a fire with one photo."""
    an, _ = await z.member(reporter_name, "member", TEAM_A)
    await z.say(an, "/baocao")
    for step in ("PCCC", "Cháy"):
        await z.pick(an, step)
    await z.say(an, "Nhà văn hóa thôn Nà Lẹng")
    await z.pick(an, "Có")
    await z.pick(an, "Có")
    await z.say(an, "3")
    await z.say(an, "Đã dập tắt")
    await z.pick(an, "Thêm ảnh")
    await z.say(an, photo=True)
    await z.pick(an, "Xong")
    sent = await z.pick(an, "Gửi báo cáo")
    assert sent[0].text.startswith("✅ Đã lưu báo cáo BC-2026-000001")


async def test_an_alert_photo_reaches_a_zalo_officer_by_sendphoto_from_a_link_that_opens(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    async with zalo_web(tmp_path, fake) as z:
        hai, _ = await z.member("Vi Văn Hải", "officer", COMMUNE)
        await report_a_fire_with_a_photo(z, "Nguyễn Văn An")
        await z.drain()
        alerts = [m for m in hai.messages if m.text.startswith("🚨 BÁO CÁO KHẨN:")]
        assert len(alerts) == 1
        assert "📷 1 ảnh gửi ngay sau tin này." in alerts[0].lines()
        assert "public_url" not in alerts[0].text
        [photo] = [m for m in hai.messages if m.method == "sendPhoto"]
        assert photo.text == "Ảnh 1/1 — BC-2026-000001"
        assert hai.messages.index(alerts[0]) < hai.messages.index(photo)
        assert photo.photo and photo.photo.startswith("http://antt.test/tep/")
        async with browser(z.h) as zalo_fetch:
            got = await zalo_fetch.get(path_of(photo.photo))
            assert got.status == 200 and got.headers["Content-Type"] == "image/jpeg"
            assert await got.read() == PHOTO_BYTES


async def test_without_public_url_zalo_texts_say_how_to_turn_links_on(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    async with zalo_web(tmp_path, fake, web=False) as z:
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        replies = await z.say(tu, "/thongke")
        assert [m.method for m in replies] == ["sendMessage"]
        assert LINK_HINT in replies[0].text
        hai, _ = await z.member("Vi Văn Hải", "officer", COMMUNE)
        await report_a_fire_with_a_photo(z, "Nguyễn Văn An")
        await z.drain()
        assert [m.method for m in hai.messages] == ["sendMessage"]  # no photo that cannot arrive
        assert (
            "📷 1 ảnh: bot đã lưu, sẽ gửi kèm khi hệ thống bật đường dẫn tệp"
            in hai.messages[0].text
        )
        assert await z.h.count("SELECT COUNT(*) FROM web_links") == 0


async def test_the_monthly_tally_reaches_a_zalo_officer_with_its_chart_and_workbook_link(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    config = Config.model_validate({"tally": {"month_starts_on": 15}})
    async with zalo_web(tmp_path, fake, config) as z:
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        z.h.clock.set(datetime(2026, 12, 15, 7, 30))
        await Planning(z.h.runtime.services, jobs_from(z.h.config, z.h.clock.tz)).tick()
        await z.drain()
        sent = tu.messages
        intro = next(m for m in sent if m.text.startswith("📊 Thống kê định kỳ"))
        assert "📎 Bảng Excel gửi ngay sau tin này." in intro.text
        assert "public_url" not in intro.text
        _, xlsx_path = linked(sent, ".xlsx")
        [chart] = [m for m in sent if m.method == "sendPhoto"]
        assert sent.index(intro) < sent.index(chart)
        assert chart.photo
        async with browser(z.h) as owner, browser(z.h) as zalo_fetch:
            book = await owner_downloads(owner, xlsx_path)
            assert len(openpyxl.load_workbook(io.BytesIO(book)).sheetnames) >= 2
            got = await zalo_fetch.get(path_of(chart.photo))
            assert got.status == 200 and (await got.read()).startswith(b"\x89PNG")
        await Planning(z.h.runtime.services, jobs_from(z.h.config, z.h.clock.tz)).tick()
        await z.drain()
        assert len(tu.messages) == len(sent)  # sent once


async def test_without_public_url_the_monthly_tally_on_zalo_says_how_to_get_files(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    config = Config.model_validate({"tally": {"month_starts_on": 15}})
    async with zalo_web(tmp_path, fake, config, web=False) as z:
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        z.h.clock.set(datetime(2026, 12, 15, 7, 30))
        await Planning(z.h.runtime.services, jobs_from(z.h.config, z.h.clock.tz)).tick()
        await z.drain()
        assert [m.method for m in tu.messages] == ["sendMessage"]
        assert LINK_HINT in tu.messages[0].text
        assert await z.h.count("SELECT COUNT(*) FROM web_links") == 0


async def test_a_file_that_cannot_be_built_is_told_on_zalo_and_nothing_is_linked(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*_: object) -> bytes:
        raise RuntimeError("the chart could not be drawn")

    monkeypatch.setattr("bot.tally.files.png_bytes", broken)
    async with zalo_web(tmp_path, fake) as z:
        tu, _ = await z.member("Lò Văn Tú", "officer", COMMUNE)
        replies = await z.say(tu, "/thongke")
        assert [m.method for m in replies] == ["sendMessage", "sendMessage"]
        assert replies[-1].text == FILES_FAILED
        assert await z.h.count("SELECT COUNT(*) FROM web_links") == 0


async def test_the_commendation_list_on_zalo_is_two_personal_links(
    tmp_path: Path,
    fake: FakeZalo,  # noqa: F811
) -> None:
    async with zalo_web(tmp_path, fake) as z:
        await build(z.h)
        tam, _ = await z.member("Ngô Văn Tâm", "officer", COMMUNE)
        await z.say(tam, "/khenthuong")
        await z.pick(tam, "Đợt 3")
        ticked = await z.say(tam, "3")
        assert ticked[0].text.startswith("✅ Đã đánh dấu đề nghị: Nguyễn Văn An.")
        z.last = ticked[-1]
        files = await z.pick(tam, "Xuất danh sách")
        assert files[0].text.startswith("📄 Danh sách đề nghị khen thưởng (1 dòng)")
        assert "Telegram" not in files[0].text
        _, xlsx_path = linked(files, ".xlsx")
        _, docx_path = linked(files, ".docx")
        async with browser(z.h) as owner:
            book = await owner_downloads(owner, xlsx_path)
            assert openpyxl.load_workbook(io.BytesIO(book)).sheetnames
            assert (await (await owner.get(docx_path)).read()).startswith(b"PK")
