"""Reading clock times and time ranges typed the way Vietnamese people write them.

"19h", "19h30", "19 giờ", "19g30", "7:30", "7 giờ rưỡi", "8 giờ kém 15", and the same with a
part of the day: "7 giờ tối", "8h sáng", "7:30 tối", "7h chiều", "12h trưa", "12 giờ đêm".
A part of the day turns a 12-hour reading into the 24-hour clock:

- sáng (morning) keeps the hour (0..12); "15h sáng" is refused as nonsense;
- trưa (noon) keeps 10..12 and adds 12 to 1..5 ("1 giờ trưa" is 13:00);
- chiều (afternoon) and tối (evening) add 12 to 1..11; "12 giờ tối" is midnight (00:00),
  "12h chiều" is noon; an hour already past 12 is kept ("19h tối");
- đêm (night) adds 12 to 6..11 ("11 giờ đêm" is 23:00), keeps 0..5 (Vietnamese say
  "2 giờ đêm" for 02:00) and makes 12 midnight ("12 giờ đêm" is 00:00).

"trưa" alone is 12:00 and "nửa đêm" alone 00:00. Pure functions, no clock.
"""

from __future__ import annotations

import datetime
import re

from bot.core.folding import ParseError, fold

__all__ = ["parse_time", "parse_time_range"]

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

_PERIODS = ("sang", "trua", "chieu", "toi", "dem")
_PERIOD_AFTER_RE = re.compile(r"^(?P<rest>.*?)\s*(?:buoi\s+)?(?P<p>sang|trua|chieu|toi|dem)$")
_PERIOD_BEFORE_RE = re.compile(r"^(?:buoi\s+)?(?P<p>sang|trua|chieu|toi|dem)\s+(?P<rest>.+)$")
_ALONE = {"trua": datetime.time(12, 0), "buoi trua": datetime.time(12, 0)}
_ALONE |= {"nua dem": datetime.time(0, 0), "giua dem": datetime.time(0, 0)}

# A range: "19h-21h", "19:00 – 21:00", "từ 19h đến 21h", "7-9h tối".
_RANGE_SPLIT_RE = re.compile(r"\s*(?:-|–|—|~|->|→|\bden\b)\s*")


def _make_time(hour: int, minute: int) -> datetime.time:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ParseError("time_invalid")
    return datetime.time(hour, minute)


def _clock(folded: str) -> tuple[int, int]:
    """Hour and minute of a time without a part of the day (hour may still be checked)."""
    if match := _TIME_COLON_RE.match(folded):
        return int(match["h"]), int(match["m"])
    if match := _TIME_WORD_RE.match(folded):
        hour = int(match["h"])
        if match["half"]:
            return hour, 30
        if match["to"]:
            before = int(match["to"])
            if hour > 23 or not 1 <= before <= 59 or hour * 60 < before:
                raise ParseError("time_invalid")
            total = hour * 60 - before
            return total // 60, total % 60
        return hour, int(match["m"]) if match["m"] else 0
    if match := _TIME_COMPACT_RE.match(folded):
        digits = match["hm"]
        return int(digits[:-2]), int(digits[-2:])
    if match := _TIME_HOUR_RE.match(folded):
        return int(match["h"]), 0
    raise ParseError("time_invalid")


def _with_period(hour: int, period: str) -> int:
    """The 24-hour hour of `hour` said with a part of the day (rules in the module docstring)."""
    if hour > 23:
        raise ParseError("time_invalid")
    if period == "sang":
        if hour > 12:
            raise ParseError("time_invalid")
        return hour
    if period == "trua":
        if 1 <= hour <= 5:
            return hour + 12
        if 10 <= hour <= 14:
            return hour
        raise ParseError("time_invalid")
    if period in ("chieu", "toi"):
        if 1 <= hour <= 11:
            return hour + 12
        if hour == 12:
            return 12 if period == "chieu" else 0
        if hour == 0 and period == "chieu":
            raise ParseError("time_invalid")
        return hour
    # dem
    if 6 <= hour <= 11:
        return hour + 12
    return 0 if hour == 12 else hour


def _split_period(folded: str) -> tuple[str, str | None]:
    """The time without its part-of-day word, and the word (None when there is none)."""
    if (match := _PERIOD_AFTER_RE.match(folded)) and match["rest"]:
        return match["rest"], match["p"]
    if match := _PERIOD_BEFORE_RE.match(folded):
        return re.sub(r"^luc\s+", "", match["rest"]), match["p"]
    return folded, None


def _clean(text: str) -> str:
    folded = fold(text).rstrip(" .!?")
    folded = re.sub(r"\s+(?:nay|hom nay)$", "", folded)  # "7h tối nay"
    return re.sub(r"^(?:luc|vao luc|vao)\s+", "", folded)


def _read(folded: str, period: str | None) -> datetime.time:
    if folded in _ALONE and period is None:
        return _ALONE[folded]
    rest, own = _split_period(folded)
    period = own or period
    hour, minute = _clock(rest)
    if period is None:
        return _make_time(hour, minute)
    if not 0 <= minute <= 59:
        raise ParseError("time_invalid")
    return _make_time(_with_period(hour, period), minute)


def parse_time(text: str) -> datetime.time:
    """Turn a typed clock time into a time, accepting the many ways Vietnamese users write it.

    24-hour clock: "7:30", "7h30", "19g30", "7 giờ 30 phút", "19.30", "1930", "7" (07:00),
    plus "7 giờ rưỡi" (07:30) and "8 giờ kém 15" (07:45); a part of the day ("7 giờ tối",
    "8h sáng") reads the hour on the 12-hour clock as the module docstring says. An optional
    leading "lúc" is ignored. Anything else raises ``time_invalid``.
    """
    return _read(_clean(text), None)


def parse_time_range(text: str) -> tuple[datetime.time, datetime.time]:
    """Read a shift typed as one answer ("19h-21h", "19:00 – 21:00", "từ 7h đến 9h tối").

    A part of the day written only after the end also applies to the start when the start
    has none and its hour is not after the end's ("7-9h tối" is 19:00-21:00). The end may be
    before the start (a shift past midnight, "22h-2h"): the caller decides. A text that is
    not two times raises ``time_invalid``.
    """
    folded = re.sub(r"^tu\s+", "", _clean(text))
    parts = _RANGE_SPLIT_RE.split(folded)
    if len(parts) != 2 or not all(parts):
        raise ParseError("time_invalid")
    first, second = (_clean(part) for part in parts)
    end = _read(second, None)
    first_rest, first_period = _split_period(first)
    _, end_period = _split_period(second)
    if first_period is None and end_period is not None:
        start_hour, _ = _clock(first_rest)
        end_hour, _ = _clock(_split_period(second)[0])
        if start_hour <= end_hour:
            return _read(first, end_period), end
    return _read(first, None), end
