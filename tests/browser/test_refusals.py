"""Refusals a person meets in the browser that need the clock moved or a file link made
directly: the in-process application on a loopback port (tests/browser/local.py), driven
by the session's Chromium. Each refusal is a page in Vietnamese that says what to do next.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl

from bot.web import links
from tests.browser.local import LocalSite, local_site, step
from tests.browser.pages import (
    PHONE,
    forget_sessions,
    heading,
    press,
    shot,
    sign_in_browser,
    text_of,
    wait_for_download,
    wait_for_text,
)


def workbook(title: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tổng hợp"
    sheet["A1"] = title
    sheet["B1"] = 7
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def file_link(site: LocalSite, owner: str, filename: str, data: bytes) -> str:
    h = site.h
    async with h.db.transaction() as tx:
        made = await links.file(tx, h.config, site.people.ids[owner], h.clock.now(), filename, data)
    return made.url


async def test_a_link_opened_after_its_ten_minutes_is_refused(tmp_path: Path, browser: Any) -> None:
    async with local_site(tmp_path) as site:
        link = await site.signin_link(site.people.cuong)
        site.h.clock.advance(minutes=9, seconds=59)
        await step(browser.get, link)
        await step(wait_for_text, browser, "Đăng nhập")  # still open: the button shows
        site.h.clock.advance(seconds=2)
        await step(press, browser, "Đăng nhập")
        page = await step(wait_for_text, browser, "đã hết hạn")
        assert await step(heading, browser) == "Liên kết hết hạn"
        assert "Liên kết đăng nhập này đã hết hạn." in page
        assert "Gõ /web trong chat với bot để nhận liên kết mới." in page
        await step(shot, browser, "refused-expired-link", PHONE)
        assert browser.get_cookie("antt_session") is None
        await step(browser.get, site.url + "/")
        await step(wait_for_text, browser, "Chưa đăng nhập")
        assert await site.h.count("SELECT COUNT(*) FROM web_sessions") == 0


async def test_a_workbook_opens_for_its_owner_only(
    tmp_path: Path, browser: Any, downloads: Path
) -> None:
    async with local_site(tmp_path) as site:
        url = await file_link(site, "cuong", "Thống kê Xã Bắc Sơn.xlsx", workbook("Xã Bắc Sơn"))
        # Another commune's officer, signed in, opens it.
        await step(sign_in_browser, browser, await site.signin_link(site.people.hai))
        await step(browser.get, url)
        page = await step(wait_for_text, browser, "Không mở được tệp")
        assert "Tệp này được tạo cho người khác" in page
        assert "Gõ lại lệnh trong chat với bot" in page
        await step(shot, browser, "refused-someone-elses-file", PHONE)
        assert not downloads.exists() or not list(downloads.iterdir())

        # Its owner, signed in, downloads it and the workbook opens.
        await step(forget_sessions, browser)
        home = await step(sign_in_browser, browser, await site.signin_link(site.people.cuong))
        assert "Hoàng Văn Cường" in home
        await step(browser.get, url)
        saved = await step(wait_for_download, downloads, ".xlsx")
        assert saved.name == "Thống kê Xã Bắc Sơn.xlsx"
        sheet = openpyxl.load_workbook(saved)["Tổng hợp"]
        assert (sheet["A1"].value, sheet["B1"].value) == ("Xã Bắc Sơn", 7)


async def test_a_member_with_a_file_session_may_not_see_the_pages(
    tmp_path: Path, browser: Any, downloads: Path
) -> None:
    async with local_site(tmp_path) as site:
        url = await file_link(site, "an", "Báo cáo của tôi.csv", "Ngày;Việc\n".encode())
        await step(browser.get, url)  # no session: one button, so a preview spends nothing
        await step(wait_for_text, browser, "Tải về")
        await step(press, browser, "Tải về")
        saved = await step(wait_for_download, downloads, ".csv")
        assert saved.read_text(encoding="utf-8") == "Ngày;Việc\n"

        await step(browser.get, site.url + "/")
        page = await step(wait_for_text, browser, "Không có quyền")
        assert await step(heading, browser) == "Không có quyền"
        assert "Trang hoặc tệp này không dành cho bạn." in page
        assert "Trang web dành cho cán bộ Công an xã, cán bộ chỉ đạo và quản trị." in page
        assert "Đăng xuất" not in await step(text_of, browser)
        await step(shot, browser, "refused-no-right", PHONE)
