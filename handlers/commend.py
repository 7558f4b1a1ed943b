"""/khenthuong (/commend): the commendation shortlist, ticking whom to propose, the list.

Officers, supervisors and admins pick an occasion (a phase's end or the 19/8 festival) for
their unit (or a commune in it they name), see the ranked shortlist with report numbers,
tick lines (a button each on Telegram; typed numbers "1 3 5" elsewhere), type a reason if
they wish, and export the list. Every button carries the unit and the occasion, and every
request is checked against the caller's role and area, so a forged button is refused.
"""

from __future__ import annotations

import re
from typing import ClassVar

from bot.commend import files, occasions, shortlist, ticking
from bot.commend.export import file_stem
from bot.commend.occasions import Occasion
from bot.commend.shortlist import Candidate, Shortlist
from bot.commend.text import mark, shortlist_text
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import parse_id
from bot.core.model import Choice
from bot.core.parsing import split_list
from bot.core.roles import OVERSIGHT_ROLES, in_scope
from bot.units import lookup
from handlers import menu
from handlers.commands import HOME, handles
from storage import units
from storage.db import Store
from storage.units import Unit

PREFIX = "cm:"
FLOW = "commend"
MAX_REASON = 300


class CommendDialog(FlowState):
    """Looking at one shortlist; `last` holds the lines just ticked, whose reason a typed
    line gives."""

    flow: ClassVar[str] = FLOW

    unit_id: int
    occasion: str
    last: list[tuple[int, int]] = []  # (team id, member id or 0)


def allowed(ctx: Context) -> bool:
    """Officers and above propose; leaders and members do not."""
    return ctx.member is not None and ctx.member.role in OVERSIGHT_ROLES


@handles("khenthuong")
async def begin(ctx: Context) -> None:
    """`/khenthuong [commune]`: the caller's unit (or the one named), then the occasion."""
    assert ctx.member is not None
    if not allowed(ctx):
        await menu.show(ctx, ctx.t("commend.not_allowed"))
        return
    _leave(ctx)
    unit = await units.get(ctx.tx, ctx.member.unit_id)
    if ctx.inbound.args:
        unit = await _find_unit(ctx, ctx.inbound.args)
    if unit is None:
        return
    if not await units.children(ctx.tx, unit.id, open_only=False):
        await menu.show(ctx, ctx.t("commend.team_unit", name=unit.name))
        return
    offered = occasions.offered(ctx.services.config.tally.phases, ctx.now.date())
    picks = [Choice(_title(ctx, o), f"{PREFIX}o:{unit.id}:{o.code}") for o in offered]
    rows = [[p] for p in picks] + [[Choice(ctx.t("menu.back_to_menu"), HOME)]]
    ctx.reply(ctx.t("commend.ask_occasion", unit=unit.name), rows)


async def on_button(ctx: Context) -> None:
    """'cm:o|e|d:<unit>:<occasion>' (show, export, done) or 'cm:x:<unit>:<occasion>:<team>:
    <member or 0>' (tick or untick)."""
    assert ctx.member is not None
    if not allowed(ctx):
        _leave(ctx)
        await menu.show(ctx, ctx.t("commend.not_allowed"))
        return
    parts = (ctx.value or "")[len(PREFIX) :].split(":")
    action = parts[0]
    unit_id = parse_id(parts[1]) if len(parts) > 2 else None
    unit = await units.get(ctx.tx, unit_id) if unit_id is not None else None
    if unit is None or not in_scope(ctx.member.unit_path, unit.path):
        await _refuse(ctx, "commend.out_of_scope")
        return
    if not await units.children(ctx.tx, unit.id, open_only=False):
        _leave(ctx)  # a forged button for a team: lists are for a commune or above
        await menu.show(ctx, ctx.t("commend.team_unit", name=unit.name))
        return
    occasion = occasions.decode(parts[2], ctx.services.config.tally.phases)
    if occasion is None:
        await _refuse(ctx, "commend.bad_occasion")
        return
    if action == "o" and len(parts) == 3:
        await show(ctx, unit, occasion)
    elif action == "x" and len(parts) == 5:
        await _tap(ctx, unit, occasion, parts[3], parts[4])
    elif action == "e" and len(parts) == 3:
        await _export(ctx, unit, occasion)
    elif action == "d" and len(parts) == 3:
        await _done(ctx, unit, occasion)
    else:
        await _refuse(ctx, "commend.out_of_scope")


async def on_input(ctx: Context) -> None:
    """Typed while a shortlist is open: a chosen line ('3' on Zalo), line numbers '1 3 5' to
    tick or untick, or the reason of the lines just ticked."""
    assert ctx.member is not None
    if (ctx.value or "").startswith(PREFIX):
        await on_button(ctx)
        return
    dialog = ctx.state.require(CommendDialog)
    unit = await units.get(ctx.tx, dialog.unit_id)
    occasion = occasions.decode(dialog.occasion, ctx.services.config.tally.phases)
    # Checked again on every line: the caller may have moved away with the list open.
    if unit is None or occasion is None or not allowed(ctx) or not _reach(ctx, unit):
        ctx.reset()
        await _refuse(ctx, "commend.out_of_scope")
        return
    items = split_list(ctx.text)
    if items and all(i.isdigit() for i in items):
        await _typed_numbers(ctx, unit, occasion, [int(i) for i in items])
        return
    if not dialog.last or not ctx.text:
        ctx.reply(ctx.t("commend.not_understood"), free_input=True)
        return
    await _reason(ctx, unit, occasion, dialog)


async def show(ctx: Context, unit: Unit, occasion: Occasion, note: str = "") -> None:
    """The shortlist with its marks and the buttons to tick, export and finish."""
    listed = await _build(ctx, unit, occasion)
    dialog = ctx.state.get(CommendDialog)
    if dialog is None or dialog.unit_id != unit.id or dialog.occasion != occasion.code:
        _leave(ctx)
        ctx.park()
        ctx.state.open(CommendDialog(unit_id=unit.id, occasion=occasion.code))
    base = f"{PREFIX}x:{unit.id}:{occasion.code}"
    # Where choices are numbered lines, the line's number is the choice's own: not repeated.
    rows = [
        [Choice(_label(ctx, n, c), f"{base}:{c.team_id}:{c.member_id or 0}")]
        for n, c in enumerate(listed.entries, 1)
    ]
    tail = f"{unit.id}:{occasion.code}"
    rows.append([Choice(ctx.t("commend.button_export"), f"{PREFIX}e:{tail}")])
    rows.append([Choice(ctx.t("commend.button_done"), f"{PREFIX}d:{tail}")])
    text = _text(ctx, listed)
    ctx.reply(f"{note}\n\n{text}" if note else text, rows, free_input=True)


def _text(ctx: Context, listed: Shortlist) -> str:
    """The shortlist's text, with how to tick on this messenger."""
    how = "commend.how_typed" if ctx.numbered else "commend.how_buttons"
    return shortlist_text(listed, ctx.t, ctx.locale, how)


def _label(ctx: Context, n: int, c: Candidate) -> str:
    """A line's button: its mark, its number (on buttons only) and its name."""
    return f"{mark(c)} {c.name}" if ctx.numbered else f"{mark(c)} {n}. {c.name}"


async def _build(ctx: Context, unit: Unit, occasion: Occasion) -> Shortlist:
    """The shortlist as it stands now (figures and ticks), read in this update's transaction
    (which reads a whole unit's reports from here: off the event loop's thread)."""
    ctx.tx.reads_much()
    return await shortlist.build(ctx.tx, unit, occasion, ctx.services.config, ctx.forms, ctx.now)


async def _tap(ctx: Context, unit: Unit, occasion: Occasion, team: str, member: str) -> None:
    """A line's button: tick it or untick it, then the list again."""
    team_id, member_id = parse_id(team), parse_id(member) if member != "0" else None
    listed = await _build(ctx, unit, occasion)
    found = listed.find(team_id, member_id) if team_id is not None else None
    if found is None or (member != "0" and member_id is None):
        await show(ctx, unit, occasion, ctx.t("commend.stale"))
        return
    await _toggle(ctx, unit, occasion, [found])


async def _typed_numbers(ctx: Context, unit: Unit, occasion: Occasion, numbers: list[int]) -> None:
    """'1 3 5': the lines of those numbers as last shown, each ticked or unticked."""
    shown = [v for v, _ in ctx.shown_choices if v.startswith(f"{PREFIX}x:")]
    wrong = next((n for n in numbers if not 1 <= n <= len(shown)), None)
    if wrong is not None:
        ctx.reply(ctx.t("commend.bad_number", number=wrong, count=len(shown)), free_input=True)
        return
    listed = await _build(ctx, unit, occasion)
    picked: list[Candidate] = []
    for n in dict.fromkeys(numbers):
        team, member = shown[n - 1].split(":")[-2:]
        found = listed.find(int(team), int(member) or None)
        if found is None:
            await show(ctx, unit, occasion, ctx.t("commend.stale"))
            return
        picked.append(found)
    await _toggle(ctx, unit, occasion, picked)


async def _toggle(ctx: Context, unit: Unit, occasion: Occasion, picked: list[Candidate]) -> None:
    """Tick or untick each line (audited), remember the ones ticked for their reason."""
    assert ctx.member is not None
    on: list[Candidate] = []
    off: list[Candidate] = []
    for c in picked:
        now_on = await ticking.toggle(
            ctx.tx, occasion, c, by_id=ctx.member.id, by_name=ctx.member.full_name, at=ctx.now_iso
        )
        (on if now_on else off).append(c)
    notes = []
    if on:
        notes.append(ctx.t("commend.ticked", names=", ".join(c.name for c in on)))
    if off:
        notes.append(ctx.t("commend.unticked", names=", ".join(c.name for c in off)))
    await show(ctx, unit, occasion, "\n".join(notes))
    dialog = ctx.state.require(CommendDialog)
    dialog.last = [(c.team_id, c.member_id or 0) for c in on]


async def _reason(ctx: Context, unit: Unit, occasion: Occasion, dialog: CommendDialog) -> None:
    """The typed reason of the lines just ticked (kept as typed, cut to MAX_REASON)."""
    assert ctx.member is not None
    reason = re.sub(r"\s+", " ", ctx.text)[:MAX_REASON]
    listed = await _build(ctx, unit, occasion)
    named = []
    for team_id, member_id in dialog.last:
        found = listed.find(team_id, member_id or None)
        if found is not None and found.ticked:
            await ticking.set_reason(
                ctx.tx,
                occasion,
                found,
                reason,
                by_id=ctx.member.id,
                by_name=ctx.member.full_name,
                at=ctx.now_iso,
            )
            named.append(found.name)
    dialog.last = []
    if not named:
        ctx.reply(ctx.t("commend.not_understood"), free_input=True)
        return
    await show(ctx, unit, occasion, ctx.t("commend.reason_saved", names=", ".join(named)))


async def _export(ctx: Context, unit: Unit, occasion: Occasion) -> None:
    """The list as files on Telegram; elsewhere, where to get it."""
    listed = await _build(ctx, unit, occasion)
    count = len(listed.ticked)
    if not count:
        ctx.reply(ctx.t("commend.export_empty"))
        return
    if not ctx.can_send_files:
        text = ctx.t("commend.files_elsewhere", count=count, unit=unit.path, occasion=occasion.code)
        ctx.reply(text)
        return
    services, locale, now = ctx.services, ctx.locale, ctx.now

    async def make(db: Store, unit_id: int, occ: Occasion, fmt: str) -> bytes:
        """Both files in the caller's language, from the ticks as committed."""
        return await files.proposal_bytes(
            db,
            unit_id,
            occ,
            fmt,
            config=services.config,
            forms=services.forms,
            texts=services.texts,
            locale=locale,
            now=now,
        )

    failed = ctx.t("commend.files_failed")
    attached = files.attachments(services.db, unit.id, occasion, file_stem(listed), failed, make)
    ctx.reply(ctx.t("commend.files_note", count=count), attachments=attached)


async def _done(ctx: Context, unit: Unit, occasion: Occasion) -> None:
    """Leave the shortlist, saying how many are proposed."""
    listed = await _build(ctx, unit, occasion)
    _leave(ctx)
    await menu.show(ctx, ctx.t("commend.done", count=len(listed.ticked)))


def _leave(ctx: Context) -> None:
    """Close an open shortlist (a parked report draft comes back)."""
    if ctx.state.get(CommendDialog) is not None:
        ctx.reset()


async def _refuse(ctx: Context, key: str) -> None:
    """Say why, end the shortlist, nothing saved."""
    _leave(ctx)
    await menu.show(ctx, ctx.t(key))


def _reach(ctx: Context, unit: Unit) -> bool:
    """Whether the unit is in the caller's area as they serve now."""
    return ctx.member is not None and in_scope(ctx.member.unit_path, unit.path)


def _title(ctx: Context, occasion: Occasion) -> str:
    return occasion.title(ctx.t("commend.festival", year=occasion.end.year))


async def _find_unit(ctx: Context, typed: str) -> Unit | None:
    """A unit named in the caller's area; replies and returns None otherwise."""
    assert ctx.member is not None
    match await lookup.find_unit(ctx.tx, typed, ctx.member.unit_path, open_only=False):
        case lookup.Found(unit):
            return unit
        case lookup.Ambiguous(candidates):
            count, name = len(candidates), ctx.quote(typed)
            await menu.show(ctx, ctx.t("commend.unit_ambiguous", count=count, name=name))
        case lookup.OutOfScope():
            await menu.show(ctx, ctx.t("commend.out_of_scope"))
        case lookup.Unknown():
            await menu.show(ctx, ctx.t("commend.unit_unknown", name=ctx.quote(typed)))
    return None
