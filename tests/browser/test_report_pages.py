"""Reports, urgent reports and the map in Chromium against the real bot process.

A member files a fire with a location pin and a photo in the e2e chat; the commune's officer
finds it on /bao-cao with the filters, opens it and sees its answers, its photo (fetched from
Telegram, here the emulator, with the bot's token) and its history, then finds it on the map.
A tip is taken up in chat (the page says so first) and moved to "Đã giải quyết" on /khan; the
reporter is told in the chat in the words chat uses. Another commune's officer is refused
this commune's pages. The base map's tiles come from a loopback port nobody listens on, so
they fail whether or not the machine reaches the internet.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from PIL import Image
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.pages import (
    DESKTOP,
    WAIT_S,
    _until,
    click_link,
    phone_shot,
    press,
    shot,
    sign_in_browser,
    table_rows,
    text_of,
    wait_for_heading,
    wait_for_image,
    wait_for_text,
    wait_for_url,
)
from tests.browser.site import WebWorld, free_port, report_id, signin_link, unit_id
from tests.e2e.client import EmulatorUser
from tests.e2e.test_field_reports import (
    COMMUNE,
    FIRE,
    TIP,
    assert_bot_healthy,
    join,
    start_report,
    submit,
)

People = Callable[..., EmulatorUser]

WEB_CONFIG = {"tile_url": f'"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"'}
PIN = (21.90012, 106.09034)
ACK = "✅ Đã tiếp nhận"
NO_TILES = "Không tải được bản đồ nền: các báo cáo vẫn hiện trên nền trơn và trong bảng dưới đây."
NO_RIGHT = "Không có quyền"

# Red pixels the map's canvas holds: Leaflet draws the points on a canvas, not as elements.
RED_PIXELS = """
const c = document.querySelector('#map .leaflet-overlay-pane canvas');
if (!c || !c.width) { return 0; }
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && d[i] > 150 && d[i + 1] < 120) n++; }
return n;
"""


def jpeg() -> bytes:
    """A real photo (a small JPEG) the browser can draw."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, "JPEG")
    return out.getvalue()


async def file_fire_with_pin_and_photo(user: EmulatorUser) -> str:
    """A fire filed in chat, its place a location pin, one photo added; its number."""
    await start_report(user, FIRE, 6)
    await user.press("Cháy")
    await user.wait_reply("Bước 2/6")
    await user.send_location(*PIN)
    await user.wait_reply("Bước 3/6")
    await user.press("Có")
    await user.wait_reply("Bước 4/6")
    await user.press("Có")
    await user.wait_reply("Bước 5/6")
    await user.send("2")
    await user.wait_reply("Bước 6/6")
    await user.send("Dập tắt đám cháy kho rơm")
    await user.wait_reply("Xem lại báo cáo")
    await user.press("Thêm ảnh")
    await user.wait_reply("Gửi ảnh")
    await user.send_photo(jpeg())
    await user.wait_reply("Đã nhận 1 ảnh.")
    await user.press("Xong")
    await user.wait_reply("Xem lại báo cáo")
    _, number = await submit(user)
    return number


async def file_tip(user: EmulatorUser, what: str) -> str:
    """An urgent tip filed in chat, its place typed (no pin); its number."""
    await start_report(user, TIP, 6)
    await user.press("Người dân báo")
    await user.wait_reply("Bước 2/6")
    await user.press("Mâu thuẫn, tranh chấp")
    await user.wait_reply("Bước 3/5")
    await user.press("Khẩn cấp")
    await user.wait_reply("Bước 4/5")
    await user.send("Đầu cầu Bản Lếch")
    await user.wait_reply("Bước 5/5")
    await user.send(what)
    await user.wait_reply("Xem lại báo cáo")
    _, number = await submit(user)
    return number


async def take_up(officer: EmulatorUser, number: str) -> None:
    """The officer presses "✅ Đã tiếp nhận" on the tip's alert (the newest) in chat."""
    await officer.press(ACK)
    await officer.wait_reply(f"Bạn đã tiếp nhận {number}")
    await officer.wait_reply("bấm một bước")


def case_line(driver: Any, report: int) -> Any:
    """The /khan line of one report."""
    return driver.find_element(By.ID, f"bc-{report}")


def fields_of(driver: Any) -> dict[str, str]:
    """The answers a report's page lists under "Nội dung" (its second list of fields)."""
    lists = driver.find_elements(By.CSS_SELECTOR, "dl.fields")
    terms = lists[-1].find_elements(By.TAG_NAME, "dt")
    values = lists[-1].find_elements(By.TAG_NAME, "dd")
    return {t.text: v.text for t, v in zip(terms, values, strict=True)}


# ------------------------------------------------------------------ the tests


async def test_an_officer_finds_a_fire_opens_it_with_its_photo_and_sees_it_on_the_map(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    cuong = people("Hoàng Văn", "Cường")
    hoa = people("Nông Thị", "Hoa")
    await join(cuong, web_bot.codes["officer_commune"])
    await join(hoa, web_bot.codes["member_a"])
    number = await file_fire_with_pin_and_photo(hoa)
    await cuong.wait_reply(f"BÁO CÁO KHẨN: {FIRE} — {number}")
    await cuong.press(ACK)
    await cuong.wait_reply(f"Bạn đã tiếp nhận {number}")
    fire = report_id(web_bot, number)

    sign_in_browser(browser, await signin_link(cuong, web_bot))
    click_link(browser, "Báo cáo", "nav")
    wait_for_heading(browser, "Báo cáo")
    Select(browser.find_element(By.NAME, "loai")).select_by_visible_text(FIRE)
    press(browser, "Lọc")
    wait_for_url(browser, "loai=fire_rescue")
    wait_for_text(browser, "1 báo cáo")
    [row] = table_rows(browser, "table")
    assert row[:4] == [number, FIRE, "Thôn Nà Lẹng", "Nông Thị Hoa"], row
    assert row[6] == "Đã tiếp nhận"

    click_link(browser, number, "table")
    page = wait_for_heading(browser, f"Báo cáo {number}")
    answers = fields_of(browser)
    assert answers["Loại"] == "Cháy"
    assert answers["Địa điểm"] == f"📍 {PIN[0]:.5f}, {PIN[1]:.5f}"
    assert answers["Số người được giúp"] == "2"
    assert answers["Kết quả"] == "Dập tắt đám cháy kho rơm"
    assert wait_for_image(browser, ".photos img") == [64]  # the photo, drawn from Telegram
    history = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.history li")]
    assert any(h.endswith("— Đã tiếp nhận (Hoàng Văn Cường)") for h in history), history
    assert any(h.endswith("— Gửi báo cáo (Nông Thị Hoa)") for h in history), history
    assert "tg:" not in page and "people_helped" not in page  # never the stored answers
    assert "Trạng thái\nĐã tiếp nhận" in page
    shot(browser, "report-detail-desktop", DESKTOP)
    phone_shot(browser, "report-detail-phone")

    click_link(browser, "Bản đồ", "nav")
    wait_for_heading(browser, "Bản đồ")
    wait_for_text(browser, NO_TILES)  # the tiles failed: said, not left blank
    assert browser.find_element(By.ID, "map-no-tiles").is_displayed()
    _until(
        lambda: browser.execute_script(RED_PIXELS) > 50,
        WAIT_S,
        lambda: f"no point drawn on the map:\n{text_of(browser)}",
    )
    ActionChains(browser).move_to_element(browser.find_element(By.ID, "map")).click().perform()
    popup = wait_for_text(browser, f"{number} · {FIRE}")  # the one point, in the middle
    assert "Thôn Nà Lẹng" in popup
    assert [r[0] for r in table_rows(browser, "table")] == [number]
    shot(browser, "map-desktop", DESKTOP)
    phone_shot(browser, "map-phone")
    click_link(browser, number, ".leaflet-popup-content")
    wait_for_heading(browser, f"Báo cáo {number}")
    assert browser.current_url == f"{web_bot.web_url}/bao-cao/{fire}"
    assert_bot_healthy(web_bot)


async def test_an_officer_resolves_a_tip_on_the_page_and_the_reporter_is_told_as_in_chat(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    khanh = people("Triệu Văn", "Khánh")
    minh = people("La Văn", "Minh")
    await join(khanh, web_bot.codes["officer_commune"])
    await join(minh, web_bot.codes["member_a"])

    # In chat first: a tip taken up and resolved with a note, for the words chat uses.
    first = await file_tip(minh, "Hai nhóm thanh niên cãi nhau")
    await khanh.wait_reply(f"BÁO CÁO KHẨN: {TIP} — {first}")
    await take_up(khanh, first)
    await khanh.press("✅ Đã giải quyết")
    await khanh.wait_reply("Gõ ghi chú ngắn")
    await khanh.send("Đã hòa giải tại chỗ")
    await khanh.wait_reply(f"Đã ghi: {first} → Đã giải quyết")
    in_chat = await minh.wait_reply(f"Tin báo {first} của bạn")

    # On the page: a tip nobody has taken up yet is taken up there, the reporter told.
    second = await file_tip(minh, "Nhóm người lạ tụ tập đánh bạc")
    await khanh.wait_reply(f"BÁO CÁO KHẨN: {TIP} — {second}")
    tip = report_id(web_bot, second)
    sign_in_browser(browser, await signin_link(khanh, web_bot))
    click_link(browser, "Tin báo khẩn", "nav")
    wait_for_heading(browser, "Tin báo khẩn")
    line = case_line(browser, tip)
    assert "Chưa ai tiếp nhận" in line.text
    line.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_text(browser, f"✅ Đã ghi: {second} → Đã tiếp nhận.")
    taken = await minh.wait_reply(f"Báo cáo {second} của bạn đã được")
    assert "(Cán bộ Công an xã) tiếp nhận lúc" in taken.text, taken.text
    line = case_line(browser, tip)
    assert "Đã tiếp nhận" in line.text and "Đầu cầu Bản Lếch" in line.text
    shot(browser, "urgent-desktop", DESKTOP)
    phone_shot(browser, "urgent-phone")
    line = case_line(browser, tip)
    options = [c.text for c in line.find_elements(By.CSS_SELECTOR, "label.choice")]
    assert "✅ Đã giải quyết" in options, options
    choice = line.find_elements(By.CSS_SELECTOR, "label.choice")[options.index("✅ Đã giải quyết")]
    choice.click()
    line.find_element(By.NAME, "ghi_chu").send_keys("Đã giải tán, lập biên bản")
    line.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page = wait_for_text(browser, f"✅ Đã ghi: {second} → Đã giải quyết")  # not the ack's line
    assert f"✅ Đã ghi: {second} → Đã giải quyết. Người báo đã được thông báo." in page

    told = await minh.wait_reply(f"Tin báo {second} của bạn")
    assert told.text == in_chat.text.replace(first, second).replace(
        "Đã hòa giải tại chỗ", "Đã giải tán, lập biên bản"
    ), (told.text, in_chat.text)
    assert told.text == (
        f"🚓 Tin báo {second} của bạn: Công an xã đã giải quyết"
        " (ghi chú: Đã giải tán, lập biên bản)."
    )
    events = web_bot.query(
        "SELECT state, note FROM report_events WHERE report_id = ? ORDER BY id", (tip,)
    )
    assert [(e["state"], e["note"]) for e in events][-1] == (
        "resolved",
        "Đã giải tán, lập biên bản",
    )
    browser.get(f"{web_bot.web_url}/bao-cao/{tip}")
    wait_for_heading(browser, f"Báo cáo {second}")
    history = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.history li")]
    assert any("Đã giải quyết (Triệu Văn Khánh)" in h for h in history), history
    assert any("Đã giải tán, lập biên bản" in h for h in history), history
    assert_bot_healthy(web_bot)


async def test_an_officer_of_another_commune_is_refused_this_communes_pages(
    web_bot: WebWorld, people: People, browser: Any
) -> None:
    tam = people("Hà Văn", "Tám")
    hai = people("Vi Văn", "Hải")
    await join(tam, web_bot.codes["member_a"])
    await tam.send("/khongcovuviec")
    await tam.wait_reply("không có vụ việc")
    [report] = web_bot.reports_of(tam)
    await join(hai, web_bot.codes["officer_other"])
    sign_in_browser(browser, await signin_link(hai, web_bot))

    commune = unit_id(web_bot, COMMUNE)
    for path in (f"/thong-ke?don-vi={commune}", f"/bao-cao/{report['id']}"):
        browser.get(web_bot.web_url + path)
        page = wait_for_heading(browser, NO_RIGHT)
        assert "Trang hoặc tệp này không dành cho bạn." in page, path
        assert "Xã Bắc Sơn" not in page and report["number"] not in page
    phone_shot(browser, "refused-other-commune")
    browser.get(web_bot.web_url + "/bao-cao")  # their own list does not hold it either
    wait_for_heading(browser, "Báo cáo")
    assert report["number"] not in text_of(browser)
    assert_bot_healthy(web_bot)
