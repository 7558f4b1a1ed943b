"""/thongbao (/announce): police, supervisors and admins message every member of a unit.

Three steps: pick a unit within the caller's own subtree (a button, or a typed name or
path), type the message, confirm after seeing how many people it will reach. Every unit,
pressed or typed, is checked against the caller's scope, so a forged button is refused;
the send button carries the draft's nonce, so pressing it twice (or an old one) queues
nothing more. The messages go through the outbox (bot/people/announcements.py).
"""

from __future__ import annotations

import secrets
from typing import ClassVar, Literal

from bot.core import dates
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.ids import id_after
from bot.core.model import Choice
from bot.core.roles import OVERSIGHT_ROLES, in_scope
from bot.outbox.quiet import in_quiet_hours, quiet_ends
from bot.people import announcements
from bot.units import lookup
from handlers import menu
from handlers.commands import handles
from storage import units
from storage.members import Member
from storage.recipients import Audience, reachable_count
from storage.units import Unit

PREFIX = "announce:"
FLOW = "announce"
UNIT = PREFIX + "unit:"
SEND = PREFIX + "send:"
EDIT = PREFIX + "edit:"
CANCEL = PREFIX + "cancel"
MAX_UNIT_BUTTONS = 24


class AnnounceDraft(FlowState):
    """An announcement being written: the step, the unit, the text and the nonce its Send and
    Edit buttons carry (a button of an older draft carries another one)."""

    flow: ClassVar[str] = FLOW

    step: Literal["unit", "text", "confirm"] = "unit"
    unit_id: int | None = None
    text: str | None = None
    nonce: str | None = None


def allowed(member: Member) -> bool:
    """Only commune police, supervisors and admins speak to a whole unit."""
    return member.role in OVERSIGHT_ROLES


@handles("thongbao")
async def begin(ctx: Context) -> None:
    """`/thongbao [unit]`: ask which unit (or take the typed one) and then the message."""
    assert ctx.member is not None
    if not allowed(ctx.member):
        await menu.show(ctx, ctx.t("announce.not_allowed"))
        return
    _leave(ctx)
    _start(ctx)
    unit = await _find_unit(ctx, ctx.inbound.args) if ctx.inbound.args else None
    if unit is not None:
        await _ask_text(ctx, unit)
    else:
        await _ask_unit(ctx)  # after saying why, when a typed unit was refused


async def on_button(ctx: Context) -> None:
    """A pressed announcement button, current or old; also typed labels of those buttons."""
    assert ctx.member is not None
    value = ctx.value or ""
    if not allowed(ctx.member):
        await menu.show(ctx, ctx.t("announce.not_allowed"))
        return
    if value == CANCEL:
        if ctx.state.get(AnnounceDraft) is not None:
            ctx.reset()
        await menu.show(ctx, ctx.t("announce.cancelled"))
        return
    if value.startswith(UNIT):
        unit_id = id_after(value, UNIT)
        unit = await units.get(ctx.tx, unit_id) if unit_id is not None else None
        if unit is None or not _visible(ctx, unit):
            await _refuse(ctx, "announce.out_of_scope")
            return
        _leave(ctx)
        _start(ctx)
        await _ask_text(ctx, unit)
        return
    open_draft = ctx.state.get(AnnounceDraft)
    draft = open_draft or AnnounceDraft()  # no draft: no unit, no step to confirm
    unit = await units.get(ctx.tx, draft.unit_id) if draft.unit_id else None
    if draft.unit_id and (unit is None or not _visible(ctx, unit)):
        ctx.reset()
        await _refuse(ctx, "announce.out_of_scope")
        return
    current = draft.step == "confirm" and value.endswith(":" + str(draft.nonce))
    if unit is not None and current and value.startswith(EDIT):
        await _ask_text(ctx, unit)
    elif unit is not None and current and value.startswith(SEND):
        await _send(ctx, unit, draft.text or "")
    elif open_draft is not None:
        ctx.reply(ctx.t("announce.stale_draft"))  # an older draft's button: keep this one
        await _ask_again(ctx, unit)
    else:
        await menu.show(ctx, ctx.t("announce.stale"))


async def on_input(ctx: Context) -> None:
    """What the caller typed inside the dialog: a unit name, the message, or a stray word."""
    assert ctx.member is not None
    if ctx.value and ctx.value.startswith(PREFIX):
        await on_button(ctx)  # a typed button label on a messenger without buttons
        return
    if not allowed(ctx.member):
        ctx.reset()
        await menu.show(ctx, ctx.t("announce.not_allowed"))
        return
    step = ctx.state.require(AnnounceDraft).step
    if step == "unit":
        unit = await _find_unit(ctx, ctx.text) if ctx.text else None
        if unit is not None:
            await _ask_text(ctx, unit)
        else:
            await _ask_unit(ctx)
        return
    unit = await units.get(ctx.tx, ctx.state.require(AnnounceDraft).unit_id or 0)
    if unit is None or not _visible(ctx, unit):
        ctx.reset()
        await _refuse(ctx, "announce.out_of_scope")
        return
    if step == "text":
        await _take_text(ctx, unit)
    else:
        ctx.reply(ctx.t("announce.use_buttons"))
        await _ask_again(ctx, unit)


async def _ask_again(ctx: Context, unit: Unit | None) -> None:
    """Show the open draft's current question again (after a stray word or an old button)."""
    draft = ctx.state.get(AnnounceDraft)
    step = draft.step if draft is not None else None
    if step == "confirm" and unit is not None:
        await _confirm(ctx, unit)
    elif step == "text" and unit is not None:
        await _ask_text(ctx, unit)
    else:
        await _ask_unit(ctx)


def _start(ctx: Context) -> None:
    """Open the dialog, keeping a report draft (or the one an edit parked) to give back."""
    ctx.park()
    ctx.state.open(AnnounceDraft(step="unit"))


def _leave(ctx: Context) -> None:
    """Drop an announcement draft being replaced by a new one (a parked report stays)."""
    if ctx.state.get(AnnounceDraft) is not None:
        ctx.reset()


async def _refuse(ctx: Context, key: str, **params: object) -> None:
    """Say why, with the menu, and leave the dialog as it was (the caller may type again)."""
    await menu.show(ctx, ctx.t(key, **params))


def _visible(ctx: Context, unit: Unit) -> bool:
    """The caller's own unit and everything below it; never siblings or parents."""
    assert ctx.member is not None
    return in_scope(ctx.member.unit_path, unit.path)


def _audience(ctx: Context, unit: Unit) -> Audience:
    """Every active member under the unit except the sender."""
    assert ctx.member is not None
    return Audience(paths=[unit.path], exclude_member=ctx.member.id)


async def _ask_unit(ctx: Context) -> None:
    """Buttons: the caller's whole unit with its head count, then each unit directly below."""
    assert ctx.member is not None
    own = await units.get(ctx.tx, ctx.member.unit_id)
    assert own is not None
    reached, unreachable = await reachable_count(ctx.tx, _audience(ctx, own), ctx.served)
    whole = ctx.t("announce.whole_unit", unit=own.name, count=reached + unreachable)
    rows = [[Choice(whole, f"{UNIT}{own.id}")]]
    below = await units.children(ctx.tx, own.id)
    buttons = [Choice(u.name, f"{UNIT}{u.id}") for u in below[:MAX_UNIT_BUTTONS]]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Choice(ctx.t("nav.cancel"), CANCEL)])
    text = ctx.t("announce.ask_unit")
    if len(below) > MAX_UNIT_BUTTONS:
        text += "\n" + ctx.t("announce.more_units", count=len(below) - MAX_UNIT_BUTTONS)
    ctx.state.ensure(AnnounceDraft).step = "unit"
    ctx.reply(text, rows, free_input=True)


async def _find_unit(ctx: Context, typed: str) -> Unit | None:
    """A unit named by path or name within the caller's scope; says why and returns None when
    it is outside the scope, unknown, or ambiguous (the caller then offers the buttons)."""
    assert ctx.member is not None
    match await lookup.find_unit(ctx.tx, typed, ctx.member.unit_path):
        case lookup.Found(unit):
            return unit
        case lookup.Ambiguous(candidates):
            count = len(candidates)
            ctx.reply(ctx.t("announce.unit_ambiguous", count=count, name=ctx.quote(typed)))
        case lookup.OutOfScope():
            ctx.reply(ctx.t("announce.out_of_scope"))
        case lookup.Unknown():
            ctx.reply(ctx.t("announce.unit_unknown", name=ctx.quote(typed)))
    return None


async def _ask_text(ctx: Context, unit: Unit) -> None:
    """Ask for the message itself, keeping the chosen unit in the dialog state."""
    draft = ctx.state.ensure(AnnounceDraft)
    draft.step, draft.unit_id, draft.text, draft.nonce = "text", unit.id, None, None
    limit = ctx.services.config.announcements.max_chars
    cancel = [[Choice(ctx.t("nav.cancel"), CANCEL)]]
    ctx.reply(ctx.t("announce.ask_text", unit=unit.name, max=limit), cancel, free_input=True)


async def _take_text(ctx: Context, unit: Unit) -> None:
    """Check the typed message (not empty, not too long) and show the confirmation."""
    limit = ctx.services.config.announcements.max_chars
    cancel = [[Choice(ctx.t("nav.cancel"), CANCEL)]]
    if not ctx.text:
        ctx.reply(ctx.t("announce.empty"), cancel, free_input=True)
        return
    if len(ctx.text) > limit:
        ctx.reply(
            ctx.t("announce.too_long", length=len(ctx.text), max=limit), cancel, free_input=True
        )
        return
    draft = ctx.state.require(AnnounceDraft)
    draft.step, draft.text, draft.nonce = "confirm", ctx.text, secrets.token_hex(4)
    await _confirm(ctx, unit)


def _quiet_until(ctx: Context) -> str | None:
    """When non-urgent messages may go out again ("06:30"), or None outside quiet hours."""
    reminders = ctx.services.config.reminders
    if not in_quiet_hours(ctx.now, reminders.quiet_start, reminders.quiet_end):
        return None
    return dates.clock(quiet_ends(ctx.now, reminders.quiet_start, reminders.quiet_end))


async def _confirm(ctx: Context, unit: Unit) -> None:
    """The preview, who it reaches (and who not), quiet hours, and Send / Edit / Cancel."""
    ctx.tx.reads_much()  # counts every member under the unit
    reached, unreachable = await reachable_count(ctx.tx, _audience(ctx, unit), ctx.served)
    if reached == 0:
        ctx.reset()
        await menu.show(ctx, ctx.t("announce.nobody", unit=unit.name))
        return
    draft = ctx.state.require(AnnounceDraft)
    lines = [
        ctx.t("announce.preview", text=draft.text or ""),
        "",
        ctx.t("announce.count", count=reached, unit=unit.name),
    ]
    if unreachable:
        lines.append(ctx.t("announce.unreachable", count=unreachable))
    until = _quiet_until(ctx)
    if until:
        lines.append(ctx.t("announce.quiet", time=until))
    lines.append(ctx.t("announce.confirm_hint"))
    nonce = draft.nonce or ""
    choices = [
        [Choice(ctx.t("announce.send"), SEND + nonce)],
        [Choice(ctx.t("announce.edit"), EDIT + nonce)],
        [Choice(ctx.t("nav.cancel"), CANCEL)],
    ]
    ctx.reply("\n".join(lines), choices)


async def _send(ctx: Context, unit: Unit, text: str) -> None:
    """Queue it all in this update's transaction and leave the dialog, so a second press of
    the same button finds no draft (and the outbox keys would ignore a repeat anyway)."""
    assert ctx.member is not None
    ctx.reset()
    done = await announcements.queue(
        ctx.tx,
        ctx.services,
        sender=ctx.member,
        unit=unit,
        text=text,
        reply_to=(ctx.inbound.channel, ctx.inbound.chat_id),
        now_iso=ctx.now_iso,
        served=ctx.served,
    )
    if done is None:
        await menu.show(ctx, ctx.t("announce.nobody", unit=unit.name))
        return
    ctx.queued = True
    until = _quiet_until(ctx)
    params = {"number": done.announcement_id, "count": done.recipients, "unit": unit.name}
    if until:
        ctx.reply(ctx.t("announce.queued_quiet", time=until, **params))
    else:
        ctx.reply(ctx.t("announce.queued", **params))
