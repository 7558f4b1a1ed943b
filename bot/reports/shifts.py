"""The shift question: a patrol's start and end times in one tap, from the team's usual shifts.

A time field with `suggest = "shifts"` and `pair = "end"` is asked as one question whose
buttons each fill both times ("19:00–21:00": the team's most frequent shifts of the last 60
days, or the configured default shifts), plus "Vừa xong" (the end is now; the start is asked
next). A shift whose end is before its start ran past midnight and ends the next day; a time
later than now on the report's day is refused, and no button offers one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.core import dates
from bot.core.model import Choice
from bot.core.parsing import ParseError, parse_time
from bot.reports.fielddef import DATE
from bot.reports.kinds import Outcome, Question, scoped
from storage import reports

if TYPE_CHECKING:
    from bot.reports.forms import Category, FieldDef
    from bot.reports.kinds.base import Asking
    from storage.reports import Report

JUST_NOW = "now"
SHIFT = "s:"  # a shift button: s:19:00-21:00
AT = "a:"  # one time: a:19:00
DAY_BEFORE = "/1"  # after a shift button's times: that shift, yesterday (the date changes)
HISTORY_DAYS = 60
_RANGE = re.compile(r"\s*(?:-|–|—|\bđến\b|\btới\b)\s*", re.IGNORECASE)


@dataclass
class Answer:
    """What a shift answer did: the outcome for the question asked, and other fields filled."""

    outcome: Outcome
    filled: dict[str, str] = field(default_factory=dict)


def is_shift_field(category: Category, fdef: FieldDef) -> bool:
    """Whether the field is asked the shift way (the start with its pair, or that end)."""
    return fdef.pair is not None or category.paired_with(fdef.key) is not None


def just_now(now: datetime) -> str:
    """Now, rounded down to five minutes: "vừa xong" as a clock time."""
    return dates.clock(now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0))


def _day(ctx: Asking, answers: dict[str, Any]) -> date:
    value = answers.get(DATE)
    return date.fromisoformat(value) if isinstance(value, str) else ctx.now.date()


def day_before(ctx: Asking, answers: dict[str, Any]) -> str | None:
    """Yesterday as stored, when a shift not yet begun today may be offered for yesterday:
    the report is dated today and yesterday is still within the reports' age limit. Filed
    in the morning, last night's patrol is one tap ("19:00–21:00 (hôm qua)"), not a date
    change on the summary first."""
    today = ctx.now.date()
    if _day(ctx, answers) != today or ctx.services.config.reports.max_age_days < 1:
        return None
    return (today - timedelta(days=1)).isoformat()


def last_night(
    ctx: Asking,
    answers: dict[str, Any],
    fdef: FieldDef,
    times: tuple[str, str | None],
    last: Report | None,
) -> str | None:
    """Yesterday, when a shift refused for today is to be offered for last night instead:
    yesterday is open (`day_before`), tonight's shift has not begun, the shift fits
    yesterday, and the member's last report of the kind is not that very shift of last
    night (filed already: offering it again would file it twice)."""
    start, end = times
    yesterday = day_before(ctx, answers)
    if yesterday is None or not refusal(ctx, answers, start, None):
        return None  # no yesterday to offer, or begun today: tonight's, not last night's
    if last is not None and last.report_date == yesterday:
        filed = (last.answers.get(fdef.key), last.answers.get(str(fdef.pair)))
        if filed == (start, end):
            return None
    if refusal(ctx, {**answers, DATE: yesterday}, start, end):
        return None
    return yesterday


def refusal(ctx: Asking, answers: dict[str, Any], start: str | None, end: str | None) -> str:
    """Why these times cannot be: one later than now on the report's day (an end before its
    start is the next day's); empty when they are fine."""
    day = _day(ctx, answers)
    now = ctx.now.replace(tzinfo=None)
    late = False
    if start is not None:
        late = datetime.combine(day, time.fromisoformat(start)) > now
    if end is not None:
        end_at = datetime.combine(day, time.fromisoformat(end))
        if start is not None and end < start:
            end_at += timedelta(days=1)
        late = late or end_at > now
    if not late:
        return ""
    return ctx.t("error.time_future", now=dates.clock(ctx.now), day=dates.day(day))


async def usual(ctx: Asking, category: Category, fdef: FieldDef) -> list[tuple[str, str]]:
    """The team's most frequent shifts of this kind lately, else the configured defaults."""
    assert ctx.member is not None and fdef.pair is not None
    since = (ctx.now.date() - timedelta(days=HISTORY_DAYS)).isoformat()
    found = await reports.usual_shifts(
        ctx.tx, ctx.member.unit_id, category.key, fdef.key, fdef.pair, since
    )
    if found:
        return found
    config = ctx.services.config.reports
    return [(s[:5], s[6:]) for s in config.default_shifts]


def _label(start: str, end: str) -> str:
    return f"{start}–{end}"


async def question(
    ctx: Asking, category: Category, fdef: FieldDef, answers: dict[str, Any], pending: list[Any]
) -> Question:
    """The buttons of a shift question: whole shifts and "Vừa xong" for the start; after
    "Vừa xong", starts an hour or more before; for an end asked alone, the usual ends."""
    result = Question()
    now = just_now(ctx.now)
    if fdef.pair is not None and pending:
        end = str(pending[0])
        result.notes.append(ctx.t("shift.ended_at", end=end))
        end_at = datetime.combine(ctx.now.date(), time.fromisoformat(end))
        starts = [dates.clock(end_at - timedelta(hours=h)) for h in (1, 2, 3, 4)]
        ok = [s for s in starts if not refusal(ctx, answers, s, end)]
        result.rows.extend([[Choice(s, scoped(fdef, AT + s)) for s in ok[:4]]] if ok else [])
        return result
    if fdef.pair is not None:
        last = await _last(ctx, category) if day_before(ctx, answers) else None
        for start, end in await usual(ctx, category, fdef):
            value = f"{SHIFT}{start}-{end}"
            if not refusal(ctx, answers, start, end):
                result.rows.append([Choice(_label(start, end), scoped(fdef, value))])
            elif last_night(ctx, answers, fdef, (start, end), last):
                label = f"{_label(start, end)} {ctx.t('shift.yesterday')}"
                result.rows.append([Choice(label, scoped(fdef, value + DAY_BEFORE))])
        result.rows.append([Choice(ctx.t("shift.just_now", time=now), scoped(fdef, JUST_NOW))])
        return result
    source = category.paired_with(fdef.key)
    known = answers.get(source.key) if source is not None else None
    if source is None or not isinstance(known, str):
        return result
    start = known
    ends = [e for s, e in await usual(ctx, category, source) if s == start]
    two_hours = datetime.combine(ctx.now.date(), time.fromisoformat(start)) + timedelta(hours=2)
    ends.append(dates.clock(two_hours))
    ok = [e for e in dict.fromkeys(ends) if e != now and not refusal(ctx, answers, start, e)]
    row = [Choice(e, scoped(fdef, AT + e)) for e in ok[:3]]
    if not refusal(ctx, answers, start, now):
        row.append(Choice(ctx.t("shift.just_now", time=now), scoped(fdef, AT + now)))
    result.rows.extend([row] if row else [])
    return result


async def _last(ctx: Asking, category: Category) -> Report | None:
    """The member's last report of the kind: last night's shift filed there is not offered."""
    assert ctx.member is not None
    return await reports.last_of_kind(ctx.tx, ctx.member.id, category.key)


def _times(text: str) -> list[str]:
    parts = [p for p in _RANGE.split(text.strip(), maxsplit=1) if p]
    return [dates.clock(parse_time(p)) for p in parts]


def parse(
    ctx: Asking,
    category: Category,
    fdef: FieldDef,
    answers: dict[str, Any],
    value: str | None,
    pending: list[Any],
) -> Answer:
    """Read a shift answer: a shift button or typed range fills the start and the end, a
    single time one of them, "Vừa xong" the end (the start comes next); future times refused."""
    start: str | None
    end: str | None
    moved: dict[str, str] = {}
    if value is not None and value.startswith(SHIFT) and value.endswith(DAY_BEFORE):
        yesterday = day_before(ctx, answers)
        if yesterday is None:
            return Answer(Outcome("error", message=ctx.t("error.time_invalid")))
        value, moved = value[: -len(DAY_BEFORE)], {DATE: yesterday}
        answers = {**answers, **moved}
    if value == JUST_NOW and fdef.pair is not None:
        return Answer(Outcome("pending", [just_now(ctx.now)]))
    try:
        if value is not None and value.startswith(SHIFT):
            picked = [value[len(SHIFT) : len(SHIFT) + 5], value[len(SHIFT) + 6 :]]
            times = [dates.clock(time.fromisoformat(t)) for t in picked]
        elif value is not None and value.startswith(AT):
            times = [dates.clock(time.fromisoformat(value[len(AT) :]))]
        elif ctx.text:
            times = _times(ctx.text)
        else:
            return Answer(Outcome("error", message=ctx.t("error.time_invalid")))
    except (ParseError, ValueError):
        return Answer(Outcome("error", message=ctx.t("error.time_invalid")))
    if fdef.pair is not None:
        start = times[0]
        end = times[1] if len(times) > 1 else (str(pending[0]) if pending else None)
    else:
        source = category.paired_with(fdef.key)
        known = answers.get(source.key) if source is not None else None
        start, end = (known if isinstance(known, str) else None), times[-1]
    message = refusal(ctx, answers, start, end)
    if message:
        return Answer(Outcome("error", message=message))
    if fdef.pair is not None:
        filled = {fdef.pair: end} if end is not None else {}
        return Answer(Outcome("value", start), {**filled, **moved})
    return Answer(Outcome("value", end))
