"""/baocaodot (/phasereport): draft a phase's closing report, and mark it sent up.

Officers, supervisors and admins pick a phase that has begun (sơ kết) or the whole movement
(tổng kết), then their unit or one directly below it that is not a team; they get the DOCX
and the XLSX annex (Telegram) or are told how to get them (Zalo, no files), and a button to
mark the report "đã nộp" for each phase-report milestone it answers. Every button carries
what it acts on and is checked against the caller's unit again when pressed.
"""

from __future__ import annotations

from functools import partial

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.roles import OVERSIGHT_ROLES
from bot.phasereport import milestones
from bot.phasereport.content import ALL, Chosen, NoPhase, PhaseReport, choose, gather, started
from bot.phasereport.files import attachments
from bot.phasereport.photos import telegram_fetcher
from handlers import menu
from handlers.commands import HOME, handles
from storage import phase_reports, units
from storage.units import Unit

PREFIX = "phr:"
MAX_UNIT_BUTTONS = 24


def _allowed(ctx: Context) -> bool:
    assert ctx.member is not None
    return ctx.member.role in OVERSIGHT_ROLES


async def _refuse(ctx: Context, key: str, **params: object) -> None:
    await menu.show(ctx, ctx.t(key, **params))


def _whole(ctx: Context) -> str:
    return ctx.t("phase_report.whole_movement")


@handles("baocaodot")
async def begin(ctx: Context) -> None:
    """The phases that have begun, the whole movement, and 'Đã nộp' for the milestones."""
    if not _allowed(ctx):
        await _refuse(ctx, "phase_report.not_allowed")
        return
    config = ctx.services.config
    begun = started(config.tally.phases, ctx.now.date())
    rows = [
        [Choice(ctx.t("phase_report.pick_phase_button", name=p.name), f"{PREFIX}p:p{i}")]
        for i, p in begun
    ]
    if begun:
        rows.append([Choice(ctx.t("phase_report.pick_all_button"), f"{PREFIX}p:{ALL}")])
    if milestones.reports(config):
        rows.append([Choice(ctx.t("phase_report.submitted_button"), f"{PREFIX}m")])
    if not rows:
        await _refuse(ctx, "phase_report.no_phases")
        return
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply(ctx.t("phase_report.ask_phase"), rows)


async def on_button(ctx: Context) -> None:
    """'phr:p:<code>' a phase, 'phr:r:<code>:<unit>' make it, 'phr:m' the milestones,
    'phr:s:<milestone>:<unit>' mark one sent."""
    if not _allowed(ctx):
        await _refuse(ctx, "phase_report.not_allowed")
        return
    parts = (ctx.value or "")[len(PREFIX) :].split(":")
    action, args = parts[0], parts[1:]
    if action == "p" and len(args) == 1:
        await _pick_unit(ctx, args[0])
    elif action == "r" and len(args) == 2:
        unit = await _unit_in_reach(ctx, args[1])
        if unit is not None:
            await _make(ctx, args[0], unit)
    elif action == "m" and not args:
        await _milestones(ctx)
    elif action == "s" and len(args) == 2:
        unit = await _unit_in_reach(ctx, args[1])
        if unit is not None:
            await _mark(ctx, args[0], unit)
    else:
        await _refuse(ctx, "phase_report.out_of_scope")


async def _own(ctx: Context) -> Unit:
    assert ctx.member is not None
    unit = await units.get(ctx.tx, ctx.member.unit_id)
    assert unit is not None
    return unit


async def _choices_of_unit(ctx: Context) -> list[Unit]:
    """The caller's unit and the units directly below it that are not teams."""
    own = await _own(ctx)
    below = [u for u in await units.children(ctx.tx, own.id) if await _has_teams(ctx, u)]
    return ([own] if await _has_teams(ctx, own) else []) + below


async def _has_teams(ctx: Context, unit: Unit) -> bool:
    """A report is for a commune or above: a unit with units below it, not a team."""
    return await units.has_open_children(ctx.tx, unit.id)


async def _unit_in_reach(ctx: Context, raw_id: str) -> Unit | None:
    """The unit a button names, if it is the caller's or one directly below and not a team;
    otherwise the refusal is said and None returned."""
    assert ctx.member is not None
    unit_id = parse_id(raw_id)
    unit = await units.get(ctx.tx, unit_id) if unit_id is not None else None
    mine = ctx.member.unit_path
    if unit is None or (unit.path != mine and units.parent_path(unit.path) != mine):
        await _refuse(ctx, "phase_report.out_of_scope")
        return None
    if not await _has_teams(ctx, unit):
        await _refuse(ctx, "phase_report.team_unit", unit=unit.name)
        return None
    return unit


async def _pick_unit(ctx: Context, code: str) -> None:
    """Straight to the report when the caller has one unit to choose; else ask which."""
    try:
        choose(ctx.services.config.tally.phases, code, ctx.now.date(), _whole(ctx))
    except NoPhase:
        await _refuse(ctx, "phase_report.no_such_phase")
        return
    candidates = await _choices_of_unit(ctx)
    if not candidates:
        own = await _own(ctx)
        await _refuse(ctx, "phase_report.team_unit", unit=own.name)
        return
    if len(candidates) == 1:
        await _make(ctx, code, candidates[0])
        return
    buttons = [Choice(u.name, f"{PREFIX}r:{code}:{u.id}") for u in candidates[:MAX_UNIT_BUTTONS]]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply(ctx.t("phase_report.ask_unit"), rows)


async def _make(ctx: Context, code: str, unit: Unit) -> None:
    """Compute the report once the update has committed (a province's phase tally takes a
    while, and no write should wait for it: `Context.after_commit`), then answer."""
    try:
        chosen = choose(ctx.services.config.tally.phases, code, ctx.now.date(), _whole(ctx))
    except NoPhase:
        await _refuse(ctx, "phase_report.no_such_phase")
        return
    ctx.after_commit(partial(_answer, chosen=chosen, unit=unit))


async def _answer(ctx: Context, chosen: Chosen, unit: Unit) -> None:
    """Compute the report, say what it found, send the files, offer 'Đánh dấu đã nộp'."""
    services = ctx.services
    config = services.config
    report = await gather(
        ctx.tx,
        unit,
        chosen,
        config=config,
        forms=ctx.forms,
        texts=services.texts,
        locale=ctx.locale,
        now=ctx.now,
    )
    lines = [_summary(ctx, report)]
    files = []
    if ctx.can_send_files:
        fetch = telegram_fetcher(config)  # Telegram photos, on Telegram or a Zalo link
        files = attachments(services.db, report, fetch, ctx.t("tally.files_failed"))
        lines.append(ctx.t("phase_report.files_note"))
    else:
        option = f'--phase "{chosen.period.name}"' if chosen.code != ALL else "--all"
        lines.append(ctx.t("phase_report.files_elsewhere", unit=unit.path, option=option))
    rows: list[list[Choice]] = []
    for milestone in milestones.for_chosen(config, chosen):
        marked = (await phase_reports.submitted(ctx.tx, milestones.key(milestone))).get(unit.path)
        if marked is not None:
            day = dates.stored_day(marked.submitted_on)
            lines.append(
                ctx.t("phase_report.already", name=milestone.name, unit=unit.name, day=day)
            )
            continue
        label = ctx.t("phase_report.mark_button", name=milestone.name)
        rows.append([Choice(label, f"{PREFIX}s:{milestones.tag(milestone)}:{unit.id}")])
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply("\n\n".join(lines), rows, attachments=files)


def _summary(ctx: Context, report: PhaseReport) -> str:
    """What was drafted, for whom, over which days, and its headline figures."""
    root = report.ready.tally.root
    met, applicable = root.met_count
    period = report.chosen.period
    return ctx.t(
        "phase_report.made_so_ket"
        if report.chosen.kind == "so_ket"
        else "phase_report.made_tong_ket",
        phase=period.name,
        unit=report.unit.name,
        start=dates.day(period.start),
        end=dates.day(period.end),
        teams=root.figures.teams,
        members=root.figures.members,
        reports=root.figures.reports,
        met=met,
        applicable=applicable,
        deeds=len(report.good_deeds),
        urgent=len(report.urgent),
    )


async def _milestones(ctx: Context) -> None:
    """The phase-report milestones, each marked or with a button to mark it for the caller's
    unit."""
    config = ctx.services.config
    own = await _own(ctx)
    lines = [ctx.t("phase_report.milestones_title", unit=own.name)]
    rows: list[list[Choice]] = []
    for milestone in milestones.reports(config):
        due = dates.day(milestone.due)
        marked = (await phase_reports.submitted(ctx.tx, milestones.key(milestone))).get(own.path)
        if marked is not None:
            day = dates.stored_day(marked.submitted_on)
            lines.append(ctx.t("phase_report.milestone_done", name=milestone.name, day=day))
            continue
        lines.append(ctx.t("phase_report.milestone_open", name=milestone.name, due=due))
        label = ctx.t("phase_report.mark_button", name=milestone.name)
        rows.append([Choice(label, f"{PREFIX}s:{milestones.tag(milestone)}:{own.id}")])
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply("\n".join(lines), rows)


async def _mark(ctx: Context, wanted: str, unit: Unit) -> None:
    """Mark the milestone sent for the unit today; pressing again changes nothing."""
    assert ctx.member is not None
    milestone = milestones.by_tag(ctx.services.config, wanted)
    if milestone is None:
        await _refuse(ctx, "phase_report.milestone_gone")
        return
    today = ctx.now.date()
    new = await milestones.mark(
        ctx.tx,
        milestone,
        unit,
        today,
        actor_id=ctx.member.id,
        actor=ctx.member.full_name,
        now=ctx.now,
    )
    if new:
        text = ctx.t(
            "phase_report.marked", name=milestone.name, unit=unit.name, day=dates.day(today)
        )
    else:
        marked = (await phase_reports.submitted(ctx.tx, milestones.key(milestone)))[unit.path]
        day = dates.stored_day(marked.submitted_on)
        text = ctx.t("phase_report.already", name=milestone.name, unit=unit.name, day=day)
    await menu.show(ctx, text)
