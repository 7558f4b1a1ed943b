"""Joining with a personal code from the roster sheet: the member is already named and placed.

The commune listed the person in advance (`antt-bot roster import`) and handed them a code
made for them alone; sending it links this chat to that member at once: no name question,
no confirmation, and a greeting with their unit and role. A code already used, revoked,
expired, or made for someone who has left since, is refused with what to do instead; a
member who sends someone else's code stays where they are (a personal code never moves
anyone).
"""

from __future__ import annotations

from datetime import datetime

from bot.core import dates
from bot.core.engine import Context
from bot.core.roles import role_label
from bot.people.invites import normalize_code
from handlers import menu
from handlers.wrong_bot import elsewhere_refusal
from storage import audit, invites, members, roster
from storage.db import Row


async def try_join(ctx: Context, code: str) -> bool:
    """Join with `code` if it is a personal code (True: answered); False for any other code,
    which the ordinary invite dialog then takes."""
    row = await roster.personal_invite(ctx.tx, normalize_code(code))
    if row is None:
        return False
    if ctx.member is not None:  # a member already: the code is theirs, or someone else's
        mine = ctx.member.id == int(row["member_id"])
        key = "join.already_member" if mine else "roster.code_not_yours"
        ctx.reply(ctx.t(key, unit=ctx.member.unit_name))
        await menu.show(ctx)
        return True
    refusal = _refusal(ctx, row) or elsewhere_refusal(ctx, str(row["unit_path"]), str(row["code"]))
    if refusal is None and not await invites.consume(ctx.tx, str(row["code"]), ctx.now_iso):
        refusal = ctx.t("roster.code_used")  # another chat took it a moment ago
    if refusal is not None:
        ctx.reset()
        ctx.reply(refusal)
        return True
    await _link(ctx, row)
    return True


def _refusal(ctx: Context, row: Row) -> str | None:
    """Why the code cannot be used now (None: it can)."""
    if row["revoked_at"] is not None:
        return ctx.t("roster.code_revoked")
    if not row["active"]:
        return ctx.t("roster.code_left")
    if int(row["uses_left"]) <= 0:
        return ctx.t("roster.code_used")
    if datetime.fromisoformat(str(row["expires_at"])) <= ctx.now:
        return ctx.t("roster.code_expired", expires=dates.stored_stamp(str(row["expires_at"])))
    return None


async def _link(ctx: Context, row: Row) -> None:
    """Tie this chat to the listed member, keep it in the audit trail, greet them by name."""
    inbound = ctx.inbound
    member_id = int(row["member_id"])
    await members.link_identity(
        ctx.tx, inbound.channel, inbound.user_id, inbound.chat_id, member_id, ctx.now_iso
    )
    await audit.record(
        ctx.tx,
        at=ctx.now_iso,
        actor_id=member_id,
        actor=str(row["full_name"]),
        subject="member",
        subject_id=member_id,
        action="joined",
        unit_id=int(row["unit_id"]),
        detail={"invite": str(row["code"]), "channel": inbound.channel},
    )
    ctx.member = await members.by_identity(ctx.tx, inbound.channel, inbound.user_id)
    assert ctx.member is not None
    ctx.reset()
    welcome = ctx.t(
        "roster.welcome",
        name=ctx.member.full_name,
        unit=ctx.member.unit_name,
        path=ctx.member.unit_path.replace("/", " › "),
        role=role_label(ctx.member.role, ctx.locale),
    )
    await menu.show(ctx, welcome)
