"""The report wizard: pick a kind, answer its fields one by one, review, confirm."""

from __future__ import annotations

from typing import Any

from bot.core import dates
from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import can_report
from bot.reports import filling
from bot.reports.drafts import ReportDraft
from bot.reports.forms import Category
from bot.reports.saving import save_report
from handlers import fields, menu
from handlers.commands import handles
from storage import reports

KIND = "k:"
RESUME = "r:resume"
RESTART = "r:restart"


@handles("baocao")
async def begin(ctx: Context) -> None:
    """/baocao: offer to resume a draft in progress, else start with the choice of kind."""
    if not await _may_report(ctx):
        return
    if ctx.state.get(ReportDraft) is None:
        ctx.reset()  # an unfinished edit (or leave, ...) ends; a draft parked comes back
    draft = ctx.state.get(ReportDraft)
    kind = str(draft.kind or "") if draft is not None else ""
    if draft is not None and ctx.forms.has(kind):
        category = ctx.forms.get(kind)
        ctx.reply(
            ctx.t("wizard.resume_offer", title=category.title(ctx.locale)),
            [
                [Choice(ctx.t("wizard.resume"), RESUME)],
                [Choice(ctx.t("wizard.restart"), RESTART)],
            ],
        )
        draft.offer = True
        return
    _choose_kind(ctx)


@handles("khongcovuviec")
async def file_nil(ctx: Context) -> None:
    """One tap: 'nothing to report today', filed at once, only once a day and not beside a
    report of one's own that day; the day turns over at `[reports] day_ends_at`, so a tap
    after midnight speaks for the evening before."""
    if not await _may_report(ctx):
        return
    assert ctx.member is not None
    today = dates.reporting_day(ctx.now, ctx.services.config.reports.day_ends_at).isoformat()
    existing = await reports.find_nil(ctx.tx, ctx.member.id, today)
    if existing is not None:
        await menu.show(ctx, ctx.t("nil.already", number=existing.number))
        return
    real = await reports.find_real(ctx.tx, ctx.member.id, today)
    if real is not None:
        # A nil report beside a real one would say both; a team-mate's credit is no report
        # of one's own, so a member credited on someone's patrol may still file a nil.
        title = ctx.forms.get(real.kind).title(ctx.locale) if ctx.forms.has(real.kind) else ""
        await menu.show(
            ctx,
            ctx.t("nil.has_report", number=real.number, title=title, date=dates.stored_day(today)),
        )
        return
    if not ctx.forms.has("nil"):
        _choose_kind(ctx)
        return
    number = (await save_report(ctx, ctx.forms.get("nil"), {"date": today})).number
    draft = ctx.state.get(ReportDraft)
    if draft is not None and not draft.kind:
        ctx.reset()
    await menu.show(ctx, ctx.t("nil.saved", number=number, date=dates.stored_day(today)))


async def _may_report(ctx: Context) -> bool:
    assert ctx.member is not None
    if can_report(ctx.member.role):
        return True
    await menu.show(ctx, ctx.t("wizard.not_for_role"))
    return False


def _choose_kind(ctx: Context) -> None:
    ctx.state.clear()
    ctx.state.open(ReportDraft())
    locale = ctx.locale
    cats = [c for c in ctx.forms.categories if c.key != "nil"]
    rows = [[Choice(c.title(locale), KIND + c.key)] for c in cats]
    if ctx.forms.has("nil"):
        rows.append([Choice(ctx.forms.get("nil").title(locale), KIND + "nil")])
    rows.append([Choice(ctx.t("nav.cancel"), fields.CANCEL)])
    ctx.reply(ctx.t("wizard.choose_kind"), rows)


async def on_input(ctx: Context) -> None:
    """Handle one answer inside the wizard."""
    state = ctx.state.require(ReportDraft)
    if ctx.value == fields.CANCEL:
        ctx.reset()
        await menu.show(ctx, ctx.t("wizard.cancelled"))
        return
    offered, state.offer = state.offer, False
    if offered:
        if ctx.value == RESTART:
            _choose_kind(ctx)
            return
        if ctx.value == RESUME:
            await _ask_current(ctx)
            return
    kind = state.kind
    if not kind:
        await _on_kind(ctx)
        return
    if not ctx.forms.has(str(kind)):
        _choose_kind(ctx)
        return
    category = ctx.forms.get(str(kind))
    if state.summary:
        await _on_summary(ctx, category)
        return
    await _on_field(ctx, category)


async def _on_kind(ctx: Context) -> None:
    value = ctx.value or ""
    key = value[len(KIND) :] if value.startswith(KIND) else ""
    if value == fields.BACK:
        ctx.reset()
        await menu.show(ctx)
        return
    if not key or not ctx.forms.has(key):
        ctx.reply(ctx.t("error.choice"))
        _choose_kind(ctx)
        return
    if key == "nil":
        await file_nil(ctx)
        return
    category = ctx.forms.get(key)
    draft = ctx.state.require(ReportDraft)
    draft.kind, draft.answers, draft.history, draft.pending = key, {}, [], []
    first = filling.next_field(category, {}, None)
    if first is None:
        await _show_summary(ctx, category)
        return
    draft.field = first.key
    await fields.ask(ctx, category, first, {}, [])


async def _ask_current(ctx: Context, prefix: str = "", replace: bool = False) -> None:
    draft = ctx.state.require(ReportDraft)
    category = ctx.forms.get(str(draft.kind))
    if draft.summary:
        await _show_summary(ctx, category)
        return
    fdef = category.field(str(draft.field))
    await fields.ask(
        ctx,
        category,
        fdef,
        draft.answers,
        draft.pending,
        prefix=prefix,
        replace=replace,
    )


async def _on_field(ctx: Context, category: Category) -> None:
    state = ctx.state.require(ReportDraft)
    answers: dict[str, Any] = state.answers
    fdef = category.field(str(state.field))
    if ctx.value == fields.BACK:
        await _go_back(ctx, category)
        return
    complete, value = await fields.take_answer(ctx, category, fdef, state)
    if not complete:
        return
    answers[fdef.key] = value
    state.history.append(fdef.key)
    await _advance(ctx, category, fdef.key)


async def _advance(ctx: Context, category: Category, after: str) -> None:
    draft = ctx.state.require(ReportDraft)
    answers = draft.answers
    nxt = filling.next_field(category, answers, after)
    if nxt is None:
        await _show_summary(ctx, category)
        return
    draft.field = nxt.key
    draft.pending = filling.pending_from(nxt.type, answers.get(nxt.key))
    await fields.ask(ctx, category, nxt, answers, draft.pending)


async def _go_back(ctx: Context, category: Category) -> None:
    draft = ctx.state.require(ReportDraft)
    history: list[str] = draft.history
    if not history:
        _choose_kind(ctx)
        return
    key = history.pop()
    draft.field, draft.summary = key, False
    fdef = category.field(key)
    draft.pending = filling.pending_from(fdef.type, draft.answers.get(key))
    await fields.ask(ctx, category, fdef, draft.answers, draft.pending)


async def _show_summary(ctx: Context, category: Category) -> None:
    draft = ctx.state.require(ReportDraft)
    draft.field, draft.summary = None, True
    answers = _final_answers(category, draft.answers)
    lines = [ctx.t("wizard.summary_title", title=category.title(ctx.locale)), ""]
    lines.extend(await filling.summary_lines(ctx, category, answers))
    lines.append("")
    lines.append(ctx.t("wizard.summary_question"))
    ctx.reply(
        "\n".join(lines),
        [
            [Choice(ctx.t("wizard.submit"), fields.SUBMIT)],
            [Choice(ctx.t("nav.back"), fields.BACK), Choice(ctx.t("nav.cancel"), fields.CANCEL)],
        ],
    )


def _final_answers(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    keys = {f.key for f in filling.applicable(category, answers)}
    return {k: v for k, v in answers.items() if k in keys}


async def _on_summary(ctx: Context, category: Category) -> None:
    if ctx.value == fields.BACK:
        await _go_back(ctx, category)
        return
    if ctx.value != fields.SUBMIT:
        ctx.reply("⚠️ " + ctx.t("error.summary"))
        await _show_summary(ctx, category)
        return
    answers = _final_answers(category, ctx.state.require(ReportDraft).answers)
    saved = await save_report(ctx, category, answers)
    ctx.reset()
    text = ctx.t("wizard.saved", number=saved.number, title=category.title(ctx.locale))
    if saved.replaced_nil is not None:
        text += "\n" + ctx.t("nil.replaced", date=saved.replaced_nil)
    if category.urgent:
        text += "\n" + ctx.t("wizard.saved_urgent")
    await menu.show(ctx, text)
