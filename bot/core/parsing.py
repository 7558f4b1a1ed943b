"""Lenient parsers for free-text answers typed by field officers.

Officers answer on phones, often without a Vietnamese keyboard, so every parser here accepts
input with or without diacritics, in upper or lower case, with stray spaces. The functions are
pure (no clock, no I/O): callers pass ``today`` explicitly so behaviour is reproducible in tests
and consistent with the bot's configured timezone.

Failures raise :class:`ParseError` with a stable ``code`` that the caller maps to a localized
message template, filled from ``params``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from bot.core.folding import ParseError, core_of, fold
from bot.core.numberwords import number_words
from bot.core.parsing_time import parse_time, parse_time_range

__all__ = [
    "ParseError",
    "fold",
    "choice_candidates",
    "match_choice",
    "parse_date",
    "parse_int",
    "parse_time",
    "parse_time_range",
    "parse_yes_no",
    "split_list",
]


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_DATE_KEYWORDS: dict[str, int] = {
    "hom nay": 0,
    "nay": 0,
    "today": 0,
    "hom qua": 1,
    "qua": 1,
    "yesterday": 1,
    "hom kia": 2,
}

# Leading words that may precede a keyword: "ngày hôm qua", "vào hôm qua".
_KEYWORD_PREFIX_RE = re.compile(r"^(?:vao\s+)?(?:ngay\s+)?")

# Optional leading words ("ngày 21/11"), then d/m with an optional year; separators / - .
_NUMERIC_DATE_RE = re.compile(
    r"^(?:[a-z]+[:,]?\s+)*"
    r"(?P<d>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})"
    r"(?:\s*(?P=sep)\s*(?P<y>\d{4}|\d{2}))?$"
)

# "21 tháng 11", "ngày 21 tháng 11 năm 2025".
_WORDY_DATE_RE = re.compile(
    r"^(?:[a-z]+[:,]?\s+)*"
    r"(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})"
    r"(?:\s*,?\s*(?:nam\s+)?(?P<y>\d{4}|\d{2}))?$"
)


def _resolve_date(
    day: int, month: int, year_text: str | None, today: datetime.date, max_age_days: int
) -> datetime.date:
    if year_text is None:
        # Most recent occurrence not after today: this year if already reached, else last year;
        # but a day later this year whose last-year twin is past the age limit was meant for
        # this year, so it is refused as in the future, not as too old.
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
        if year < today.year and _too_old_last_year(day, month, today, max_age_days):
            raise ParseError("date_future")
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError("date_invalid") from None


def _too_old_last_year(day: int, month: int, today: datetime.date, max_age_days: int) -> bool:
    try:
        this_year = datetime.date(today.year, month, day)
        last_year = datetime.date(today.year - 1, month, day)
    except ValueError:
        return False  # 29/02: the last-year check below names the invalid date
    return this_year > today and (today - last_year).days > max_age_days


def parse_date(text: str, today: datetime.date, max_age_days: int) -> datetime.date:
    """Turn a typed report date into a date, so officers can write "hôm qua" or "21/11".

    A date without a year is the most recent such day not after ``today`` (on 05/01/2026,
    "30/12" is 30/12/2025). If that year has no such day (29/02 in a non-leap year) the input
    is ``date_invalid``. Dates after ``today`` raise ``date_future``; dates more than
    ``max_age_days`` before ``today`` raise ``date_too_old``.
    """
    folded = fold(text).rstrip(" .!?")
    if not folded:
        raise ParseError("date_invalid")

    keyword = _KEYWORD_PREFIX_RE.sub("", folded)
    if keyword in _DATE_KEYWORDS:
        result = today - datetime.timedelta(days=_DATE_KEYWORDS[keyword])
    else:
        match = _NUMERIC_DATE_RE.match(folded) or _WORDY_DATE_RE.match(folded)
        if match is None:
            raise ParseError("date_invalid")
        result = _resolve_date(int(match["d"]), int(match["m"]), match["y"], today, max_age_days)

    if result > today:
        raise ParseError("date_future")
    if (today - result).days > max_age_days:
        raise ParseError("date_too_old", max_age_days=max_age_days)
    return result


# ---------------------------------------------------------------------------
# Yes / no
# ---------------------------------------------------------------------------

# Compared after fold(): "có" -> "co", "ừ" -> "u", "được" -> "duoc", "chưa" -> "chua", ...
_YES_WORDS: frozenset[str] = frozenset(
    {"co", "c", "yes", "y", "u", "uh", "um", "dung", "roi", "ok", "oke", "okay", "duoc", "vang"}
) | {"co roi", "dung roi", "duoc roi"}
_NO_WORDS: frozenset[str] = frozenset(
    {"khong", "k", "ko", "kh", "kg", "no", "n", "chua", "sai", "khong co", "chua co"}
)


def parse_yes_no(text: str) -> bool:
    """Read a yes/no answer the way officers actually type it ("có", "ko", "ừ", "chưa").

    A polite leading "dạ" and trailing "ạ" are ignored. Digits are deliberately rejected so a
    stray count is never mistaken for a confirmation.
    """
    folded = fold(text).strip(" .!?,")
    folded = re.sub(r"\s+a$", "", folded)  # trailing polite particle "ạ"
    if folded in _YES_WORDS or folded in {"da", "da vang"}:  # "dạ" alone means yes
        return True
    folded = re.sub(r"^da\s+", "", folded)  # leading polite "dạ" ("dạ có", "dạ không")
    if folded in _YES_WORDS:
        return True
    if folded in _NO_WORDS:
        return False
    raise ParseError("yes_no_invalid")


# ---------------------------------------------------------------------------
# Integers
# ---------------------------------------------------------------------------

# Optional sign, then either a number grouped by "." or "," thousands separators, or plain digits.
# Anything after the number must be words ("12 người", "12người"), never more digits or
# separators, so "1,5" and "3-5" are rejected.
_INT_RE = re.compile(
    r"^(?P<sign>[+-]?)\s*(?P<num>\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+|\d+)"
    r"(?:\s*[^\W\d_].*|\s+[^\d\s.,+\-].*)?$"
)


_MAX_DIGITS = 18  # every count fits in SQLite's 64-bit integer


def parse_int(text: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Read a count typed as "12", "1.000", "1,000", "12 người" or in words ("không", "ko",
    "ba", "mười lăm": see numberwords), then enforce bounds.

    Bounds are inclusive. Decimals ("1,5") and ranges ("3-5") are rejected rather than guessed.
    A number longer than 18 digits is refused as too large (or invalid when unbounded)
    before it is converted, however many digits were typed.
    """
    cleaned = fold(text).replace("\u2212", "-").rstrip(" .!?")
    match = _INT_RE.match(cleaned)
    if match is None:
        spelled = number_words(cleaned)
        if spelled is None:
            raise ParseError("int_invalid")
        return _bounded(spelled, minimum, maximum)
    digits = re.sub(r"[.,]", "", match["num"]).lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        if maximum is not None and match["sign"] != "-":
            raise ParseError("int_too_large", maximum=maximum)
        if minimum is not None and match["sign"] == "-":
            raise ParseError("int_too_small", minimum=minimum)
        raise ParseError("int_invalid")
    value = int(digits)
    if match["sign"] == "-":
        value = -value
    return _bounded(value, minimum, maximum)


def _bounded(value: int, minimum: int | None, maximum: int | None) -> int:
    if minimum is not None and value < minimum:
        raise ParseError("int_too_small", minimum=minimum)
    if maximum is not None and value > maximum:
        raise ParseError("int_too_large", maximum=maximum)
    return value


# ---------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------

# A list number: ASCII digits, at most four (no list is longer), so a 5,000-digit answer is
# never handed to int() (Python refuses numbers past 4,300 digits).
_CHOICE_NUMBER_RE = re.compile(r"^([0-9]{1,4})\s*[.)]?$")


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def choice_candidates(
    text: str,
    options: Sequence[tuple[str, str]],
    *,
    numbers: bool = True,
    prefix: bool = True,
) -> list[str]:
    """Every option a typed answer could mean, best reading first: one is a match, several
    are ambiguous (the caller names them instead of guessing), none is no match.

    Tried in order, the first that finds anything wins: the list number, the option's value,
    its whole label (without diacritics or emoji), a prefix of the label (3+ characters), then
    a part of the label starting at a word ("binh" or "thi binh" for "Trần Thị Bình"; a word
    prefix needs 3+ characters). Prefixes and parts are off with `prefix=False`.
    """
    stripped = text.strip()
    if not stripped or not options:
        return []

    if numbers and (number := _CHOICE_NUMBER_RE.match(stripped)):
        index = int(number[1])
        if 1 <= index <= len(options):
            return [options[index - 1][0]]

    folded = fold(stripped)
    by_value = [value for value, _ in options if fold(value) == folded]
    if by_value:
        return _distinct(by_value)

    if _SIGNED_NUMBER_RE.fullmatch(stripped):
        return []  # "-1" is a count to refuse, not the button "1" once the sign is dropped
    core = core_of(stripped)
    if not core:
        return []
    by_label = [v for v, label in options if core_of(label) == core or fold(label) == folded]
    if by_label or not prefix:
        return _distinct(by_label)

    if len(core) >= 3:
        by_prefix = [value for value, label in options if core_of(label).startswith(core)]
        if by_prefix:
            return _distinct(by_prefix)
    whole_word = re.compile(rf"(?:^|\s){re.escape(core)}(?:\s|$)")
    by_word = [value for value, label in options if whole_word.search(core_of(label))]
    if not by_word and len(core) >= 3:
        word_start = re.compile(rf"(?:^|\s){re.escape(core)}")
        by_word = [value for value, label in options if word_start.search(core_of(label))]
    return _distinct(by_word)


def match_choice(
    text: str,
    options: Sequence[tuple[str, str]],
    *,
    numbers: bool = True,
    prefix: bool = True,
) -> str | None:
    """Map a typed answer onto one of the offered (value, label) options, or None.

    Lets users reply by list number, by the option's value, by its label without diacritics or
    emoji, by an unambiguous prefix of at least 3 characters, or by a unique part of the label
    ("binh" for "Trần Thị Bình"). Ambiguity yields None so the caller can ask again instead of
    guessing. `numbers=False` is for channels that do not show numbers; `prefix=False` for
    questions that also take free text, where "qua" (yesterday) must not be read as the start
    of "Quay lại".
    """
    found = choice_candidates(text, options, numbers=numbers, prefix=prefix)
    return found[0] if len(found) == 1 else None


_SIGNED_NUMBER_RE = re.compile(r"[-−+]\s*[0-9]+(?:[.,][0-9]+)?")
# "1,2", "1, 2 và 3", "An; Bình", "1 + 2", "An and Bình".
_LIST_SEP_RE = re.compile(r"\s*(?:[,;+&/]|\bv[aà]\b|\band\b)\s*", re.IGNORECASE)
_SPACED_NUMBERS_RE = re.compile(r"[0-9]{1,4}(?:\s+[0-9]{1,4})+")


def split_list(text: str) -> list[str]:
    """The items of a typed list, so several choices can be picked in one message.

    Commas, semicolons, "+", "&", "/", "và" and "and" separate items; spaces separate only
    numbers ("1 2 3"), since a name has spaces in it. Empty items are dropped.
    """
    items: list[str] = []
    for part in _LIST_SEP_RE.split(text.strip()):
        if _SPACED_NUMBERS_RE.fullmatch(part):
            items.extend(part.split())
        elif part:
            items.append(part)
    return items
