"""/chitieu (/targets): the goals that apply to a unit and where each was set; supervisors and
admins set or clear a unit's own goals for its subtree.

Typed, the same on every messenger: `/chitieu [đơn vị]` shows, `/chitieu [đơn vị] key=value
…` sets, `/chitieu [đơn vị] xoa key … | xoa tatca` clears. Every unit is checked against the
caller's own: a unit outside it, or a leader asking, is refused in words saying what to do.
"""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.parsing import fold
from bot.core.roles import OVERSIGHT_ROLES, Role, in_scope
from bot.tally import goal_edit
from bot.tally import goals as unit_goals
from bot.units import lookup
from handlers import menu
from handlers.commands import handles
from storage import units
from storage.units import Unit

SETTERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
_CLEAR = {"xoa", "clear"}
_ALL = {"tatca", "tat ca", "all"}


@handles("chitieu")
async def begin(ctx: Context) -> None:
    """Show, set or clear the goals of the caller's unit or of one in their scope."""
    member = ctx.member
    assert member is not None
    if member.role not in OVERSIGHT_ROLES:
        await menu.show(ctx, ctx.t("targets.not_allowed"))
        return
    words = ctx.inbound.args.split()
    cut = next((i for i, w in enumerate(words) if "=" in w or fold(w) in _CLEAR), len(words))
    typed, rest = " ".join(words[:cut]), words[cut:]
    unit = await _unit(ctx, typed)
    if unit is None:
        return
    if rest and member.role not in SETTERS:
        ctx.reply(ctx.t("targets.not_allowed_set"))
        return
    try:
        if rest and fold(rest[0]) in _CLEAR:
            await _clear(ctx, unit, rest[1:])
            return
        if rest:
            goals = goal_edit.parse_assignments(rest)
            await goal_edit.set_goals(ctx.tx, unit, goals, member.id, member.full_name, ctx.now)
            changes = ", ".join(
                f"{k} {goal_edit.format_goal(ctx.services.texts, ctx.locale, k, v)}"
                for k, v in goals.items()
            )
            ctx.reply(ctx.t("targets.saved", unit=unit.name, changes=changes))
    except goal_edit.GoalError as err:
        ctx.reply(err.message(ctx.services.texts, ctx.locale))
        return
    await _show(ctx, unit)


async def _show(ctx: Context, unit: Unit) -> None:
    """The goals in force for the unit, one line each, and how to change them."""
    assert ctx.member is not None
    book = await unit_goals.load(ctx.tx, ctx.services.config.tally, unit.path)
    lines = goal_edit.describe(ctx.services.texts, ctx.locale, book, unit)
    if ctx.member.role in SETTERS:
        lines.append(ctx.t("targets.how_to_set", unit=unit.name))
    ctx.reply("\n".join(lines))


async def _clear(ctx: Context, unit: Unit, words: list[str]) -> None:
    """Drop the named stored goals of the unit, or all of them ("tatca")."""
    assert ctx.member is not None
    if not words:
        ctx.reply(ctx.t("targets.no_key", unit=unit.name))
        return
    keys = None if fold(" ".join(words)) in _ALL else [goal_edit.goal_key(w) for w in words]
    count = await goal_edit.clear_goals(
        ctx.tx, unit, keys, ctx.member.id, ctx.member.full_name, ctx.now
    )
    if not count:
        ctx.reply(ctx.t("targets.nothing_cleared", unit=unit.name))
        return
    ctx.reply(ctx.t("targets.cleared", unit=unit.name, count=count))
    await _show(ctx, unit)


async def _unit(ctx: Context, typed: str) -> Unit | None:
    """The unit named (or the caller's own), within the caller's scope; replies and returns
    None when it is outside, unknown or ambiguous."""
    member = ctx.member
    assert member is not None
    if not typed:
        own = await units.get(ctx.tx, member.unit_id)
        assert own is not None
        return own
    match await lookup.find_unit(ctx.tx, typed, member.unit_path):
        case lookup.Found(unit) if in_scope(member.unit_path, unit.path):
            return unit
        case lookup.Ambiguous(candidates):
            ctx.reply(ctx.t("targets.unit_ambiguous", count=len(candidates), name=ctx.quote(typed)))
        case lookup.Unknown():
            ctx.reply(ctx.t("targets.unit_unknown", name=ctx.quote(typed)))
        case _:
            ctx.reply(ctx.t("targets.out_of_scope"))
    return None
