"""/sodienthoai (/phone): a member leaves the phone number the officers see on the alerts
they raise, so a tip or a fire can be followed up with a call."""

from __future__ import annotations

from typing import ClassVar

from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.folding import fold
from bot.core.model import Choice
from bot.core.phones import normalize_phone
from handlers import menu
from handlers.commands import handles
from storage import members

FLOW = "phone"
PREFIX = "phone:"
CLEAR = PREFIX + "clear"
QUIT = PREFIX + "quit"
# Typed ways of saying "remove my number" (folded: without diacritics, lower case).
_CLEAR_WORDS = frozenset({"xoa", "xoa so", "bo", "khong", "clear", "delete", "remove", "none"})


class PhoneAsk(FlowState):
    """Waiting for the member to type their number."""

    flow: ClassVar[str] = FLOW


@handles("sodienthoai")
async def phone(ctx: Context) -> None:
    """Set the number typed after the command, or show the stored one and ask for it."""
    assert ctx.member is not None
    typed = (ctx.inbound.args or "").strip()
    if typed:
        await _take(ctx, typed)
        return
    current = await members.phone_of(ctx.tx, ctx.member.id)
    text = ctx.t("phone.current", phone=current) if current else ctx.t("phone.none")
    buttons = [[Choice(ctx.t("phone.clear"), CLEAR)]] if current else []
    buttons.append([Choice(ctx.t("nav.cancel"), QUIT)])
    ctx.park()
    ctx.state.open(PhoneAsk())
    ctx.reply(text + "\n" + ctx.t("phone.ask"), buttons, free_input=True)


async def on_button(ctx: Context) -> None:
    """Remove the number, or leave it as it is."""
    assert ctx.member is not None
    if ctx.state.get(PhoneAsk) is not None:
        ctx.reset()
    if ctx.value == CLEAR:
        await members.set_phone(ctx.tx, ctx.member.id, None)
        await menu.show(ctx, ctx.t("phone.cleared"))
        return
    await menu.show(ctx, ctx.t("phone.kept"))


async def on_input(ctx: Context) -> None:
    """The number typed in answer to the question (or a button of it, typed on Zalo)."""
    value = ctx.value or ""
    if value.startswith(PREFIX):
        await on_button(ctx)
        return
    await _take(ctx, ctx.inbound.text or "")


async def _take(ctx: Context, typed: str) -> None:
    assert ctx.member is not None
    if fold(typed) in _CLEAR_WORDS:
        if ctx.state.get(PhoneAsk) is not None:
            ctx.reset()
        await members.set_phone(ctx.tx, ctx.member.id, None)
        await menu.show(ctx, ctx.t("phone.cleared"))
        return
    number = normalize_phone(typed)
    if number is None:
        if ctx.state.get(PhoneAsk) is None:
            ctx.park()
            ctx.state.open(PhoneAsk())
        ctx.reply(
            ctx.t("phone.invalid", typed=ctx.quote(typed)),
            [[Choice(ctx.t("nav.cancel"), QUIT)]],
            free_input=True,
        )
        return
    if ctx.state.get(PhoneAsk) is not None:
        ctx.reset()
    await members.set_phone(ctx.tx, ctx.member.id, number)
    await menu.show(ctx, ctx.t("phone.saved", phone=number))
