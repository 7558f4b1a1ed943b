"""Joining by invite code: /start CODE or the deep link, name, team confirmation."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from bot.core import dates
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import Role, role_label
from bot.people import joins, membership
from bot.people.invites import check_invite
from handlers import join_personal, link, menu, rejoin
from handlers.commands import handles
from handlers.wrong_bot import elsewhere_refusal
from storage import invites, member_lists, members, units
from storage.db import Row

USE_NAME = "join:use_name"
CONFIRM = "join:confirm"
CANCEL = "join:cancel"
_NAME = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]+)+$")


class Joining(FlowState):
    """A stranger joining: the invite code, the name offered (the messenger's display name)
    and, once typed or accepted, the name to confirm."""

    flow: ClassVar[str] = "join"

    step: Literal["name", "confirm"]
    code: str
    offered_name: str | None = None
    name: str | None = None


@handles("start")
async def on_start(ctx: Context) -> None:
    """/start: with an invite code, begin joining; with a link code, link; else the menu."""
    code = ctx.inbound.args
    if code and await link.is_link_code(ctx, code):
        await link.redeem(ctx, code)  # /start CODE with a link code from /lienket
        return
    if code and await join_personal.try_join(ctx, code):
        return  # a personal code from the roster sheet: already named and placed
    if ctx.member is not None:
        if code:
            await rejoin.offer(ctx, code)  # another unit or role only once confirmed
            return
        await menu.show(ctx)
        return
    if not code:
        await not_registered(ctx)
        return
    status, invite = await check_invite(ctx.tx, code, ctx.now)
    if status != "ok" or invite is None:
        _refuse(ctx, status, invite)
        return
    if elsewhere := elsewhere_refusal(ctx, str(invite["unit_path"]), str(invite["code"])):
        ctx.reset()
        ctx.reply(elsewhere)
        return
    ctx.state.clear()
    former = await member_lists.former_member(ctx.tx, ctx.inbound.channel, ctx.inbound.user_id)
    if former is not None:  # someone who left comes back: their record, not a second one
        ctx.state.open(Joining(step="confirm", code=str(invite["code"]), name=former[0].full_name))
        _ask_confirm(ctx, former[0].full_name, invite)
        return
    ctx.state.open(Joining(step="name", code=str(invite["code"])))
    ask_name(ctx)


def _refuse(ctx: Context, status: str, invite: Row | None) -> None:
    """Explain why a code cannot be used; the dialog ends, nothing is saved."""
    ctx.reset()
    expires = ""
    if invite is not None and status == "expired":
        expires = " " + dates.stored_stamp(str(invite["expires_at"]))
    key = "history.invite_revoked" if status == "revoked" else f"join.invite_{status}"
    ctx.reply(ctx.t(key, expires=expires))


async def not_registered(ctx: Context) -> None:
    """Someone unknown: explain how to join, show nothing else (someone who left the force
    is told so instead)."""
    if await rejoin.tell_former(ctx):
        return
    ctx.reply(ctx.t("join.how_to"))


def ask_name(ctx: Context, prefix: str = "") -> None:
    """Ask for the full name, offering the messenger's display name as a button."""
    choices = []
    name = (ctx.inbound.display_name or "").strip()
    if name and _NAME.match(name):
        choices.append([Choice(ctx.t("join.use_name", name=name), USE_NAME)])
        ctx.state.require(Joining).offered_name = name
    choices.append([Choice(ctx.t("nav.cancel"), CANCEL)])
    text = ctx.t("join.ask_name")
    ctx.reply(f"{prefix}\n\n{text}".strip(), choices, free_input=True)


async def on_input(ctx: Context) -> None:
    """Continue the join dialog from where it stopped."""
    if ctx.value == CANCEL or ctx.value == "nav:cancel":
        ctx.reset()
        ctx.reply(ctx.t("join.cancelled"))
        return
    step = ctx.state.require(Joining).step
    if step == "name":
        await _take_name(ctx)
    elif step == "confirm":
        await _confirm(ctx)
    else:
        ctx.reset()
        await not_registered(ctx)


async def _take_name(ctx: Context) -> None:
    joining = ctx.state.require(Joining)
    if ctx.value == USE_NAME and joining.offered_name:
        name = joining.offered_name
    else:
        name = " ".join(ctx.text.split())
    if not name or len(name) > 80 or not _NAME.match(name):
        ask_name(ctx, ctx.t("join.bad_name"))
        return
    status, invite = await check_invite(ctx.tx, joining.code, ctx.now)
    if status != "ok" or invite is None:
        _refuse(ctx, status, invite)
        return
    joining.step, joining.name = "confirm", name
    _ask_confirm(ctx, name, invite)


def _ask_confirm(ctx: Context, name: str, invite: Row) -> None:
    """Show who joins where, as what, before anything is saved."""
    ctx.reply(
        ctx.t(
            "join.confirm",
            name=name,
            unit=invite["unit_name"],
            path=str(invite["unit_path"]).replace("/", " › "),
            role=role_label(str(invite["role"]), ctx.locale),
        ),
        [[Choice(ctx.t("join.confirm_button"), CONFIRM)], [Choice(ctx.t("nav.cancel"), CANCEL)]],
    )


async def _confirm(ctx: Context) -> None:
    if ctx.value != CONFIRM:
        ctx.reply(
            ctx.t("error.choice"),
            [
                [Choice(ctx.t("join.confirm_button"), CONFIRM)],
                [Choice(ctx.t("nav.cancel"), CANCEL)],
            ],
        )
        return
    joining = ctx.state.require(Joining)
    code = joining.code
    status, invite = await check_invite(ctx.tx, code, ctx.now)
    if status != "ok" or invite is None or not await invites.consume(ctx.tx, code, ctx.now_iso):
        _refuse(ctx, status if status != "ok" else "used_up", invite)
        return
    inbound = ctx.inbound
    former = await member_lists.former_member(ctx.tx, inbound.channel, inbound.user_id)
    if former is not None:
        unit = await units.get(ctx.tx, int(invite["unit_id"]))
        assert unit is not None
        try:
            await joins.return_by_invite(
                ctx.tx,
                former[0],
                unit,
                Role(str(invite["role"])),
                code,
                ctx.now.date(),
                ctx.now_iso,
            )
        except membership.Refused as refused:
            ctx.reset()
            ctx.reply(ctx.t(refused.key, **refused.params))
            return
        member_id = former[0].id
    else:
        member_id = await members.create(
            ctx.tx,
            int(invite["unit_id"]),
            str(invite["role"]),
            str(joining.name),
            ctx.services.config.bot.locale,
            ctx.now_iso,
        )
    await members.link_identity(
        ctx.tx, inbound.channel, inbound.user_id, inbound.chat_id, member_id, ctx.now_iso
    )
    ctx.member = await members.by_identity(ctx.tx, inbound.channel, inbound.user_id)
    assert ctx.member is not None
    if former is None:
        await joins.record_join(ctx.tx, ctx.member, code, ctx.now.date(), ctx.now_iso)
    ctx.reset()
    welcome = ctx.t("join.welcome", name=ctx.member.full_name, unit=invite["unit_name"])
    await menu.show(ctx, welcome)
