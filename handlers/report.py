"""The report wizard: pick a kind, answer its fields one by one, review, confirm."""

from __future__ import annotations

from typing import Any

from bot.core import dates
from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import can_report
from bot.reports import filling, routine
from bot.reports.drafts import ReportDraft
from bot.reports.forms import Category, FieldDef
from bot.reports.kinds.choosing import roster_choices
from bot.reports.saving import save_report
from handlers import fields, menu, summary
from handlers.commands import handles
from storage import reports

KIND = "k:"
RESUME = "r:resume"
RESTART = "r:restart"
SAME = "r:same"


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
        title = ctx.forms.title(real.kind, ctx.locale, "")
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
        if ctx.value == fields.BACK and not state.picking:
            await go_back(ctx, category)
            return
        await _ask_if(ctx, category, await summary.on_summary(ctx, category))
        return
    await _on_field(ctx, category)


async def _ask_if(ctx: Context, category: Category, fdef: FieldDef | None) -> None:
    """Ask the question the summary opened, if it opened one (it showed itself otherwise)."""
    if fdef is not None:
        await ask(ctx, category, fdef)


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
    draft.kind, draft.history, draft.pending = key, [], []
    draft.answers = routine.defaults(ctx, category)
    await advance(ctx, category, None)


async def _ask_current(ctx: Context, prefix: str = "", replace: bool = False) -> None:
    draft = ctx.state.require(ReportDraft)
    category = ctx.forms.get(str(draft.kind))
    if draft.summary or draft.field is None:
        await summary.show(ctx, category)
        return
    fdef = category.field(str(draft.field))
    if not fdef.in_sequence and not draft.returning:
        # Saved by an older wizard on a step it no longer asks in turn (the date, now
        # preset; the note, now on the summary): on to the next question it does ask.
        for key, value in routine.defaults(ctx, category).items():
            draft.answers.setdefault(key, value)
        draft.history = [k for k in draft.history if _in_sequence(category, k)]
        await advance(ctx, category, draft.history[-1] if draft.history else None)
        return
    await ask(ctx, category, fdef, prefix=prefix, replace=replace)


def _in_sequence(category: Category, key: str) -> bool:
    """A step of `history` Back may return to: a draft saved by an older wizard also lists
    the date and the note there, which are preset or offered on the summary now."""
    return key == routine.MARK or any(f.key == key and f.in_sequence for f in category.fields)


async def ask(
    ctx: Context, category: Category, fdef: FieldDef, *, prefix: str = "", replace: bool = False
) -> None:
    """Ask the draft's current field; the first question also offers "same as last time"."""
    draft = ctx.state.require(ReportDraft)
    draft.field, draft.summary, draft.picking = fdef.key, False, False
    first = filling.next_field(category, draft.answers, None)
    rows: list[list[Choice]] = []
    if first is not None and first.key == fdef.key and not draft.returning:
        filled = await routine.last_answers(ctx, category, draft.answers)
        if filled is not None:
            rows.append([Choice(await routine.button_label(ctx, category, filled), SAME)])
    await fields.ask(
        ctx,
        category,
        fdef,
        draft.answers,
        draft.pending,
        prefix=prefix,
        replace=replace,
        first_rows=rows,
    )


async def _on_field(ctx: Context, category: Category) -> None:
    state = ctx.state.require(ReportDraft)
    answers: dict[str, Any] = state.answers
    fdef = category.field(str(state.field))
    if ctx.value == fields.BACK:
        await _go_back(ctx, category)
        return
    if ctx.value == SAME:
        await _same_as_last_time(ctx, category)
        return
    before = dict(answers)
    complete, value = await fields.take_answer(ctx, category, fdef, state)
    if not complete:
        return
    answers[fdef.key] = value
    also = [k for k in answers if k != fdef.key and answers[k] != before.get(k)]
    if state.returning:
        await _ask_if(ctx, category, await summary.after_change(ctx, category))
        return
    state.history.append(fdef.key)
    state.filled = {**state.filled, fdef.key: also} if also else state.filled
    await advance(ctx, category, fdef.key)


async def _same_as_last_time(ctx: Context, category: Category) -> None:
    """Fill the last report's kept answers and go straight to the summary."""
    draft = ctx.state.require(ReportDraft)
    filled = await routine.last_answers(ctx, category, draft.answers)
    if filled is None:
        await ask(ctx, category, category.field(str(draft.field)))
        return
    draft.answers = {**draft.answers, **filled}
    draft.history.append(routine.MARK)
    draft.filled = {**draft.filled, routine.MARK: list(filled)}
    draft.pending = []
    await _ask_if(ctx, category, await summary.after_change(ctx, category))


async def advance(ctx: Context, category: Category, after: str | None) -> None:
    """Ask the next question in sequence, or show the summary when none is left."""
    draft = ctx.state.require(ReportDraft)
    answers = draft.answers
    nxt = filling.next_field(category, answers, after)
    while nxt is not None and await _nobody_to_pick(ctx, nxt):
        answers[nxt.key] = []  # alone in the team: "Một mình" is the only answer
        nxt = filling.next_field(category, answers, nxt.key)
    if nxt is None:
        await summary.show(ctx, category)
        return
    draft.pending = filling.pending_from(nxt.type, answers.get(nxt.key))
    await ask(ctx, category, nxt)


async def _nobody_to_pick(ctx: Context, fdef: FieldDef) -> bool:
    """An optional team-mates question for a member with no team-mates on the system."""
    if fdef.type != "multi_choice" or fdef.choices_from != "team" or fdef.required:
        return False
    return not await roster_choices(ctx)


async def _go_back(ctx: Context, category: Category) -> None:
    """Back: from a question opened on the summary, to the summary; otherwise to the
    previous question, clearing what it filled besides its own answer."""
    draft = ctx.state.require(ReportDraft)
    if draft.returning:
        draft.returning, draft.pending = False, []
        await summary.show(ctx, category)
        return
    await go_back(ctx, category)


async def go_back(ctx: Context, category: Category) -> None:
    """Re-open the last answered question in sequence (the choice of kind before any)."""
    draft = ctx.state.require(ReportDraft)
    history: list[str] = draft.history
    while history and not _in_sequence(category, history[-1]):
        history.pop()
    if not history:
        _choose_kind(ctx)
        return
    key = history.pop()
    filled = dict(draft.filled)
    cleared = filled.pop(key, [])
    draft.filled = filled
    presets = routine.defaults(ctx, category)
    answers = {k: v for k, v in draft.answers.items() if k not in cleared}
    draft.answers = {**{k: v for k, v in presets.items() if k in cleared}, **answers}
    draft.summary = draft.returning = False
    if key == routine.MARK:
        await advance(ctx, category, None)
        return
    fdef = category.field(key)
    draft.pending = filling.pending_from(fdef.type, draft.answers.get(key))
    await ask(ctx, category, fdef)
