"""One day as people type it, in chat and on the command line alike.

"hôm nay", "hôm qua", "ngày mai" (with or without diacritics), "1/10", "01/10/2026",
"1-10-26", "1.10.2026" (day first, as Vietnamese write dates) and "2026-10-01" (ISO). A date
without a year is the occurrence nearest to `today`, so on 30/11/2026 "1/10" is 01/10/2026
and "5/1" is 05/01/2027. Pure: the caller passes `today`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core.parsing import fold

KEYWORDS = {
    "hom nay": 0,
    "nay": 0,
    "today": 0,
    "ngay mai": 1,
    "mai": 1,
    "tomorrow": 1,
    "hom qua": -1,
    "qua": -1,
    "yesterday": -1,
}
_DAY_FIRST = re.compile(
    r"^(?:ngay\s+)?(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2}))?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
FORMS = "1/10, 01/10/2026, 2026-10-01"  # what error messages show as examples


def read_day(text: str, today: date) -> date | None:
    """The day the text names, or None when it names none (the caller says which forms
    work, e.g. with FORMS)."""
    folded = fold(text).strip().rstrip(" .!?")
    if folded in KEYWORDS:
        return today + timedelta(days=KEYWORDS[folded])
    iso = _ISO.match(folded)
    if iso is not None:
        return _day(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    match = _DAY_FIRST.match(folded)
    if match is None:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if year is not None:
        return _day(2000 + int(year) if len(year) == 2 else int(year), month, day)
    candidates = [
        d for d in (_day(y, month, day) for y in (today.year - 1, today.year, today.year + 1)) if d
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - today).days))


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 31/02, 29/02 outside leap years, month 13
        return None
