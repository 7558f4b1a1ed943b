"""Defaults and "same as last time": the answers a report starts with before any question.

A field's `default` presets it (the reporting day, "no"); a category's `routine` copies the
kept answers of the member's last report of the kind (team-mates who left dropped) and sets
the fixed ones, so a routine report is one tap to its summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core import dates
from bot.reports import shifts
from bot.reports.fielddef import DATE
from bot.reports.kinds.choosing import roster_choices
from storage import reports

if TYPE_CHECKING:
    from bot.core.engine import Context
    from bot.reports.forms import Category, FieldDef

BUTTON_LIMIT = 60  # characters of the "same as last time" button before the route is cut
MARK = "@routine"  # its entry in the wizard's history, for Back


def default_value(ctx: Context, category: Category, fdef: FieldDef) -> Any:
    """A field's preset answer: the reporting day (a night patrol filed at 00:40 is
    yesterday's; an urgent report is about today), or the yes/no default."""
    if fdef.type == "date":
        if category.urgent:
            return ctx.now.date().isoformat()
        return dates.reporting_day(ctx.now, ctx.services.config.reports.day_ends_at).isoformat()
    return fdef.default


def defaults(ctx: Context, category: Category) -> dict[str, Any]:
    """Every defaulted field's preset answer."""
    return {
        f.key: default_value(ctx, category, f) for f in category.fields if f.default is not None
    }


async def last_answers(
    ctx: Context, category: Category, answers: dict[str, Any]
) -> dict[str, Any] | None:
    """The answers "same as last time" fills, or None when there is no earlier report (or
    its shift would be refused for the report's day, e.g. this evening's not yet over)."""
    routine = category.routine
    assert ctx.member is not None
    if routine is None:
        return None
    last = await reports.last_of_kind(ctx.tx, ctx.member.id, category.key)
    if last is None:
        return None
    filled: dict[str, Any] = {k: last.answers[k] for k in routine.keep if k in last.answers}
    filled.update(routine.set_)
    team = {mid for mid, _ in await roster_choices(ctx)}
    for f in category.fields:
        if f.key in filled and f.type == "multi_choice" and f.choices_from == "team":
            filled[f.key] = [m for m in filled[f.key] or [] if int(m) in team]
        if f.pair and f.key in filled:
            end = filled.get(f.pair)
            times = (str(filled.get(f.key)), str(end) if end else None)
            if not shifts.refusal(ctx, answers, *times):
                continue
            yesterday = shifts.last_night(ctx, answers, f, times, last)  # filed this morning
            if yesterday is None:
                return None
            filled[DATE] = yesterday
    return filled


async def button_label(ctx: Context, category: Category, filled: dict[str, Any]) -> str:
    """ "🔁 Như lần trước: 19:00–21:00 · Đường liên thôn · cùng Bình": what it fills, the
    free text cut short if the whole would not fit a button (the summary shows it all)."""
    parts: list[str] = []
    text_at: int | None = None
    for f in category.fields:
        value = filled.get(f.key)
        if value is None or category.paired_with(f.key) is not None or f.type == "yes_no":
            continue
        if f.pair:
            end = filled.get(f.pair)
            shift = f"{value}–{end}" if end else str(value)
            moved = DATE in filled  # last night's shift, filed this morning
            parts.append(f"{shift} {ctx.t('shift.yesterday')}" if moved else shift)
        elif f.type == "multi_choice" and f.choices_from == "team":
            names = await _names(ctx, value)
            parts.append(ctx.t("routine.with", names=names) if names else ctx.t("routine.alone"))
        elif f.type == "text":
            text_at = len(parts)
            parts.append(str(value))
        elif f.key in (category.routine.keep if category.routine else []):
            parts.append(f"{f.label.get(ctx.locale)}: {value}")
    label = ctx.t("routine.button", what=" · ".join(parts))
    if len(label) > BUTTON_LIMIT and text_at is not None:
        room = max(8, len(parts[text_at]) - (len(label) - BUTTON_LIMIT) - 1)
        parts[text_at] = parts[text_at][:room].rstrip() + "…"
        label = ctx.t("routine.button", what=" · ".join(parts))
    return label


async def _names(ctx: Context, ids: list[int]) -> str:
    roster = dict(await roster_choices(ctx))
    return ", ".join(roster[int(m)].split()[-1] for m in ids if int(m) in roster)
