"""Counts written in Vietnamese words ("không", "ko", "ba", "mười lăm", "hai mươi mốt").

Input is already folded (no diacritics, lower case), so "một" and "mốt" are both "mot" and
"mười" and "mươi" both "muoi". Pure: no clock, no I/O.
"""

from __future__ import annotations

import re

__all__ = ["number_words"]

# "không", "ko", "k" alone or with "có": a count of none (yes/no questions read these as no).
_ZERO = {"khong", "ko", "k", "kh", "kg", "khong co", "ko co", "k co", "kh co", "chua co"}
_DIGITS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "bey": 7,
    "tam": 8,
    "chin": 9,
}
# A word naming what is counted may follow: "ba người", "hai vụ", "mười hộ".
_UNIT_RE = re.compile(
    r"\s+(?:nguoi|vu|ho|lan|cai|chiec|khau|co so|truong hop|viec|nha|con|xe|doi tuong)$"
)


def _unit_digit(word: str, *, after_tens: bool) -> int | None:
    """One to nine; "lăm" (5) only after a ten, "tư" (4) anywhere."""
    if word == "lam" and not after_tens:
        return None
    return _DIGITS.get(word)


def _words(words: list[str]) -> int | None:
    if len(words) == 1:
        if words[0] == "muoi":
            return 10
        return _unit_digit(words[0], after_tens=False)
    if words[0] == "muoi":  # mười một .. mười chín
        if len(words) != 2:
            return None
        unit = _unit_digit(words[1], after_tens=True)
        return 10 + unit if unit is not None else None
    tens = _DIGITS.get(words[0])
    if tens is None or tens < 2 or words[0] == "lam" or words[1] != "muoi":
        return None
    if len(words) == 2:
        return tens * 10
    if len(words) == 3:
        unit = _unit_digit(words[2], after_tens=True)
        return tens * 10 + unit if unit is not None else None
    return None


def number_words(folded: str) -> int | None:
    """The count a folded answer spells out (0..99), or None when it is not one.

    "không", "ko", "k" (and "không có") are 0; "một" .. "mười", "mười một" .. "chín mươi chín";
    one word for what is counted may follow ("ba người"). Anything else is None, so "không
    biết" is never read as 0.
    """
    text = folded.strip(" .!?,")
    if text in _ZERO:
        return 0
    text = _UNIT_RE.sub("", text)
    if text in _ZERO:
        return 0
    words = text.split()
    if not words or len(words) > 3:
        return None
    return _words(words)
