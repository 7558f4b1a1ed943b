"""Signing in to the pages from the chat, in Chromium, against the real bot process.

An officer types /web in an e2e chat, opens the link the bot sent, presses "Đăng nhập" and
lands on "Tổng quan"; the refusals a person can meet show as pages in Vietnamese that say
what to do next. One bot process serves the module; every test brings its own people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.pages import (
    DESKTOP,
    PHONE,
    heading,
    shot,
    sign_in_browser,
    sign_out,
    text_of,
    wait_for_text,
)
from tests.browser.site import WebWorld, signin_link
from tests.e2e.client import EmulatorUser
from tests.e2e.test_field_reports import assert_bot_healthy, join

People = Callable[..., EmulatorUser]


async def test_an_officer_signs_in_with_the_link_the_bot_sent(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    cuong = people("Hoàng Văn", "Cường")
    await join(cuong, web_bot.codes["officer_commune"])
    link = await signin_link(cuong, web_bot)

    browser.get(link)
    page = wait_for_text(browser, "Đăng nhập")
    assert "Liên kết đăng nhập dành cho Hoàng Văn Cường (Cán bộ Công an xã, Xã Bắc Sơn)" in page
    shot(browser, "signin-phone", PHONE)

    home = sign_in_browser(browser, link)
    assert heading(browser) == "Tổng quan"
    assert browser.current_url == web_bot.web_url + "/"
    assert "Xin chào Hoàng Văn Cường (Cán bộ Công an xã, Xã Bắc Sơn)" in home
    assert "Đăng xuất" in home and "Thống kê" in home
    cookie = browser.get_cookie("antt_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shot(browser, "home-phone", PHONE)
    shot(browser, "home-desktop", DESKTOP)
    assert_bot_healthy(web_bot)


async def test_the_same_link_opened_again_is_refused(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    cuong = people("Hoàng Văn", "Cường")
    await join(cuong, web_bot.codes["officer_commune"])
    link = await signin_link(cuong, web_bot)
    sign_in_browser(browser, link)

    browser.delete_all_cookies()  # another browser, or the link forwarded to someone
    browser.get(link)
    page = wait_for_text(browser, "đã được dùng")
    assert heading(browser) == "Liên kết đã dùng"
    assert "Gõ /web trong chat với bot để nhận liên kết mới." in page
    assert "Đăng nhập" not in page.replace("Liên kết đăng nhập", "")  # no button to press
    shot(browser, "refused-replayed-link", PHONE)
    browser.get(web_bot.web_url + "/")
    wait_for_text(browser, "Chưa đăng nhập")


async def test_a_member_gets_no_link_and_the_pages_ask_to_sign_in(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    hoa = people("Nông Thị", "Hoa")
    await join(hoa, web_bot.codes["member_a"])
    await hoa.send("/web")
    reply = await hoa.wait_reply("🌐")
    assert reply.text.startswith("🌐 Trang web dành cho cán bộ Công an xã, cán bộ chỉ đạo")
    assert "/vao/" not in reply.text
    links = web_bot.query(
        "SELECT COUNT(*) AS n FROM web_links WHERE member_id = ?", (web_bot.member_id(hoa),)
    )
    assert links[0]["n"] == 0

    browser.get(web_bot.web_url + "/")
    page = wait_for_text(browser, "Chưa đăng nhập")
    assert heading(browser) == "Chưa đăng nhập"
    assert "Gõ /web trong chat với bot" in page
    assert "Đăng xuất" not in page
    shot(browser, "refused-signed-out", PHONE)


async def test_an_officer_of_another_commune_sees_their_own_commune(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    hai = people("Vi Văn", "Hải")
    await join(hai, web_bot.codes["officer_other"])
    home = sign_in_browser(browser, await signin_link(hai, web_bot))
    assert "Xin chào Vi Văn Hải (Cán bộ Công an xã, Xã Vũ Lăng)" in home
    assert "Xã Bắc Sơn" not in home
    # Pages scoped to a unit (tally, urgent reports, reports, map) are checked for another
    # commune's officer in their own modules; a file made for someone else: test_refusals.py.


async def test_signing_out_ends_the_session(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    son = people("Phạm Văn", "Sơn")
    await join(son, web_bot.codes["supervisor_province"])
    link = await signin_link(son, web_bot)
    home = sign_in_browser(browser, link)
    assert "Cán bộ chỉ đạo" in home or "Tỉnh Lạng Sơn" in home

    page = sign_out(browser)
    assert heading(browser) == "Đã đăng xuất"
    assert "Gõ /web trong chat với bot khi cần đăng nhập lại." in page
    assert browser.get_cookie("antt_session") is None
    shot(browser, "signed-out", PHONE)
    browser.back()  # the page before, from the browser's history: no session behind it
    browser.refresh()
    wait_for_text(browser, "Chưa đăng nhập")
    browser.get(web_bot.web_url + "/")
    assert heading(browser) == "Chưa đăng nhập", text_of(browser)
    ended = web_bot.query(
        "SELECT COUNT(*) AS n, COUNT(ended_at) AS ended FROM web_sessions WHERE member_id = ?",
        (web_bot.member_id(son),),
    )
    assert (ended[0]["n"], ended[0]["ended"]) == (1, 1)
