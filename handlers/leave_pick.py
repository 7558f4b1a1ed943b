"""Whose leave: the team and member pickers of /nghiphep, and who may excuse whom.

A leader or deputy records leave for their own team; police, supervisors and admins for any
team of their unit's subtree. Buttons carry ids, so every id that comes back is checked
again here (a forged button must not reach another team); the dialog checks once more
before saving.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.roles import OVERSIGHT_ROLES, REPORTING_ROLES, TEAM_LEAD_ROLES, in_scope
from bot.units import lookup
from handlers import menu
from storage import members, units
from storage.db import Row
from storage.members import Member
from storage.units import Unit

PREFIX = "lv:"
FLOW = "leave"
QUIT = "lv:quit"
FOR_OTHER = "lv:for"
TEAM = "lv:u:"
MEMBER = "lv:m:"
MAX_TEAM_BUTTONS = 24


class LeaveDialog(FlowState):
    """Recording leave: the step, the team picked (for others), whose leave, which days."""

    flow: ClassVar[str] = FLOW

    step: Literal["team", "member", "dates", "range", "reason"] | None = None
    team: int | None = None
    target: int | None = None
    start: date | None = None
    end: date | None = None


def _role(row: Row) -> str:
    """A member row's role as plain text (rows compare with the Role values)."""
    return str(row["role"])


def cancel_row(ctx: Context) -> list[Choice]:
    """The button that leaves the leave dialog (a parked report draft comes back)."""
    return [Choice(ctx.t("nav.cancel"), QUIT)]


def may_record_for(ctx: Context, target: Member | None) -> bool:
    """Whether the caller may record leave for `target`: themselves if they report, their own
    team's members if they lead it, any team member of their subtree if they oversee it."""
    me = ctx.member
    assert me is not None
    if target is None or not target.active or target.role not in REPORTING_ROLES:
        return False
    if target.id == me.id:
        return me.role in REPORTING_ROLES
    if me.role in TEAM_LEAD_ROLES:
        return target.unit_id == me.unit_id
    if me.role in OVERSIGHT_ROLES:
        return in_scope(me.unit_path, target.unit_path)
    return False


async def refuse(ctx: Context) -> None:
    """Out of scope (or forged): end the dialog, say so, nothing saved."""
    ctx.reset()
    await menu.show(ctx, ctx.t("leave.out_of_scope"))


async def _teams(ctx: Context) -> list[Unit]:
    """The teams (units without units below them) in the caller's subtree, in path order."""
    assert ctx.member is not None
    return lookup.teams(await units.named_under(ctx.tx, ctx.member.unit_path))


def _may_pick_team(ctx: Context, unit: Unit | None) -> bool:
    """A team the caller may pick: in their subtree for overseers, their own for leaders."""
    me = ctx.member
    assert me is not None
    if unit is None:
        return False
    if me.role in TEAM_LEAD_ROLES:
        return unit.id == me.unit_id
    return me.role in OVERSIGHT_ROLES and in_scope(me.unit_path, unit.path)


async def ask_team(ctx: Context, prefix: str = "") -> None:
    """Police and supervisors first pick the team: buttons when few, else a typed name."""
    teams = await _teams(ctx)
    ctx.state.ensure(LeaveDialog).step = "team"
    if not teams:
        ctx.reset()
        await menu.show(ctx, ctx.t("leave.no_teams"))
        return
    if len(teams) == 1 and not prefix:
        await ask_member(ctx, teams[0])
        return
    lines = [prefix] if prefix else []
    rows: list[list[Choice]] = []
    if len(teams) <= MAX_TEAM_BUTTONS:
        lines.append(ctx.t("leave.ask_team"))
        picks = [Choice(t.name, f"{TEAM}{t.id}") for t in teams]
        rows = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    else:
        lines.append(ctx.t("leave.ask_team_typed", count=len(teams)))
    rows.append(cancel_row(ctx))
    ctx.reply("\n".join(lines), rows, free_input=True)


async def take_team(ctx: Context, id_text: str) -> None:
    """A pressed team button: checked against the caller's scope, then its roster."""
    unit_id = parse_id(id_text)
    unit = await units.get(ctx.tx, unit_id) if unit_id is not None else None
    if not _may_pick_team(ctx, unit):
        await refuse(ctx)
        return
    assert unit is not None
    await ask_member(ctx, unit)


async def find_team(ctx: Context, typed: str) -> None:
    """A typed team name (with or without 'Thôn', diacritics or the commune before it)."""
    assert ctx.member is not None
    scope = ctx.member.unit_path
    match await lookup.find_unit(ctx.tx, typed, scope, teams_only=True):
        case lookup.Found(unit):
            await ask_member(ctx, unit)
            return
        case lookup.Ambiguous(candidates):
            count = len(candidates)
            error = ctx.t("leave.team_ambiguous", count=count, name=ctx.quote(typed))
        case _:  # outside the caller's teams or nowhere: the same answer
            error = ctx.t("leave.team_unknown", name=ctx.quote(typed))
    await ask_team(ctx, "⚠️ " + error)


async def ask_member(ctx: Context, unit: Unit, prefix: str = "") -> None:
    """The team's reporting members (the caller left out) as buttons."""
    assert ctx.member is not None
    if not _may_pick_team(ctx, unit):
        await refuse(ctx)
        return
    roster = [
        r
        for r in await members.team_roster(ctx.tx, unit.id)
        if _role(r) in REPORTING_ROLES and int(r["id"]) != ctx.member.id
    ]
    if not roster:
        ctx.reset()
        await menu.show(ctx, ctx.t("leave.no_members", team=unit.name))
        return
    dialog = ctx.state.ensure(LeaveDialog)
    dialog.step, dialog.team = "member", unit.id
    picks = [Choice(str(r["full_name"]), f"{MEMBER}{r['id']}") for r in roster]
    rows = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    rows.append(cancel_row(ctx))
    lines = [prefix] if prefix else []
    lines.append(ctx.t("leave.ask_member", team=unit.name))
    ctx.reply("\n".join(lines), rows)


async def ask_own_team(ctx: Context) -> None:
    """'Ghi cho tổ viên' of a leader or deputy: their own team's roster; others refused."""
    me = ctx.member
    assert me is not None
    unit = await units.get(ctx.tx, me.unit_id)
    if me.role not in TEAM_LEAD_ROLES or unit is None:
        await refuse(ctx)
        return
    await ask_member(ctx, unit)


async def take_member(ctx: Context, id_text: str) -> Member | None:
    """A pressed member button: the member if the caller may excuse them, else refused."""
    member_id = parse_id(id_text)
    target = await members.get(ctx.tx, member_id) if member_id is not None else None
    if target is None or not may_record_for(ctx, target):
        await refuse(ctx)
        return None
    return target


async def reask_member(ctx: Context, prefix: str) -> None:
    """The member question again (a typed word where a name button was expected)."""
    unit = await units.get(ctx.tx, ctx.state.require(LeaveDialog).team or 0)
    if unit is None:
        await ask_team(ctx, prefix)
        return
    await ask_member(ctx, unit, prefix)
