"""Signing in from the chat: /web's one-time link, the session it opens, and its refusals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.clock import ManualClock
from storage import memberships
from tests.inproc.police_world import People, enrol
from tests.inproc.web_pages import csrf_of
from tests.support.harness import START, make_harness
from tests.support.web import browser, sign_in, signin_path, web_config


async def world(tmp_path: Path, **web: object):  # type: ignore[no-untyped-def]
    h = await make_harness(tmp_path, ManualClock(START), web_config(tmp_path, **web))
    return h, await enrol(h)


async def test_an_officer_signs_in_with_the_link_and_sees_the_pages(tmp_path: Path) -> None:
    h, p = await world(tmp_path)
    try:
        replies = await p.cuong.send("/web")
        text = replies[-1].text
        assert "dùng một lần, hết hạn sau 10 phút, lúc 09:10" in text
        async with browser(h) as b:
            before = await b.get("/")
            assert before.status == 401
            assert "Gõ /web trong chat" in await before.text()
            home = await sign_in(b, p.cuong)
            assert home.status == 200
            page = await home.text()
            assert "Hoàng Văn Cường" in page and "Cán bộ Công an xã" in page
            assert "Đăng xuất" in page
            cookie = home.history[0].headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
            csp = home.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert home.headers["Referrer-Policy"] == "same-origin"
    finally:
        await h.close()


async def test_the_link_opens_once_and_a_preview_does_not_spend_it(tmp_path: Path) -> None:
    h, p = await world(tmp_path)
    try:
        path = await signin_path(p.cuong)
        async with browser(h) as preview, browser(h) as first, browser(h) as second:
            assert (await preview.get(path)).status == 200  # a messenger's link preview
            assert (await first.post(path)).status == 200
            replay = await second.post(path)
            assert replay.status == 410
            assert "đã được dùng" in await replay.text()
            assert (await second.get("/")).status == 401
    finally:
        await h.close()


async def test_an_expired_link_is_refused(tmp_path: Path) -> None:
    h, p = await world(tmp_path)
    try:
        path = await signin_path(p.cuong)
        h.clock.advance(minutes=10, seconds=1)
        async with browser(h) as b:
            page = await b.post(path)
            assert page.status == 410
            text = await page.text()
            assert "đã hết hạn" in text and "Gõ /web trong chat" in text
            assert (await b.get("/")).status == 401
    finally:
        await h.close()


async def test_members_get_no_link_and_no_pages(tmp_path: Path) -> None:
    h, p = await world(tmp_path)
    try:
        replies = await p.an.send("/web")
        assert "dành cho cán bộ Công an xã" in replies[-1].text
        assert await h.count("SELECT COUNT(*) FROM web_links") == 0
    finally:
        await h.close()


async def test_without_public_url_web_says_how_to_turn_it_on(tmp_path: Path) -> None:
    h = await make_harness(tmp_path)
    try:
        p: People = await enrol(h)
        replies = await p.cuong.send("/web")
        assert "[web] public_url" in replies[-1].text
        assert await h.count("SELECT COUNT(*) FROM web_links") == 0
    finally:
        await h.close()


async def test_a_session_ends_when_the_member_changes_role_or_leaves(tmp_path: Path) -> None:
    h, p = await world(tmp_path)
    try:
        async with browser(h) as b:
            assert (await sign_in(b, p.cuong)).status == 200
            unused = await signin_path(p.cuong)
            async with h.db.transaction() as tx:
                stretch = await memberships.latest(tx, p.ids["cuong"])
                assert stretch is not None
                on = START.date() + timedelta(days=1)
                await memberships.change(
                    tx, stretch, stretch.unit_id, "supervisor", on, "2026-11-23T02:05:00Z"
                )
            page = await b.get("/")
            assert page.status == 401
            async with browser(h) as other:
                refused = await other.post(unused)
                assert refused.status == 410  # the link sent before the change is revoked
    finally:
        await h.close()


async def test_sign_out_needs_the_form_token_and_ends_the_session(tmp_path: Path) -> None:
    h, p = await world(tmp_path)
    try:
        async with browser(h) as b:
            home = await sign_in(b, p.cuong)
            page = await home.text()
            token = csrf_of(page)
            forged = await b.post("/thoat", data={"csrf": "x" * 43})
            assert forged.status == 403
            other_site = await b.post(
                "/thoat", data={"csrf": token}, headers={"Origin": "https://evil.example"}
            )
            assert other_site.status == 403
            assert (await b.get("/")).status == 200
            done = await b.post("/thoat", data={"csrf": token})
            assert done.status == 200
            assert "Bạn đã đăng xuất" in await done.text()
            assert (await b.get("/")).status == 401
    finally:
        await h.close()


async def test_guessing_links_is_slowed_down(tmp_path: Path) -> None:
    h, _ = await world(tmp_path, attempts_per_minute=3)
    try:
        async with browser(h) as b:
            statuses = [(await b.get("/vao/" + "A" * 43)).status for _ in range(4)]
            assert statuses == [404, 404, 404, 429]
            waited = await b.get("/vao/" + "A" * 43)
            assert "Đợi một phút" in await waited.text()
            h.clock.advance(minutes=1)
            assert (await b.get("/vao/" + "A" * 43)).status == 404
    finally:
        await h.close()
