"""The shortlist-ready notices: officers hear on a phase's last day (those of the units it
covers, or above them) and a week before 19/8 (all officers), once each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    START,
    TEAM_A,
    Harness,
    make_harness,
)

CONFIG = {
    "tally": {
        "phases": [
            {"name": "Đợt 1", "start": "2026-11-24", "end": "2027-02-03", "units": [TEAM_A]},
        ],
    },
}
PHASE_ENDS = (
    "🏅 Đợt 1 (24/11/2026–03/02/2027) kết thúc hôm nay. Danh sách gợi ý khen thưởng tổ và"
    " thành viên đã sẵn sàng: gõ /khenthuong để xem, đánh dấu người đề nghị và xuất danh sách."
)
FESTIVAL = (
    "🏅 Còn 7 ngày đến Ngày hội toàn dân bảo vệ ANTQ 19/8/2027. Danh sách gợi ý khen thưởng"
    " (20/8/2026–19/8/2027) đã sẵn sàng: gõ /khenthuong để xem, đánh dấu người đề nghị và"
    " xuất danh sách."
)


@pytest.fixture
async def hp(tmp_path: Path) -> AsyncIterator[Harness]:
    h = await make_harness(tmp_path, ManualClock(START), Config.model_validate(CONFIG))
    await h.add_member(1, "Nguyễn Văn An", "leader", TEAM_A)
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


def medals(h: Harness, uid: int) -> list[str]:
    return [m.text for m in h.api.chat(uid) if m.text.startswith("🏅")]


async def test_officers_hear_on_the_last_day_of_a_phase_once(hp: Harness) -> None:
    await run_at(hp, datetime(2027, 2, 2, 7, 0))
    assert medals(hp, 11) == []
    await run_at(hp, datetime(2027, 2, 3, 7, 0))
    await run_at(hp, datetime(2027, 2, 3, 7, 5))  # a second run that day: nothing new
    assert medals(hp, 11) == [PHASE_ENDS]
    assert medals(hp, 13) == []  # another commune: the phase does not cover it
    assert medals(hp, 1) == [] and medals(hp, 14) == []  # leaders, supervisors: not told


async def test_every_officer_hears_a_week_before_the_festival(hp: Harness) -> None:
    await run_at(hp, datetime(2027, 8, 11, 7, 0))
    assert medals(hp, 11) == []
    await run_at(hp, datetime(2027, 8, 12, 7, 0))
    assert medals(hp, 11) == [FESTIVAL]
    assert medals(hp, 13) == [FESTIVAL]
    assert medals(hp, 1) == []
