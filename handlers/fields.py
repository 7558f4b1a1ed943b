"""Asking one form field and checking the answer: shared by the report wizard and edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.parsing import ParseError, parse_date, parse_int, parse_time, parse_yes_no
from bot.reports.drafts import FormDraft
from bot.reports.forms import Category, FieldDef
from storage import members

BACK = "nav:back"
SKIP = "nav:skip"
CANCEL = "nav:cancel"
DONE = "nav:done"
SUBMIT = "nav:submit"
TOGGLE = "t:"
DATE_BUTTONS = {"d:0": 0, "d:1": 1}
FREE_TYPES = frozenset({"text", "integer", "date", "time", "location"})
NUMERIC_TYPES = frozenset({"integer", "date", "time"})  # typed answers that can be bare digits


@dataclass
class Outcome:
    """What an answer did: stored a value, kept the question open, or was refused."""

    kind: str  # "value", "pending" (multi-choice toggle, photo added) or "error"
    value: Any = None
    message: str = ""


def applicable(category: Category, answers: dict[str, Any]) -> list[FieldDef]:
    """The fields to ask given the answers so far (a field whose condition is unknown counts)."""
    result = []
    for f in category.fields:
        cond = f.ask_if
        if cond is not None and cond.field in answers and answers[cond.field] not in cond.equals:
            continue
        result.append(f)
    return result


def next_field(category: Category, answers: dict[str, Any], after: str | None) -> FieldDef | None:
    """The field after `after` (the first when None), or None when the form is complete."""
    fields = applicable(category, answers)
    if after is None:
        return fields[0] if fields else None
    keys = [f.key for f in fields]
    if after not in keys:
        return fields[0] if fields else None
    index = keys.index(after) + 1
    return fields[index] if index < len(fields) else None


async def roster_choices(ctx: Context) -> list[tuple[int, str]]:
    """The caller's team-mates (everyone active in the team but the caller)."""
    assert ctx.member is not None
    rows = await members.team_roster(ctx.tx, ctx.member.unit_id)
    return [(int(r["id"]), str(r["full_name"])) for r in rows if r["id"] != ctx.member.id]


def scoped(fdef: FieldDef, value: str) -> str:
    """A button value tied to its question, so a stale button cannot answer another one."""
    return f"{fdef.key}={value}"


def own_value(fdef: FieldDef, value: str | None) -> str | None:
    """The button value meant for this field; None for another question's stale button."""
    if value is None:
        return None
    key, sep, rest = value.partition("=")
    if not sep:
        return value  # navigation buttons (back, skip, done) are not tied to a question
    return rest if key == fdef.key else None


def nav_row(ctx: Context, fdef: FieldDef | None, *, can_skip: bool = True) -> list[Choice]:
    """Back and cancel everywhere; skip on optional fields."""
    row = [Choice(ctx.t("nav.back"), BACK)]
    if fdef is not None and not fdef.required and can_skip:
        row.append(Choice(ctx.t("nav.skip"), SKIP))
    row.append(Choice(ctx.t("nav.cancel"), CANCEL))
    return row


async def ask(
    ctx: Context,
    category: Category,
    fdef: FieldDef,
    answers: dict[str, Any],
    pending: list[Any],
    *,
    replace: bool = False,
    prefix: str = "",
) -> None:
    """Send the question for one field, with a step counter and the right buttons."""
    locale = ctx.locale
    fields = applicable(category, answers)
    keys = [f.key for f in fields]
    step = keys.index(fdef.key) + 1 if fdef.key in keys else 1
    lines = []
    if prefix:
        lines.append(prefix)
    lines.append(ctx.t("wizard.step", title=category.title(locale), step=step, total=len(fields)))
    lines.append("")
    lines.append(fdef.question(locale))
    hint = _hint(ctx, fdef)
    if hint:
        lines.append(hint)
    if not fdef.required:
        lines.append(ctx.t("wizard.optional"))
    rows: list[list[Choice]] = []
    if fdef.type == "choice":
        rows = [[Choice(o.label.get(locale), scoped(fdef, o.value))] for o in fdef.options]
    elif fdef.type == "multi_choice":
        options = await _multi_options(ctx, fdef)
        for value, label in options:
            mark = "☑️" if value in {str(p) for p in pending} else "▫️"
            rows.append([Choice(f"{mark} {label}", scoped(fdef, TOGGLE + value))])
        if not options:
            lines.append(ctx.t("wizard.no_teammates"))
        rows.append([Choice(ctx.t("nav.done"), DONE)])
    elif fdef.type == "yes_no":
        rows = [
            [
                Choice(ctx.t("answer.yes"), scoped(fdef, "yes")),
                Choice(ctx.t("answer.no"), scoped(fdef, "no")),
            ]
        ]
    elif fdef.type == "date":
        today = ctx.now.date()
        rows = [
            [
                Choice(
                    ctx.t("date.today_button", day=today.strftime("%d/%m")), scoped(fdef, "d:0")
                ),
                Choice(ctx.t("date.yesterday_button"), scoped(fdef, "d:1")),
            ]
        ]
    elif fdef.type == "photo":
        if pending:
            lines.append(ctx.t("wizard.photos_count", count=len(pending)))
        rows = [[Choice(ctx.t("nav.done"), DONE)]]
    rows.append(nav_row(ctx, fdef, can_skip=not (fdef.type == "photo" and pending)))
    ctx.reply(
        "\n".join(lines),
        rows,
        free_input=fdef.type in FREE_TYPES,
        numeric_input=fdef.type in NUMERIC_TYPES,
        replace=replace,
    )


def pending_from(field_type: str, previous: Any) -> list[Any]:
    """When a multi-answer field is asked again (back, edit), start from the earlier picks."""
    if field_type == "multi_choice" and isinstance(previous, list):
        return [f"m{v}" if isinstance(v, int) else v for v in previous]
    if field_type == "photo" and isinstance(previous, list):
        return list(previous)
    return []


async def take_answer(
    ctx: Context, category: Category, fdef: FieldDef, state: FormDraft
) -> tuple[bool, Any]:
    """Handle one answer to `fdef` for both the wizard and edits.

    Re-asks with the error, or with the picks so far for multi-answer fields, and returns
    (False, None); returns (True, value) once the answer is complete (None when skipped).
    """
    pending = state.pending
    if ctx.value == SKIP and not fdef.required:
        state.pending = []
        return True, None
    outcome = await parse_answer(ctx, fdef, pending)
    if outcome.kind == "error":
        await ask(ctx, category, fdef, state.answers, pending, prefix="⚠️ " + outcome.message)
        return False, None
    if outcome.kind == "pending":
        state.pending = outcome.value
        replace = ctx.inbound.button is not None
        await ask(ctx, category, fdef, state.answers, outcome.value, replace=replace)
        return False, None
    state.pending = []
    return True, outcome.value


def _hint(ctx: Context, fdef: FieldDef) -> str:
    if fdef.hint is not None:
        return fdef.hint.get(ctx.locale)
    if fdef.type == "integer":
        return ctx.t("hint.integer", minimum=fdef.minimum or 0, maximum=_max(fdef))
    if fdef.type == "location" and not ctx.can_send_location:
        return ctx.t("hint.location_typed")
    if fdef.type in {"date", "time", "location", "text"}:
        return ctx.t(f"hint.{fdef.type}", max_length=fdef.max_length)
    return ""


def _max(fdef: FieldDef) -> int | str:
    return fdef.maximum if fdef.maximum is not None else "…"


async def _multi_options(ctx: Context, fdef: FieldDef) -> list[tuple[str, str]]:
    if fdef.choices_from == "team":
        return [(f"m{mid}", name) for mid, name in await roster_choices(ctx)]
    return [(o.value, o.label.get(ctx.locale)) for o in fdef.options]


async def parse_answer(ctx: Context, fdef: FieldDef, pending: list[Any]) -> Outcome:
    """Turn what the user sent into a stored value, or say precisely what is expected."""
    value = own_value(fdef, ctx.value)
    text = ctx.text
    inbound = ctx.inbound
    kind = fdef.type
    if kind == "choice":
        if value in {o.value for o in fdef.options}:
            return Outcome("value", value)
        return Outcome("error", message=ctx.t("error.choice"))
    if kind == "multi_choice":
        options = dict(await _multi_options(ctx, fdef))
        if value is not None and value.startswith(TOGGLE) and value[len(TOGGLE) :] in options:
            picked = value[len(TOGGLE) :]
            current = [str(p) for p in pending]
            if picked in current:
                current.remove(picked)
            else:
                current.append(picked)
            return Outcome("pending", current)
        if value == DONE:
            chosen = [p for p in (str(x) for x in pending) if p in options]
            if fdef.required and not chosen:
                return Outcome("error", message=ctx.t("error.multi_empty"))
            if fdef.choices_from == "team":
                return Outcome("value", [int(p[1:]) for p in chosen])
            return Outcome("value", chosen)
        return Outcome("error", message=ctx.t("error.multi"))
    if kind == "yes_no":
        if value in {"yes", "no"}:
            return Outcome("value", value == "yes")
        try:
            return Outcome("value", parse_yes_no(text))
        except ParseError:
            return Outcome("error", message=ctx.t("error.yes_no"))
    if kind == "photo":
        if inbound.photo:
            if len(pending) >= fdef.max_photos:
                return Outcome("error", message=ctx.t("error.too_many_photos", n=fdef.max_photos))
            return Outcome("pending", [*pending, inbound.photo])
        if value == DONE:
            if not pending and fdef.required:
                return Outcome("error", message=ctx.t("error.photo_required"))
            return Outcome("value", list(pending))
        return Outcome("error", message=ctx.t("error.photo"))
    if kind == "location":
        if inbound.location is not None:
            loc = inbound.location
            return Outcome("value", {"lat": loc.latitude, "lon": loc.longitude})
        if text and not text.startswith("/"):
            if len(text) > fdef.max_length:
                return Outcome("error", message=ctx.t("error.too_long", n=fdef.max_length))
            return Outcome("value", {"text": text})
        key = "error.location" if ctx.can_send_location else "error.location_typed"
        return Outcome("error", message=ctx.t(key))
    if kind == "date" and value in DATE_BUTTONS:
        return Outcome("value", (ctx.now.date() - timedelta(days=DATE_BUTTONS[value])).isoformat())
    if not text:
        return Outcome("error", message=ctx.t("error.need_text"))
    if kind == "text":
        if len(text) > fdef.max_length:
            return Outcome("error", message=ctx.t("error.too_long", n=fdef.max_length))
        return Outcome("value", text)
    try:
        if kind == "integer":
            return Outcome("value", parse_int(text, fdef.minimum, fdef.maximum))
        if kind == "time":
            return Outcome("value", parse_time(text).strftime("%H:%M"))
        if kind == "date":
            return Outcome("value", _parse_date(ctx, text).isoformat())
    except ParseError as err:
        return Outcome("error", message=_parse_message(ctx, fdef, err))
    raise AssertionError(f"unhandled field type {kind}")


def _parse_date(ctx: Context, text: str) -> date:
    return parse_date(text, ctx.now.date(), ctx.services.config.reports.max_age_days)


def _parse_message(ctx: Context, fdef: FieldDef, err: ParseError) -> str:
    if err.code == "int_too_small":
        return ctx.t("error.int_too_small", minimum=fdef.minimum)
    if err.code == "int_too_large":
        return ctx.t("error.int_too_large", maximum=fdef.maximum)
    if err.code == "date_too_old":
        return ctx.t("error.date_too_old", days=ctx.services.config.reports.max_age_days)
    return ctx.t(f"error.{err.code}")


async def display(ctx: Context, fdef: FieldDef, value: Any) -> str:
    """Show a stored answer the way the user would say it."""
    locale = ctx.locale
    if value is None or value == []:
        return ctx.t("answer.none")
    kind = fdef.type
    if kind == "choice":
        return fdef.option_label(str(value), locale)
    if kind == "multi_choice":
        if fdef.choices_from == "team":
            names = []
            for member_id in value:
                row = await members.get(ctx.tx, int(member_id))
                names.append(row.full_name if row else f"#{member_id}")
            return ", ".join(names)
        return ", ".join(fdef.option_label(str(v), locale) for v in value)
    if kind == "yes_no":
        return ctx.t("answer.yes") if value else ctx.t("answer.no")
    if kind == "date":
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    if kind == "location":
        if "text" in value:
            return str(value["text"])
        return f"📍 {value['lat']:.5f}, {value['lon']:.5f}"
    if kind == "photo":
        return ctx.t("answer.photos", count=len(value))
    return str(value)


async def summary_lines(ctx: Context, category: Category, answers: dict[str, Any]) -> list[str]:
    """Every answer of a report, one line each, in form order."""
    lines = []
    for f in applicable(category, answers):
        if f.key in answers:
            lines.append(f"• {f.label.get(ctx.locale)}: {await display(ctx, f, answers[f.key])}")
    return lines
