"""Monthly and dated schedules: last period's tally to officers on the period's first day
(day 15 here), the good-deed nudge, milestone reminders and the start of a phase."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import reports
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    START,
    TEAM_A,
    TEAM_B,
    Harness,
    make_harness,
)

CONFIG = {
    "tally": {
        "month_starts_on": 15,
        "phases": [
            {
                "name": "Đợt 1",
                "theme": "Cao điểm bảo đảm ANTT dịp Tết",
                "start": "2026-11-24",
                "end": "2027-02-03",
                "units": [TEAM_A],
            }
        ],
    },
    "reminders": {
        "nudge_day": 20,
        "milestones": [
            {"name": "Báo cáo sơ kết Đợt 1", "due": "2026-12-01", "unit": COMMUNE},
        ],
    },
}


@pytest.fixture
async def hp(tmp_path: Path) -> Harness:
    config = Config.model_validate(CONFIG)
    h = await make_harness(tmp_path, ManualClock(START), config)
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    await h.add_member(5, "Vi Thị Em", "member", TEAM_B)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    await h.add_member(13, "Vi Văn Hải", "officer", OTHER_COMMUNE)
    await h.add_member(14, "Đinh Thị Lan", "supervisor", PROVINCE)
    yield h
    await h.close()


async def run_at(h: Harness, when: datetime) -> None:
    """The bot at a given moment: plan what is due, deliver it."""
    h.clock.set(when)
    await Planning(h.runtime.services, jobs_from(h.config, h.clock.tz)).tick()
    await h.drain()


def received(h: Harness, uid: int) -> list[str]:
    """Texts (or captions) a user received."""
    return [m.text for m in h.api.chat(uid)]


async def test_officers_get_last_period_tally_and_workbook_on_the_15th(hp: Harness) -> None:
    await run_at(hp, datetime(2026, 12, 14, 7, 30))
    assert not any(t.startswith("📊") for t in received(hp, 11))  # the 14th: not yet
    await run_at(hp, datetime(2026, 12, 15, 7, 30))
    for uid, unit in ((11, "Xã Bắc Sơn"), (14, "Tỉnh Lạng Sơn")):
        messages = hp.api.chat(uid)
        text = next(m for m in messages if m.text.startswith("📊 Thống kê định kỳ"))
        assert unit in text.text
        assert "· Tháng 12/2026 (15/11–14/12/2026)" in text.text, text.text
        assert "📎 Bảng Excel gửi ngay sau tin này." in text.text
        [workbook] = [m for m in messages if m.file_kind == "document"]
        assert workbook.file_name and workbook.file_name.endswith(".xlsx")
        assert workbook.text.startswith("📎 Bảng thống kê kỳ vừa kết thúc (Excel).")
        assert messages.index(text) < messages.index(workbook)  # the table first, then its file
        book = openpyxl.load_workbook(io.BytesIO(workbook.file_data or b""), read_only=True)
        assert len(book.sheetnames) >= 2
    for uid in (1, 2, 5):
        assert not any(t.startswith("📊") for t in received(hp, uid))
    await run_at(hp, datetime(2026, 12, 15, 9, 0))  # later that day: nothing again
    assert len([m for m in hp.api.chat(11) if m.file_kind == "document"]) == 1


async def test_teams_without_a_good_deed_are_nudged_on_the_20th(hp: Harness) -> None:
    async with hp.db.transaction() as tx:
        member = await tx.fetchone("SELECT id, unit_id FROM members WHERE full_name LIKE 'Ngu%'")
        assert member is not None
        await reports.create(
            tx,
            number="BC-2026-000900",
            member_id=int(member["id"]),
            unit_id=int(member["unit_id"]),
            kind="good_deed",
            report_date="2026-12-16",
            data={},
            urgent=False,
            now_iso=iso(hp.clock.now()),
            edit_until_iso=iso(hp.clock.now()),
        )
    await run_at(hp, datetime(2026, 12, 20, 8, 0))
    nudge = [t for t in received(hp, 5) if t.startswith("💡")]
    assert nudge == [
        "💡 Thôn Khuôn Pinh chưa ghi nhận việc tốt nào từ 15/12/2026 đến nay.\nMỗi tổ cần ít nhất"
        " 1 việc tốt mỗi tháng. Giúp đỡ bà con, trả lại của rơi, hỗ trợ người già, hòa giải mâu"
        " thuẫn… đều là việc tốt — chọn mục bên dưới để ghi lại nhé!"
    ]
    assert not [t for t in received(hp, 1) if t.startswith("💡")]  # team A has one (16/12)
    assert not [t for t in received(hp, 11) if t.startswith("💡")]  # officers are not nudged


async def test_milestones_remind_the_officers_of_the_unit_on_the_configured_days(
    hp: Harness,
) -> None:
    for day in (24, 25, 28, 30):
        await run_at(hp, datetime(2026, 11, day, 7, 0))
    await run_at(hp, datetime(2026, 12, 1, 7, 0))
    assert [t for t in received(hp, 11) if t.startswith("📌")] == [
        "📌 Nhắc hạn: «Báo cáo sơ kết Đợt 1» — còn 7 ngày (hạn chót 01/12/2026).",
        "📌 Nhắc hạn: «Báo cáo sơ kết Đợt 1» — còn 3 ngày (hạn chót 01/12/2026).",
        "📌 Nhắc hạn: «Báo cáo sơ kết Đợt 1» — còn 1 ngày (hạn chót 01/12/2026).",
        "📌 Hôm nay là hạn chót: «Báo cáo sơ kết Đợt 1» (01/12/2026).",
    ]
    assert not [t for t in received(hp, 13) if t.startswith("📌")]  # another commune
    assert not [t for t in received(hp, 14) if t.startswith("📌")]  # province: not under it
    assert not [t for t in received(hp, 1) if t.startswith("📌")]  # members: not the audience


async def test_members_of_the_units_a_phase_covers_hear_when_it_starts(hp: Harness) -> None:
    await run_at(hp, datetime(2026, 11, 23, 7, 0))
    assert not [t for t in received(hp, 1) if t.startswith("🚩")]
    await run_at(hp, datetime(2026, 11, 24, 7, 0))
    expected = [
        "🚩 Hôm nay bắt đầu Đợt 1 (24/11/2026 – 03/02/2027).\nChủ đề: Cao điểm bảo đảm ANTT dịp Tết"
    ]
    assert [t for t in received(hp, 1) if t.startswith("🚩")] == expected
    assert [t for t in received(hp, 2) if t.startswith("🚩")] == expected
    assert not [t for t in received(hp, 5) if t.startswith("🚩")]  # team B is not covered


async def test_a_messenger_that_cannot_take_files_gets_the_message_only(hp: Harness) -> None:
    hp.runtime.services.fileless_channels.add("telegram")  # as Zalo is
    await run_at(hp, datetime(2026, 12, 15, 7, 30))
    messages = hp.api.chat(11)
    assert [m.file_kind for m in messages] == [None]
    assert "📎 Zalo chưa nhận được tệp từ bot" in messages[0].text
    assert await hp.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'tally:%:xlsx'") == 0
