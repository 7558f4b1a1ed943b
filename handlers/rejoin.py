"""A serving member with a new invite code: shown what would change, moved (or re-roled) only
once they confirm; cancelling changes nothing and leaves the code unused.

Also the answer for someone who left the force and writes again: when and what to do,
instead of the stranger's "how to join".
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from bot.core import dates
from bot.core.dialog import FlowState
from bot.core.engine import Context
from bot.core.model import Choice
from bot.core.roles import Role, role_label
from bot.people import joins, membership
from bot.people.invites import check_invite
from bot.people.membership import Refused
from handlers import menu
from storage import invites, member_lists, members, units
from storage.db import Row

FLOW = "rejoin"
YES = "rejoin:yes:"  # + the nonce of the question it answers
NO = "rejoin:no"


class Rejoining(FlowState):
    """A member deciding on a new invite code: the code, and the nonce its Yes carries."""

    flow: ClassVar[str] = FLOW

    code: str
    nonce: str


def _same_place(ctx: Context, invite: Row) -> bool:
    """Whether the code would leave the member where and as what they are."""
    assert ctx.member is not None
    return int(invite["unit_id"]) == ctx.member.unit_id and str(invite["role"]) == ctx.member.role


async def offer(ctx: Context, code: str) -> None:
    """/start CODE from a serving member: the same place is said so (as before); a usable
    code for another unit or role is explained and asked about; a bad one says why."""
    me = ctx.member
    assert me is not None
    status, invite = await check_invite(ctx.tx, code, ctx.now)
    if invite is not None and status == "ok" and not _same_place(ctx, invite):
        ctx.park()
        ctx.state.open(Rejoining(code=str(invite["code"]), nonce=secrets.token_hex(4)))
        _ask(ctx, invite)
        return
    if invite is None or status == "ok":
        ctx.reply(ctx.t("join.already_member", unit=me.unit_name))
    else:
        expires = " " + dates.stored_stamp(str(invite["expires_at"]))
        ctx.reply(ctx.t(f"join.invite_{status}", expires=expires))
    await menu.show(ctx)


def _ask(ctx: Context, invite: Row, prefix: str = "") -> None:
    """What the code would change, from today, with Yes and Cancel."""
    me = ctx.member
    assert me is not None
    text = ctx.t(
        "manage.rejoin_confirm",
        role=role_label(str(invite["role"]), ctx.locale),
        unit=invite["unit_name"],
        path=str(invite["unit_path"]).replace("/", " › "),
        old_role=role_label(me.role, ctx.locale),
        old_unit=me.unit_name,
        day=dates.day(ctx.now.date()),
    )
    nonce = ctx.state.require(Rejoining).nonce
    rows = [
        [Choice(ctx.t("manage.rejoin_yes"), YES + nonce)],
        [Choice(ctx.t("nav.cancel"), NO)],
    ]
    ctx.reply(f"{prefix}\n{text}".strip(), rows)


async def on_input(ctx: Context) -> None:
    """The member's answer: Yes moves them (the code checked and used once more), Cancel
    changes nothing; anything else asks again."""
    me = ctx.member
    assert me is not None
    rejoining = ctx.state.require(Rejoining)
    value = ctx.value or ""
    if value == NO:
        ctx.reset()
        role = role_label(me.role, ctx.locale)
        await menu.show(ctx, ctx.t("manage.rejoin_cancelled", role=role, unit=me.unit_name))
        return
    status, invite = await check_invite(ctx.tx, rejoining.code, ctx.now)
    if status != "ok" or invite is None:
        ctx.reset()
        expires = ""
        if invite is not None and status == "expired":
            expires = " " + dates.stored_stamp(str(invite["expires_at"]))
        await menu.show(ctx, ctx.t(f"join.invite_{status}", expires=expires))
        return
    if value != YES + rejoining.nonce:
        _ask(ctx, invite, ctx.t("manage.rejoin_use_buttons"))
        return
    await _move(ctx, invite)


async def _move(ctx: Context, invite: Row) -> None:
    """Use one use of the code and serve where it says from today, kept in the audit trail
    (tried first, so a refusal leaves the code unused)."""
    me = ctx.member
    assert me is not None
    ctx.reset()
    unit = await units.get(ctx.tx, int(invite["unit_id"]))
    code, role, today = str(invite["code"]), Role(str(invite["role"])), ctx.now.date()
    if unit is None:
        await menu.show(ctx, ctx.t("join.invite_unknown"))
        return
    try:
        async with member_lists.trial(ctx.tx):
            await joins.take_invite(ctx.tx, me, unit, role, code, today, ctx.now_iso)
    except Refused as err:
        await menu.show(ctx, ctx.t(err.key, **err.params))
        return
    if not await invites.consume(ctx.tx, code, ctx.now_iso):
        await menu.show(ctx, ctx.t("join.invite_used_up", expires=""))
        return
    change = await joins.take_invite(ctx.tx, me, unit, role, code, today, ctx.now_iso)
    ctx.member = await members.get(ctx.tx, me.id)
    await menu.show(ctx, membership.notice(ctx.services.texts, change, ctx.locale))


async def tell_former(ctx: Context) -> bool:
    """Someone who left the force writes: tell them since when and whom to ask (True), or
    False for a true stranger."""
    found = await member_lists.former_member(ctx.tx, ctx.inbound.channel, ctx.inbound.user_id)
    if found is None:
        return False
    member, left_on = found
    day = dates.day(left_on) if left_on is not None else "?"
    texts = ctx.services.texts
    ctx.reply(texts.t(member.locale, "manage.left_member", name=member.full_name, day=day))
    return True
