"""Whom /thanhvien (/members) is about: the unit (paged buttons or a typed name), its people
listed, and the person picked; every id that comes back from a button is checked again.

The rules (who may see a unit, who may change whom) are bot/people/membership.py's.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from bot.core import dates
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.roles import role_label
from bot.people import membership
from bot.people.membership import Actor
from bot.units import lookup
from handlers import menu
from storage import member_lists, members, units
from storage.member_lists import Person
from storage.members import Member
from storage.subtree import SEPARATOR
from storage.units import Unit

PREFIX = "ppl:"
FLOW = "manage"
QUIT = PREFIX + "quit"
PAGE = PREFIX + "p:"  # + the page of the current step's list
UNIT = PREFIX + "u:"
MEMBER = PREFIX + "m:"
PAGE_SIZE = 10

Step = Literal["unit", "member", "action", "role", "dest", "date", "confirm"]
ChangeKind = Literal["move", "role", "leave", "return"]


class ManageDialog(FlowState):
    """Managing people: the step, the unit shown, the person picked, the change and its day,
    and the nonce its confirm button carries (an older confirmation carries another)."""

    flow: ClassVar[str] = FLOW

    step: Step = "unit"
    unit_id: int | None = None
    target: int | None = None
    action: ChangeKind | None = None
    role: str | None = None
    dest: int | None = None
    on: date | None = None
    nonce: str | None = None


def actor(ctx: Context) -> Actor:
    """The caller as the membership rules see them."""
    assert ctx.member is not None
    return Actor.of(ctx.member)


def scope(ctx: Context) -> str:
    """The subtree the caller may pick units in: their unit and what is below it (an admin
    placed at the root picks anywhere)."""
    assert ctx.member is not None
    return ctx.member.unit_path


def cancel_row(ctx: Context) -> list[Choice]:
    """The button that leaves the dialog (a parked report draft comes back)."""
    return [Choice(ctx.t("nav.cancel"), QUIT)]


async def refuse(ctx: Context, text: str | None = None) -> None:
    """Out of scope, forged or stale: end the dialog, say so, nothing saved."""
    ctx.reset()
    await menu.show(ctx, text or ctx.t("manage.out_of_scope"))


def label(ctx: Context, unit: Unit) -> str:
    """A unit as the caller reads it: its path below the caller's own unit ("Xã Bắc Sơn ›
    Thôn Nà Lẹng" for a province's supervisor), or its name."""
    assert ctx.member is not None
    own = ctx.member.unit_path
    if unit.path.startswith(own + SEPARATOR):
        return unit.path[len(own) + 1 :].replace(SEPARATOR, " › ")
    return unit.name


def paged(ctx: Context, picks: list[Choice], page: int) -> tuple[list[list[Choice]], str]:
    """One page of buttons, two a row, with the arrows to the pages beside it, and the page
    line for the question ("" when everything fits on one page)."""
    pages = max(1, -(-len(picks) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = picks[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [shown[i : i + 2] for i in range(0, len(shown), 2)]
    arrows = []
    if page > 0:
        arrows.append(Choice(ctx.t("manage.page_back"), f"{PAGE}{page - 1}"))
    if page < pages - 1:
        arrows.append(Choice(ctx.t("manage.page_next"), f"{PAGE}{page + 1}"))
    if arrows:
        rows.append(arrows)
    rows.append(cancel_row(ctx))
    line = ctx.t("manage.page", page=page + 1, pages=pages) if pages > 1 else ""
    return rows, line


async def units_in_scope(ctx: Context) -> list[Unit]:
    """The units the caller may open, in path order: their own and every one below it."""
    return await units.named_under(ctx.tx, scope(ctx))


async def ask_unit(ctx: Context, prefix: str = "", page: int = 0) -> None:
    """Which unit: its buttons a page at a time, or its name typed."""
    dialog = ctx.state.ensure(ManageDialog)
    dialog.step = "unit"
    picks = [Choice(label(ctx, u), f"{UNIT}{u.id}") for u in await units_in_scope(ctx)]
    rows, line = paged(ctx, picks, page)
    lines = [prefix] if prefix else []
    lines += [ctx.t("manage.ask_unit")] + ([line] if line else [])
    ctx.reply("\n".join(lines), rows, free_input=True)


async def take_unit(ctx: Context, id_text: str) -> None:
    """A pressed unit button: checked against the caller's area, then its people."""
    unit_id = parse_id(id_text)
    unit = await units.get(ctx.tx, unit_id) if unit_id is not None else None
    if unit is None or not membership.may_see(actor(ctx), unit.path):
        await refuse(ctx)
        return
    await show_unit(ctx, unit)


async def find_unit(ctx: Context, typed: str, *, teams_only: bool = False) -> Unit | str:
    """A typed unit name (a team, with `teams_only`) within the caller's area, or the warning
    saying why it was not taken (the caller asks its question again under it)."""
    match await lookup.find_unit(ctx.tx, typed, scope(ctx), teams_only=teams_only):
        case lookup.Found(unit):
            return unit
        case lookup.Ambiguous(candidates):
            error = ctx.t("manage.unit_ambiguous", count=len(candidates), name=ctx.quote(typed))
        case lookup.OutOfScope():
            error = ctx.t("manage.unit_out_of_scope", name=ctx.quote(typed))
        case _:
            error = ctx.t("manage.unit_unknown", name=ctx.quote(typed))
    return "⚠️ " + error


def person_line(ctx: Context, person: Person) -> str:
    """One person of the list: name, role, phone, and whether they are in the bot yet."""
    parts = [person.full_name, role_label(person.role, ctx.locale)]
    if person.phone:
        parts.append(f"📞 {person.phone}")
    if not person.joined_bot:
        parts.append(ctx.t("manage.not_joined"))
    if not person.active:
        day = dates.day(person.left_on) if person.left_on else "?"
        parts.append(ctx.t("manage.left_on", day=day))
    return "• " + " — ".join(parts)


async def listing(ctx: Context, unit: Unit, people: list[Person]) -> str:
    """The unit's list: who serves (with the count), then who left from it."""
    serving = [p for p in people if p.active]
    left = [p for p in people if not p.active]
    lines = [ctx.t("manage.list_title", unit=unit.name, count=len(serving))]
    lines += [person_line(ctx, p) for p in serving] or [ctx.t("manage.nobody")]
    if left:
        lines += ["", ctx.t("manage.left_title")] + [person_line(ctx, p) for p in left]
    return "\n".join(lines)


async def show_team(ctx: Context) -> None:
    """What a leader or deputy sees: their own team's list, no changes."""
    assert ctx.member is not None
    unit = await units.get(ctx.tx, ctx.member.unit_id)
    assert unit is not None
    people = await member_lists.people_of(ctx.tx, unit.id)
    await menu.show(ctx, await listing(ctx, unit, people))


async def manageable(ctx: Context, people: list[Person]) -> list[Person]:
    """The people of a list the caller may change (not themselves, not their rank)."""
    found = []
    for person in people:
        member = await members.get(ctx.tx, person.id)
        if member is not None and membership.may_manage(actor(ctx), member):
            found.append(person)
    return found


async def show_unit(ctx: Context, unit: Unit, prefix: str = "", page: int = 0) -> None:
    """A unit's list, and a button for each person the caller may change."""
    people = await member_lists.people_of(ctx.tx, unit.id)
    mine = await manageable(ctx, people)
    dialog = ctx.state.ensure(ManageDialog)
    dialog.step, dialog.unit_id, dialog.target = "member", unit.id, None
    lines = [prefix] if prefix else []
    lines.append(await listing(ctx, unit, people))
    if not mine:
        lines += ["", ctx.t("manage.none_to_manage")]
        ctx.reply("\n".join(lines), [[Choice(ctx.t("manage.other_unit"), PAGE + "0")]])
        dialog.step = "unit"  # "Đơn vị khác" (or a typed name) picks another unit
        return
    picks = [
        Choice(
            p.full_name if p.active else ctx.t("manage.left_button", name=p.full_name),
            f"{MEMBER}{p.id}",
        )
        for p in mine
    ]
    rows, line = paged(ctx, picks, page)
    lines += ["", ctx.t("manage.ask_member")] + ([line] if line else [])
    ctx.reply("\n".join(lines), rows)


async def take_member(ctx: Context, id_text: str) -> Member | None:
    """A pressed person button: one of the unit shown whom the caller may change, else
    refused (a forged or stale button reaches nobody)."""
    dialog = ctx.state.require(ManageDialog)
    member_id = parse_id(id_text)
    target = await members.get(ctx.tx, member_id) if member_id is not None else None
    if (
        target is None
        or target.unit_id != dialog.unit_id
        or not membership.may_manage(actor(ctx), target)
    ):
        await refuse(ctx)
        return None
    return target


async def current_unit(ctx: Context) -> Unit | None:
    """The unit the dialog shows, if the caller may still see it."""
    dialog = ctx.state.require(ManageDialog)
    unit = await units.get(ctx.tx, dialog.unit_id) if dialog.unit_id else None
    if unit is None or not membership.may_see(actor(ctx), unit.path):
        return None
    return unit


async def reask(ctx: Context, prefix: str = "", page: int = 0) -> None:
    """The unit or person question again (after a stray word, or another page)."""
    dialog = ctx.state.require(ManageDialog)
    unit = await current_unit(ctx)
    if dialog.step == "member" and unit is not None:
        await show_unit(ctx, unit, prefix, page)
    else:
        await ask_unit(ctx, prefix, page)
