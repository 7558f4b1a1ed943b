"""The case view: one urgent report as an officer follows it, with its answers, state,
whole history and the buttons that move it on (lifecycle.CASE_PREFIX + id)."""

from __future__ import annotations

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import id_after
from bot.core.model import Choice
from bot.core.roles import ALERT_ROLES, OVERSIGHT_ROLES
from bot.reports.alert_log import alert_log
from bot.reports.filling import summary_lines
from bot.reports.kinds import Viewer
from bot.reports.lifecycle import CASE_PREFIX, State
from handlers.case_steps import ack_choices, in_reach, step_choices
from handlers.commands import HOME
from storage import incidents, members
from storage.incidents import Event
from storage.reports import NamedReport

__all__ = ["CASE_PREFIX", "open_case", "history_lines"]


async def open_case(ctx: Context) -> None:
    """A 'case:<id>' button (the overdue list, /tinbao): the report in full for an officer
    or supervisor whose area covers it; officers also get its buttons."""
    assert ctx.member is not None
    row = await in_reach(ctx, id_after(ctx.value, CASE_PREFIX), OVERSIGHT_ROLES)
    if row is None:
        return
    lines = [
        ctx.t("case.title", title=ctx.forms.title(row.kind, ctx.locale), number=row.number),
        ctx.t(
            "case.from",
            name=row.reporter_name,
            unit=row.unit_name,
            time=dates.stored_stamp(row.created_at),
        ),
        ctx.t("case.state", state=ctx.t(f"case.state_{row.state}")),
        "",
    ]
    if ctx.forms.has(row.kind):
        viewer = Viewer(ctx.services.texts, ctx.locale, ctx.tx)
        lines += await summary_lines(viewer, ctx.forms.get(row.kind), row.answers)
    # Who was alerted and when (the escalation ladder's lines) go here.
    lines += await _alerted_lines(ctx, row)
    lines += ["", ctx.t("case.history")]
    lines += await history_lines(ctx, await incidents.events_of(ctx.tx, row.id))
    choices: list[list[Choice]] = []
    if ctx.member.role in ALERT_ROLES:
        if row.state == State.RECEIVED:
            choices += ack_choices(ctx, row.id)
        choices += step_choices(ctx, row.id, row.kind, str(row.state))
    choices.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply("\n".join(lines), choices)


async def _alerted_lines(ctx: Context, row: NamedReport) -> list[str]:
    """Who was alerted and when, at each step of the ladder (nothing when nobody was)."""
    line = await alert_log(
        ctx.tx, ctx.services.texts, ctx.locale, row.id, ctx.services.config.alerts.escalation
    )
    return [line] if line else []


async def history_lines(ctx: Context, events: list[Event]) -> list[str]:
    """Every step, oldest first: when, what, who, and the officer's note."""
    names: dict[int, str] = {}
    lines = []
    for event in events:
        who = ""
        if event.member_id is not None:
            if event.member_id not in names:
                person = await members.get(ctx.tx, event.member_id)
                names[event.member_id] = person.full_name if person else "?"
            who = names[event.member_id]
        line = ctx.t(
            "case.event",
            time=dates.stored_stamp(event.at),
            state=ctx.t(f"case.state_{event.state}") if _known(event.state) else event.state,
            name=who or ctx.t("case.by_bot"),
        )
        if "in_time" in event.detail:
            line += " · " + ctx.t(
                "case.in_time_yes" if event.detail["in_time"] else "case.in_time_no"
            )
        if event.note:
            line += "\n  " + ctx.t("case.event_note", note=event.note)
        lines.append(line)
    return lines


def _known(state: str) -> bool:
    """A state with a label (other helpers may keep events such as an edit told)."""
    return state in {s.value for s in State}
