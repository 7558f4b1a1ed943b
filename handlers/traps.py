"""No traps in typed answers: a newer message's choice, or text typed after one, never lands
silently in a dialog whose question has scrolled away.

Two cases, both on text-only messengers, where a pushed message (a reminder, a notice, an
officer's alert) is remembered beside the open dialog (`Dialog.aside`):

* a typed number or label of the newest message answers that message: its global handler
  runs as if its button were pressed, and a report draft in progress is parked, kept for
  /baocao, which offers to carry on (`park_for` and `tell_back`, also for pressed buttons);
* other text typed with a dialog open is not taken as its answer without asking: the member
  sees it quoted, with "use it as the answer" or "show the question again" (`check`).
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.engine import Context, Handler, resolve
from bot.core.model import Choice
from bot.reports.drafts import ReportDraft

PREFIX = "trap:"
USE = PREFIX + "use"  # the typed text is the open dialog's answer
ASK = PREFIX + "ask"  # show the open dialog's question again


def is_stale(ctx: Context) -> bool:
    """Typed text with a dialog open while the newest message the member saw is another one."""
    return (
        ctx.inbound.button is None
        and bool(ctx.text)
        and not ctx.via_aside
        and ctx.state.flow is not None
        and ctx.state.aside is not None
    )


def check(ctx: Context) -> None:
    """Ask whether the typed text answers the open dialog, keeping it until the member says."""
    typed = ctx.text
    ctx.state.typed = typed
    ctx.keep_aside = True  # the dialog's own question stays the one to answer
    ctx.reply(
        ctx.t("traps.check", typed=ctx.quote(typed), what=_what(ctx)),
        [
            [Choice(ctx.t("traps.use", typed=ctx.quote(typed)), USE)],
            [Choice(ctx.t("traps.ask"), ASK)],
        ],
    )


async def on_button(ctx: Context, flow: Handler | None) -> None:
    """The member's answer to `check`: replay the kept text in the dialog, or ask again."""
    typed, ctx.state.typed, ctx.state.aside = ctx.state.typed, None, None
    if flow is None:  # the dialog ended meanwhile (an old check): nothing to answer
        return
    if ctx.value == USE and typed:
        ctx.inbound = replace(ctx.inbound, text=typed, button=None)
        ctx.value, ctx.via_aside = resolve(ctx.inbound, ctx.state, numbered=ctx.numbered)
        await flow(ctx)
        return
    question = ctx.state.question
    if question is None or not question.text:
        ctx.reply(ctx.t("traps.type_again"))
        return
    ctx.reply(
        question.text,
        [[Choice(label, value)] for value, label in question.choices],
        free_input=question.free,
        numeric_input=question.numeric,
    )


def park_for(ctx: Context) -> None:
    """A choice outside the open dialog was picked: a report draft in progress is kept aside
    (resumed by /baocao), so what the member types next never lands in it unseen."""
    if ctx.state.get(ReportDraft) is not None:
        ctx.park()


def tell_back(ctx: Context) -> None:
    """Once per draft, say how to come back to a report draft that was set aside."""
    draft = ctx.state.parked
    if not isinstance(draft, ReportDraft) or ctx.state.flow is draft or draft.told_back:
        return
    draft.told_back = True
    kind = draft.kind or ""
    title = ctx.forms.title(kind, ctx.locale, "")
    key = "traps.kept_typed" if ctx.numbered else "traps.kept_button"
    told = ctx.t(key, title=title or ctx.t("traps.a_report"), button=ctx.t("menu.report"))
    # Said above the choices of the last message (the menu, usually), which stay last.
    for message in reversed(ctx.replies):
        if message.choices:
            message.text += "\n\n" + told
            return
    ctx.reply(told)


def _what(ctx: Context) -> str:
    """What the open dialog is, in the member's words (the report's kind when known)."""
    draft = ctx.state.get(ReportDraft)
    kind = draft.kind or "" if draft is not None else ""
    if kind and ctx.forms.has(kind):
        return ctx.t("traps.the_report", title=ctx.forms.get(kind).title(ctx.locale))
    return ctx.t("traps.the_dialog")
