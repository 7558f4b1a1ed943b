"""The patrol's shift question on Telegram: the team's usual shifts as buttons, "Vừa xong",
typed ranges, an overnight shift, and a time later than now refused with nothing saved."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.inproc.helpers import SUMMARY, report_data
from tests.support.harness import TEAM_A, TEAM_B, Harness, TgUser, make_harness

EVENING = datetime(2026, 11, 23, 23, 30)  # every shift of these tests is over
ROUTE = "Đường liên thôn Nà Lẹng"
FUTURE = (
    "⚠️ Giờ này chưa tới (bây giờ là 09:00, báo cáo ngày 23/11/2026). Hãy chọn giờ đã qua;"
    " nếu là ca hôm trước, đổi ngày bằng nút “📅 Ngày khác” trên bản xem lại."
)


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    """An and Bình in one team, Dũng and Em in another, late in the evening."""
    harness = await make_harness(tmp_path, clock=ManualClock(EVENING))
    await harness.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await harness.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    await harness.add_member(4, "Hoàng Văn Dũng", "member", TEAM_B)
    await harness.add_member(5, "Vi Thị Em", "member", TEAM_B)
    yield harness
    await harness.close()


async def open_patrol(user: TgUser) -> list[str]:
    """Open the patrol wizard; the shift question's button labels."""
    await user.send("/baocao")
    replies = await user.press("Tuần tra")
    assert "Bước 1/4" in replies[-1].text, replies[-1].text
    return replies[-1].labels()


async def finish(user: TgUser) -> str:
    """From the route question on: route, alone, no incident, send; the summary's text."""
    await user.send(ROUTE)
    await user.press("Một mình")
    replies = await user.press("0")
    summary = replies[-1].text
    assert SUMMARY in summary, summary
    await user.press("Gửi báo cáo")
    return summary


async def file_shift(user: TgUser, shift: str) -> None:
    await open_patrol(user)
    await user.send(shift)
    await finish(user)


async def test_default_shifts_without_history(h: Harness) -> None:
    shown = await open_patrol(h.user(1))
    assert shown == ["19:00–21:00", "21:00–23:00", "⏱ Vừa xong (23:30)", "◀ Quay lại", "✖ Hủy"]


async def test_the_teams_usual_shifts_top_three(h: Harness) -> None:
    binh, dung = h.user(2), h.user(4)
    for shift, times in [("18:00-20:00", 3), ("19:30-21:30", 2), ("06:00-08:00", 1)]:
        for _ in range(times):
            await file_shift(binh, shift)
    h.clock.advance(minutes=1)
    await file_shift(binh, "17:00-19:00")  # once too, but later: third among equals
    for _ in range(4):
        await file_shift(dung, "20:00-22:00")  # another team's habit
    shown = await open_patrol(h.user(1))
    assert shown[:4] == ["18:00–20:00", "19:30–21:30", "17:00–19:00", "⏱ Vừa xong (23:30)"]
    assert "06:00–08:00" not in shown  # fourth: only three are offered
    assert "19:00–21:00" not in shown  # the defaults give way to the team's own
    assert "20:00–22:00" not in shown


async def test_one_tap_fills_start_and_end(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    replies = await an.press("21:00–23:00")
    assert "Bước 2/4" in replies[-1].text  # no end question
    summary = await finish(an)
    assert "• Giờ bắt đầu: 21:00\n• Giờ kết thúc: 23:00" in summary
    data = await report_data(h)
    assert (data["start"], data["end"]) == ("21:00", "23:00")


async def test_just_now_then_the_start_buttons(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 23, 21, 37))
    an = h.user(1)
    shown = await open_patrol(an)
    assert "⏱ Vừa xong (21:35)" in shown  # rounded down to five minutes
    await an.press("Vừa xong")  # the question is edited in place
    assert "Kết thúc lúc 21:35. Bắt đầu lúc mấy giờ?" in an.last_text
    assert an.messages[-1].labels()[:4] == ["20:35", "19:35", "18:35", "17:35"]
    replies = await an.press("19:35")
    assert "Bước 2/4" in replies[-1].text
    summary = await finish(an)
    assert "• Giờ bắt đầu: 19:35\n• Giờ kết thúc: 21:35" in summary
    data = await report_data(h)
    assert (data["start"], data["end"]) == ("19:35", "21:35")


@pytest.mark.parametrize("typed", ["19h-21h", "19:00 – 21:00", "19:00-21:00", "19 giờ đến 21 giờ"])
async def test_a_typed_range_fills_both(h: Harness, typed: str) -> None:
    an = h.user(1)
    await open_patrol(an)
    replies = await an.send(typed)
    assert "Bước 2/4" in replies[-1].text, replies[-1].text
    await finish(an)
    data = await report_data(h)
    assert (data["start"], data["end"]) == ("19:00", "21:00")


async def test_one_typed_time_asks_the_end(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    replies = await an.send("19h")
    assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text
    assert "21:00" in replies[-1].labels()  # the usual end of a shift starting then
    replies = await an.press("21:00")
    assert "Bước 2/4" in replies[-1].text
    await finish(an)
    data = await report_data(h)
    assert (data["start"], data["end"]) == ("19:00", "21:00")


async def test_an_overnight_shift_ends_the_next_day(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 24, 0, 40))
    an = h.user(1)
    await open_patrol(an)
    replies = await an.send("22:00-00:30")
    assert "Bước 2/4" in replies[-1].text, replies[-1].text
    summary = await finish(an)
    assert "• Ngày tuần tra: 23/11/2026" in summary
    assert "• Giờ bắt đầu: 22:00\n• Giờ kết thúc: 00:30 (hôm sau)" in summary
    data = await report_data(h)
    assert (data["date"], data["start"], data["end"]) == ("2026-11-23", "22:00", "00:30")


@pytest.mark.parametrize("typed", ["19:00-21:00", "08:00-09:30", "10:00"])
async def test_a_time_not_yet_come_is_refused(h: Harness, typed: str) -> None:
    h.clock.set(datetime(2026, 11, 23, 9, 0))
    an = h.user(1)
    shown = await open_patrol(an)
    # tonight's shifts are not over: they are offered for last night only
    assert shown == [
        "19:00–21:00 (hôm qua)",
        "21:00–23:00 (hôm qua)",
        "⏱ Vừa xong (09:00)",
        "◀ Quay lại",
        "✖ Hủy",
    ]
    replies = await an.send(typed)
    assert replies[-1].text.startswith(FUTURE + "\n"), replies[-1].text
    assert "Bước 1/4" in replies[-1].text  # asked again
    assert await h.count("SELECT COUNT(*) FROM reports") == 0
    replies = await an.send("07:00-08:30")
    assert "Bước 2/4" in replies[-1].text
    await finish(an)
    data = await report_data(h)
    assert (data["start"], data["end"]) == ("07:00", "08:30")


async def test_a_shift_not_over_on_the_changed_day_is_refused_on_send(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 24, 0, 40))
    an = h.user(1)
    await open_patrol(an)
    await an.send("22:00-00:30")  # last night's shift, on the preset day 23/11
    await an.send(ROUTE)
    await an.press("Một mình")
    await an.press("0")
    await an.press("📅 Ngày khác")
    replies = await an.press("Hôm nay")  # 24/11: that shift has not even started
    assert "• Ngày tuần tra: 24/11/2026" in replies[-1].text, replies[-1].text
    replies = await an.press("Gửi báo cáo")
    assert replies[-1].text.startswith(
        "⚠️ Giờ này chưa tới (bây giờ là 00:40, báo cáo ngày 24/11/2026)."
    ), replies[-1].text
    assert SUMMARY in replies[-1].text  # back on the summary to fix it
    assert await h.count("SELECT COUNT(*) FROM reports") == 0
    await an.press("📅 Ngày khác")
    await an.press("Hôm qua")
    replies = await an.press("Gửi báo cáo")
    assert "Đã lưu báo cáo" in replies[0].text
    assert (await report_data(h))["date"] == "2026-11-23"


async def test_last_nights_shift_is_one_tap_in_the_morning(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 24, 7, 30))  # the reporting day is 24/11 since 06:00
    an = h.user(1)
    await open_patrol(an)
    replies = await an.press("19:00–21:00 (hôm qua)")
    assert "Bước 2/4" in replies[-1].text, replies[-1].text
    summary = await finish(an)
    assert "• Ngày tuần tra: 23/11/2026" in summary
    data = await report_data(h)
    assert (data["date"], data["start"], data["end"]) == ("2026-11-23", "19:00", "21:00")
    # filed now: that shift is not offered for last night a second time
    shown = await open_patrol(an)
    assert shown == ["⏱ Vừa xong (07:30)", "◀ Quay lại", "✖ Hủy"]  # the team's one shift


async def test_back_from_last_nights_shift_gives_the_preset_day_back(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 24, 7, 30))
    an = h.user(1)
    await open_patrol(an)
    await an.press("21:00–23:00 (hôm qua)")
    replies = await an.press("Quay lại")
    assert "Bước 1/4" in replies[-1].text
    await an.send("06:00-07:00")  # this morning's shift instead
    summary = await finish(an)
    assert "• Ngày tuần tra: 24/11/2026" in summary
