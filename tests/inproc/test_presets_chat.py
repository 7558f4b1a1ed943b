"""A preset selected in the config drives the bot: its phases are /thongke period buttons,
its milestones reach officers as reminders, and members hear when a phase starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.config import load_config
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from tests.support.harness import COMMUNE, TEAM_A, Harness, make_harness


@pytest.fixture
async def hb(tmp_path: Path) -> AsyncIterator[Harness]:
    path = tmp_path / "config.toml"
    path.write_text('[movement]\npreset = "bac-son-2024-2025"\n', encoding="utf-8")
    config = load_config(path)
    harness = await make_harness(tmp_path, ManualClock(datetime(2025, 1, 20, 9, 0)), config)
    await harness.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await harness.add_member(4, "Trần Văn Dũng", "officer", COMMUNE)
    yield harness
    await harness.close()


async def run_at(h: Harness, when: datetime) -> None:
    """The bot at a given moment: plan what is due, deliver it."""
    h.clock.set(when)
    await Planning(h.runtime.services, jobs_from(h.config, h.clock.tz)).tick()
    await h.drain()


def received(h: Harness, uid: int, start: str) -> list[str]:
    return [m.text for m in h.api.chat(uid) if m.text.startswith(start)]


async def test_the_presets_phases_are_period_buttons(hb: Harness) -> None:
    dung = hb.user(4)
    replies = await dung.send("/thongke")
    labels = replies[0].labels()
    assert "Đợt 1" in labels and "Đợt 2" in labels
    replies = await dung.press("Đợt 1", on=replies[0])
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Đợt 1 (01/10–03/02/2025)")
    replies = await dung.press("Đợt 2", on=replies[0])
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Đợt 2 (04/02–19/08/2025)")


async def test_the_presets_deadlines_remind_officers_and_phase_2_is_announced(
    hb: Harness,
) -> None:
    """Sơ kết đợt 1 "gửi trong ngày 03/02/2025": reminded 7, 3, 1 and 0 days before; Đợt 2
    starts on 04/02/2025 with its theme."""
    for day in (27, 28, 31):
        await run_at(hb, datetime(2025, 1, day, 7, 0))
    for day in (2, 3, 4):
        await run_at(hb, datetime(2025, 2, day, 7, 0))
    name = "Báo cáo sơ kết Đợt 1 (gửi trong ngày 03/02/2025)"
    draft = "\nSoạn báo cáo và đánh dấu đã nộp: /baocaodot."  # a phase report: officers
    assert received(hb, 4, "📌") == [
        f"📌 Nhắc hạn: «{name}» — còn 7 ngày (hạn chót 03/02/2025).{draft}",
        f"📌 Nhắc hạn: «{name}» — còn 3 ngày (hạn chót 03/02/2025).{draft}",
        f"📌 Nhắc hạn: «{name}» — còn 1 ngày (hạn chót 03/02/2025).{draft}",
        f"📌 Hôm nay là hạn chót: «{name}» (03/02/2025).{draft}",
    ]
    assert received(hb, 1, "📌") == []  # members are not the audience
    [start] = received(hb, 1, "🚩")
    assert start.startswith(
        "🚩 Hôm nay bắt đầu Đợt 2 (04/02/2025 – 19/08/2025).\nChủ đề: Thi đua lập thành tích "
        "chào mừng kỷ niệm 80 năm Cách mạng tháng Tám thành công"
    )
