"""The tally pages in Chromium against the real bot process: a supervisor drills down from the
province to a team by clicking the unit rows, each page showing what /thongke says in the
e2e chat for the same unit and period, and climbs back by the breadcrumbs; an officer makes
the commune's workbook on /tai-ve, downloads it and opens it.

The period is the month of the reporting day (e2e runs at any hour: before 06:00 on the 1st
a report belongs to last month), picked alike in the chat and on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from selenium.webdriver.common.by import By

from tests.browser.pages import (
    DESKTOP,
    WAIT_S,
    _until,
    click_link,
    heading,
    phone_shot,
    press,
    shot,
    sign_in_browser,
    table_rows,
    wait_for_download,
    wait_for_heading,
    wait_for_image,
)
from tests.browser.site import WebWorld, signin_link, unit_id
from tests.e2e.client import BotMessage, EmulatorUser
from tests.e2e.test_field_reports import (
    COMMUNE,
    assert_bot_healthy,
    join,
    report_day,
    today,
)

People = Callable[..., EmulatorUser]

TOTALS = re.compile(r"Tổng: (\d+) tổ · (\d+/\d+) tổ viên đã báo cáo · đúng hạn (\S+) · muộn (\d+)")
TARGET_LINE = re.compile(
    r"^• (?:(\d\.\d) )?(.+?)(?: \(thực tiễn địa phương\))?: (\d+/\d+) \((.+)\)$"
)
TEAM_LINE = re.compile(r"^(?:✅|▪️) (.+?) — đạt (\d+)/(\d+) chỉ tiêu · gợi ý: (.+)$")
TEAM_STATS = re.compile(r"^ +👥 (\d+/\d+) báo cáo · đúng hạn (\S+) · muộn (\d+)$")
TEAM_RATING = re.compile(r"^Đạt (\d+)/(\d+) chỉ tiêu · gợi ý: (.+)$")
SIGNS = re.compile(r"([✓✗])[^✓✗]*? (\S+)(?= [✓✗]|$)")  # "✗Việc tốt 0/1": sign, value


def last_month_wanted() -> bool:
    """Whether the reporting day lies in last month (only before 06:00 on the 1st)."""
    return report_day() < today().replace(day=1)


# ------------------------------------------------------------------ what the page shows


def totals(driver: Any) -> dict[str, str]:
    """The tiles under the page's title: {"Tổ": "2", "Người báo cáo": "1/3", …}."""
    tiles = driver.find_elements(By.CSS_SELECTOR, "ul.totals li")
    return {
        t.find_element(By.TAG_NAME, "span").text: t.find_element(By.TAG_NAME, "strong").text
        for t in tiles
    }


def kind_counts(driver: Any) -> list[int]:
    """The reports per kind the page lists (the tags under the tiles)."""
    tags = driver.find_elements(By.CSS_SELECTOR, "p.kinds .tag")
    return [int(t.text.rsplit(" ", 1)[1]) for t in tags]


def choose_period(driver: Any, label: str) -> None:
    """Press the period link `label` and wait for the page it loads (its link lit up)."""
    click_link(driver, label, "p.periods")
    _until(
        lambda: (
            [a.text for a in driver.find_elements(By.CSS_SELECTOR, "p.periods a.primary")]
            == [label]
        ),
        WAIT_S,
        lambda: f"the period {label!r} was not shown; {driver.current_url}",
    )


def period_of_page(driver: Any) -> str:
    """The period the page shows, from its "<unit> · <period>" heading."""
    return str(driver.find_element(By.CSS_SELECTOR, "main h2, h2").text).split(" · ", 1)[1]


# ------------------------------------------------------------------ what the chat says


def chat_counts(message: BotMessage) -> list[int]:
    """The counts of the chat's "Báo cáo: <kind> n · <kind> n" line."""
    line = next(x for x in message.text.splitlines() if x.startswith("Báo cáo: "))
    return [int(item.rsplit(" ", 1)[1]) for item in line.removeprefix("Báo cáo: ").split(" · ")]


def same_head(chat: BotMessage, driver: Any) -> dict[str, str]:
    """The page's tiles and kinds say what the chat's head says; the tiles."""
    __tracebackhide__ = True
    found = TOTALS.search(chat.text)
    assert found, chat.text
    teams, reporters, compliance, late = found.groups()
    tiles = totals(driver)
    assert (tiles["Tổ"], tiles["Người báo cáo"]) == (teams, reporters), (tiles, chat.text)
    assert (tiles["Báo cáo đúng hạn"], tiles["Báo cáo muộn"]) == (compliance, late)
    counts = chat_counts(chat)
    assert kind_counts(driver) == counts, chat.text
    assert int(tiles["Tổng số báo cáo"]) == sum(counts)
    return tiles


def same_targets_above_teams(chat: BotMessage, driver: Any) -> None:
    """A unit above the teams: every target line of the chat (number, value, teams meeting
    it) is a row of the page's targets table, in order, each row marked ✓, ✗ or —."""
    __tracebackhide__ = True
    lines = [m.groups() for x in chat.text.splitlines() if (m := TARGET_LINE.match(x))]
    assert len(lines) >= 10, chat.text
    rows = table_rows(driver, "table.targets")
    assert [(r[0], r[2], r[5]) for r in rows] == [(c or "", v, n) for c, _, n, v in lines]
    assert {r[4] for r in rows} <= {"✓", "✗", "—"}


async def chat_table(user: EmulatorUser, button: str | None, title: str) -> BotMessage:
    """Press `button` on the chat's last tally (when given); the table titled `title`."""
    if button is not None:
        await user.press(button)
    return await user.wait_reply(title, timeout=15)


# ------------------------------------------------------------------ the tests


async def test_a_supervisor_drills_down_to_a_team_and_back_and_the_page_says_what_chat_says(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    lan = people("Đinh Thị", "Lan")
    son = people("Phạm Văn", "Sơn")
    await join(lan, web_bot.codes["member_a"])
    await lan.send("/khongcovuviec")
    await lan.wait_reply("không có vụ việc")
    await join(son, web_bot.codes["supervisor_province"])

    sign_in_browser(browser, await signin_link(son, web_bot))
    browser.get(web_bot.web_url + "/thong-ke")
    wait_for_heading(browser, "Thống kê Tỉnh Lạng Sơn")
    await son.send("/thongke")
    if last_month_wanted():
        choose_period(browser, "Tháng trước")
        await son.wait_reply("📊 Thống kê Tỉnh Lạng Sơn")
        await son.press("Tháng trước")
    period = period_of_page(browser)
    province = await chat_table(son, None, f"📊 Thống kê Tỉnh Lạng Sơn · {period}")
    same_head(province, browser)
    same_targets_above_teams(province, browser)
    communes = table_rows(browser, "table.units")
    assert [r[0] for r in communes] == ["Xã Bắc Sơn", "Xã Vũ Lăng"]
    assert "🔎 Xã Bắc Sơn" in province.labels and "🔎 Xã Vũ Lăng" in province.labels
    assert wait_for_image(browser, "img.chart")[0] > 300  # the chart drew
    shot(browser, "tally-province-desktop", DESKTOP)
    phone_shot(browser, "tally-province-phone")

    click_link(browser, "Xã Bắc Sơn", "table.units")
    wait_for_heading(browser, "Thống kê Xã Bắc Sơn")
    assert period_of_page(browser) == period  # the period goes down with the unit
    commune = await chat_table(son, "🔎 Xã Bắc Sơn", f"📊 Thống kê Xã Bắc Sơn · {period}")
    tiles = same_head(commune, browser)
    same_targets_above_teams(commune, browser)
    teams = {r[0]: r for r in table_rows(browser, "table.units")}
    assert set(teams) == {"Thôn Nà Lẹng", "Thôn Khuôn Pinh"}
    lines = commune.text.splitlines()
    for i, line in enumerate(lines):  # each team's block in chat is its row on the page
        found = TEAM_LINE.match(line)
        if not found:
            continue
        name, met, applicable, rating = found.groups()
        stats = TEAM_STATS.match(lines[i + 1])
        assert stats, lines[i + 1]
        row = teams.pop(name)
        assert (row[2], row[3], row[5]) == stats.groups(), (row, lines[i + 1])
        assert (row[6], row[7]) == (met, str(int(applicable) - int(met))), (row, line)
        assert rating.startswith(row[8]), (row, line)
    assert teams == {}, f"teams on the page the chat does not list: {teams}"
    if not last_month_wanted():  # (on the 1st before 06:00 Lan was not serving yet)
        assert int(tiles["Tổng số báo cáo"]) >= 1  # Lan's report, in the month shown

    click_link(browser, "Thôn Nà Lẹng", "table.units")
    wait_for_heading(browser, "Thống kê Thôn Nà Lẹng")
    team = await chat_table(son, "🔎 Thôn Nà Lẹng", f"📊 Thống kê Thôn Nà Lẹng · {period}")
    same_head(team, browser)
    rating_line = next(m for x in team.text.splitlines() if (m := TEAM_RATING.match(x)))
    met, applicable, rating = rating_line.groups()
    shown = browser.find_element(By.CSS_SELECTOR, "p.rating").text
    assert f"Đạt {met}/{applicable} chỉ tiêu." in shown, (shown, team.text)
    if rating.startswith("—"):  # no member serving in the period: nothing to suggest
        assert "Gợi ý xếp loại" not in shown
    else:
        assert f"Gợi ý xếp loại: {rating.split(' · ')[0]}" in shown
    signs_line = next(x for x in team.text.splitlines() if x.startswith(("✓", "✗")))
    rows = table_rows(browser, "table.targets")
    judged = [(r[4], r[2]) for r in rows if r[4] in {"✓", "✗"}]
    assert judged == SIGNS.findall(signs_line), (rows, signs_line)
    assert len(judged) == int(applicable)
    if not last_month_wanted():
        assert "Đinh Thị Lan" in [r[0] for r in table_rows(browser, "table.members")]
    wait_for_image(browser, "img.chart")
    shot(browser, "tally-team-desktop", DESKTOP)
    phone_shot(browser, "tally-team-phone")

    crumbs = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav.crumbs a")]
    assert crumbs == ["Tỉnh Lạng Sơn", "Xã Bắc Sơn"]
    click_link(browser, "Xã Bắc Sơn", "nav.crumbs")
    wait_for_heading(browser, "Thống kê Xã Bắc Sơn")
    assert period_of_page(browser) == period and totals(browser) == tiles
    click_link(browser, "Tỉnh Lạng Sơn", "nav.crumbs")
    wait_for_heading(browser, "Thống kê Tỉnh Lạng Sơn")
    assert period_of_page(browser) == period
    assert browser.find_elements(By.CSS_SELECTOR, "nav.crumbs a") == []  # the top: no link up
    assert_bot_healthy(web_bot)


async def test_an_officer_downloads_the_communes_workbook_and_it_holds_the_pages_figures(
    web_bot: WebWorld, people: People, browser: Any, downloads: Path
) -> None:
    mai = people("Hoàng Thị", "Mai")
    cuong = people("Hoàng Văn", "Cường")
    await join(mai, web_bot.codes["member_a"])
    await mai.send("/khongcovuviec")
    await mai.wait_reply("không có vụ việc")
    await join(cuong, web_bot.codes["officer_commune"])
    sign_in_browser(browser, await signin_link(cuong, web_bot))

    commune = unit_id(web_bot, COMMUNE)
    browser.get(f"{web_bot.web_url}/thong-ke?don-vi={commune}")
    wait_for_heading(browser, "Thống kê Xã Bắc Sơn")
    if last_month_wanted():  # the month holding Mai's report
        choose_period(browser, "Tháng trước")
    tiles = totals(browser)
    assert int(tiles["Tổng số báo cáo"]) >= 1
    press(browser, "Tải Excel")
    page = wait_for_heading(browser, "Tệp tải về")
    assert "Đã tạo tệp: tệp mới nhất ở đầu danh sách dưới đây." in page
    files = table_rows(browser, "table.files")
    name = files[0][0]
    assert re.fullmatch(r"thongke_xa-bac-son_m\d{4}-\d\d\.xlsx", name), files
    shot(browser, "downloads-desktop", DESKTOP)
    phone_shot(browser, "downloads-phone")

    click_link(browser, name, "table.files")
    saved = wait_for_download(downloads, ".xlsx")
    assert saved.name == name
    book = openpyxl.load_workbook(saved)
    shown = commune_row(book["Toàn đơn vị"], "Xã Bắc Sơn")
    kinds = list(shown)
    kinds = kinds[kinds.index("Số tổ viên đã báo cáo") + 1 : kinds.index("Báo cáo muộn")]
    assert sum(int(shown[k]) for k in kinds) == int(tiles["Tổng số báo cáo"]), shown
    assert str(shown["Số tổ"]) == tiles["Tổ"]
    assert f"{shown['Số tổ viên đã báo cáo']}/{shown['Số tổ viên']}" == tiles["Người báo cáo"]
    assert str(shown["Báo cáo muộn"]) == tiles["Báo cáo muộn"]
    assert heading(browser) == "Tệp tải về"  # the download left the page where it was
    assert_bot_healthy(web_bot)


def commune_row(sheet: Any, name: str) -> dict[str, Any]:
    """The workbook's line of the unit `name` under its header row ("Đơn vị", …)."""
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Đơn vị")
    line = next(row for row in rows[header + 1 :] if row[0] == name)
    return {str(k): v for k, v in zip(rows[header], line, strict=True) if k is not None}
