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
import unicodedata
from collections.abc import Sequence

__all__ = [
    "ParseError",
    "fold",
    "match_choice",
    "parse_date",
    "parse_int",
    "parse_time",
    "parse_yes_no",
]


class ParseError(ValueError):
    """code is a stable machine key, params feed the user-facing message template."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code: str = code
        self.params: dict[str, object] = dict(params)

    def __repr__(self) -> str:
        return f"ParseError({self.code!r}, {self.params!r})"


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Normalise text so typed answers compare equal with or without Vietnamese diacritics.

    Lowercases, strips combining marks (after NFD), maps đ to d and collapses whitespace.
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d")
    return " ".join(stripped.split())


def _core(text: str) -> str:
    """Fold, then trim non-alphanumeric ends (emoji, bullets, punctuation) for label matching."""
    folded = fold(text)
    start = 0
    end = len(folded)
    while start < end and not folded[start].isalnum():
        start += 1
    while end > start and not folded[end - 1].isalnum():
        end -= 1
    return folded[start:end]


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
    day: int, month: int, year_text: str | None, today: datetime.date
) -> datetime.date:
    if year_text is None:
        # Most recent occurrence not after today: this year if already reached, else last year.
        year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
    elif len(year_text) == 2:
        year = 2000 + int(year_text)
    else:
        year = int(year_text)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError("date_invalid") from None


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
        result = _resolve_date(int(match["d"]), int(match["m"]), match["y"], today)

    if result > today:
        raise ParseError("date_future")
    if (today - result).days > max_age_days:
        raise ParseError("date_too_old", max_age_days=max_age_days)
    return result


# ---------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------

# "7:30", "07:30", "19.30" (two-digit minutes required after ":" or ".").
_TIME_COLON_RE = re.compile(r"^(?P<h>\d{1,2})\s*[:.]\s*(?P<m>\d{2})$")
# "7h", "7h30", "19g30", "7 giờ", "7 giờ 30 phút", "7h30p", "7 giờ rưỡi", "8 giờ kém 15".
_TIME_WORD_RE = re.compile(
    r"^(?P<h>\d{1,2})\s*(?:h|g|gio)"
    r"(?:\s*(?:(?P<m>\d{1,2})\s*(?:p|phut)?|(?P<half>ruoi)|kem\s*(?P<to>\d{1,2})\s*(?:p|phut)?))?$"
)
# "1930", "0730", "730".
_TIME_COMPACT_RE = re.compile(r"^(?P<hm>\d{3,4})$")
# "7" -> 07:00.
_TIME_HOUR_RE = re.compile(r"^(?P<h>\d{1,2})$")


def _make_time(hour: int, minute: int) -> datetime.time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ParseError("time_invalid")
    return datetime.time(hour, minute)


def parse_time(text: str) -> datetime.time:
    """Turn a typed clock time into a time, accepting the many ways Vietnamese users write it.

    24-hour clock: "7:30", "7h30", "19g30", "7 giờ 30 phút", "19.30", "1930", "7" (07:00),
    plus "7 giờ rưỡi" (07:30) and "8 giờ kém 15" (07:45). An optional leading "lúc" is ignored.
    """
    folded = fold(text).rstrip(" .!?")
    folded = re.sub(r"^luc\s+", "", folded)

    if match := _TIME_COLON_RE.match(folded):
        return _make_time(int(match["h"]), int(match["m"]))
    if match := _TIME_WORD_RE.match(folded):
        hour = int(match["h"])
        if match["half"]:
            return _make_time(hour, 30)
        if match["to"]:
            before = int(match["to"])
            if hour > 23 or not 1 <= before <= 59 or hour * 60 < before:
                raise ParseError("time_invalid")
            total = hour * 60 - before
            return _make_time(total // 60, total % 60)
        return _make_time(hour, int(match["m"]) if match["m"] else 0)
    if match := _TIME_COMPACT_RE.match(folded):
        digits = match["hm"]
        return _make_time(int(digits[:-2]), int(digits[-2:]))
    if match := _TIME_HOUR_RE.match(folded):
        return _make_time(int(match["h"]), 0)
    raise ParseError("time_invalid")


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
    """Read a count typed as "12", "1.000", "1,000" or "12 người", then enforce bounds.

    Bounds are inclusive. Decimals ("1,5") and ranges ("3-5") are rejected rather than guessed.
    A number longer than 18 digits is refused as too large (or invalid when unbounded)
    before it is converted, however many digits were typed.
    """
    cleaned = fold(text).replace("\u2212", "-").rstrip(" .!?")
    match = _INT_RE.match(cleaned)
    if match is None:
        raise ParseError("int_invalid")
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


def _unique(values: list[str]) -> str | None:
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else None


def match_choice(
    text: str,
    options: Sequence[tuple[str, str]],
    *,
    numbers: bool = True,
    prefix: bool = True,
) -> str | None:
    """Map a typed answer onto one of the offered (value, label) options, or None.

    Lets users reply by list number, by the option's value, by its label without diacritics or
    emoji, or by an unambiguous prefix of at least 3 characters. Ambiguity yields None so the
    caller can ask again instead of guessing. `numbers=False` is for channels that do not show
    numbers; `prefix=False` for questions that also take free text, where "qua" (yesterday)
    must not be read as the start of "Quay lại".
    """
    stripped = text.strip()
    if not stripped or not options:
        return None

    if numbers and (number := _CHOICE_NUMBER_RE.match(stripped)):
        index = int(number[1])
        if 1 <= index <= len(options):
            return options[index - 1][0]

    folded = fold(stripped)
    by_value = [value for value, _ in options if fold(value) == folded]
    if by_value:
        return _unique(by_value)

    core = _core(stripped)
    if not core:
        return None
    by_label = [value for value, label in options if _core(label) == core or fold(label) == folded]
    if by_label:
        return _unique(by_label)

    if prefix and len(core) >= 3:
        by_prefix = [value for value, label in options if _core(label).startswith(core)]
        if by_prefix:
            return _unique(by_prefix)
    return None
