"""Leave dates: reading what members type, the rules a leave follows, and how dates are shown.

Pure functions (the caller passes `today`), so the dialog in handlers/leave.py stays about
the conversation and these rules are easy to test. Unlike report dates, a leave usually lies
ahead: a date typed without a year is the occurrence nearest to today, so on 23/11/2026
"05/01" is 05/01/2027 and "20/11" is 20/11/2026.
"""

from __future__ import annotations

import re
from datetime import date

from bot.core import dates, typed_dates
from bot.core.parsing import fold

MAX_DAYS = 60
REASONS = ("annual", "sick", "family", "other")

_RANGE = re.compile(r"^(.+?)\s*(?:-|–|—|\bden\b|\bto\b)\s*(.+)$")


class LeaveError(ValueError):
    """Dates that cannot be used; `key` names the text telling the user what to do instead."""

    def __init__(self, key: str, **params: object) -> None:
        """Keep the catalogue key and the values its text needs."""
        super().__init__(key)
        self.key = key
        self.params = params


def read_dates(text: str, today: date) -> tuple[date, date]:
    """First and last day of a typed leave: 'hôm nay', 'ngày mai', '24/11', '24/11-26/11',
    '24/11/2026-26/11/2026', 'từ 24/11 đến 26/11'. LeaveError('leave.range_format') if not."""
    folded = re.sub(r"^(?:tu|from)\s+", "", fold(text).rstrip(" .!?"))
    if not folded:
        raise LeaveError("leave.range_format")
    single = _one_date(folded, today)
    if single is not None:
        return single, single
    match = _RANGE.match(folded)
    if match is None:
        raise LeaveError("leave.range_format")
    start = _one_date(match.group(1), today)
    end = _one_date(match.group(2), today)
    if start is None or end is None:
        raise LeaveError("leave.range_format")
    return start, end


def _one_date(text: str, today: date) -> date | None:
    """One day, read as everywhere else a day is typed (bot/core/typed_dates.py)."""
    return typed_dates.read_day(text, today)


def check(start: date, end: date, today: date, *, for_self: bool, max_age_days: int) -> None:
    """Refuse a reversed range, one longer than MAX_DAYS, and one starting too early: members
    declare from today on, a leader or officer may excuse up to `max_age_days` back."""
    if end < start:
        raise LeaveError("leave.range_reversed")
    if (end - start).days + 1 > MAX_DAYS:
        raise LeaveError("leave.range_too_long", days=MAX_DAYS)
    if for_self and start < today:
        raise LeaveError("leave.past_self")
    if not for_self and (today - start).days > max_age_days:
        raise LeaveError("leave.too_old", days=max_age_days)


def days(start: date, end: date) -> int:
    """How many days a leave covers, both ends included."""
    return (end - start).days + 1


def short(day: date) -> str:
    """dd/mm, as on the buttons."""
    return dates.short_day(day)


def ends(start: date, end: date) -> tuple[str, str]:
    """Both ends as people write them: the year once at the end unless the years differ."""
    first = dates.short_day(start) if start.year == end.year else dates.day(start)
    return first, dates.day(end)


def span(start: date, end: date) -> str:
    """A leave's dates in a list line: '24/11–26/11/2026', or '23/11/2026' for one day."""
    if start == end:
        return dates.day(end)
    first, last = ends(start, end)
    return f"{first}–{last}"
