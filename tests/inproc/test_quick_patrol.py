"""The quick patrol wizard on Telegram: "same as last time", the preset date, the summary's
one-tap changes, going back over answers that filled others, team-mates and count buttons.

(The shift question has its own file, test_quick_patrol_shifts.py; Zalo's numbered lines are
in test_quick_patrol_zalo.py.) Each test checks what the member sees and what is saved.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.inproc.helpers import SUMMARY, labels, one, report_data, rows
from tests.support.harness import TEAM_A, TEAM_B, Harness, TgUser, make_harness

EVENING = datetime(2026, 11, 23, 21, 40)  # after the default 19:00–21:00 shift
ROUTE = "Đường liên thôn Nà Lẹng"
SAVED = "✅ Đã lưu báo cáo"
ROUTINE = "🔁 Như lần trước"


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    """A three-person team (An files; Bình and Cường are team-mates) in the evening."""
    harness = await make_harness(tmp_path, clock=ManualClock(EVENING))
    await harness.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await harness.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    await harness.add_member(3, "Lê Văn Cường", "member", TEAM_A)
    yield harness
    await harness.close()


async def open_patrol(user: TgUser) -> None:
    await user.send("/baocao")
    await user.press("Tuần tra")
    assert "Bước 1/4" in user.last_text, user.last_text


async def to_summary(user: TgUser, *, mates: str = "Một mình", incidents: str = "0") -> None:
    """The first patrol the quick way: shift button, typed route, a team-mate shortcut, a count."""
    await open_patrol(user)
    await user.press("19:00–21:00")
    await user.send(ROUTE)
    await user.press(mates)
    await user.press(incidents)
    assert SUMMARY in user.last_text, user.last_text


async def send(user: TgUser) -> None:
    replies = await user.press("Gửi báo cáo")
    assert SAVED in replies[0].text, replies[0].text


async def count_reports(h: Harness) -> int:
    return await h.count("SELECT COUNT(*) FROM reports")


# ------------------------------------------------------------------ same as last time


async def test_routine_button_only_after_an_earlier_patrol(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    assert not [x for x in labels(an.messages[-1:]) if ROUTINE in x]
    await an.press("Hủy")
    await to_summary(an, mates="Cả tổ", incidents="2")
    await an.press("Có hỗ trợ giao thông")  # toggled to yes: kept by the routine
    await an.press("Thêm ghi chú")
    await an.send("Có một xe máy hỏng ở dốc")  # the note is not kept
    await send(an)

    await open_patrol(an)
    offered = an.messages[-1].labels()
    # The route is cut to fit the button (60 characters); the summary shows it whole.
    assert offered[0] == "🔁 Như lần trước: 19:00–21:00 · Đường liê… · cùng Bình, Cường"
    assert len(offered[0]) <= 60
    replies = await an.press(ROUTINE)
    summary = replies[-1].text
    assert SUMMARY in summary
    for line in [
        "• Ngày tuần tra: 23/11/2026",
        "• Giờ bắt đầu: 19:00",
        "• Giờ kết thúc: 21:00",
        f"• Tuyến, địa bàn: {ROUTE}",  # in full, though cut on the button
        "• Tổ viên cùng tham gia: Trần Thị Bình, Lê Văn Cường",
        "• Số vụ việc phát hiện: 0",
        "• Có hỗ trợ giao thông: Có",
    ]:
        assert line in summary, summary
    assert "Ghi chú" not in summary
    assert "➕ Thêm ghi chú" in replies[-1].labels()
    await send(an)
    assert await report_data(h, 2) == {
        "date": "2026-11-23",
        "start": "19:00",
        "end": "21:00",
        "route": ROUTE,
        "teammates": [2, 3],
        "incidents": 0,
        "traffic_help": True,
        "note": None,
    }
    mates = await rows(h, "SELECT member_id FROM report_participants WHERE report_id = 2")
    assert sorted(r["member_id"] for r in mates) == [2, 3]


async def test_routine_short_label_shows_everything_uncut(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    await an.press("19:00–21:00")
    await an.send("Xóm Bãi")
    await an.press("Một mình")
    await an.press("0")
    await send(an)
    await open_patrol(an)
    assert an.messages[-1].labels()[0] == "🔁 Như lần trước: 19:00–21:00 · Xóm Bãi · một mình"


async def test_routine_drops_team_mates_who_left_the_team(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an, mates="Cả tổ")
    await send(an)
    async with h.db.transaction() as tx:  # Cường moved to another team
        unit = await one(h, "SELECT id FROM units WHERE path = ?", (TEAM_B,))
        await tx.execute("UPDATE members SET unit_id = ? WHERE id = 3", (unit["id"],))
    await open_patrol(an)
    assert an.messages[-1].labels()[0].endswith("· cùng Bình")
    replies = await an.press(ROUTINE)
    assert "• Tổ viên cùng tham gia: Trần Thị Bình\n" in replies[-1].text
    await send(an)
    assert (await report_data(h, 2))["teammates"] == [2]
    mates = await rows(h, "SELECT member_id FROM report_participants WHERE report_id = 2")
    assert [r["member_id"] for r in mates] == [2]


async def test_routine_not_offered_while_its_shift_is_not_over(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    await send(an)
    h.clock.set(datetime(2026, 11, 24, 20, 30))  # the next evening, 19:00–21:00 not over
    await open_patrol(an)
    shown = an.messages[-1].labels()
    # last night's patrol is filed already, so it is not offered for yesterday either
    assert not [x for x in shown if ROUTINE in x], shown
    assert not [x for x in shown if x.startswith("19:00–21:00")], shown
    await an.press("Hủy")
    h.clock.set(datetime(2026, 11, 24, 21, 5))
    await open_patrol(an)
    assert an.messages[-1].labels()[0].startswith(ROUTINE)


async def test_back_from_the_routine_summary_clears_what_it_filled(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an, mates="Cả tổ", incidents="1")
    await send(an)
    await open_patrol(an)
    await an.press(ROUTINE)
    replies = await an.press("Quay lại")
    assert "Bước 1/4" in replies[-1].text, replies[-1].text
    assert replies[-1].labels()[0].startswith(ROUTINE)  # offered again
    # The kept shift was cleared: one typed time now asks for the end.
    replies = await an.send("18:00")
    assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text
    await an.send("20:00")
    replies = await an.send("Xóm Bãi")
    assert "Bước 3/4" in replies[-1].text  # team-mates asked again, nothing kept
    assert "☑️" not in "".join(replies[-1].labels())
    await an.press("Một mình")
    await an.press("3")
    await send(an)
    data = await report_data(h, 2)
    assert (data["start"], data["end"], data["route"]) == ("18:00", "20:00", "Xóm Bãi")
    assert (data["teammates"], data["incidents"]) == ([], 3)


# ------------------------------------------------------------------ the preset date


@pytest.mark.parametrize(
    ("now", "shown", "stored"),
    [
        (datetime(2026, 11, 24, 0, 40), "23/11/2026", "2026-11-23"),  # last night's patrol
        (datetime(2026, 11, 24, 6, 0), "24/11/2026", "2026-11-24"),  # the day turned over
    ],
)
async def test_the_date_is_preset_to_the_reporting_day(
    h: Harness, now: datetime, shown: str, stored: str
) -> None:
    h.clock.set(now)
    an = h.user(1)
    await open_patrol(an)
    assert "Ngày" not in an.last_text  # not asked
    await an.send("05:00-05:30" if now.hour == 6 else "22:00-00:30")
    await an.send(ROUTE)
    await an.press("Một mình")
    replies = await an.press("0")
    assert f"• Ngày tuần tra: {shown}" in replies[-1].text
    await send(an)
    row = await one(h, "SELECT report_date, data FROM reports")
    assert row["report_date"] == stored
    assert (await report_data(h))["date"] == stored


async def test_an_urgent_report_at_night_is_dated_today(h: Harness) -> None:
    h.clock.set(datetime(2026, 11, 24, 0, 40))
    an = h.user(1)
    await an.send("/baocao")
    await an.press("PCCC")
    await an.press("Cháy")
    await an.send("Nhà văn hóa thôn")
    await an.press("Không")
    await an.send("0")
    replies = await an.send("Đã dập tắt")
    assert "• Ngày: 24/11/2026" in replies[-1].text, replies[-1].text
    await an.press("Gửi báo cáo")
    assert (await one(h, "SELECT report_date FROM reports"))["report_date"] == "2026-11-24"


async def test_other_day_on_the_summary_changes_the_date_and_returns(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    replies = await an.press("📅 Ngày khác")
    assert "Ngày tuần tra" in replies[-1].text, replies[-1].text
    replies = await an.press("Hôm qua")
    assert SUMMARY in replies[-1].text
    assert "• Ngày tuần tra: 22/11/2026" in replies[-1].text
    await send(an)
    assert (await one(h, "SELECT report_date FROM reports"))["report_date"] == "2026-11-22"


async def test_back_from_other_day_keeps_the_preset_date(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    await an.press("📅 Ngày khác")
    replies = await an.press("Quay lại")
    assert SUMMARY in replies[-1].text
    assert "• Ngày tuần tra: 23/11/2026" in replies[-1].text
    await send(an)
    assert (await one(h, "SELECT report_date FROM reports"))["report_date"] == "2026-11-23"


# ------------------------------------------------------------------ the summary's one-tap changes


async def test_the_yes_no_toggle_flips_on_the_summary(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    assert "• Có hỗ trợ giao thông: Không" in an.last_text
    replies = await an.press("🔄 Có hỗ trợ giao thông: đổi thành “Có”")
    assert "• Có hỗ trợ giao thông: Có" in replies[-1].text
    assert "🔄 Có hỗ trợ giao thông: đổi thành “Không”" in replies[-1].labels()
    await an.press("đổi thành “Không”")
    await an.press("đổi thành “Có”")
    await send(an)
    assert (await report_data(h))["traffic_help"] is True


async def test_a_note_is_added_from_the_summary(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    assert "Ghi chú" not in an.last_text.split("\n\n")[1]
    replies = await an.press("➕ Thêm ghi chú")
    assert "Ghi chú thêm (nếu có)?" in replies[-1].text
    replies = await an.send("Đèn đường hỏng ở ngã ba")
    assert SUMMARY in replies[-1].text
    assert "• Ghi chú: Đèn đường hỏng ở ngã ba" in replies[-1].text
    assert "➕ Thêm ghi chú" not in replies[-1].labels()
    await send(an)
    assert (await report_data(h))["note"] == "Đèn đường hỏng ở ngã ba"


async def test_no_note_is_stored_as_skipped(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    await send(an)
    assert (await report_data(h))["note"] is None


async def test_change_another_answer_from_the_summary(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)
    replies = await an.press("✏️ Sửa câu khác")
    assert "✏️ Chọn câu cần sửa:" in replies[-1].text
    assert "Giờ kết thúc" not in replies[-1].labels()  # asked with the start, as one shift
    assert "Tuyến, địa bàn" in replies[-1].labels()
    replies = await an.press("Quay lại")  # from the list, back to the summary
    assert SUMMARY in replies[-1].text
    await an.press("✏️ Sửa câu khác")
    await an.press("Tuyến, địa bàn")
    replies = await an.send("Xóm Bãi – Khuôn Pinh")
    assert SUMMARY in replies[-1].text
    assert "• Tuyến, địa bàn: Xóm Bãi – Khuôn Pinh" in replies[-1].text
    await an.press("✏️ Sửa câu khác")
    await an.press("Giờ bắt đầu")
    replies = await an.send("18:00-20:30")
    assert "• Giờ bắt đầu: 18:00" in replies[-1].text
    assert "• Giờ kết thúc: 20:30" in replies[-1].text
    await send(an)
    data = await report_data(h)
    assert (data["route"], data["start"], data["end"]) == ("Xóm Bãi – Khuôn Pinh", "18:00", "20:30")
    assert await count_reports(h) == 1


async def test_back_to_the_shift_clears_the_end_it_filled(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    await an.press("19:00–21:00")
    replies = await an.press("Quay lại")
    assert "Bước 1/4" in replies[-1].text
    replies = await an.send("18:30")  # one time: the end it filled before is gone, so asked
    assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text
    replies = await an.send("20:00")
    assert "Bước 2/4" in replies[-1].text
    await an.send(ROUTE)
    await an.press("Một mình")
    await an.press("0")
    await send(an)
    data = await report_data(h)
    assert (data["start"], data["end"]) == ("18:30", "20:00")


# ------------------------------------------------------------------ team-mates and counts


async def test_alone_stores_no_team_mates(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    await an.press("19:00–21:00")
    replies = await an.send(ROUTE)
    assert replies[-1].labels()[:2] == ["🙋 Một mình", "👥 Cả tổ (Bình, Cường)"]
    replies = await an.press("Một mình")
    assert "Bước 4/4" in replies[-1].text  # one tap, no "Xong"
    await an.press("0")
    await send(an)
    assert (await report_data(h))["teammates"] == []
    assert await h.count("SELECT COUNT(*) FROM report_participants") == 0


async def test_alone_is_shown_as_alone_on_the_summary(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an, mates="Một mình")
    assert "• Tổ viên cùng tham gia: Một mình" in an.last_text


async def test_whole_team_stores_every_team_mate(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an, mates="👥 Cả tổ")
    assert "• Tổ viên cùng tham gia: Trần Thị Bình, Lê Văn Cường" in an.last_text
    await send(an)
    assert (await report_data(h))["teammates"] == [2, 3]
    mates = await rows(h, "SELECT member_id FROM report_participants ORDER BY member_id")
    assert [r["member_id"] for r in mates] == [2, 3]


@pytest.mark.parametrize("count", ["0", "1", "2", "3"])
async def test_count_buttons(h: Harness, count: str) -> None:
    an = h.user(1)
    await open_patrol(an)
    await an.press("19:00–21:00")
    await an.send(ROUTE)
    replies = await an.press("Một mình")
    assert replies[-1].labels()[:4] == ["0", "1", "2", "3"]
    replies = await an.press(count)
    assert f"• Số vụ việc phát hiện: {count}" in replies[-1].text
    await send(an)
    assert (await report_data(h))["incidents"] == int(count)


async def test_a_typed_count_beyond_the_buttons(h: Harness) -> None:
    an = h.user(1)
    await open_patrol(an)
    await an.press("19:00–21:00")
    await an.send(ROUTE)
    await an.press("Một mình")
    replies = await an.send("101")
    assert "Bước 4/4" in replies[-1].text  # refused, asked again
    assert "100" in replies[-1].text.split("\n")[0], replies[-1].text
    replies = await an.send("12")
    assert "• Số vụ việc phát hiện: 12" in replies[-1].text
    assert await count_reports(h) == 0
    await send(an)
    assert (await report_data(h))["incidents"] == 12


async def test_routine_in_the_morning_files_last_nights_patrol(h: Harness) -> None:
    an = h.user(1)
    await to_summary(an)  # 23/11 19:00–21:00
    await send(an)
    h.clock.set(datetime(2026, 11, 25, 7, 30))  # nothing filed for 24/11 yet
    await open_patrol(an)
    label = an.messages[-1].labels()[0]
    assert label.startswith(ROUTINE + ": 19:00–21:00 (hôm qua) · "), label
    replies = await an.press(ROUTINE)
    assert "• Ngày tuần tra: 24/11/2026" in replies[-1].text, replies[-1].text
    await send(an)
    data = await report_data(h, 2)
    assert (data["date"], data["start"], data["end"]) == ("2026-11-24", "19:00", "21:00")


async def test_alone_in_the_team_the_team_mates_question_is_not_asked(h: Harness) -> None:
    await h.add_member(9, "Vi Thị Em", "member", TEAM_B)  # the only member of her team
    em = h.user(9)
    await open_patrol(em)
    await em.press("19:00–21:00")
    replies = await em.send(ROUTE)
    assert "Phát hiện bao nhiêu vụ việc?" in replies[-1].text, replies[-1].text
    replies = await em.press("0")
    assert "• Tổ viên cùng tham gia: Một mình" in replies[-1].text, replies[-1].text
    await send(em)
    assert (await report_data(h))["teammates"] == []
