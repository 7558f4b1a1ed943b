"""Tally periods: today, this week, reporting months with a movable boundary, phases, ranges.

A period is a closed range of calendar days. Each has a short code that fits in a button
(`m2026-11`, `w2026-11-16`, `d2026-11-23`, `p1`, `r20261001-20261031`, and `m2026-11~20261129`
for a month up to one of its days), so a pressed button names exactly the period it showed,
however much later it is pressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import dates
from bot.core.config import Phase
from bot.core.parsing import ParseError, parse_date

MAX_RANGE_DAYS = 731
CUT = "~"  # in a code, between a month and the last day counted of it (`month_through`)


class PeriodError(ValueError):
    """A period that cannot be used; `key` names the user-facing text explaining why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Period:
    """Days `start`..`end` inclusive, with a code for buttons and what kind of period it is."""

    kind: str  # day | week | month | phase | range
    start: date
    end: date
    code: str
    name: str = ""  # the phase name, for phases

    @property
    def cut_short(self) -> bool:
        """A reporting month up to one of its days (`month_through`), not the whole month."""
        return CUT in self.code

    @property
    def whole_code(self) -> str:
        """The code of the whole period: a month cut to a day gives its month's
        ('m2026-11'), any other period its own."""
        return self.code.partition(CUT)[0]

    @property
    def days(self) -> int:
        """How many calendar days the period covers."""
        return (self.end - self.start).days + 1

    def label(self, locale: str) -> str:
        """How the period is named in a message title, e.g. 'Tháng 11/2026 (01/11–30/11/2026)'."""
        span = f"{dates.short_day(self.start)}–{dates.day(self.end)}"
        if self.kind == "day":
            return dates.day(self.start)
        if self.kind == "month":
            named = date(int(self.code[1:5]), int(self.code[6:8]), 1)  # up to a day: its month
            word = "Tháng" if locale == "vi" else "Month"
            return f"{word} {dates.month(named)} ({span})"
        if self.kind == "week":
            word = "Tuần" if locale == "vi" else "Week"
            return f"{word} {span}"
        if self.kind == "phase":
            return f"{self.name} ({span})"
        return span


def day(on: date) -> Period:
    """One calendar day."""
    return Period("day", on, on, f"d{on.isoformat()}")


def week(on: date) -> Period:
    """The Monday-to-Sunday week holding a day."""
    start = on - timedelta(days=on.weekday())
    return Period("week", start, start + timedelta(days=6), f"w{start.isoformat()}")


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month(on: date, starts_on: int = 1, offset: int = 0) -> Period:
    """The reporting month holding a day, `offset` months away (-1 = the month before).

    With `starts_on` = 15 the month of November runs from 15 October to 14 November: state
    reporting names a month by the day it closes on.
    """
    year, mon = on.year, on.month
    if starts_on > 1 and on.day >= starts_on:
        year, mon = _add_months(year, mon, 1)
    year, mon = _add_months(year, mon, offset)
    return month_named(year, mon, starts_on)


def month_named(year: int, mon: int, starts_on: int = 1) -> Period:
    """The reporting month called mon/year (ending on the day before `starts_on` when > 1)."""
    if starts_on == 1:
        start = date(year, mon, 1)
        ny, nm = _add_months(year, mon, 1)
        end = date(ny, nm, 1) - timedelta(days=1)
    else:
        py, pm = _add_months(year, mon, -1)
        start = date(py, pm, starts_on)
        end = date(year, mon, starts_on) - timedelta(days=1)
    return Period("month", start, end, f"m{year:04d}-{mon:02d}")


def month_through(whole: Period, last: date) -> Period:
    """A reporting month up to one of its days: how a country's month still running is
    tallied, up to its last day whose deadline has passed (bot/tally/prepared.py). Named as
    the month is ('Tháng 11/2026 (01/11–29/11/2026)'); its code carries both."""
    if whole.kind != "month" or not whole.start <= last <= whole.end:
        raise PeriodError("tally.bad_period")
    if last == whole.end:
        return whole
    return Period("month", whole.start, last, f"{whole.code}{CUT}{last:%Y%m%d}")


def phase(index: int, item: Phase) -> Period:
    """A configured phase; its code is its position in the config (1-based)."""
    return Period("phase", item.start, item.end, f"p{index}", name=item.name)


def span(start: date, end: date) -> Period:
    """A typed range; refused when reversed or longer than two years (a typo, not a tally)."""
    if end < start:
        raise PeriodError("tally.range_reversed")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise PeriodError("tally.range_too_long")
    return Period("range", start, end, f"r{start:%Y%m%d}-{end:%Y%m%d}")


_RANGE = re.compile(r"^\s*(.+?)\s*(?:-|–|—|đến|den|to)\s*(.+?)\s*$", re.IGNORECASE)


def parse_range(text: str, today: date) -> Period:
    """Read 'dd/mm/yyyy-dd/mm/yyyy' (also '01/10 - 31/10', 'từ 1/10 đến 31/10')."""
    cleaned = re.sub(r"^\s*(từ|tu|from)\s+", "", text.strip(), flags=re.IGNORECASE)
    match = _RANGE.match(cleaned)
    if not match:
        raise PeriodError("tally.range_format")
    return span(_range_date(match.group(1), today), _range_date(match.group(2), today))


_FULL_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def _range_date(text: str, today: date) -> date:
    """dd/mm/yyyy may lie in the future (a phase still running); dd/mm is the latest past one."""
    full = _FULL_DATE.match(text.strip())
    try:
        if full:
            return date(int(full.group(3)), int(full.group(2)), int(full.group(1)))
        return parse_date(text, today, MAX_RANGE_DAYS * 5)
    except (ParseError, ValueError) as exc:
        raise PeriodError("tally.range_format") from exc


def decode(code: str, phases: list[Phase], starts_on: int = 1) -> Period:
    """Turn a button's period code back into the period; PeriodError when it is not one."""
    try:
        head, body = code[:1], code[1:]
        if head == "d":
            return day(date.fromisoformat(body))
        if head == "w":
            return week(date.fromisoformat(body))
        if head == "m":
            named, mark, cut = body.partition(CUT)
            year, mon = named.split("-")
            whole = month_named(int(year), int(mon), starts_on)
            return month_through(whole, _compact(cut)) if mark else whole
        if head == "p":
            index = int(body)
            if 1 <= index <= len(phases):
                return phase(index, phases[index - 1])
        if head == "r":
            first, last = body.split("-")
            return span(_compact(first), _compact(last))
    except (ValueError, IndexError, OverflowError) as exc:  # forged codes land here
        raise PeriodError("tally.bad_period") from exc
    raise PeriodError("tally.bad_period")


def _compact(text: str) -> date:
    """A day written yyyymmdd in a code; ValueError for anything else."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def months_in(period: Period) -> int:
    """How many months a monthly target is multiplied by: at least one, else rounded."""
    return max(1, round(period.days / 30.4375))
