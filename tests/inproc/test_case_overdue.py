"""The daily overdue list: urgent reports left too long in an open state, flagged to the
officers whose area holds them, once a day, also across a restart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.clock import ManualClock
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from tests.inproc.helpers import file_fire, file_tip, press_data
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    TEAM_C,
    Harness,
    TgUser,
    make_harness,
)

TITLE = "⏰"


def is_overdue_list(text: str) -> bool:
    """The overdue list (not another "⏰" message, such as the escalation ladder's reminder)."""
    head = text.split("\n", 1)[0]
    return head.startswith(TITLE) and ("quá hạn xử lý" in head or "overdue (on" in head)


def at(h: Harness, day: int, hour: int, minute: int = 0) -> None:
    h.clock.set(datetime(2026, 11, day, hour, minute, tzinfo=h.clock.tz))


def overdue_lists(user: TgUser) -> list[str]:
    return [m.text for m in user.messages if is_overdue_list(m.text)]


async def tick(h: Harness, planning: Planning) -> int:
    queued = await planning.tick()
    await h.drain()
    return queued


async def setup(h: Harness) -> Planning:
    """23/11: a tip left 'received' (09:00), a fire acknowledged (09:30), a tip resolved at
    once (10:00) and a tip in the other commune left 'verifying' (10:30)."""
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(3, "Hà Thị Mai", "member", TEAM_C)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    await h.add_member(12, "Lý Minh Dũng", "officer", PROVINCE)
    await h.add_member(13, "Vi Văn Hải", "officer", OTHER_COMMUNE)
    an, mai, cuong, hai = h.user(1), h.user(3), h.user(11), h.user(13)
    await file_tip(an)  # BC-1: received
    at(h, 23, 9, 30)
    await file_fire(an)  # BC-2
    await cuong.send("/menu")
    await press_data(cuong, "ack:2")
    at(h, 23, 10, 0)
    await file_tip(an)  # BC-3
    await press_data(cuong, "ack:3")
    await cuong.press("Đã giải quyết")
    await cuong.press("Bỏ qua")
    at(h, 23, 10, 30)
    await file_tip(mai)  # BC-4
    await hai.send("/menu")
    await press_data(hai, "ack:4")
    await hai.press("Đang xác minh")
    await hai.press("Bỏ qua")
    await h.drain()
    planning = Planning(h.runtime.services, jobs_from(h.config, h.clock.tz))
    await tick(h, planning)
    return planning


async def test_only_overdue_reports_are_listed_to_the_officers_of_their_area(
    h: Harness,
) -> None:
    planning = await setup(h)
    cuong, dung, hai = h.user(11), h.user(12), h.user(13)
    at(h, 24, 7, 30)  # BC-1 received 22.5 hours ago: within its day
    await tick(h, planning)
    assert overdue_lists(cuong) == overdue_lists(dung) == overdue_lists(hai) == []

    at(h, 25, 7, 30)  # BC-1 received 46.5 h ago (> 1 day); BC-2 acknowledged 46 h (< 2)
    await tick(h, planning)
    assert overdue_lists(cuong) == [
        "⏰ 1 báo cáo khẩn quá hạn xử lý (ngày 25/11/2026):\n"
        "• BC-2026-000001 · 📢 Tin báo ANTT · Thôn Nà Lẹng · Mới nhận, chưa tiếp nhận · 1 ngày\n"
        "Chọn một báo cáo để xem và xử lý tiếp."
    ]
    assert cuong.messages[-1].labels() == ["📂 BC-2026-000001"]
    assert overdue_lists(hai) == []  # BC-4 verifying for 2 days of 7

    await dung.send("/language")
    await dung.press("English")
    at(h, 26, 7, 30)
    await tick(h, planning)
    lists = overdue_lists(cuong)
    assert len(lists) == 2
    assert lists[1].startswith("⏰ 2 báo cáo khẩn quá hạn xử lý (ngày 26/11/2026):\n")
    assert (
        "• BC-2026-000002 · 🔥 PCCC, cứu nạn, cứu hộ · Thôn Nà Lẹng · Đã tiếp nhận · 2 ngày"
        in (lists[1])
    )
    assert "BC-2026-000003" not in lists[1]  # resolved: closed
    # the province officer's area holds both; he reads English
    assert overdue_lists(dung)[-1] == (
        "⏰ 2 urgent report(s) overdue (on 26/11/2026):\n"
        "• BC-2026-000001 · 📢 Security tip · Thôn Nà Lẹng · Received, not yet acknowledged"
        " · 2 day(s)\n"
        "• BC-2026-000002 · 🔥 Fire and rescue · Thôn Nà Lẹng · Acknowledged · 2 day(s)\n"
        "Choose a report to see it and move it on."
    )
    assert overdue_lists(hai) == []

    # the button opens the case
    replies = await cuong.press("BC-2026-000002")
    assert replies[-1].text.startswith("📁 🔥 PCCC, cứu nạn, cứu hộ — BC-2026-000002\n")
    assert replies[-1].labels()[0] == "🧯 Đã xử lý xong"

    at(h, 30, 7, 30)  # BC-4 verifying since 23/11 10:30: 6.9 days, not yet
    await tick(h, planning)
    assert overdue_lists(hai) == []
    h.clock.set(datetime(2026, 12, 1, 7, 30, tzinfo=h.clock.tz))  # 7.9 days
    await tick(h, planning)
    assert overdue_lists(hai) == [
        "⏰ 1 báo cáo khẩn quá hạn xử lý (ngày 01/12/2026):\n"
        "• BC-2026-000004 · 📢 Tin báo ANTT · Thôn Làng Mới · Đang xác minh · 7 ngày\n"
        "Chọn một báo cáo để xem và xử lý tiếp."
    ]


async def test_the_list_goes_once_a_day_even_across_a_restart(tmp_path: Path, h: Harness) -> None:
    planning = await setup(h)
    at(h, 25, 7, 30)
    assert await planning.tick() == 2  # Cường and Dũng; planned, then the bot is killed
    await h.close()
    h2 = await make_harness(tmp_path, ManualClock(datetime(2026, 11, 25, 7, 40)), h.config)
    again = Planning(h2.runtime.services, jobs_from(h2.config, h2.clock.tz))
    assert await again.tick() == 0
    await h2.drain()
    assert len([m for m in h2.api.chat(11) if is_overdue_list(m.text)]) == 1
    assert await again.tick() == 0
    assert await h2.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'overdue:%'") == 2
    await h2.close()
