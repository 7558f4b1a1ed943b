"""Asking one form field in the dialog and taking the answer: shared by the wizard and edits."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.model import Choice
from bot.reports.drafts import FormDraft
from bot.reports.filling import applicable, hint, parse_answer
from bot.reports.forms import Category, FieldDef
from bot.reports.kinds import kind_of

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
) -> None:
    """Send the question for one field, with a step counter and the right buttons."""
    locale = ctx.locale
    kind = kind_of(fdef)
    fields = applicable(category, answers)
    keys = [f.key for f in fields]
    step = keys.index(fdef.key) + 1 if fdef.key in keys else 1
    lines = []
    if prefix:
        lines.append(prefix)
    lines.append(ctx.t("wizard.step", title=category.title(locale), step=step, total=len(fields)))
    lines.append("")
    lines.append(fdef.question(locale))
    shown_hint = hint(ctx, fdef)
    if shown_hint:
        lines.append(shown_hint)
    if not fdef.required:
        lines.append(ctx.t("wizard.optional"))
    question = await kind.question(ctx, fdef, pending)
    lines.extend(question.notes)
    rows = [*question.rows, nav_row(ctx, fdef, can_skip=question.can_skip)]
    ctx.reply(
        "\n".join(lines),
        rows,
        free_input=kind.free_input,
        numeric_input=kind.numeric_input,
        replace=replace,
    )


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
        replace = ctx.inbound.button is not None and not outcome.message
        prefix = "⚠️ " + outcome.message if outcome.message else ""
        await ask(ctx, category, fdef, state.answers, outcome.value, replace=replace, prefix=prefix)
        return False, None
    state.pending = []
    return True, outcome.value
