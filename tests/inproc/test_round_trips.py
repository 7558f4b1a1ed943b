"""What a wizard update costs in round trips to the database (Database.round_trips): most of
an update's time is waiting for the database, so the count is bounded here, not a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from tests.support.fakebot import text_update
from tests.support.harness import TEAM_A, Harness, make_harness

MAX_TRIPS = 4  # per wizard update: BEGIN with the lookups, the handler's reads, the COMMIT
AN = 7001
BINH = 7002


EVENING = datetime(2026, 11, 23, 23, 45)
STEPS = [
    ("send", "/baocao"),
    ("press", "Tuần tra"),
    ("send", "19h - 21:30"),
    ("send", "Đường liên thôn Nà Lẹng"),
    ("press", "Trần Thị Bình"),
    ("press", "Xong"),
    ("send", "0"),
    ("press", "Có hỗ trợ giao thông"),
    ("press", "Gửi báo cáo"),
]


async def _enrolled(path: Path) -> Harness:
    harness = await make_harness(path, ManualClock(EVENING))
    await harness.add_member(AN, "Nguyễn Văn An", "member", TEAM_A)
    await harness.add_member(BINH, "Trần Thị Bình", "member", TEAM_A)
    return harness


@pytest.fixture
async def evening(tmp_path: Path) -> AsyncIterator[Harness]:
    """The harness late in the evening, when every shift typed below is over."""
    harness = await _enrolled(tmp_path)
    try:
        yield harness
    finally:
        await harness.close()


async def _patrol(h: Harness) -> tuple[list[int], str]:
    """An files a patrol report step by step: the trips of each step, and the receipt."""
    an = h.user(AN, "Nguyễn", "Văn An")
    trips: list[int] = []
    replies: list[str] = []
    for action, arg in STEPS:
        before = h.db.round_trips
        replies = [m.text for m in await (an.send(arg) if action == "send" else an.press(arg))]
        trips.append(h.db.round_trips - before)
    return trips, replies[0]


async def test_each_step_of_a_patrol_report_stays_within_four_round_trips(
    evening: Harness, tmp_path: Path
) -> None:
    h = evening
    bound = MAX_TRIPS
    if h.db.dialect == "postgresql":
        # The first use of a statement in a process learns its parameters' types (one trip,
        # once): the same dialog on another database first, so only the dialog counts.
        warm = await _enrolled(tmp_path / "warm")
        try:
            await _patrol(warm)
        finally:
            await warm.close()
        # BEGIN and the write lock are a trip of their own when no other update waits (under
        # load they ride with the previous COMMIT: tests/unit/test_pg_trips.py).
        bound += 1
    trips, receipt = await _patrol(h)
    steps, filing = trips[:-1], trips[-1]
    assert receipt.startswith("✅ Đã lưu báo cáo BC-2026-000001")
    assert max(steps) <= bound, trips
    # Filing writes the report, allocates its number and queues the team-mate's notice: a
    # few trips more, within the same bound over the whole dialog.
    assert sum(steps) + filing <= bound * len(STEPS), trips
    assert await h.count("SELECT COUNT(*) FROM report_participants") == 1
    assert await h.count("SELECT COUNT(*) FROM report_audit") == 1
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'credit:%'") == 1


async def test_an_update_seen_before_costs_one_lookup_and_changes_nothing(
    evening: Harness,
) -> None:
    h = evening
    update = text_update(AN, "/baocao", "Nguyễn", "Văn An")
    await h.feed(update)
    asked = len(h.api.sent)
    state = await h.count("SELECT COUNT(*) FROM conversations")
    before = h.db.round_trips
    await h.feed(update)
    # SQLite: BEGIN with the lookup, then COMMIT; PostgreSQL sends BEGIN on its own
    assert h.db.round_trips - before <= (2 if h.db.dialect == "sqlite" else 3)
    assert len(h.api.sent) == asked
    assert await h.count("SELECT COUNT(*) FROM conversations") == state == 1
    assert await h.count("SELECT COUNT(*) FROM processed_updates") == 1
