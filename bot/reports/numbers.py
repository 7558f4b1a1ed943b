"""Report numbers as people type them and as lists order them, past 999,999 a year too.

A number is "BC-", the year, "-" and the year's count with at least six digits
(`storage.reports.number_text`): BC-2026-000123, and from the millionth report of a year
BC-2026-1000000. Text order would put BC-2026-1000000 before BC-2026-999999, so whatever
orders numbers uses `number_key`; whatever reads a typed one uses `parse_number`, which takes
the count with or without its zeros and gives back the stored text.
"""

from __future__ import annotations

import re

from storage.reports import number_text

# A year's count fits in nine digits (a billion reports); more is a typo, not a number.
MAX_SEQ = 999_999_999
_TYPED = re.compile(r"(?:BC)?-?(\d{4})-(\d{1,12})|(\d{1,12})")
_STORED = re.compile(r"BC-(\d{4})-(\d{6,})")


def parse_number(typed: str, this_year: int) -> str | None:
    """The stored number someone means by BC-2026-000123, bc-2026-1000000, 2026-123 or just
    123 (this year's); None for anything else, so a typo is answered "not found"."""
    match = _TYPED.fullmatch(typed.strip().upper().replace(" ", ""))
    if match is None:
        return None
    year = int(match.group(1)) if match.group(1) else this_year
    seq = int(match.group(2) or match.group(3))
    if not 0 < seq <= MAX_SEQ or year < 1:
        return None
    return number_text(year, seq)


def looks_like_number(typed: str) -> bool:
    """Whether a command's argument names a report (BC-YYYY-N…) rather than a person."""
    return re.fullmatch(r"BC-?\d{4}-\d{1,12}", typed.strip().upper().replace(" ", "")) is not None


def number_key(number: str) -> tuple[int, int, str]:
    """Sort key: by year, then by count as a number (BC-2026-999999 before BC-2026-1000000);
    a text that is not a stored number sorts after them, by its text."""
    match = _STORED.fullmatch(number)
    if match is None:
        return (10**6, 0, number)
    return (int(match.group(1)), int(match.group(2)), "")
