"""One member, several messengers: /lienket codes and /kenhnhan (where alerts go).

A registered member asks for a one-time code on the messenger they joined on and sends it on
the other one; the new account is tied to the same member. Nothing is ever linked by a typed
phone number or name: only by a short-lived code shown inside an account that is already
linked. The old account is told about the new link, so a stolen code does not go unnoticed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core import dates
from bot.core.bots import messenger_of
from bot.core.clock import iso
from bot.core.engine import Context
from bot.core.model import Choice, Outbound
from bot.people.invites import generate_code, normalize_code
from handlers import menu
from handlers.commands import HOME, handles
from handlers.wrong_bot import elsewhere_refusal
from storage import invites, links, members, outbox

PREF_PREFIX = "pref:"
AUTO = "auto"
MESSENGERS = {"telegram": "Telegram", "zalo": "Zalo", "console": "Terminal"}
_MAX_ATTEMPTS = 20


def messenger_name(channel: str) -> str:
    """The messenger as people call it (product names are not translated)."""
    return MESSENGERS.get(messenger_of(channel), channel)


@handles("lienket")
async def on_link(ctx: Context) -> None:
    """/lienket: with a code, link this account; without, hand a member a fresh code."""
    code = ctx.inbound.args
    if code:
        await redeem(ctx, code)
        return
    if ctx.member is None:
        ctx.reply(ctx.t("link.how_to"))
        return
    await _issue(ctx)


async def is_link_code(ctx: Context, code: str) -> bool:
    """Whether `/start CODE` carries a link code rather than an invite code."""
    key = normalize_code(code)
    return bool(key) and await links.get(ctx.tx, key) is not None


async def _issue(ctx: Context) -> None:
    assert ctx.member is not None
    for _ in range(_MAX_ATTEMPTS):
        code = generate_code()
        if await links.get(ctx.tx, code) is None and await invites.get(ctx.tx, code) is None:
            break
    else:  # pragma: no cover - 32^8 codes make this practically impossible
        ctx.reply(ctx.t("error.internal"))
        return
    minutes = ctx.services.config.invites.link_minutes
    expires = ctx.now.replace(microsecond=0) + timedelta(minutes=minutes)
    inbound = ctx.inbound
    await links.create(
        ctx.tx,
        code,
        ctx.member.id,
        inbound.channel,
        inbound.chat_id,
        iso(expires),
        ctx.now_iso,
    )
    ctx.reply(ctx.t("link.code", code=code, time=dates.stamp(expires)))


async def redeem(ctx: Context, raw: str) -> None:
    """Tie this messenger account to the member who asked for the code, at most once."""
    key = normalize_code(raw)
    row = await links.get(ctx.tx, key) if key else None
    if row is None:
        ctx.reply(ctx.t("link.unknown"))
        return
    inbound = ctx.inbound
    here = messenger_name(inbound.channel)
    expired = datetime.fromisoformat(str(row["expires_at"])) <= ctx.now
    if row["used_at"] is not None or expired:
        ctx.reply(ctx.t("link.expired"))
        return
    member_id = int(row["member_id"])
    if str(row["channel"]) == inbound.channel:
        ctx.reply(ctx.t("link.same_messenger"))
        return
    if ctx.member is not None:
        same = ctx.member.id == member_id
        ctx.reply(ctx.t("link.already_linked" if same else "link.other_member", messenger=here))
        return
    target = await members.get(ctx.tx, member_id)
    if target is not None and (refused := elsewhere_refusal(ctx, target.unit_path, key)):
        ctx.reply(refused)
        return
    if target is None or not target.active or not await links.redeem(ctx.tx, key, ctx.now_iso):
        ctx.reply(ctx.t("link.expired"))
        return
    await members.link_identity(
        ctx.tx, inbound.channel, inbound.user_id, inbound.chat_id, member_id, ctx.now_iso
    )
    await members.touch(ctx.tx, inbound.channel, inbound.user_id, ctx.now_iso)
    ctx.member = await members.by_identity(ctx.tx, inbound.channel, inbound.user_id)
    assert ctx.member is not None
    ctx.reset()
    await _tell_old_account(ctx, row["channel"], row["chat_id"], key)
    done = ctx.t("link.done", messenger=here, name=ctx.member.full_name, unit=ctx.member.unit_name)
    await menu.show(ctx, done)


async def _tell_old_account(ctx: Context, channel: object, chat_id: object, code: str) -> None:
    assert ctx.member is not None
    text = ctx.t(
        "link.notice",
        messenger=messenger_name(ctx.inbound.channel),
        time=dates.stamp(ctx.now),
    )
    await outbox.enqueue(
        ctx.tx,
        dedupe_key=f"link-notice:{code}",
        channel=str(channel),
        chat_id=str(chat_id),
        member_id=ctx.member.id,
        payload=Outbound(text).to_payload(),
        not_before_iso=ctx.now_iso,
        now_iso=ctx.now_iso,
        urgent=True,  # a security notice about their account: sent at once
    )
    ctx.queued = True


@handles("kenhnhan")
async def ask_preference(ctx: Context) -> None:
    """/kenhnhan: show where alerts go now and offer every linked messenger."""
    assert ctx.member is not None
    member_id = ctx.member.id
    channels = await _linked_channels(ctx, member_id)
    if len(channels) < 2:
        ctx.reply(ctx.t("deliver.only_one", messenger=messenger_name(ctx.inbound.channel)))
        return
    chosen = await members.preferred_channel(ctx.tx, member_id)
    contact = await members.contact(ctx.tx, member_id, ctx.served)
    now = messenger_name(str(contact["channel"])) if contact else "?"
    current = now if chosen else ctx.t("deliver.auto_now", messenger=now)
    auto = ctx.t("deliver.auto") + (" ✔" if chosen is None else "")
    rows = [[Choice(auto, PREF_PREFIX + AUTO)]]
    for channel in channels:
        mark = " ✔" if channel == chosen else ""
        rows.append([Choice(messenger_name(channel) + mark, PREF_PREFIX + channel)])
    rows.append([Choice(ctx.t("menu.back_to_menu"), HOME)])
    ctx.reply(ctx.t("deliver.ask", current=current), rows)


async def choose_preference(ctx: Context) -> None:
    """A pressed (or typed) messenger becomes where alerts and reminders go."""
    assert ctx.member is not None
    member_id = ctx.member.id
    picked = (ctx.value or "")[len(PREF_PREFIX) :]
    if picked == AUTO:
        await members.set_preferred_channel(ctx.tx, member_id, None)
        await menu.show(ctx, ctx.t("deliver.set_auto"))
        return
    if picked not in await _linked_channels(ctx, member_id):
        await ask_preference(ctx)
        return
    await members.set_preferred_channel(ctx.tx, member_id, picked)
    await menu.show(ctx, ctx.t("deliver.set", messenger=messenger_name(picked)))


async def _linked_channels(ctx: Context, member_id: int) -> list[str]:
    seen: list[str] = []
    for row in await members.identities_of(ctx.tx, member_id):
        channel = str(row["channel"])
        if channel not in seen:
            seen.append(channel)
    return seen
