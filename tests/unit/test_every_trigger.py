"""Background jobs: the interval, the daily time that also runs a job (the communes' kept
lines fall due at the report deadline), and how soon after the start each first runs."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.schedule.scheduler import Every, _every_trigger, _first_after

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


async def nothing() -> None:
    """A job body; never run here."""


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=ZONE)


def test_a_daily_time_comes_before_the_next_interval_when_sooner() -> None:
    trigger = _every_trigger(Every("refill", 600.0, nothing, daily=time(21, 1)), ZONE)
    assert trigger.get_next_fire_time(at(20, 55), at(20, 55, 30)) == at(21, 1)
    assert trigger.get_next_fire_time(at(21, 1), at(21, 1, 1)) == at(21, 11)  # then the interval
    assert trigger.get_next_fire_time(at(21, 50), at(21, 50, 1)) == at(22, 0)


def test_without_a_daily_time_only_the_interval_fires() -> None:
    trigger = _every_trigger(Every("prune", 3600.0, nothing), ZONE)
    assert trigger.get_next_fire_time(at(20, 55), at(20, 55, 30)) == at(21, 55)


def test_a_job_with_a_daily_time_first_runs_within_a_minute_of_the_start() -> None:
    assert _first_after(Every("refill", 600.0, nothing, daily=time(21, 1))) == timedelta(minutes=1)
    assert _first_after(Every("progress", 5.0, nothing, daily=time(21, 1))) == timedelta(seconds=5)
    assert _first_after(Every("prune", 3600.0, nothing)) == timedelta(hours=1)
