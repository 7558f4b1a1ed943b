"""An officer moves an urgent report on after "Đã tiếp nhận": a step button, an optional
short note (and for a fire, whether the force arrived in time), stored once, told to the
reporter in their language.

The step is checked twice, when the button is pressed and again when it is saved, because
buttons can be old or forged and another officer may act in between: the state changes
only from the states the step may come from (`incidents.move(expect=...)`), so the slower
of two officers is told who did what and nothing of theirs is stored.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from bot.core import dates
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.roles import ALERT_ROLES, in_scope
from bot.reports import case_moves
from bot.reports.alert_message import ACK_PREFIX
from bot.reports.case_moves import MAX_NOTE
from bot.reports.case_moves import sources as _sources
from bot.reports.lifecycle import DUP_PREFIX, FIRE_KIND, OPEN_STATES, State, next_steps
from handlers import menu
from storage import incidents, members, reports
from storage.reports import NamedReport, Report

FLOW = "case_step"
PREFIX = "cs:"
STEP = PREFIX + "s:"  # + <report id>:<state>
SKIP = PREFIX + "skip"  # no note
YES = PREFIX + "yes"  # the force arrived in time
NO = PREFIX + "no"
QUIT = PREFIX + "quit"


class CaseStep(FlowState):
    """A step being taken: which report, to which state, and what was answered so far."""

    flow: ClassVar[str] = FLOW

    report_id: int
    target: str
    step: Literal["in_time", "note"] = "note"
    in_time: bool | None = None


def step_choices(ctx: Context, report_id: int, kind: str, state: str) -> list[list[Choice]]:
    """The buttons that move a report on from `state` (none once it is closed), with
    "same incident as another" while it is open; for the ack reply and the case view."""
    rows = [
        [Choice(ctx.t(f"case.step_{step.value}"), f"{STEP}{report_id}:{step.value}")]
        for step in next_steps(kind, state)
    ]
    if state in OPEN_STATES:
        rows.append([Choice(ctx.t("case.dup_button"), DUP_PREFIX + str(report_id))])
    return rows


def ack_choices(ctx: Context, report_id: int) -> list[list[Choice]]:
    """The acknowledge button of a report nobody has taken up yet (in the case view)."""
    return [[Choice(ctx.t("alert.ack_button"), ACK_PREFIX + str(report_id))]]


async def in_reach(
    ctx: Context, report_id: int | None, roles: frozenset[str]
) -> NamedReport | None:
    """The active urgent report if the caller's role and area cover it; else says why and
    returns None (a forged id, another area, a withdrawn report: the same answer)."""
    me = ctx.member
    assert me is not None
    row = await reports.get(ctx.tx, report_id) if report_id is not None else None
    if row is None or row.status != "active" or not row.urgent or row.state is None:
        await menu.show(ctx, ctx.t("case.not_found"))
        return None
    if not in_scope(me.unit_path, row.unit_path):
        await menu.show(ctx, ctx.t("case.not_found"))
        return None
    if me.role not in roles:
        await menu.show(ctx, ctx.t("case.not_allowed"))
        return None
    return row


async def on_button(ctx: Context) -> None:
    """A 'cs:' button: a step button works from any message (it names its report); the
    dialog's own buttons only while the dialog is open."""
    value = ctx.value or ""
    if value.startswith(STEP):
        await _begin(ctx, value[len(STEP) :])
        return
    if ctx.state.get(CaseStep) is None:
        await menu.show(ctx, ctx.t("case.expired"))
        return
    await on_input(ctx)


async def _begin(ctx: Context, data: str) -> None:
    """A pressed step: checked, then the first question (in time for a fire, else the note)."""
    id_text, _, target = data.partition(":")
    row = await in_reach(ctx, parse_id(id_text), ALERT_ROLES)
    if row is None:
        return
    if not _sources(row.kind, target):
        await menu.show(ctx, ctx.t("case.not_found"))  # a forged or unknown step
        return
    if row.state == State.RECEIVED:
        ctx.reply(ctx.t("case.ack_first", number=row.number), ack_choices(ctx, row.id))
        return
    if row.state not in _sources(row.kind, target):
        await _too_late(ctx, row, "")
        return
    if ctx.state.get(CaseStep) is not None:
        ctx.reset()  # another step was being taken: this button replaces it
    ctx.park()
    fire_done = row.kind == FIRE_KIND and target == State.DONE
    ctx.state.open(
        CaseStep(report_id=row.id, target=target, step="in_time" if fire_done else "note")
    )
    await _ask(ctx, row)


async def on_input(ctx: Context) -> None:
    """One answer inside the dialog: in time yes/no, the note, skip or cancel."""
    dialog = ctx.state.require(CaseStep)
    value = ctx.value or ""
    if value.startswith(STEP):
        await _begin(ctx, value[len(STEP) :])
        return
    if value == QUIT:
        ctx.reset()
        await menu.show(ctx, ctx.t("case.cancelled"))
        return
    row = await in_reach(ctx, dialog.report_id, ALERT_ROLES)
    if row is None:
        ctx.reset()
        return
    if dialog.step == "in_time":
        if value in (YES, NO):
            dialog.in_time, dialog.step = value == YES, "note"
            await _ask(ctx, row)
        else:
            await _ask(ctx, row, "⚠️ " + ctx.t("error.choice"))
        return
    if value == SKIP:
        await _save(ctx, row, None)
        return
    note = " ".join(ctx.text.split())
    if not note or value:
        await _ask(ctx, row, "⚠️ " + ctx.t("case.note_needed"))
        return
    if len(note) > MAX_NOTE:
        # Refused, never lost: the whole text comes back so it can be shortened.
        ctx.reply(ctx.t("case.note_too_long", length=len(note), max=MAX_NOTE))
        ctx.reply(ctx.text)
        await _ask(ctx, row)
        return
    await _save(ctx, row, note)


async def _ask(ctx: Context, row: NamedReport, prefix: str = "") -> None:
    """The open question: in time (Có / Không), or the optional note with Skip."""
    dialog = ctx.state.require(CaseStep)
    lines = [prefix] if prefix else []
    step_label = ctx.t(f"case.step_{dialog.target}")
    cancel = [Choice(ctx.t("nav.cancel"), QUIT)]
    if dialog.step == "in_time":
        lines.append(ctx.t("case.ask_in_time", number=row.number))
        yes_no = [Choice(ctx.t("answer.yes"), YES), Choice(ctx.t("answer.no"), NO)]
        ctx.reply("\n".join(lines), [yes_no, cancel])
        return
    lines.append(ctx.t("case.ask_note", number=row.number, step=step_label, max=MAX_NOTE))
    ctx.reply("\n".join(lines), [[Choice(ctx.t("case.skip"), SKIP)], cancel], free_input=True)


async def _save(ctx: Context, row: NamedReport, note: str | None) -> None:
    """Store the step if the report is still where the step may come from; tell the
    reporter; offer the next steps (bot/reports/case_moves.py, shared with the web pages)."""
    me = ctx.member
    assert me is not None
    dialog = ctx.state.require(CaseStep)
    target, in_time = dialog.target, dialog.in_time
    fire_done = case_moves.asks_in_time(row.kind, target)
    moved = await case_moves.move(
        ctx.tx,
        ctx.services.texts,
        row,
        target,
        me.id,
        ctx.now_iso,
        note=note,
        in_time=in_time,
        served=ctx.served,
    )
    ctx.reset()
    if not moved.stored:
        await _too_late(ctx, row, note or "")
        return
    ctx.queued = ctx.queued or moved.told
    lines = [ctx.t("case.saved", number=row.number, state=ctx.t(f"case.state_{target}"))]
    if fire_done:
        lines.append(ctx.t("case.in_time_yes" if in_time else "case.in_time_no"))
    lines.append(ctx.t("case.reporter_told" if moved.told else "case.reporter_unreachable"))
    ctx.reply("\n".join(lines), step_choices(ctx, row.id, row.kind, target) or None)


async def _too_late(ctx: Context, row: NamedReport, note: str) -> None:
    """Someone moved the report first (or it is closed): who did what and when, with the
    officer's own note given back so it is not lost."""
    fresh = await reports.get(ctx.tx, row.id)
    events = await incidents.events_of(ctx.tx, row.id)
    last = events[-1] if events else None
    who = await members.get(ctx.tx, last.member_id) if last and last.member_id else None
    state = fresh.state if fresh is not None and fresh.state else str(row.state)
    lines = [
        ctx.t(
            "case.too_late",
            number=row.number,
            name=who.full_name if who else "?",
            state=ctx.t(f"case.state_{state}"),
            time=dates.stored_stamp(last.at) if last else "?",
        )
    ]
    if note:
        lines.append(ctx.t("case.note_not_saved", note=note))
    choices = step_choices(ctx, row.id, row.kind, state)
    if choices:
        ctx.reply("\n".join(lines), choices)
    else:
        await menu.show(ctx, "\n".join(lines))


def ack_done_reply(ctx: Context, report: Report, text: str) -> None:
    """The "✅ Bạn đã tiếp nhận …" reply, then the report's first steps as their own
    message: a reply with buttons would take the pressed alert's place on Telegram, and
    the officer would lose what the alert says."""
    ctx.reply(text)
    if ctx.member is None or ctx.member.role not in ALERT_ROLES:
        return  # a supervisor the ladder reached takes it up; officers move it on
    choices = step_choices(ctx, report.id, report.kind, State.ACKNOWLEDGED)
    ctx.reply(ctx.t("case.next_steps", number=report.number), choices)
