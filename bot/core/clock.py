"""Injected time: every component asks a Clock, so tests and the demo can move time by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """What the application needs from time: an aware 'now' in the configured zone."""

    tz: tzinfo

    def now(self) -> datetime:
        """The current moment, aware, in the configured zone."""
        ...


class SystemClock:
    """The real clock, read in the configured time zone (Asia/Ho_Chi_Minh by default)."""

    def __init__(self, tz: str | tzinfo = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz

    def now(self) -> datetime:
        """Return the current time, aware, in the configured zone."""
        return datetime.now(self.tz)


class ManualClock:
    """A clock that only moves when told to: deterministic tests and a time-travelling demo."""

    def __init__(self, start: datetime, tz: str | tzinfo = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self._now = start if start.tzinfo else start.replace(tzinfo=self.tz)

    def now(self) -> datetime:
        """Return the time last set."""
        return self._now.astimezone(self.tz)

    def set(self, when: datetime) -> None:
        """Jump to a given moment (naive values are taken in the clock's zone)."""
        self._now = when if when.tzinfo else when.replace(tzinfo=self.tz)

    def advance(self, **delta: float) -> None:
        """Move forward by timedelta keyword arguments, e.g. advance(hours=2)."""
        self._now += timedelta(**delta)


def today(clock: Clock) -> date:
    """The local calendar day, which is what reports and deadlines are counted in."""
    return clock.now().date()


def iso(moment: datetime) -> str:
    """Store times as ISO-8601 with offset, so they sort and stay unambiguous."""
    return moment.isoformat(timespec="seconds")


class OffsetClock:
    """The system clock shifted by an offset that only grows: the demo's ':gio 19:00' moves
    the whole bot forward to see reminders arrive, without waiting until evening."""

    def __init__(self, tz: str | tzinfo = "Asia/Ho_Chi_Minh") -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.offset = timedelta(0)

    def now(self) -> datetime:
        """The real time plus the offset, in the configured zone."""
        return datetime.now(self.tz) + self.offset

    def forward_to(self, when: datetime) -> None:
        """Jump ahead to `when`; the clock never goes back (slots already planned stay so)."""
        gap = when - self.now()
        if gap > timedelta(0):
            self.offset += gap
