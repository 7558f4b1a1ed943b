"""Pieces of several processes on one database: a share's one-second cap, Telegram's pace
divided, a process of this machine known dead, and migrations run by two at once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from bot.channels.telegram_pace import PacedLimiter
from bot.cluster import identity
from bot.outbox.ratelimit import CAP_WINDOW, RateLimiter, SecondCap
from storage.db import Database
from tests.unit.test_telegram_pace import FakeTime


def most_within(moments: list[float], window: float) -> int:
    ordered = sorted(moments)
    return max(
        sum(1 for m in ordered[i:] if m - start < window - 1e-9) for i, start in enumerate(ordered)
    )


def test_the_cap_keeps_any_window_within_the_share_even_when_catching_up() -> None:
    """Without the cap, a late wake-up lets the grid catch up: two sends close together."""
    clock = FakeTime()

    async def late(seconds: float) -> None:
        await clock.sleep(seconds + 0.03)  # a busy process wakes 30 ms late each time

    limiter = RateLimiter(20, None, monotonic=clock, sleep=late)
    limiter.share(0.5, valid_for=1000)
    moments: list[float] = []

    async def sends() -> None:
        for _ in range(60):
            await limiter.acquire()
            moments.append(clock.now)

    asyncio.run(sends())
    assert most_within(moments, CAP_WINDOW) <= 10


def test_the_cap_of_a_share() -> None:
    cap = SecondCap()
    assert cap.wait(0.0) == 0.0  # no share yet: no cap
    cap.share(30, 1 / 3)
    for moment in range(10):
        assert cap.wait(moment * 0.01) == 0.0
        cap.grant(moment * 0.01)
    assert cap.wait(0.1) > 0.9
    assert cap.wait(CAP_WINDOW) == 0.0  # the first grant left the window
    cap.share(30, 1 / 4)
    assert cap.cap == 7  # whole messages, never above the share (7.5)


class RecordingCap(SecondCap):
    """The cap, noting when each slot was granted (the fake clock moves on meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.moments: list[float] = []

    def grant(self, now: float) -> None:
        self.moments.append(now)
        super().grant(now)


def test_telegram_pace_takes_its_share_and_a_newcomer_waits() -> None:
    clock = FakeTime()
    pace = PacedLimiter(30, monotonic=clock, sleep=clock.sleep)
    cap = pace._cap = RecordingCap()
    start = clock.now
    pace.share(0.5, valid_for=10, start_after=1.0)

    async def sends() -> None:
        for _ in range(40):
            await pace.acquire()

    asyncio.run(sends())
    assert cap.moments[0] - start >= 1.0  # the newcomer waited for the others to see it
    assert most_within(cap.moments, CAP_WINDOW) <= 15
    assert cap.moments[1] - cap.moments[0] >= 1 / 15 - 1e-9  # half of 30 a second


def test_a_process_of_this_machine_whose_pid_is_gone_is_dead_at_once() -> None:
    me = identity.this_process()
    here = identity.node()
    assert not identity.gone(me.node, me.pid, me.pid_start, here)  # this one lives
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert identity.gone(here, int(child.stdout), me.pid_start, here)
    assert identity.gone(here, me.pid, "1", here)  # the pid now belongs to another start
    assert not identity.gone("another-machine", int(child.stdout), "1", here)  # no guessing


async def test_two_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    first, second = await asyncio.gather(Database(path).open(), Database(path).open())
    try:
        async with first.read() as tx:
            rows = await tx.fetchall("SELECT name FROM schema_migrations")
        names = [str(r["name"]) for r in rows]
        assert len(names) == len(set(names)) and "020_processes.sql" in names
    finally:
        await second.close()
        await first.close()
