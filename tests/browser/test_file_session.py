"""A member who opened a file link holds a session for files only: in Chromium, every page
scoped to a unit (the tally of their own commune included) answers "Không có quyền".

Members get file links only where the messenger takes no files (Zalo), so the link is made
directly in the in-process application on a loopback port (tests/browser/local.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.web import links
from storage import units
from tests.browser.local import local_site, step
from tests.browser.pages import heading, press, text_of, wait_for_download, wait_for_text
from tests.support.harness import COMMUNE


async def test_a_members_file_session_opens_no_page(
    tmp_path: Path, browser: Any, downloads: Path
) -> None:
    async with local_site(tmp_path) as site:
        h = site.h
        async with h.db.transaction() as tx:
            made = await links.file(
                tx, h.config, site.people.ids["an"], h.clock.now(), "Ảnh.csv", b"a;b\n"
            )
            commune = await units.get_by_path(tx, COMMUNE)
        assert commune is not None
        await step(browser.get, made.url)
        await step(wait_for_text, browser, "Tải về")
        await step(press, browser, "Tải về")
        await step(wait_for_download, downloads, ".csv")
        assert browser.get_cookie("antt_session") is not None  # the file session

        for path in (
            "/thong-ke",
            f"/thong-ke?don-vi={commune.id}",
            f"/thong-ke/bieu-do?don-vi={commune.id}",
            "/khan",
            "/bao-cao",
            "/ban-do",
            "/tai-ve",
        ):
            await step(browser.get, site.url + path)
            page = await step(wait_for_text, browser, "Không có quyền")
            assert await step(heading, browser) == "Không có quyền", path
            assert "Trang hoặc tệp này không dành cho bạn." in page, path
            assert "Xã Bắc Sơn" not in await step(text_of, browser), path
        assert await h.count("SELECT COUNT(*) FROM web_links WHERE purpose = 'file'") == 1
