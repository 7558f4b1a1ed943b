"""/thanhvien (/members): leaders see their team; officers, supervisors and admins change
people of their area: a new role, another team, left (from a day), back again.

The dialog: unit → person → change (→ role or team) → day → confirmation → done, and the
member is told. The day is checked with the very action that makes the change, run on
trial and undone, so a refusal (a future day, a closed month, a wrong team) is shown at
once and asked again; the confirm button runs it again for real, rules and scope included,
so an old or forged button changes nothing the caller may not change. A report draft in
progress is parked while the dialog runs and given back when it ends.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date

from bot.core import dates
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.roles import OVERSIGHT_ROLES, TEAM_LEAD_ROLES, Role, role_label
from bot.core.typed_dates import FORMS, read_day
from bot.people import membership
from bot.people.membership import Change, Refused
from bot.units import lookup
from handlers import manage_pick as pick
from handlers import manage_words as words
from handlers import menu
from handlers.commands import handles
from handlers.manage_pick import (
    FLOW,
    MEMBER,
    PAGE,
    PREFIX,
    QUIT,
    UNIT,
    ChangeKind,
    ManageDialog,
    Step,
)
from storage import members, units
from storage.member_lists import trial
from storage.members import Member
from storage.units import Unit

log = logging.getLogger(__name__)

__all__ = ["FLOW", "PREFIX", "begin", "on_button", "on_input"]

ACTION = PREFIX + "a:"
ROLE = PREFIX + "r:"
DEST = PREFIX + "d:"
TODAY = PREFIX + "today"
OK = PREFIX + "ok:"
_KINDS: dict[str, ChangeKind] = {
    "role": "role",
    "move": "move",
    "leave": "leave",
    "return": "return",
}


@handles("thanhvien")
async def begin(ctx: Context) -> None:
    """/thanhvien [unit]: a leader's own team, or the unit to manage (typed after the
    command, or picked)."""
    me = ctx.member
    assert me is not None
    if me.role in TEAM_LEAD_ROLES:
        await pick.show_team(ctx)
        return
    if me.role not in OVERSIGHT_ROLES:
        await menu.show(ctx, ctx.t("manage.not_allowed"))
        return
    ctx.park()
    ctx.state.open(ManageDialog())
    unit = await pick.find_unit(ctx, ctx.inbound.args) if ctx.inbound.args else ""
    if isinstance(unit, str):
        await pick.ask_unit(ctx, unit)
    else:
        await pick.show_unit(ctx, unit)


async def on_button(ctx: Context) -> None:
    """A 'ppl:' button; outside the open dialog it is an old one and says so."""
    assert ctx.member is not None
    if ctx.state.get(ManageDialog) is None:
        await menu.show(ctx, ctx.t("manage.expired"))
        return
    await on_input(ctx)


async def on_input(ctx: Context) -> None:
    """One step of the open dialog: a pressed (or typed) choice, or a typed unit or day."""
    me = ctx.member
    assert me is not None
    value = ctx.value or ""
    step = ctx.state.require(ManageDialog).step
    if me.role not in OVERSIGHT_ROLES:
        await pick.refuse(ctx)
    elif value == QUIT:
        ctx.reset()
        await menu.show(ctx, ctx.t("manage.cancelled"))
    elif value:
        await _pressed(ctx, value, step)
    elif not ctx.text or step in {"action", "role", "confirm"}:
        await _reask(ctx, "⚠️ " + ctx.t("error.choice"))
    elif step in {"unit", "member", "dest"}:
        unit = await pick.find_unit(ctx, ctx.text)
        if isinstance(unit, str):
            await _reask(ctx, unit)
        elif step == "dest":
            await _take_dest(ctx, unit)
        else:
            await pick.show_unit(ctx, unit)
    else:
        await _take_typed_day(ctx, ctx.text)


async def _pressed(ctx: Context, value: str, step: Step) -> None:
    """A choice of the current step; one of another step (an old message) asks again."""
    dialog = ctx.state.require(ManageDialog)
    if value.startswith(PAGE) and step in {"unit", "member", "dest"}:
        page = parse_id(value[len(PAGE) :]) or 0
        await (_ask_dest(ctx, page=page) if step == "dest" else pick.reask(ctx, page=page))
    elif value.startswith(UNIT) and step in {"unit", "member"}:
        await pick.take_unit(ctx, value[len(UNIT) :])
    elif value.startswith(MEMBER) and step == "member":
        target = await pick.take_member(ctx, value[len(MEMBER) :])
        if target is not None:
            dialog.target = target.id
            await _ask_action(ctx, target)
    elif value.startswith(ACTION) and step == "action":
        await _take_action(ctx, value[len(ACTION) :])
    elif value.startswith(ROLE) and step == "role":
        await _take_role(ctx, value[len(ROLE) :])
    elif value.startswith(DEST) and step == "dest":
        await _take_dest(ctx, await units.get(ctx.tx, parse_id(value[len(DEST) :]) or 0))
    elif value == TODAY and step == "date":
        await _take_day(ctx, ctx.now.date())
    elif value.startswith(OK) and step == "confirm":
        await _confirmed(ctx, value[len(OK) :])
    else:
        await _reask(ctx, "⚠️ " + ctx.t("error.choice"))


async def _reask(ctx: Context, prefix: str) -> None:
    """Repeat the question of the current step after an answer that does not fit it."""
    dialog = ctx.state.require(ManageDialog)
    target = await _target(ctx)
    if dialog.step in {"unit", "member"} or target is None:
        await pick.reask(ctx, prefix)
    elif dialog.step == "action":
        await _ask_action(ctx, target, prefix)
    elif dialog.step == "role":
        await _ask_role(ctx, target, prefix)
    elif dialog.step == "dest":
        await _ask_dest(ctx, prefix)
    elif dialog.step == "confirm":
        await _confirm(ctx, prefix)
    else:
        await _ask_day(ctx, prefix)


async def _target(ctx: Context) -> Member | None:
    """The person being changed, when the caller may (still) change them."""
    dialog = ctx.state.require(ManageDialog)
    target = await members.get(ctx.tx, dialog.target) if dialog.target else None
    if target is None or not membership.may_manage(pick.actor(ctx), target):
        return None
    return target


async def _ask_action(ctx: Context, target: Member, prefix: str = "") -> None:
    """What to change: role, team or left for someone serving; back for someone who left."""
    dialog = ctx.state.require(ManageDialog)
    dialog.step, dialog.action, dialog.role, dialog.dest, dialog.on = (
        "action",
        None,
        None,
        None,
        None,
    )
    role = role_label(target.role, ctx.locale)
    key = "manage.ask_action" if target.active else "manage.ask_action_left"
    lines = [prefix] if prefix else []
    lines.append(ctx.t(key, name=target.full_name, role=role, unit=target.unit_name))
    offered = ("role", "move", "leave") if target.active else ("return",)
    rows = [[Choice(ctx.t(f"manage.action_{a}"), ACTION + a)] for a in offered]
    rows.append(pick.cancel_row(ctx))
    ctx.reply("\n".join(lines), rows)


async def _take_action(ctx: Context, action: str) -> None:
    """The change picked: on to the role, the team, or straight to the day."""
    target = await _target(ctx)
    dialog = ctx.state.require(ManageDialog)
    if target is None:
        await pick.refuse(ctx)
        return
    offered = ("role", "move", "leave") if target.active else ("return",)
    if action not in offered:
        await _ask_action(ctx, target, "⚠️ " + ctx.t("error.choice"))
        return
    dialog.action = _KINDS[action]
    if action == "role":
        await _ask_role(ctx, target)
    elif action == "move":
        await _ask_dest(ctx)
    else:
        await _ask_day(ctx)


async def _ask_role(ctx: Context, target: Member, prefix: str = "") -> None:
    """The roles the caller may give in the person's unit, theirs left out."""
    unit = await units.get(ctx.tx, target.unit_id)
    assert unit is not None
    offered = membership.roles_for(pick.actor(ctx), await membership.is_team(ctx.tx, unit))
    dialog = ctx.state.require(ManageDialog)
    dialog.step = "role"
    picks = [Choice(role_label(r, ctx.locale), ROLE + r) for r in offered if r != target.role]
    rows = [picks[i : i + 2] for i in range(0, len(picks), 2)] + [pick.cancel_row(ctx)]
    lines = [prefix] if prefix else []
    role = role_label(target.role, ctx.locale)
    lines.append(ctx.t("manage.ask_role", name=target.full_name, role=role))
    ctx.reply("\n".join(lines), rows)


async def _take_role(ctx: Context, role: str) -> None:
    """A role button: one the caller may give (a forged one is asked again)."""
    target = await _target(ctx)
    if target is None:
        await pick.refuse(ctx)
        return
    unit = await units.get(ctx.tx, target.unit_id)
    assert unit is not None
    offered = membership.roles_for(pick.actor(ctx), await membership.is_team(ctx.tx, unit))
    if role not in offered or role == target.role:
        await _ask_role(ctx, target, "⚠️ " + ctx.t("error.choice"))
        return
    ctx.state.require(ManageDialog).role = role
    await _ask_day(ctx)


async def _ask_dest(ctx: Context, prefix: str = "", page: int = 0) -> None:
    """Where to: the units of the caller's area that fit the person's role (teams for team
    roles), theirs left out, a page at a time, or a name typed."""
    target = await _target(ctx)
    if target is None:
        await pick.refuse(ctx)
        return
    ctx.state.require(ManageDialog).step = "dest"
    wanted_team = target.role in membership.TEAM_ROLES
    pool = await pick.units_in_scope(ctx)
    teams = {u.id for u in lookup.teams(pool)}  # the open units with none open below
    picks = [
        Choice(pick.label(ctx, u), f"{DEST}{u.id}")
        for u in pool
        if u.id != target.unit_id and (u.id in teams) == wanted_team
    ]
    rows, line = pick.paged(ctx, picks, page)
    lines = [prefix] if prefix else []
    lines.append(ctx.t("manage.ask_dest", name=target.full_name, unit=target.unit_name))
    lines += [line] if line else []
    ctx.reply("\n".join(lines), rows, free_input=True)


async def _take_dest(ctx: Context, unit: Unit | None) -> None:
    """A destination (pressed or typed): in the caller's area, else refused."""
    if unit is None or not membership.may_place_in(pick.actor(ctx), unit):
        await pick.refuse(ctx)
        return
    ctx.state.require(ManageDialog).dest = unit.id
    await _ask_day(ctx)


async def _ask_day(ctx: Context, prefix: str = "") -> None:
    """From which day: today's button, or a day typed in any form chat reads."""
    dialog = ctx.state.require(ManageDialog)
    dialog.step, dialog.on, dialog.nonce = "date", None, None
    today = ctx.now.date()
    first = membership.earliest(today, ctx.services.config.tally.month_starts_on)
    lines = [prefix] if prefix else []
    key = "manage.ask_day_leave" if dialog.action == "leave" else "manage.ask_day"
    lines.append(ctx.t(key, forms=FORMS, first=dates.day(first)))
    rows = [[Choice(ctx.t("manage.today", day=dates.day(today)), TODAY)], pick.cancel_row(ctx)]
    ctx.reply("\n".join(lines), rows, free_input=True)


async def _take_typed_day(ctx: Context, text: str) -> None:
    """A typed day: read, else said so and asked again."""
    day = read_day(text, ctx.now.date())
    if day is None:
        await _ask_day(ctx, ctx.t("people.date_unknown", typed=ctx.quote(text)))
        return
    await _take_day(ctx, day)


async def _apply(ctx: Context, on: date) -> Change:
    """Make the dialog's change from `on` with the shared rules (raises `Refused`)."""
    dialog = ctx.state.require(ManageDialog)
    target = await members.get(ctx.tx, dialog.target or 0)
    if target is None:
        raise Refused("manage.gone")
    who, today, now = pick.actor(ctx), ctx.now.date(), ctx.now_iso
    month = ctx.services.config.tally.month_starts_on
    if dialog.action == "move":
        unit = await units.get(ctx.tx, dialog.dest or 0)
        if unit is None:
            raise Refused("manage.gone")
        return await membership.move(ctx.tx, who, target, unit, on, today, now, month)
    if dialog.action == "role":
        role = Role(dialog.role or "")
        return await membership.set_role(ctx.tx, who, target, role, on, today, now, month)
    if dialog.action == "leave":
        return await membership.leave(ctx.tx, who, target, on, today, now, month)
    return await membership.come_back(ctx.tx, who, target, on, today, now, month)


async def _take_day(ctx: Context, on: date) -> None:
    """The day, tried with the rules that will make the change: a refusal is shown and the
    day asked again (nothing kept), else the confirmation."""
    try:
        async with trial(ctx.tx):
            await _apply(ctx, on)
    except Refused as err:
        await _refused(ctx, err)
        return
    dialog = ctx.state.require(ManageDialog)
    dialog.step, dialog.on, dialog.nonce = "confirm", on, secrets.token_hex(4)
    await _confirm(ctx)


async def _refused(ctx: Context, err: Refused) -> None:
    """A refusal of the rules: the day asked again when only the day is wrong, else the end."""
    text = ctx.t(err.key, **err.params)
    if err.key.startswith("people.date_"):
        await _ask_day(ctx, text)
    elif err.key in {"people.out_of_scope", "manage.gone"}:
        await pick.refuse(ctx, text)
    else:
        target = await _target(ctx)
        if target is None:
            await pick.refuse(ctx, text)
            return
        await _ask_action(ctx, target, text)


async def _confirm(ctx: Context, prefix: str = "") -> None:
    """Exactly what will happen, with Confirm and Cancel."""
    dialog = ctx.state.require(ManageDialog)
    target = await _target(ctx)
    if target is None or dialog.on is None:
        await pick.refuse(ctx)
        return
    dest = await units.get(ctx.tx, dialog.dest or 0) if dialog.action == "move" else None
    text = words.confirmation(ctx, dialog, target, dest)
    rows = [
        [Choice(ctx.t("manage.confirm_button"), OK + (dialog.nonce or ""))],
        [Choice(ctx.t("manage.cancel_button"), QUIT)],
    ]
    ctx.reply("\n".join([prefix, text] if prefix else [text]), rows)


async def _confirmed(ctx: Context, nonce: str) -> None:
    """Confirm: the change made for real (every rule checked again), the member told."""
    dialog = ctx.state.require(ManageDialog)
    if dialog.on is None or nonce != dialog.nonce:
        await _reask(ctx, ctx.t("manage.stale_confirm"))
        return
    try:
        change = await _apply(ctx, dialog.on)
    except Refused as err:
        await _refused(ctx, err)
        return
    told = await membership.tell(ctx.tx, ctx.services.texts, change, ctx.now_iso, ctx.served)
    ctx.queued = ctx.queued or told
    log.info(
        "member changed",
        extra={"action": change.action, "member_id": change.member.id, "audit_id": change.audit_id},
    )
    ctx.reset()
    name = change.member.full_name
    note = ctx.t("manage.told" if told else "manage.not_told", name=name)
    await menu.show(ctx, words.done(ctx, change) + "\n" + note)
