"""/quanly (/supervised): a team's register of people under management (content 4.5).

Leaders and deputies open their own team; officers and admins pick a team of their area
(buttons, or its name typed); supervisors over a team may read its list, codes only. The
list says for each person when their visit falls due (or how overdue it is) and any standing
reoffence; a person's buttons end their management, record a reoffence or withdraw one
entered by mistake (bot/people/supervised.py checks and audits every change). Full names
are shown only to those `supervised.sees_names` allows. A report draft in progress is
parked while the dialog runs and given back when it ends.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.roles import OVERSIGHT_ROLES, TEAM_LEAD_ROLES
from bot.people import supervised as register
from bot.units import lookup
from handlers import manage_pick, menu
from handlers import supervised_steps as steps
from handlers.commands import handles
from handlers.supervised_steps import (
    ADD,
    BACK,
    FLOW,
    PERSON,
    PREFIX,
    QUIT,
    TEAM,
    WITHDRAW,
    SupervisedDialog,
    cancel_row,
)
from storage import supervised, units
from storage.supervised import Person
from storage.units import Unit

__all__ = ["FLOW", "PREFIX", "begin", "on_button", "on_input"]

TEAM_BUTTONS = 20  # more teams than this: the officer types the team's name
ACTION = PREFIX + "a:"


@handles("quanly")
async def begin(ctx: Context) -> None:
    """/quanly [team]: a leader's own team, or the team an officer names or picks."""
    me = ctx.member
    assert me is not None
    if me.role not in TEAM_LEAD_ROLES and me.role not in OVERSIGHT_ROLES:
        await menu.show(ctx, ctx.t("supervised.not_allowed"))
        return
    ctx.park()
    ctx.state.open(SupervisedDialog())
    if me.role in TEAM_LEAD_ROLES:
        team = await units.get(ctx.tx, me.unit_id)
        assert team is not None
        await show_team(ctx, team)
        return
    found = (
        await manage_pick.find_unit(ctx, ctx.inbound.args, teams_only=True)
        if ctx.inbound.args
        else ""
    )
    if isinstance(found, Unit):
        await show_team(ctx, found)
    else:
        await _ask_team(ctx, found)


async def on_button(ctx: Context) -> None:
    """A 'sup:' button; outside the open dialog it is an old one and says so."""
    if ctx.state.get(SupervisedDialog) is None:
        await menu.show(ctx, ctx.t("supervised.expired"))
        return
    await on_input(ctx)


async def on_input(ctx: Context) -> None:
    """One step of the open dialog: a pressed (or typed) choice, or typed text."""
    dialog = ctx.state.require(SupervisedDialog)
    value = ctx.value or ""
    if value == QUIT:
        ctx.reset()
        await menu.show(ctx, ctx.t("supervised.closed"))
        return
    if dialog.step == "team":
        await _team_step(ctx, value)
        return
    team = await units.get(ctx.tx, dialog.unit_id or 0)
    assert ctx.member is not None
    if team is None or not register.may_view(ctx.member, team):
        ctx.reset()
        await menu.show(ctx, ctx.t("supervised.out_of_scope"))
        return
    if value == BACK:
        await show_team(ctx, team)
    elif dialog.step == "list":
        await _list_step(ctx, team, value)
    elif dialog.step == "person":
        await _person_step(ctx, team, value)
    else:
        done = await steps.on_step(ctx, team, value)
        if done is not None:
            await show_team(ctx, team, done)


async def _team_step(ctx: Context, value: str) -> None:
    """Which team: a button, or a typed name in the caller's area."""
    if value.startswith(TEAM):
        team = await units.get(ctx.tx, parse_id(value[len(TEAM) :]) or 0)
        assert ctx.member is not None
        if team is None or not register.may_view(ctx.member, team):
            await _ask_team(ctx, "⚠️ " + ctx.t("supervised.out_of_scope"))
            return
        await show_team(ctx, team)
    elif ctx.text and not value:
        found = await manage_pick.find_unit(ctx, ctx.text, teams_only=True)
        if isinstance(found, Unit):
            await show_team(ctx, found)
        else:
            await _ask_team(ctx, found)
    else:
        await _ask_team(ctx, "⚠️ " + ctx.t("error.choice"))


async def _ask_team(ctx: Context, prefix: str = "") -> None:
    """The teams of the caller's area as buttons (few enough), else the name to type."""
    assert ctx.member is not None
    dialog = ctx.state.require(SupervisedDialog)
    dialog.step = "team"
    area = lookup.teams(await units.named_under(ctx.tx, ctx.member.unit_path))
    rows: list[list[Choice]] = []
    if len(area) <= TEAM_BUTTONS:
        picks = [Choice(u.name, f"{TEAM}{u.id}") for u in area]
        rows = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    rows.append(cancel_row(ctx))
    lines = [prefix] if prefix else []
    lines.append(ctx.t("supervised.ask_team" if len(rows) > 1 else "supervised.ask_team_typed"))
    ctx.reply("\n".join(lines), rows, free_input=True)


def person_line(ctx: Context, person: Person, names: bool, today: date) -> str:
    """One person of the list: code (and name for those allowed), visit due, reoffences."""
    every = ctx.services.config.supervised
    who = f"{person.code} — {person.full_name}" if names and person.full_name else person.code
    due = register.next_due(person, every.visit_every_days)
    if due < today:
        status = ctx.t("supervised.overdue", day=dates.day(due), days=(today - due).days)
    elif due <= today + timedelta(days=every.due_soon_days):
        status = ctx.t("supervised.due_soon", day=dates.day(due))
    else:
        status = ctx.t("supervised.due_on", day=dates.day(due))
    last = (
        ctx.t("supervised.last_visit", day=dates.day(person.last_visit))
        if person.last_visit
        else ctx.t("supervised.never_visited")
    )
    parts = [f"• {who}", status, last]
    if person.reoffences:
        parts.append(ctx.t("supervised.reoffended", count=person.reoffences))
    return " — ".join(parts)


async def show_team(ctx: Context, team: Unit, prefix: str = "") -> None:
    """A team's register: each person's line, then their buttons (for those who may change
    it), add and close."""
    me = ctx.member
    assert me is not None
    dialog = ctx.state.ensure(SupervisedDialog)
    if not register.may_view(me, team):
        ctx.reset()
        await menu.show(ctx, ctx.t("supervised.out_of_scope"))
        return
    dialog.step, dialog.unit_id, dialog.person_id = "list", team.id, None
    dialog.code = dialog.full_name = None
    kind = ctx.services.config.tally.sources.reintegration_kind
    people = await supervised.of_unit(ctx.tx, team.id, kind)
    names, today = register.sees_names(me, team), ctx.now.date()
    lines = [prefix] if prefix else []
    lines.append(ctx.t("supervised.title", unit=team.name, count=len(people)))
    lines += [person_line(ctx, p, names, today) for p in people]
    if not people:
        lines.append(ctx.t("supervised.empty"))
    rows: list[list[Choice]] = []
    if register.may_edit(me, team):
        picks = [Choice(p.code, f"{PERSON}{p.id}") for p in people]
        rows = [picks[i : i + 3] for i in range(0, len(picks), 3)]
        rows.append([Choice(ctx.t("supervised.add_button"), ADD)])
        lines.append(ctx.t("supervised.pick_person"))
    else:
        lines.append(ctx.t("supervised.codes_only"))
    rows.append(cancel_row(ctx))
    ctx.reply("\n".join(lines), rows)


async def _list_step(ctx: Context, team: Unit, value: str) -> None:
    """A person picked, or a new one to add; read-only viewers only close."""
    assert ctx.member is not None
    if not register.may_edit(ctx.member, team):
        await show_team(ctx, team, "⚠️ " + ctx.t("supervised.codes_only"))
    elif value == ADD:
        await steps.ask_code(ctx)
    elif value.startswith(PERSON):
        person = await _person(ctx, team, parse_id(value[len(PERSON) :]) or 0)
        if person is None:
            await show_team(ctx, team, "⚠️ " + ctx.t("error.choice"))
        else:
            await show_person(ctx, team, person)
    else:
        await show_team(ctx, team, "⚠️ " + ctx.t("error.choice"))


async def _person(ctx: Context, team: Unit, person_id: int) -> Person | None:
    """A person of this team still under management (an id of another team is refused)."""
    kind = ctx.services.config.tally.sources.reintegration_kind
    person = await supervised.get(ctx.tx, person_id, kind)
    if person is None or person.unit_id != team.id or person.until is not None:
        return None
    return person


async def show_person(ctx: Context, team: Unit, person: Person, prefix: str = "") -> None:
    """One person: their line and what may be done (end, reoffence, withdraw one)."""
    assert ctx.member is not None
    dialog = ctx.state.require(SupervisedDialog)
    dialog.step, dialog.person_id = "person", person.id
    today = ctx.now.date()
    lines = [prefix] if prefix else []
    lines.append(person_line(ctx, person, register.sees_names(ctx.member, team), today))
    lines.append(ctx.t("supervised.since", day=dates.day(person.since)))
    lines.append(ctx.t("supervised.ask_action"))
    rows = [
        [Choice(ctx.t("supervised.action_reoffence"), ACTION + "reoffence")],
        [Choice(ctx.t("supervised.action_end"), ACTION + "end")],
    ]
    for r in await supervised.reoffences(ctx.tx, person.id):
        label = ctx.t("supervised.action_withdraw", day=dates.day(r.on))
        rows.append([Choice(label, f"{WITHDRAW}{r.id}")])
    rows.append([Choice(ctx.t("supervised.back"), BACK)])
    rows.append(cancel_row(ctx))
    ctx.reply("\n".join(lines), rows)


async def _person_step(ctx: Context, team: Unit, value: str) -> None:
    """What to do with the person picked."""
    dialog = ctx.state.require(SupervisedDialog)
    person = await _person(ctx, team, dialog.person_id or 0)
    assert ctx.member is not None
    if person is None or not register.may_edit(ctx.member, team):
        await show_team(ctx, team, "⚠️ " + ctx.t("supervised.gone"))
    elif value == ACTION + "end":
        await steps.ask_day(ctx, "end_day")
    elif value == ACTION + "reoffence":
        await steps.ask_day(ctx, "reoffence_day")
    elif value.startswith(WITHDRAW):
        done = await steps.withdraw(ctx, person, parse_id(value[len(WITHDRAW) :]) or 0)
        await show_team(ctx, team, done)
    else:
        await show_person(ctx, team, person, "⚠️ " + ctx.t("error.choice"))
