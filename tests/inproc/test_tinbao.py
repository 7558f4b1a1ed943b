"""/tinbao: every open urgent report of the area with its kind, team, place, age and state,
oldest first, filtered by state (buttons with counts, or typed), paged for phones."""

from __future__ import annotations

import pytest

from bot.core.clock import iso
from storage import incidents
from tests.inproc.helpers import FIRE, TIP, file_fire, file_tip, press_data
from tests.inproc.police_world import Teams, enrol_teams
from tests.inproc.test_zalo import Z, fake, z  # noqa: F401  (the Zalo fixtures)
from tests.support.harness import COMMUNE, TEAM_A, Harness, TgUser

NOT_ALLOWED = "Chức năng này dành cho cán bộ Công an xã phụ trách địa bàn."
NONE_PENDING = "Không có tin báo khẩn nào đang chờ tiếp nhận."
LONG_PLACE = "Ngã ba chợ Bắc Sơn, đường vào trường tiểu học cũ"


@pytest.fixture
async def people(h: Harness) -> Teams:
    return await enrol_teams(h)


async def file_tip_at(user: TgUser, place: str | tuple[float, float]) -> str:
    """A tip whose place is typed, or a location pin."""
    await user.send("/baocao")
    await user.press("Tin báo ANTT")
    await user.press("Người dân báo")
    await user.press("Tệ nạn xã hội")
    await user.press("Khẩn cấp")
    if isinstance(place, tuple):
        await user.send_location(*place)
    else:
        await user.send(place)
    await user.send("Có nhóm thanh niên tụ tập đánh bạc")
    return (await user.press("Gửi báo cáo"))[0].text


async def verifying(h: Harness, report_id: int) -> None:
    """An officer has moved the report on to verifying (the case view's step)."""
    async with h.db.transaction() as tx:
        now = iso(h.clock.now())
        assert await incidents.move(tx, report_id, "verifying", 4, now, expect=("acknowledged",))


async def three_open(h: Harness, p: Teams) -> None:
    """09:00 a fire (waiting), 10:00 a tip with a pin (acknowledged), 12:00 a tip with a long
    address (verifying), 12:00 a tip of the other commune; then it is 12:30."""
    await file_fire(p.an)
    h.clock.advance(hours=1)
    await file_tip_at(p.binh, (21.85, 106.76))
    h.clock.advance(hours=2)
    await file_tip_at(p.an, LONG_PLACE)
    await file_tip(p.mai)
    await press_data(p.cuong, "ack:2", on=(await p.cuong.send("/menu"))[-1])
    await press_data(p.cuong, "ack:3", on=p.cuong.messages[-1])
    await verifying(h, 3)
    h.clock.advance(minutes=30)


LIST = f"""🚨 3 tin báo đang mở trong địa bàn:

BC-2026-000001 · {FIRE}
Thôn Nà Lẹng · Nhà văn hóa thôn Nà Lẹng · 3 giờ · ⏳ Chờ tiếp nhận

BC-2026-000002 · {TIP}
Thôn Khuôn Pinh · 📍 vị trí · 2 giờ · ✅ Đã tiếp nhận

BC-2026-000003 · {TIP}
Thôn Nà Lẹng · Ngã ba chợ Bắc Sơn, đường vào t… · 30 phút · 🔎 Đang xác minh"""
FILTERS = ["Chờ tiếp nhận (1)", "Đã tiếp nhận (1)", "Đang xác minh (1)"]


async def test_list_says_what_each_open_report_is_oldest_first(h: Harness, people: Teams) -> None:
    await three_open(h, people)
    replies = await people.cuong.send("/tinbao")
    assert replies[-1].text == LIST
    assert replies[-1].labels() == [
        "📂 BC-2026-000001",
        "✅ Tiếp nhận BC-2026-000001",  # only while nobody has taken it up
        "📂 BC-2026-000002",
        "📂 BC-2026-000003",
        *FILTERS,
        "• Tất cả (3)",
        "🏠 Về menu",
    ]
    assert replies[-1].buttons[0][0]["callback_data"] == "case:1"
    assert replies[-1].buttons[0][1]["callback_data"] == "ack:1"
    # a supervisor reads the same list, without acknowledge buttons
    replies = await people.lan.send("/tinbao")
    assert replies[-1].text == LIST
    assert "✅ Tiếp nhận BC-2026-000001" not in replies[-1].labels()
    # the other commune's officer sees only his own commune's tip
    text = (await people.hai.send("/tinbao"))[-1].text
    assert text.startswith("🚨 1 tin báo đang mở trong địa bàn:\n\nBC-2026-000004 · ")
    assert "BC-2026-000001" not in text and "BC-2026-000003" not in text


async def test_filters_by_button_and_typed_with_or_without_diacritics(
    h: Harness, people: Teams
) -> None:
    await three_open(h, people)
    await people.cuong.send("/tinbao")
    replies = await people.cuong.press("Đang xác minh (1)")
    text = replies[-1].text
    assert text.startswith("🚨 1 tin báo “Đang xác minh” trong địa bàn:\n\nBC-2026-000003")
    assert "BC-2026-000001" not in text and "BC-2026-000002" not in text
    assert "• Đang xác minh (1)" in replies[-1].labels()
    assert "Tất cả (3)" in replies[-1].labels()
    for typed, number in [
        ("/tinbao chờ", "000001"),
        ("/tinbao cho", "000001"),
        ("/tinbao Chờ tiếp nhận", "000001"),
        ("/tinbao tiep nhan", "000002"),
        ("/tinbao đã tiếp nhận", "000002"),
        ("/tinbao xacminh", "000003"),
        ("/tinbao Đang xác minh", "000003"),
        ("/pending verifying", "000003"),
    ]:
        text = (await people.cuong.send(typed))[-1].text
        assert "trong địa bàn:" in text and "1 tin báo “" in text, typed
        shown = [n for n in ("000001", "000002", "000003") if f"BC-2026-{n}" in text]
        assert shown == [number], (typed, text)
    replies = await people.cuong.press("Tất cả (3)")
    assert replies[-1].text == LIST
    replies = await people.cuong.send("/tinbao abc")
    assert replies[-1].text == (
        "Không hiểu “abc”. Gõ /tinbao để xem mọi tin báo đang mở, hoặc lọc: /tinbao cho "
        "(chờ tiếp nhận), /tinbao tiepnhan (đã tiếp nhận), /tinbao xacminh (đang xác minh)."
    )


async def test_an_empty_state_says_so_and_offers_the_others(h: Harness, people: Teams) -> None:
    await file_fire(people.an)
    replies = await people.cuong.send("/tinbao xác minh")
    assert replies[-1].text == (
        "Không có tin báo nào ở trạng thái “Đang xác minh”. Bấm trạng thái khác bên dưới."
    )
    assert replies[-1].labels() == [
        "Chờ tiếp nhận (1)",
        "Đã tiếp nhận (0)",
        "• Đang xác minh (0)",
        "Tất cả (1)",
        "🏠 Về menu",
    ]


async def test_nothing_open_keeps_the_old_answer(h: Harness, people: Teams) -> None:
    replies = await people.cuong.send("/tinbao")
    assert replies[-1].text == NONE_PENDING
    await file_tip(people.mai)  # another commune's
    await file_fire(people.an)
    await press_data(people.an, "wd:2", on=(await people.an.send("/menu"))[-1])
    await people.an.press("Đúng, rút lại")
    assert (await people.cuong.send("/tinbao"))[-1].text == NONE_PENDING  # withdrawn


async def test_long_lists_are_paged_and_say_how_many_more(h: Harness, people: Teams) -> None:
    for _ in range(7):
        await file_tip(people.an)
        h.clock.advance(minutes=10)
    replies = await people.cuong.send("/tinbao")
    text = replies[-1].text
    assert text.startswith("🚨 7 tin báo đang mở trong địa bàn:")
    assert [n for n in range(1, 8) if f"BC-2026-00000{n}" in text] == [1, 2, 3, 4, 5]
    assert text.endswith("… còn 2 tin nữa: bấm “▶ Xem tiếp”.")
    assert len(text) < 1000  # a phone screen, not a wall
    replies = await people.cuong.press("▶ Xem tiếp (2)")
    text = replies[-1].text
    assert [n for n in range(1, 8) if f"BC-2026-00000{n}" in text] == [6, 7]
    assert "Xem tiếp" not in text
    # a forged or stale page button shows the first page
    for data in ("tinbao:all:99", "tinbao:nope:1", "tinbao:all:²", "tinbao:"):
        replies = await press_data(people.cuong, data)
        assert replies[-1].text.startswith("🚨 7 tin báo đang mở trong địa bàn:"), data
        assert "BC-2026-000001" in replies[-1].text


@pytest.mark.parametrize("how", ["typed", "pressed"])
async def test_members_are_refused(h: Harness, people: Teams, how: str) -> None:
    await file_fire(people.an)
    if how == "typed":
        replies = await people.an.send("/tinbao cho")
    else:
        replies = await press_data(
            people.an, "tinbao:all:0", on=(await people.an.send("/menu"))[-1]
        )
    assert replies[-1].text == NOT_ALLOWED
    assert not any("BC-2026" in label for label in replies[-1].labels())


async def test_english_officer_reads_ages_and_states_in_english(h: Harness, people: Teams) -> None:
    await people.cuong.send("/language")
    await people.cuong.press("English")
    await file_fire(people.an)
    h.clock.advance(days=2, hours=1)
    replies = await people.cuong.send("/pending new")
    assert replies[-1].text == (
        "🚨 1 report(s) “Awaiting acknowledgement” in your area:\n\n"
        "BC-2026-000001 · 🔥 Fire and rescue\n"
        "Thôn Nà Lẹng · Nhà văn hóa thôn Nà Lẹng · 2 days · ⏳ Awaiting acknowledgement"
    )
    assert "• Awaiting acknowledgement (1)" in replies[-1].labels()


async def test_zalo_officer_filters_by_typing_numbers(z: Z) -> None:  # noqa: F811
    h = z.h
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_invite("POLICE", COMMUNE, "officer")
    await file_fire(h.user(1))
    h.clock.advance(hours=1)
    await file_tip(h.user(1))
    officer = z.user("Hoàng Văn Cường")
    await z.join(officer, "POLICE")
    said = (await z.say(officer, "/tinbao"))[-1]
    assert said.text.startswith("🚨 2 tin báo đang mở trong địa bàn:")
    assert "1 giờ · ⏳ Chờ tiếp nhận" in said.text
    lines = said.lines()
    assert "1. 📂 BC-2026-000001" in lines
    assert "2. ✅ Tiếp nhận BC-2026-000001" in lines
    assert "5. Chờ tiếp nhận (2)" in lines and "8. • Tất cả (2)" in lines
    assert "Bấm" not in said.text and "bấm" not in said.text
    said = (await z.say(officer, said.choice_number("Đang xác minh")))[-1]
    assert said.text.startswith("Không có tin báo nào ở trạng thái “Đang xác minh”. Gõ số")
    said = (await z.say(officer, said.choice_number("Chờ tiếp nhận")))[-1]
    assert said.text.startswith("🚨 2 tin báo “Chờ tiếp nhận” trong địa bàn:")
    said = (await z.say(officer, said.choice_number("Tiếp nhận BC-2026-000002")))[0]
    assert said.text.startswith("✅ Bạn đã tiếp nhận BC-2026-000002")
    said = (await z.say(officer, "/tinbao tiepnhan"))[-1]
    assert said.text.startswith("🚨 1 tin báo “Đã tiếp nhận” trong địa bàn:\n\nBC-2026-000002")
