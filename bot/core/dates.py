"""How dates and times are written, in one place: messages, files and the operator's shell.

Members read dates the Vietnamese way (day first, "24/11/2026") and times on a 24-hour clock
("19:00"); every text that shows a date goes through these, so a screen never mixes styles.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta


def day(value: date) -> str:
    """A full date, dd/mm/yyyy ("24/11/2026"): the form members type and read back."""
    return value.strftime("%d/%m/%Y")


def short_day(value: date) -> str:
    """dd/mm ("24/11"), where the year goes without saying (buttons, the start of a span)."""
    return value.strftime("%d/%m")


def month(value: date) -> str:
    """mm/yyyy ("11/2026"), as a reporting month is named in a title."""
    return value.strftime("%m/%Y")


def clock(value: time | datetime) -> str:
    """HH:MM on a 24-hour clock ("19:00"): deadlines, quiet hours, reminders."""
    return value.strftime("%H:%M")


def clock_seconds(value: time | datetime) -> str:
    """HH:MM:SS, where seconds matter (a stored deadline compared as text, a retry time)."""
    return value.strftime("%H:%M:%S")


def stamp(value: datetime) -> str:
    """HH:MM dd/mm/yyyy ("19:05 24/11/2026"): when something happened, in a chat message."""
    return value.strftime("%H:%M %d/%m/%Y")


def shell_stamp(value: datetime) -> str:
    """dd/mm/yyyy HH:MM ("24/11/2026 19:05"): a moment in the operator's command output."""
    return value.strftime("%d/%m/%Y %H:%M")


def stored_day(value: str) -> str:
    """A date as stored (ISO, "2026-11-24") as people read it: 24/11/2026."""
    return day(date.fromisoformat(value))


def stored_stamp(value: str) -> str:
    """A stored timestamp as people read it: 21:05 23/11/2026 (local time as stored)."""
    return stamp(datetime.fromisoformat(value))


def stored_local(value: object) -> datetime | None:
    """A stored ISO time as naive local time (the wall clock people saw, as the files show
    it); None for no time."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def reporting_day(now: datetime, day_ends_at: time) -> date:
    """The day a report filed now is about by default: a night patrol filed at 00:40 is
    yesterday's, so the reporting day only turns over at `day_ends_at` the next morning."""
    if now.time() < day_ends_at:
        return now.date() - timedelta(days=1)
    return now.date()
