"""/thongke (/tally): per-team summaries against targets, for leaders, police and supervisors.

Every button carries the unit id and the period code it shows, so a press is answered the
same however late it comes; and every request, typed or pressed, is checked against the
caller's own unit, so a forged button or a typed name outside it is refused.
"""

from __future__ import annotations

import re
from functools import partial
from typing import ClassVar

from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.parsing import fold
from bot.core.roles import UNIT_TALLY_ROLES, in_scope
from bot.tally import periods
from bot.tally.compute import Tally
from bot.tally.files import attachments, csv_attachment, whole_once
from bot.tally.periods import Period, PeriodError
from bot.tally.prepared import Prepared, levels_limit, prepare
from bot.tally.render.csv_file import CSV_STYLES, CsvStyle
from bot.units import lookup
from handlers import menu
from handlers.commands import HOME, handles
from storage import units
from storage.db import Tx
from storage.members import Member
from storage.units import Unit

PREFIX = "tally:"
FLOW = "tally_range"
MAX_DRILL_BUTTONS = 24


class TallyRange(FlowState):
    """Waiting for a typed date range to tally this unit."""

    flow: ClassVar[str] = FLOW

    unit_id: int


_TRAILING_RANGE = re.compile(
    r"(\d{1,2}[/.]\d{1,2}(?:[/.]\d{4})?\s*(?:-|–|đến|den|to)\s*\d{1,2}[/.]\d{1,2}(?:[/.]\d{4})?)\s*$"
)
_KEYWORDS = {
    "hom nay": "today",
    "today": "today",
    "tuan nay": "week",
    "this week": "week",
    "thang nay": "month",
    "this month": "month",
    "thang truoc": "last_month",
    "last month": "last_month",
}


def allowed(member: Member) -> bool:
    """Leaders see their team; police, supervisors and admins their unit; members nothing."""
    return member.role in UNIT_TALLY_ROLES


@handles("thongke")
async def begin(ctx: Context) -> None:
    """`/thongke [unit] [period]`: the caller's unit and this month unless they say otherwise."""
    assert ctx.member is not None
    if not allowed(ctx.member):
        await menu.show(ctx, ctx.t("tally.not_allowed"))
        return
    _leave_range(ctx)
    args = ctx.inbound.args
    period = current_month(ctx)
    match = _TRAILING_RANGE.search(args)
    try:
        if match:
            period = periods.parse_range(match.group(1), ctx.now.date())
            args = args[: match.start()].strip()
        else:
            words = args.split()
            name = _KEYWORDS.get(fold(" ".join(words[-2:])))
            if name is not None:
                period = named_period(ctx, name)
                args = " ".join(words[:-2])
    except PeriodError as err:
        await _refuse(ctx, err.key)
        return
    unit = await _own_unit(ctx)
    if args:
        found = await _find_unit(ctx, args)
        if found is None:
            return
        unit = found
    await show(ctx, unit, period)


async def on_button(ctx: Context) -> None:
    """A period or unit button: 'tally:<unit id>:<period code>' or '...:range' to type one."""
    assert ctx.member is not None
    if not allowed(ctx.member):
        await menu.show(ctx, ctx.t("tally.not_allowed"))
        return
    if ctx.value == PREFIX + "cancel":
        _leave_range(ctx)
        await menu.show(ctx, ctx.t("wizard.cancelled"))
        return
    parts = (ctx.value or "")[len(PREFIX) :].split(":", 1)
    unit_id = parse_id(parts[0])
    unit = await units.get(ctx.tx, unit_id) if unit_id is not None else None
    if unit is None or len(parts) != 2 or not _visible(ctx, unit):
        await _refuse(ctx, "tally.out_of_scope")
        return
    _leave_range(ctx)
    code, _, style = parts[1].partition(":")
    if style:
        await _other_csv(ctx, unit, code, style)
        return
    if parts[1] == "range":
        ctx.park()
        ctx.state.open(TallyRange(unit_id=unit.id))
        cancel = [[Choice(ctx.t("nav.cancel"), PREFIX + "cancel")]]
        ctx.reply(ctx.t("tally.ask_range"), cancel, free_input=True)
        return
    try:
        period = periods.decode(parts[1], ctx.services.config.tally.phases, _starts_on(ctx))
    except PeriodError as err:
        await _refuse(ctx, err.key)
        return
    await show(ctx, unit, period)


async def on_range_input(ctx: Context) -> None:
    """The typed 'dd/mm/yyyy-dd/mm/yyyy' after pressing the range button; re-asked if wrong."""
    assert ctx.member is not None
    if ctx.value == PREFIX + "cancel":
        ctx.reset()
        await menu.show(ctx, ctx.t("wizard.cancelled"))
        return
    unit = await units.get(ctx.tx, ctx.state.require(TallyRange).unit_id)
    if unit is None or not allowed(ctx.member) or not _visible(ctx, unit):
        ctx.reset()
        await _refuse(ctx, "tally.out_of_scope")
        return
    try:
        period = periods.parse_range(ctx.text, ctx.now.date())
    except PeriodError as err:
        cancel = [[Choice(ctx.t("nav.cancel"), PREFIX + "cancel")]]
        ctx.reply(ctx.t(err.key), cancel, free_input=True)
        return
    ctx.reset()
    await show(ctx, unit, period)


def _leave_range(ctx: Context) -> None:
    """Stop waiting for a typed range (giving back a parked draft); any other dialog, such
    as a report half written, stays as it is: a tally never costs a member their draft."""
    if ctx.state.get(TallyRange) is not None:
        ctx.reset()


async def _refuse(ctx: Context, key: str, **params: object) -> None:
    """Say why, in the caller's language, with the menu so the next step is one tap."""
    await menu.show(ctx, ctx.t(key, **params))


def _starts_on(ctx: Context) -> int:
    return ctx.services.config.tally.month_starts_on


def current_month(ctx: Context) -> Period:
    """The reporting month holding today (honouring the configured first day)."""
    return periods.month(ctx.now.date(), _starts_on(ctx))


def named_period(ctx: Context, name: str) -> Period:
    """today / week / month / last_month relative to the injected clock."""
    today = ctx.now.date()
    if name == "today":
        return periods.day(today)
    if name == "week":
        return periods.week(today)
    if name == "last_month":
        return periods.month(today, _starts_on(ctx), -1)
    return periods.month(today, _starts_on(ctx))


def _visible(ctx: Context, unit: Unit) -> bool:
    assert ctx.member is not None
    return in_scope(ctx.member.unit_path, unit.path)


async def _own_unit(ctx: Context) -> Unit:
    assert ctx.member is not None
    unit = await units.get(ctx.tx, ctx.member.unit_id)
    assert unit is not None
    return unit


async def _find_unit(ctx: Context, typed: str) -> Unit | None:
    """A unit named by path or by name, within the caller's scope; replies and returns None
    when it is outside the scope, unknown, or ambiguous."""
    assert ctx.member is not None
    match await lookup.find_unit(ctx.tx, typed, ctx.member.unit_path, open_only=False):
        case lookup.Found(unit):
            return unit
        case lookup.Ambiguous(candidates):
            count = len(candidates)
            await _refuse(ctx, "tally.unit_ambiguous", count=count, name=ctx.quote(typed))
        case lookup.OutOfScope():
            await _refuse(ctx, "tally.out_of_scope")
        case lookup.Unknown():
            await _refuse(ctx, "tally.unit_unknown", name=ctx.quote(typed))
    return None


async def show(ctx: Context, unit: Unit, period: Period) -> None:
    """Answer with the tally once the update has committed (a country's takes seconds, and
    no write of any process should wait for it: `Context.after_commit`)."""
    ctx.after_commit(partial(_show, unit=unit, period=period))


async def _show(ctx: Context, unit: Unit, period: Period) -> None:
    """Compute and answer: the table, period and drill-down buttons, and the three files.

    A month of more teams than the chat shows (a country's) comes without team lines, from
    the communes' kept months (bot/tally/levels.py), the month still running up to its last
    closed day; its files, sent after the message, compute the whole tally of that period."""
    config = ctx.services.config
    limit = levels_limit(config)
    ready = await _prepared(ctx, ctx.tx, unit, period, levels_over=limit, closed_days=True)
    tally = ready.tally
    files = []
    note = ctx.t("tally.files_elsewhere")  # a messenger that cannot take files says where
    if ctx.can_send_files:
        failed = ctx.t("tally.files_failed")
        role = ctx.member.role if ctx.member is not None else None
        whole = None
        if tally.levels_only is not None:
            whole = whole_once(partial(_whole, ctx, unit, tally.period))
        files = attachments(
            ctx.services.db, tally, ready.labels, config, failed, role=role, whole=whole
        )
        note = ctx.t("tally.files_note")
    text = ready.message(config.tally.phone_team_limit, files_note=note)
    hidden = len(tally.children(tally.root)) - MAX_DRILL_BUTTONS
    if hidden > 0:
        text += "\n" + ctx.t("tally.more_units", count=hidden)
    ctx.reply(text, await _buttons(ctx, unit, tally), attachments=files)


async def _whole(ctx: Context, unit: Unit, period: Period) -> Tally:
    """The tally with its team lines, for the files of one shown without them: on a read
    snapshot of its own (the files are built after the answer went out)."""
    async with ctx.services.db.read(replica=True) as tx:
        ready = await _prepared(ctx, tx, unit, period)
    return ready.tally


async def _prepared(
    ctx: Context,
    tx: Tx,
    unit: Unit,
    period: Period,
    levels_over: int | None = None,
    *,
    closed_days: bool = False,
) -> Prepared:
    """`unit`'s tally for `period` in the caller's words, read through `tx` (`prepare`'s
    `levels_over` and `closed_days`)."""
    return await prepare(
        tx,
        unit,
        period,
        config=ctx.services.config,
        forms=ctx.forms,
        texts=ctx.services.texts,
        locale=ctx.locale,
        now=ctx.now,
        levels_over=levels_over,
        closed_days=closed_days,
    )


async def _buttons(ctx: Context, unit: Unit, tally: Tally) -> list[list[Choice]]:
    uid = unit.id
    shown = tally.period.whole_code  # a month up to a day marks its month

    def pick(label: str, period: Period) -> Choice:
        """A period button for this unit; the period on screen is marked with a dot."""
        mark = "• " if period.code == shown else ""
        return Choice(mark + label, f"{PREFIX}{uid}:{period.code}")

    rows = [
        [
            pick(ctx.t("tally.period_today"), named_period(ctx, "today")),
            pick(ctx.t("tally.period_week"), named_period(ctx, "week")),
        ],
        [
            pick(ctx.t("tally.period_month"), named_period(ctx, "month")),
            pick(ctx.t("tally.period_last_month"), named_period(ctx, "last_month")),
        ],
    ]
    phases = ctx.services.config.tally.phases
    phase_buttons = [pick(p.name, periods.phase(i, p)) for i, p in enumerate(phases, 1)]
    rows += [phase_buttons[i : i + 2] for i in range(0, len(phase_buttons), 2)]
    rows.append([Choice(ctx.t("tally.period_range"), f"{PREFIX}{uid}:range")])
    code = tally.period.code
    if ctx.can_send_files:  # the CSV in the style the configured one is not
        other = _OTHER_CSV[ctx.services.config.tally.csv_style]
        rows.append([Choice(ctx.t(_CSV_KEY[other]), f"{PREFIX}{uid}:{code}:{other}")])
    children = tally.children(tally.root)[:MAX_DRILL_BUTTONS]
    drill = [
        Choice(ctx.t("tally.down", name=c.name), f"{PREFIX}{c.unit_id}:{code}") for c in children
    ]
    rows += [drill[i : i + 2] for i in range(0, len(drill), 2)]
    parent_id = unit.parent_id
    if parent_id is not None:
        parent = await units.get(ctx.tx, parent_id)
        if parent is not None and _visible(ctx, parent):
            rows.append(
                [Choice(ctx.t("tally.up", name=parent.name), f"{PREFIX}{parent_id}:{code}")]
            )
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    return rows


_OTHER_CSV: dict[str, CsvStyle] = {"standard": "excel-vi", "excel-vi": "standard"}
_CSV_KEY = {"standard": "files.csv_standard", "excel-vi": "files.csv_excel_vi"}


async def _other_csv(ctx: Context, unit: Unit, code: str, style: str) -> None:
    """The CSV button ('tally:<unit>:<period>:<style>'): the same team rows in the style the
    caller asked for, e.g. semicolons and decimal commas for Excel on a Vietnamese Windows."""
    if style not in CSV_STYLES:
        await _refuse(ctx, "tally.bad_period")
        return
    try:
        period = periods.decode(code, ctx.services.config.tally.phases, _starts_on(ctx))
    except PeriodError as err:
        await _refuse(ctx, err.key)
        return
    if not ctx.can_send_files:
        await menu.show(ctx, ctx.t("tally.files_elsewhere"))
        return
    chosen: CsvStyle = "excel-vi" if style == "excel-vi" else "standard"
    # the tally is computed after the COMMIT, as `show`'s
    ctx.after_commit(partial(_send_csv, unit=unit, period=period, chosen=chosen))


async def _send_csv(ctx: Context, unit: Unit, period: Period, chosen: CsvStyle) -> None:
    """The team rows of the tally as one CSV file, in the `chosen` style."""
    ready = await _prepared(ctx, ctx.tx, unit, period)
    csv = csv_attachment(ready.tally, ready.labels, chosen, ctx.t("tally.files_failed"))
    text = ctx.t(_CSV_KEY[chosen] + "_sent", unit=unit.name)
    ctx.reply(text, [[Choice(ctx.t("menu.back_to_menu"), HOME)]], attachments=[csv])
