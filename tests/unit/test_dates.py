"""The date and time formats every message, file and command output shares."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.core import dates

MOMENT = datetime(2026, 3, 4, 7, 5, 9)


def test_each_format_is_day_first_and_zero_padded() -> None:
    assert dates.day(date(2026, 3, 4)) == "04/03/2026"
    assert dates.day(MOMENT) == "04/03/2026"
    assert dates.short_day(date(2026, 3, 4)) == "04/03"
    assert dates.month(date(2026, 3, 4)) == "03/2026"
    assert dates.clock(time(7, 5)) == "07:05"
    assert dates.clock(MOMENT) == "07:05"
    assert dates.clock_seconds(MOMENT) == "07:05:09"
    assert dates.stamp(MOMENT) == "07:05 04/03/2026"
    assert dates.shell_stamp(MOMENT) == "04/03/2026 07:05"
