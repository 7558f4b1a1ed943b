"""The report wizard's summary: everything in full, send first, then one tap to change a
preset answer, add an optional one, or re-answer any question, and back to the summary."""

from __future__ import annotations

from typing import Any

from bot.core.engine import Context
from bot.core.model import Choice
from bot.reports import filling, routine, shifts
from bot.reports.drafts import ReportDraft
from bot.reports.forms import Category, FieldDef
from bot.reports.receipt import urgent_receipt
from bot.reports.saving import save_report
from handlers import fields, menu

CHANGE = "c:"  # ask one field again from the summary: c:<key>
TOGGLE = "y:"  # flip a yes/no default: y:<key>
PICK = "e:pick"  # the list of answers to change


def final_answers(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers that apply, optional ones never given stored as skipped (None), as the
    wizard always stored them."""
    return {
        f.key: answers.get(f.key)
        for f in filling.applicable(category, answers)
        if f.key in answers or not f.required
    }


def _missing(category: Category, answers: dict[str, Any]) -> FieldDef | None:
    """The first question in sequence a change made applicable and nobody answered yet."""
    for f in filling.applicable(category, answers):
        if f.in_sequence and f.key not in answers:
            return f
    return None


async def show(ctx: Context, category: Category, prefix: str = "") -> None:
    """The summary with its buttons: send, the presets' and optional fields' one-tap
    changes, "change another answer", back and cancel."""
    draft = ctx.state.require(ReportDraft)
    draft.field, draft.summary, draft.returning, draft.picking = None, True, False, False
    for key, value in routine.defaults(ctx, category).items():
        draft.answers.setdefault(key, value)  # a draft saved before the key had a default
    answers = {
        k: v for k, v in final_answers(category, draft.answers).items() if k in draft.answers
    }
    lines = [prefix] if prefix else []
    lines += [ctx.t("wizard.summary_title", title=category.title(ctx.locale)), ""]
    lines.extend(await filling.summary_lines(ctx, category, answers))
    lines.append("")
    lines.append(ctx.t("wizard.summary_question"))
    rows = [[Choice(ctx.t("wizard.submit"), fields.SUBMIT)]]
    for f in filling.applicable(category, answers):
        if f.default is not None and f.type == "date":
            rows.append([Choice(ctx.t("wizard.other_day"), CHANGE + f.key)])
        elif f.default is not None and f.type == "yes_no":
            flipped = ctx.t("answer.no") if answers.get(f.key) else ctx.t("answer.yes")
            label = f.label.get(ctx.locale)
            rows.append(
                [Choice(ctx.t("wizard.toggle", label=label, value=flipped), TOGGLE + f.key)]
            )
        elif f.on_summary and answers.get(f.key) in (None, []):
            name = f.label.get(ctx.locale)
            rows.append(
                [Choice(ctx.t("wizard.add", label=name[:1].lower() + name[1:]), CHANGE + f.key)]
            )
    rows.append([Choice(ctx.t("wizard.change_other"), PICK)])
    rows.append(
        [Choice(ctx.t("nav.back"), fields.BACK), Choice(ctx.t("nav.cancel"), fields.CANCEL)]
    )
    ctx.reply("\n".join(lines), rows)


async def _pick(ctx: Context, category: Category) -> None:
    draft = ctx.state.require(ReportDraft)
    draft.picking = True
    rows = [
        [Choice(f.label.get(ctx.locale), CHANGE + f.key)]
        for f in filling.applicable(category, draft.answers)
        if category.paired_with(f.key) is None  # a shift's end is changed with its start
    ]
    rows.append(
        [Choice(ctx.t("nav.back"), fields.BACK), Choice(ctx.t("nav.cancel"), fields.CANCEL)]
    )
    ctx.reply(ctx.t("wizard.pick_change"), rows)


async def on_summary(ctx: Context, category: Category) -> FieldDef | None:
    """Send, change one answer, or go back from the list of answers to the summary (back
    from the summary itself is the wizard's); the question to ask when the tap opens one,
    which the wizard asks (it alone offers "same as last time")."""
    draft = ctx.state.require(ReportDraft)
    value = ctx.value or ""
    keys = {f.key for f in filling.applicable(category, draft.answers)}
    if value == fields.BACK:
        await show(ctx, category)
        return None
    if value == PICK:
        await _pick(ctx, category)
        return None
    if value.startswith(TOGGLE) and value[len(TOGGLE) :] in keys:
        key = value[len(TOGGLE) :]
        draft.answers = {**draft.answers, key: not draft.answers.get(key)}
        await show(ctx, category)
        return None
    if value.startswith(CHANGE) and value[len(CHANGE) :] in keys:
        fdef = category.field(value[len(CHANGE) :])
        draft.returning = True
        draft.pending = filling.pending_from(fdef.type, draft.answers.get(fdef.key))
        return fdef
    if ctx.inbound.photo and (photo := _photo_field(category, draft.answers)) is not None:
        draft.returning = True
        photos = filling.pending_from(photo.type, draft.answers.get(photo.key))
        draft.pending = [*photos, ctx.inbound.photo]
        return photo
    if value != fields.SUBMIT:
        await show(ctx, category, "⚠️ " + ctx.t("error.summary"))
        return None
    return await _submit(ctx, category)


def _photo_field(category: Category, answers: dict[str, Any]) -> FieldDef | None:
    """Where a photo sent on the summary goes: the first photo question with room left
    (people send the picture rather than look for "➕ Thêm ảnh")."""
    for f in filling.applicable(category, answers):
        if f.type == "photo" and len(answers.get(f.key) or []) < f.max_photos:
            return f
    return None


async def _submit(ctx: Context, category: Category) -> FieldDef | None:
    draft = ctx.state.require(ReportDraft)
    if _missing(category, draft.answers) is not None:
        return await after_change(ctx, category)
    answers = final_answers(category, draft.answers)
    for f in category.fields:
        if f.pair and isinstance(answers.get(f.key), str):
            end = answers.get(f.pair)
            refused = shifts.refusal(
                ctx, answers, answers[f.key], end if isinstance(end, str) else None
            )
            if refused:  # the date changed to a day whose shift has not ended yet
                await show(ctx, category, "⚠️ " + refused)
                return None
    saved = await save_report(ctx, category, answers)
    ctx.reset()
    text = ctx.t("wizard.saved", number=saved.number, title=category.title(ctx.locale))
    if saved.replaced_nil is not None:
        text += "\n" + ctx.t("nil.replaced", date=saved.replaced_nil)
    if saved.reach is not None:
        text += "\n" + await urgent_receipt(ctx, saved.reach)
    await menu.show(ctx, text)
    return None


async def after_change(ctx: Context, category: Category) -> FieldDef | None:
    """After an answer given from the summary (or "same as last time"): the question the
    change made necessary, for the wizard to ask, else the summary again (None)."""
    draft = ctx.state.require(ReportDraft)
    missing = _missing(category, draft.answers)
    if missing is None:
        await show(ctx, category)
        return None
    draft.returning = True
    draft.pending = filling.pending_from(missing.type, draft.answers.get(missing.key))
    return missing
