"""Filling in a form on any messenger: which fields apply, what comes next, reading answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.reports.kinds import KINDS, Outcome, Reader, kind_of

if TYPE_CHECKING:
    from bot.core.engine import Context
    from bot.reports.forms import Category, FieldDef


def applicable(category: Category, answers: dict[str, Any]) -> list[FieldDef]:
    """The fields to ask given the answers so far (a field whose condition is unknown counts)."""
    result = []
    for f in category.fields:
        cond = f.ask_if
        if cond is not None and not cond.holds(answers):
            continue
        result.append(f)
    return result


def next_field(category: Category, answers: dict[str, Any], after: str | None) -> FieldDef | None:
    """The field asked after `after` (the first when None), or None when the wizard goes to
    the summary: defaulted and summary-only fields are not asked in sequence, and an end
    time the shift question `after` already filled is not asked again."""
    fields = [f for f in applicable(category, answers) if f.in_sequence or f.key == after]
    if after is not None:
        source = category.field(after) if any(f.key == after for f in category.fields) else None
        if source is not None and source.pair and source.pair in answers:
            fields = [f for f in fields if f.key != source.pair]
    if after is None:
        return fields[0] if fields else None
    keys = [f.key for f in fields]
    if after not in keys:
        return fields[0] if fields else None
    index = keys.index(after) + 1
    return fields[index] if index < len(fields) else None


def own_value(fdef: FieldDef, value: str | None) -> str | None:
    """The button value meant for this field; None for another question's stale button."""
    if value is None:
        return None
    key, sep, rest = value.partition("=")
    if not sep:
        return value  # navigation buttons (back, skip, done) are not tied to a question
    return rest if key == fdef.key else None


def hint(ctx: Context, fdef: FieldDef) -> str:
    """What to type, under the question: the form's own hint wins over the kind's."""
    if fdef.hint is not None:
        return fdef.hint.get(ctx.locale)
    return kind_of(fdef).hint(ctx, fdef)


def pending_from(field_type: str, previous: Any) -> list[Any]:
    """When a multi-answer field is asked again (back, edit), start from the earlier picks."""
    return KINDS[field_type].pending_from(previous)


async def parse_answer(ctx: Context, fdef: FieldDef, pending: list[Any]) -> Outcome:
    """Turn what the user sent into a stored value, or say precisely what is expected."""
    kind = kind_of(fdef)
    if ctx.inbound.voice is not None and not kind.takes_voice:
        key = "voice.not_here_typed" if ctx.numbered else "voice.not_here_buttons"
        return Outcome("error", message=ctx.t(key))
    return await kind.parse(ctx, fdef, own_value(fdef, ctx.value), pending)


async def display(reader: Reader, fdef: FieldDef, value: Any) -> str:
    """Show a stored answer the way the reader would say it, in the reader's language."""
    if value == [] and fdef.choices_from == "team":
        return reader.t("answer.alone")  # "🙋 Một mình", not a skipped question
    if value is None or value == []:
        return reader.t("answer.none")
    return await kind_of(fdef).display(reader, fdef, value)


async def summary_lines(reader: Reader, category: Category, answers: dict[str, Any]) -> list[str]:
    """Every answer of a report, one line each, in form order and the reader's language."""
    return [
        f"• {label}: {shown}" for label, shown in await summary_pairs(reader, category, answers)
    ]


async def summary_pairs(
    reader: Reader, category: Category, answers: dict[str, Any]
) -> list[tuple[str, str]]:
    """Every answer as (the form's label, the answer as shown): the same content as the
    summary lines, for a page that lays labels and answers out apart."""
    pairs = []
    for f in applicable(category, answers):
        if f.key in answers and not (f.on_summary and answers[f.key] is None):
            shown = await display(reader, f, answers[f.key])
            if _next_day(category, f, answers):
                shown += " " + reader.t("wizard.next_day")
            pairs.append((f.label.get(reader.locale), shown))
    return pairs


def _next_day(category: Category, fdef: FieldDef, answers: dict[str, Any]) -> bool:
    """An end time before its shift's start: the shift ran past midnight."""
    source = category.paired_with(fdef.key)
    if source is None:
        return False
    start, end = answers.get(source.key), answers.get(fdef.key)
    return isinstance(start, str) and isinstance(end, str) and end < start
