"""Occasions for commendations: the end of each emulation phase, and the 19/8 festival.

Seed 000 (KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện Bắc Sơn, 10/2024): "Kết
thúc mỗi đợt thi đua, chủ động đánh giá kết quả đạt được, kịp thời biểu dương, khen thưởng";
seed 002 commends by phase; seed 004 (KH Ngày hội toàn dân bảo vệ ANTQ, huyện Bắc Sơn,
7/2024) at the national security day, 19 August ("III. KHEN THƯỞNG"). A festival looks back
over the twelve months before it (20/8 of the year before to 19/8): local practice, the plan
names no period. An occasion's code fits in a button and names it however the config changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.core import dates
from bot.core.config import Phase
from bot.core.parsing import fold
from bot.tally.periods import Period

FESTIVAL_MONTH, FESTIVAL_DAY = 8, 19  # Ngày hội toàn dân bảo vệ ANTQ (seed 004)
MAX_OFFERED = 6


@dataclass(frozen=True)
class Occasion:
    """A phase (by its days) or the festival of one year, with the period it looks back on."""

    kind: Literal["phase", "festival"]
    start: date
    end: date
    name: str = ""  # the phase's name; festivals are named in the reader's language

    @property
    def code(self) -> str:
        """'p20241001-20250203' for a phase, 'f2025' for the festival of 2025."""
        if self.kind == "festival":
            return f"f{self.end.year}"
        return f"p{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    @property
    def period(self) -> Period:
        """The tally period whose figures rank the teams."""
        return Period("phase", self.start, self.end, self.code, name=self.name)

    def title(self, festival_title: str) -> str:
        """Its name for people: the phase's name and days, or the festival's given title
        (`festival_title`, from the locale, with the year in it already)."""
        name = festival_title if self.kind == "festival" else self.name
        same_year = self.start.year == self.end.year
        first = dates.short_day(self.start) if same_year else dates.day(self.start)
        return f"{name} ({first}–{dates.day(self.end)})"


def festival(year: int) -> Occasion:
    """The 19/8 festival of `year`, looking back on the twelve months before it."""
    end = date(year, FESTIVAL_MONTH, FESTIVAL_DAY)
    start = date(year - 1, FESTIVAL_MONTH, FESTIVAL_DAY) + timedelta(days=1)
    return Occasion("festival", start, end)


def of_phase(phase: Phase) -> Occasion:
    """The end of a configured phase."""
    return Occasion("phase", phase.start, phase.end, phase.name)


def offered(phases: list[Phase], today: date) -> list[Occasion]:
    """What /khenthuong offers today, latest end first: phases begun by today, the festival
    of this year and of the last (the list ready from its notice until the next), at most
    MAX_OFFERED."""
    found = [of_phase(p) for p in phases if p.start <= today]
    found += [festival(today.year), festival(today.year - 1)]
    found.sort(key=lambda o: (o.end, o.kind), reverse=True)
    return found[:MAX_OFFERED]


def decode(code: str, phases: list[Phase]) -> Occasion | None:
    """The occasion a button or stored row names; None for a forged or stale code (a phase
    no longer in the config)."""
    if re.fullmatch(r"f\d{4}", code):
        year = int(code[1:])
        return festival(year) if 2000 <= year <= 2100 else None
    for phase in phases:
        occasion = of_phase(phase)
        if occasion.code == code:
            return occasion
    return None


_FESTIVAL_WORDS = re.compile(r"^(?:f|festival|ngay[ -]?hoi|19/8|19-8|19\.8)[ -/]*(\d{4})$")


def find(typed: str, phases: list[Phase]) -> Occasion | None:
    """An occasion as typed on the command line: a phase's name (without diacritics too),
    its code, or the festival as 'f2025', 'ngay-hoi-2025', '19/8/2025' or '2025-08-19'."""
    text = fold(typed.strip())
    match = _FESTIVAL_WORDS.match(text)
    if match:
        return decode(f"f{match.group(1)}", phases)
    if re.fullmatch(r"\d{4}-08-19", text):
        return decode(f"f{text[:4]}", phases)
    by_code = decode(typed.strip(), phases)
    if by_code is not None:
        return by_code
    named = [of_phase(p) for p in phases if fold(p.name) == text]
    return named[0] if len(named) == 1 else None
