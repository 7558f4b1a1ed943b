"""Pure functions behind the scheduler and sender: slots, quiet hours, pacing, backoff."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.core.config import Config, ConfigError, load_config
from bot.outbox.quiet import in_quiet_hours, quiet_ends
from bot.outbox.ratelimit import RateLimiter
from bot.outbox.sender import SendPolicy
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import slots_between

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Vietnam."""
    return datetime(2026, 11, day, hour, minute, tzinfo=VN)


def test_slots_between_lists_each_fire_time_once_after_the_start() -> None:
    trigger = CronTrigger(hour=19, minute=0, timezone=VN)
    assert list(slots_between(trigger, at(21, 19), at(23, 19))) == [at(22, 19), at(23, 19)]
    assert list(slots_between(trigger, at(23, 19), at(23, 23))) == []


def test_the_monthly_job_fires_on_the_configured_first_day_of_a_period() -> None:
    config = Config.model_validate({"tally": {"month_starts_on": 15}})
    [job] = [j for j in jobs_from(config, VN) if j.name == "monthly-tally"]
    slots = list(slots_between(job.trigger, at(1, 0), datetime(2027, 1, 31, tzinfo=VN)))
    assert [s.date().isoformat() for s in slots] == ["2026-11-15", "2026-12-15", "2027-01-15"]
    assert {(s.hour, s.minute) for s in slots} == {(7, 30)}


def test_a_time_written_with_seconds_fires_at_that_second() -> None:
    config = load_config_text('[reminders]\ndaily_at = "19:00:30"\n')
    [job] = [j for j in jobs_from(config, VN) if j.name == "remind"]
    slots = list(slots_between(job.trigger, at(21, 19), at(22, 20)))
    assert slots == [at(21, 19).replace(second=30), at(22, 19).replace(second=30)]
    [usual] = [j for j in jobs_from(Config(), VN) if j.name == "remind"]
    assert list(slots_between(usual.trigger, at(21, 18), at(21, 20))) == [at(21, 19)]


def load_config_text(text: str) -> Config:
    """A config as a TOML file says it (times are read as the file writes them)."""
    import tomllib

    return Config.model_validate(tomllib.loads(text))


def test_jobs_follow_the_config() -> None:
    names = [j.name for j in jobs_from(Config(), VN)]
    assert names == [
        "remind",
        "remind-second",
        "digest",
        "monthly-tally",
        "notices",
        "overdue",
        "commend-notice",
        "good-deed-nudge",
    ]
    off = Config.model_validate({"reminders": {"second_before_minutes": 0, "nudge_day": 0}})
    assert "remind-second" not in [j.name for j in jobs_from(off, VN)]
    assert "good-deed-nudge" not in [j.name for j in jobs_from(off, VN)]
    assert jobs_from(Config.model_validate({"reminders": {"enabled": False}}), VN) == []


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (21, 29, False),
        (21, 30, True),
        (23, 59, True),
        (0, 0, True),
        (6, 29, True),
        (6, 30, False),
        (12, 0, False),
    ],
)
def test_quiet_hours_wrap_past_midnight(hour: int, minute: int, quiet: bool) -> None:
    assert in_quiet_hours(at(23, hour, minute), time(21, 30), time(6, 30)) is quiet


def test_quiet_hours_end_the_next_morning_and_equal_bounds_mean_none() -> None:
    assert quiet_ends(at(23, 22), time(21, 30), time(6, 30)) == at(24, 6, 30)
    assert quiet_ends(at(24, 5), time(21, 30), time(6, 30)) == at(24, 6, 30)
    assert quiet_ends(at(24, 9), time(21, 30), time(6, 30)) == at(24, 9)
    assert not in_quiet_hours(at(23, 23), time(6, 0), time(6, 0))


class FakeTime:
    """A monotonic clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """The fake time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Sleeping moves the fake time."""
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_overall_rate_spaces_sends_evenly_without_bursts() -> None:
    fake = FakeTime()
    limiter = RateLimiter(25, 1, monotonic=fake.monotonic, sleep=fake.sleep)

    async def hundred() -> list[float]:
        """When each of 100 sends may start."""
        starts = []
        for _ in range(100):
            await limiter.acquire()
            starts.append(fake.now)
        return starts

    starts = asyncio.run(hundred())
    gaps = {round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)}
    assert gaps == {0.04}
    assert starts[-1] - starts[0] == pytest.approx(99 / 25)


def test_waking_late_does_not_slow_the_pace_nor_allow_a_burst() -> None:
    fake = FakeTime()

    async def oversleep(seconds: float) -> None:
        """asyncio wakes about a millisecond late."""
        await fake.sleep(seconds + 0.001)

    limiter = RateLimiter(25, 1, monotonic=fake.monotonic, sleep=oversleep)

    async def starts(count: int) -> list[float]:
        """When each send may start."""
        out = []
        for _ in range(count):
            await limiter.acquire()
            out.append(fake.now)
        return out

    times = asyncio.run(starts(251))
    assert times[-1] - times[0] == pytest.approx(10.0, abs=0.002)  # 25/s, not 24.4/s
    assert max(sum(1 for t in times if s <= t < s + 1) for s in times) <= 26
    fake.now += 60  # idle for a minute: the next sends are spaced again, not bunched
    later = asyncio.run(starts(3))
    assert [round(b - a, 3) for a, b in zip(later, later[1:], strict=False)] == [0.041, 0.04]


def test_a_chat_cools_for_a_second_after_each_send_and_a_pause_holds_everything() -> None:
    fake = FakeTime()
    limiter = RateLimiter(25, 1, monotonic=fake.monotonic, sleep=fake.sleep)
    limiter.start("42")
    assert limiter.cooling() == ["42"]  # in flight
    fake.now += 0.3
    limiter.done("42")
    fake.now += 0.9
    assert limiter.cooling() == ["42"]
    assert limiter.ready_in() == pytest.approx(0.1)
    fake.now += 0.1
    assert limiter.cooling() == []
    limiter.pause(5)
    assert limiter.paused_for == 5
    asyncio.run(limiter.acquire())
    assert fake.now == pytest.approx(1006.3)


def test_backoff_doubles_up_to_the_cap_with_a_spread() -> None:
    policy = SendPolicy(backoff_seconds=5, backoff_max_seconds=60)
    for outbox_id in range(1, 50):
        delays = [policy.backoff(n, outbox_id) for n in range(1, 8)]
        assert 4 <= delays[0] <= 6
        assert 8 <= delays[1] <= 12
        assert all(d <= 72 for d in delays)


def test_reminders_must_come_before_the_deadline(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "c.toml"
    path.write_text('[reminders]\ndaily_at = "21:30"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "reminders.daily_at (21:30) must be before reports.deadline (21:00)" in str(err.value)
    path.write_text('[reports]\ndeadline = "19:20"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "second_before_minutes" in str(err.value)
