"""Phase-report milestones: once a commune marks its report sent, its people are not
reminded again; the other commune still is, and the supervisor above hears how many have."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from tests.inproc.phase_world import IDS, SO_KET, world
from tests.support.harness import Harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness, _, _ = await world(tmp_path)
    yield harness
    await harness.close()


async def run_at(h: Harness, when: datetime) -> None:
    """The bot at a given moment: plan what is due, deliver it."""
    h.clock.set(when)
    await Planning(h.runtime.services, jobs_from(h.config, h.clock.tz)).tick()
    await h.drain()


def reminders(h: Harness, name: str) -> list[str]:
    """The milestone reminders a user received, oldest first."""
    return [m.text for m in h.api.chat(IDS[name]) if m.text.startswith("📌") and SO_KET in m.text]


async def test_marking_stops_the_next_reminder_for_that_commune_only(h: Harness) -> None:
    await run_at(h, datetime(2026, 11, 23, 7, 0))  # 7 days before 30/11
    assert reminders(h, "cuong") == [
        f"📌 Nhắc hạn: «{SO_KET}» — còn 7 ngày (hạn chót 30/11/2026).\n"
        "Soạn báo cáo và đánh dấu đã nộp: /baocaodot."
    ]
    assert reminders(h, "binh") == [  # a leader is reminded, not told to mark it
        f"📌 Nhắc hạn: «{SO_KET}» — còn 7 ngày (hạn chót 30/11/2026)."
    ]
    assert reminders(h, "lan") == [
        f"📌 Nhắc hạn: «{SO_KET}» — còn 7 ngày (hạn chót 30/11/2026).\n"
        "📊 0/2 xã đã nộp.\nSoạn báo cáo và đánh dấu đã nộp: /baocaodot."
    ]
    cuong = h.user(IDS["cuong"])
    h.clock.set(datetime(2026, 11, 23, 9, 0))
    await cuong.send("/baocaodot")
    await cuong.press("Đã nộp báo cáo")
    await cuong.press(f"Đánh dấu đã nộp: {SO_KET}")
    await run_at(h, datetime(2026, 11, 27, 7, 0))  # 3 days before
    assert len(reminders(h, "cuong")) == 1  # Xã Bắc Sơn sent it: nothing more
    assert len(reminders(h, "binh")) == 1  # nor to its teams
    assert reminders(h, "hai")[-1] == (
        f"📌 Nhắc hạn: «{SO_KET}» — còn 3 ngày (hạn chót 30/11/2026).\n"
        "Soạn báo cáo và đánh dấu đã nộp: /baocaodot."
    )
    assert reminders(h, "lan")[-1] == (
        f"📌 Nhắc hạn: «{SO_KET}» — còn 3 ngày (hạn chót 30/11/2026).\n"
        "📊 1/2 xã đã nộp.\nSoạn báo cáo và đánh dấu đã nộp: /baocaodot."
    )


async def test_an_ordinary_milestone_is_reminded_as_before(tmp_path: Path) -> None:
    extra = [{"name": "Lễ phát động", "due": "2026-11-30", "unit": ""}]
    harness, _, _ = await world(tmp_path, milestones=extra)
    try:
        await run_at(harness, datetime(2026, 11, 23, 7, 0))
        got = [m.text for m in harness.api.chat(IDS["lan"]) if "Lễ phát động" in m.text]
        assert got == ["📌 Nhắc hạn: «Lễ phát động» — còn 7 ngày (hạn chót 30/11/2026)."]
    finally:
        await harness.close()
