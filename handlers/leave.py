"""/nghiphep (/leave): declare leave (nghỉ phép, ốm), see and cancel it, or record it for
a team member; on leave days a member gets no reminder and is not counted as missing.

The dialog: (for others: team → member →) dates → reason → saved. A report draft in
progress is parked while it runs and given back when it ends, saved or cancelled.
Every rule is checked again right before saving, since buttons can be old or forged.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice, Outbound
from bot.core.roles import REPORTING_ROLES, TEAM_LEAD_ROLES
from bot.people import leave as leave_dates
from bot.people.leave import MAX_DAYS, REASONS, LeaveError
from handlers import leave_pick as pick
from handlers import menu
from handlers.commands import handles
from handlers.leave_pick import FLOW, FOR_OTHER, MEMBER, PREFIX, QUIT, TEAM, LeaveDialog
from storage import leaves, members
from storage.db import Row
from storage.members import Member

log = logging.getLogger(__name__)

__all__ = ["FLOW", "PREFIX", "begin", "on_button", "on_input"]

DAY = "lv:d:"  # + an offset from today: -1, 0, 1
RANGE = "lv:range"
REASON = "lv:r:"
CANCEL_LEAVE = "lv:x:"


@handles("nghiphep")
async def begin(ctx: Context) -> None:
    """/nghiphep [dates]: reporters start with their own dates (typed dates go straight to
    the reason); police and supervisors start by picking the team."""
    me = ctx.member
    assert me is not None
    ctx.park()
    if me.role in REPORTING_ROLES:
        ctx.state.open(LeaveDialog(step="dates", target=me.id))
        if ctx.inbound.args:
            await _take_dates(ctx, ctx.inbound.args)
            return
        await _ask_dates(ctx)
        return
    await pick.ask_team(ctx)


async def on_button(ctx: Context) -> None:
    """A 'lv:' button. Cancelling a leave, and team or member picks (they carry the id, checked
    against the caller's scope), work from any old message; the other buttons only while the
    dialog is open (a stale one says so and leaves any draft alone)."""
    value = ctx.value or ""
    if value.startswith(CANCEL_LEAVE):
        await _cancel_leave(ctx, value[len(CANCEL_LEAVE) :])
        return
    if ctx.state.get(LeaveDialog) is None:
        if not value.startswith((TEAM, MEMBER, FOR_OTHER)):
            await menu.show(ctx, ctx.t("leave.expired"))
            return
        ctx.park()  # a team or member button names whom it is for: it reopens the dialog
        ctx.state.open(LeaveDialog())
    await on_input(ctx)


async def on_input(ctx: Context) -> None:
    """One step of the open dialog: a pressed (or typed) choice, or typed dates / team."""
    value = ctx.value or ""
    dialog = ctx.state.require(LeaveDialog)
    step = dialog.step
    if value == QUIT:
        ctx.reset()
        await menu.show(ctx, ctx.t("wizard.cancelled"))
    elif value.startswith(CANCEL_LEAVE):
        await _cancel_leave(ctx, value[len(CANCEL_LEAVE) :])
    elif value == FOR_OTHER:
        await pick.ask_own_team(ctx)
    elif value.startswith(TEAM):
        await pick.take_team(ctx, value[len(TEAM) :])
    elif value.startswith(MEMBER):
        await _take_member(ctx, value[len(MEMBER) :])
    elif (value.startswith(DAY) or value == RANGE) and dialog.target:
        await _take_days(ctx, value)
    elif value.startswith(REASON) and step == "reason":
        await _save(ctx, value[len(REASON) :])
    elif step == "team" and ctx.text and not value:
        await pick.find_team(ctx, ctx.text)
    elif step in {"dates", "range"} and ctx.text and not value:
        await _take_dates(ctx, ctx.text)
    else:
        await _reask(ctx, _choice_error(ctx))


async def _take_member(ctx: Context, id_text: str) -> None:
    """A pressed member button: on to their dates when the caller may excuse them."""
    target = await pick.take_member(ctx, id_text)
    if target is not None:
        dialog = ctx.state.require(LeaveDialog)
        dialog.step, dialog.target = "dates", target.id
        await _ask_dates(ctx)


async def _take_days(ctx: Context, value: str) -> None:
    """A day button (yesterday, today, tomorrow), or "several days" to type them."""
    if value == RANGE:
        ctx.state.require(LeaveDialog).step = "range"
        ctx.reply(ctx.t("leave.ask_range", days=MAX_DAYS), [pick.cancel_row(ctx)], free_input=True)
        return
    offset = value[len(DAY) :]
    if offset not in {"-1", "0", "1"}:
        await _ask_dates(ctx, _choice_error(ctx))
        return
    day = ctx.now.date() + timedelta(days=int(offset))
    await _take_range(ctx, day, day)


def _choice_error(ctx: Context) -> str:
    """The 'press one of the buttons' warning put above a repeated question."""
    return "⚠️ " + ctx.t("error.choice")


async def _reask(ctx: Context, prefix: str) -> None:
    """Repeat the question of the current step after an answer that does not fit it."""
    dialog = ctx.state.require(LeaveDialog)
    step = dialog.step
    if step == "team":
        await pick.ask_team(ctx, prefix)
    elif step == "member":
        await pick.reask_member(ctx, prefix)
    elif step == "reason" and dialog.start:
        await _ask_reason(ctx, prefix)
    elif dialog.target:
        await _ask_dates(ctx, prefix)
    else:
        ctx.reset()
        await menu.show(ctx, ctx.t("leave.expired"))


async def _target(ctx: Context) -> Member | None:
    """The member whose leave is being recorded (kept in the dialog state)."""
    target_id = ctx.state.require(LeaveDialog).target
    return await members.get(ctx.tx, target_id) if target_id else None


def _is_self(ctx: Context, target: Member) -> bool:
    """Whether the caller records their own leave (stricter: from today on only)."""
    assert ctx.member is not None
    return target.id == ctx.member.id


def _dates(ctx: Context, start: date, end: date, locale: str | None = None) -> str:
    """'từ 24/11 đến 26/11/2026' or 'ngày 23/11/2026', in the reader's language."""
    texts, lang = ctx.services.texts, locale or ctx.locale
    if start == end:
        return texts.t(lang, "leave.on_day", day=dates.day(end))
    first, last = leave_dates.ends(start, end)
    return texts.t(lang, "leave.from_to", start=first, end=last)


def _reason(ctx: Context, key: str, locale: str | None = None) -> str:
    """A stored reason in words (an unknown key is shown as 'other')."""
    key = key if key in REASONS else "other"
    return ctx.services.texts.t(locale or ctx.locale, f"leave.reason_{key}")


def _span(row: Row) -> str:
    """A stored leave's dates for lists and buttons."""
    return leave_dates.span(_day(row["start_date"]), _day(row["end_date"]))


def _day(value: object) -> date:
    """An ISO date from the database."""
    return date.fromisoformat(str(value))


def _chosen_days(ctx: Context) -> tuple[date, date]:
    """The first and last day of leave chosen in the dialog (asked before the reason)."""
    dialog = ctx.state.require(LeaveDialog)
    assert dialog.start is not None and dialog.end is not None
    return dialog.start, dialog.end


async def _ask_dates(ctx: Context, prefix: str = "") -> None:
    """Which days: today / tomorrow (and yesterday for someone else), several days, or
    typed; with the member's current leave and a cancel button for each."""
    me = ctx.member
    target = await _target(ctx)
    assert me is not None
    if target is None or not pick.may_record_for(ctx, target):
        await pick.refuse(ctx)
        return
    ctx.state.require(LeaveDialog).step = "dates"
    today = ctx.now.date()
    own = _is_self(ctx, target)
    lines = [prefix] if prefix else []
    if own:
        lines.append(ctx.t("leave.ask_self"))
    else:
        lines.append(ctx.t("leave.ask_other", name=target.full_name))
    current = await leaves.upcoming(ctx.tx, target.id, today.isoformat())
    if current:
        lines += ["", ctx.t("leave.current_title")]
        lines += [f"• {_span(r)} · {_reason(ctx, str(r['reason']))}" for r in current]
    days = [
        Choice(ctx.t("leave.today", day=leave_dates.short(today)), DAY + "0"),
        Choice(ctx.t("leave.tomorrow", day=leave_dates.short(today + timedelta(1))), DAY + "1"),
    ]
    if not own and ctx.services.config.reports.max_age_days > 0:
        yesterday = leave_dates.short(today - timedelta(days=1))
        days.insert(0, Choice(ctx.t("leave.yesterday", day=yesterday), DAY + "-1"))
    rows = [days, [Choice(ctx.t("leave.range"), RANGE)]]
    rows += [
        [Choice(ctx.t("leave.cancel_button", dates=_span(r)), f"{CANCEL_LEAVE}{r['id']}")]
        for r in current
    ]
    if own and me.role in TEAM_LEAD_ROLES:
        rows.append([Choice(ctx.t("leave.for_other"), FOR_OTHER)])
    rows.append(pick.cancel_row(ctx))
    ctx.reply("\n".join(lines), rows, free_input=True)


async def _take_dates(ctx: Context, text: str) -> None:
    """Typed dates: read them, then the same checks as the buttons."""
    try:
        start, end = leave_dates.read_dates(text, ctx.now.date())
    except LeaveError as err:
        await _ask_dates(ctx, "⚠️ " + ctx.t(err.key, **err.params))
        return
    await _take_range(ctx, start, end)


async def _take_range(ctx: Context, start: date, end: date) -> None:
    """Chosen dates: refused with the reason (and asked again), else on to the reason."""
    target = await _target(ctx)
    if target is None or not pick.may_record_for(ctx, target):
        await pick.refuse(ctx)
        return
    problem = await _problem(ctx, target, start, end)
    if problem:
        await _ask_dates(ctx, problem)
        return
    dialog = ctx.state.require(LeaveDialog)
    dialog.step, dialog.start, dialog.end = "reason", start, end
    await _ask_reason(ctx)


async def _problem(ctx: Context, target: Member, start: date, end: date) -> str | None:
    """Why these dates cannot be recorded for this member, or None when they can."""
    try:
        leave_dates.check(
            start,
            end,
            ctx.now.date(),
            for_self=_is_self(ctx, target),
            max_age_days=ctx.services.config.reports.max_age_days,
        )
    except LeaveError as err:
        return "⚠️ " + ctx.t(err.key, **err.params)
    clash = await leaves.overlapping(ctx.tx, target.id, start.isoformat(), end.isoformat())
    if clash is not None:
        return "⚠️ " + ctx.t("leave.overlap", dates=_span(clash))
    return None


async def _ask_reason(ctx: Context, prefix: str = "") -> None:
    """Why: four buttons (the reason is kept as a key, shown in each reader's language)."""
    start, end = _chosen_days(ctx)
    lines = [prefix] if prefix else []
    lines.append(
        ctx.t(
            "leave.ask_reason",
            dates=_dates(ctx, start, end),
            days=leave_dates.days(start, end),
        )
    )
    picks = [Choice(_reason(ctx, key), REASON + key) for key in REASONS]
    rows = [picks[:2], picks[2:], pick.cancel_row(ctx)]
    ctx.reply("\n".join(lines), rows)


async def _save(ctx: Context, reason: str) -> None:
    """Record the leave after checking scope, dates and overlaps once more; tell the member
    when someone else recorded it."""
    me = ctx.member
    assert me is not None
    if reason not in REASONS:
        await _ask_reason(ctx, _choice_error(ctx))
        return
    target = await _target(ctx)
    if target is None or not pick.may_record_for(ctx, target):
        await pick.refuse(ctx)
        return
    start, end = _chosen_days(ctx)
    problem = await _problem(ctx, target, start, end)
    if problem:
        await _ask_dates(ctx, problem)
        return
    target_id = target.id
    leave_id = await leaves.create(
        ctx.tx, target_id, start.isoformat(), end.isoformat(), reason, me.id, ctx.now_iso
    )
    log.info(
        "leave recorded",
        extra={"leave_id": leave_id, "member_id": target_id, "recorded_by": me.id},
    )
    ctx.reset()
    count = leave_dates.days(start, end)
    if _is_self(ctx, target):
        await menu.show(ctx, ctx.t("leave.saved", dates=_dates(ctx, start, end), days=count))
        return
    name = target.full_name
    text = ctx.t("leave.saved_for", name=name, dates=_dates(ctx, start, end), days=count)
    locale = target.locale
    notice = ctx.services.texts.t(
        locale,
        "leave.notice",
        by=me.full_name,
        dates=_dates(ctx, start, end, locale),
        days=count,
        reason=_reason(ctx, reason, locale),
    )
    sent = await ctx.notify(target_id, f"leave-notice:{leave_id}", Outbound(notice))
    note = "leave.notice_sent" if sent else "leave.notice_failed"
    await menu.show(ctx, text + "\n" + ctx.t(note, name=name))


async def _cancel_leave(ctx: Context, id_text: str) -> None:
    """'Hủy nghỉ': the member themselves or whoever may excuse them; only a leave that has
    not ended. In the open dialog the date question comes back; otherwise the menu."""
    me = ctx.member
    assert me is not None
    leave_id = parse_id(id_text)
    row = await leaves.get(ctx.tx, leave_id) if leave_id is not None else None
    target = await members.get(ctx.tx, int(row["member_id"])) if row is not None else None
    if row is None or not pick.may_record_for(ctx, target):
        await _after_cancel(ctx, ctx.t("leave.not_found"))
        return
    assert target is not None
    if _day(row["end_date"]) < ctx.now.date():
        await _after_cancel(ctx, ctx.t("leave.cancel_past", dates=_span(row)))
        return
    await leaves.cancel(ctx.tx, int(row["id"]), me.id, ctx.now_iso)
    log.info("leave cancelled", extra={"leave_id": int(row["id"]), "by": me.id})
    if not _is_self(ctx, target):
        locale = target.locale
        notice = ctx.services.texts.t(
            locale, "leave.cancel_notice", by=me.full_name, dates=_span(row)
        )
        await ctx.notify(target.id, f"leave-cancel:{row['id']}", Outbound(notice))
    await _after_cancel(ctx, ctx.t("leave.cancelled", dates=_span(row)))


async def _after_cancel(ctx: Context, text: str) -> None:
    """Back to the date question when the dialog is at it; else the menu (drafts untouched)."""
    dialog = ctx.state.get(LeaveDialog)
    if dialog is not None and dialog.step in {"dates", "range"}:
        await _ask_dates(ctx, text)
        return
    await menu.show(ctx, text)
