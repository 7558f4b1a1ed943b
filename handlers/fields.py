"""Asking one form field in the dialog and taking the answer: shared by the wizard and edits."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.model import Choice
from bot.reports import shifts
from bot.reports.drafts import FormDraft
from bot.reports.filling import applicable, hint, own_value, parse_answer
from bot.reports.forms import Category, FieldDef
from bot.reports.kinds import Outcome, kind_of

BACK = "nav:back"
SKIP = "nav:skip"
CANCEL = "nav:cancel"
SUBMIT = "nav:submit"


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
    first_rows: list[list[Choice]] | None = None,
) -> None:
    """Send the question for one field, with a step counter and the right buttons
    (`first_rows` above the field's own, e.g. "same as last time")."""
    locale = ctx.locale
    kind = kind_of(fdef)
    keys = steps(category, answers)
    lines = []
    if prefix:
        lines.append(prefix)
    if fdef.key in keys:
        step, total = keys.index(fdef.key) + 1, len(keys)
        lines.append(ctx.t("wizard.step", title=category.title(locale), step=step, total=total))
    else:
        lines.append(category.title(locale))
    lines.append("")
    lines.append(fdef.question(locale))
    shown_hint = hint(ctx, fdef)
    if shown_hint:
        lines.append(shown_hint)
    if not fdef.required:
        lines.append(ctx.t("wizard.optional"))
    numeric = kind.numeric_input
    if shifts.is_shift_field(category, fdef):
        # Typed numbers pick a shift on text-only messengers; times are typed with a separator.
        numeric = False
        question = await shifts.question(ctx, category, fdef, answers, pending)
    else:
        question = await kind.question(ctx, fdef, pending)
    lines.extend(question.notes)
    rows = [*(first_rows or []), *question.rows, nav_row(ctx, fdef, can_skip=question.can_skip)]
    ctx.reply(
        "\n".join(lines),
        rows,
        free_input=kind.free_input,
        numeric_input=numeric,
        replace=replace,
    )


def steps(category: Category, answers: dict[str, Any]) -> list[str]:
    """The questions counted in "Bước 2/4": those asked in sequence, a shift's end (asked
    only when the start was typed alone) not counted."""
    return [
        f.key
        for f in applicable(category, answers)
        if f.in_sequence and category.paired_with(f.key) is None
    ]


async def take_answer(
    ctx: Context, category: Category, fdef: FieldDef, state: FormDraft
) -> tuple[bool, Any]:
    """Handle one answer to `fdef` for both the wizard and edits.

    Re-asks with the error, or with the picks so far for multi-answer fields, and returns
    (False, None); returns (True, value) once the answer is complete (None when skipped).
    A shift answer also writes the end time it filled into the state's answers.
    """
    pending = state.pending
    if ctx.value == SKIP and not fdef.required:
        state.pending = []
        return True, None
    outcome = await _outcome(ctx, category, fdef, state)
    if outcome.kind == "error":
        await ask(ctx, category, fdef, state.answers, pending, prefix="⚠️ " + outcome.message)
        return False, None
    if outcome.kind == "pending":
        state.pending = outcome.value
        replace = ctx.inbound.button is not None and not outcome.message
        prefix = "⚠️ " + outcome.message if outcome.message else ""
        await ask(ctx, category, fdef, state.answers, outcome.value, replace=replace, prefix=prefix)
        return False, None
    state.pending = []
    return True, outcome.value


async def _outcome(ctx: Context, category: Category, fdef: FieldDef, state: FormDraft) -> Outcome:
    if not shifts.is_shift_field(category, fdef):
        return await parse_answer(ctx, fdef, state.pending)
    value = own_value(fdef, ctx.value)
    answer = shifts.parse(ctx, category, fdef, state.answers, value, state.pending)
    if answer.outcome.kind == "value":
        state.answers.update(answer.filled)
    return answer.outcome
