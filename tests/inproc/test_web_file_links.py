"""Links to files the bot made: personal, tied to the first browser, photos for the fetcher."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import ManualClock
from bot.web import links
from tests.inproc.police_world import enrol
from tests.support.harness import START, make_harness
from tests.support.web import browser, path_of, sign_in, web_config


async def test_a_workbook_link_opens_only_for_its_owner(tmp_path: Path) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        async with h.db.transaction() as tx:
            made = await links.file(
                tx, h.config, p.ids["cuong"], h.clock.now(), "Thống kê.xlsx", b"PK-bytes"
            )
        path = path_of(made.url)
        async with browser(h) as owner, browser(h) as forwarded, browser(h) as officer:
            page = await owner.get(path)  # no session yet: a page with one button
            assert page.status == 200 and "Tải về" in await page.text()
            got = await owner.post(path)
            assert got.status == 200 and await got.read() == b"PK-bytes"
            assert "spreadsheetml" in got.headers["Content-Type"]
            assert (
                "filename*=UTF-8''Th%E1%BB%91ng%20k%C3%AA.xlsx"
                in got.headers["Content-Disposition"]
            )
            again = await owner.get(path)
            assert await again.read() == b"PK-bytes"
            refused = await forwarded.get(path)
            assert refused.status == 403
            assert "trình duyệt khác" in await refused.text()
            assert (await forwarded.post(path)).status == 403
            await sign_in(officer, p.hai)  # another commune's officer, signed in
            assert (await officer.get(path)).status == 403
            assert (await owner.get("/")).status == 403  # a file session opens no page
    finally:
        await h.close()


async def test_a_file_link_expires_and_is_revoked_when_its_owner_leaves(tmp_path: Path) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        async with h.db.transaction() as tx:
            made = await links.file(tx, h.config, p.ids["cuong"], h.clock.now(), "a.csv", b"x;y")
        h.clock.advance(hours=72, seconds=1)
        async with browser(h) as b:
            page = await b.get(path_of(made.url))
            assert page.status == 410 and "đã hết hạn" in await page.text()
    finally:
        await h.close()


async def test_a_chart_link_opens_for_the_messenger_that_fetches_it(tmp_path: Path) -> None:
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path))
    try:
        p = await enrol(h)
        async with h.db.transaction() as tx:
            made = await links.file(
                tx, h.config, p.ids["cuong"], h.clock.now(), "c.png", b"\x89PNG"
            )
        async with browser(h) as fetcher:
            got = await fetcher.get(path_of(made.url))
            assert got.status == 200 and got.headers["Content-Type"] == "image/png"
            assert got.headers["Content-Disposition"].startswith("inline")
    finally:
        await h.close()
