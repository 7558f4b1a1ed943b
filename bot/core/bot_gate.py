"""Who may write to which bot, when several bots of one messenger share the database.

A member writes to the bot of their subtree; one who writes to another bot is told which
bot to use and nothing else happens. A supervisor whose unit holds that bot's whole subtree
is linked on it at their first message (a Telegram user id is the same on every bot), so
what the bot starts for them then goes to the bot they used last.
"""

from __future__ import annotations

from bot.core.bots import Router, messenger_of
from bot.core.i18n import Texts
from bot.core.model import Inbound, Outbound
from storage import members
from storage.db import Tx
from storage.members import Member


def wrong_bot(texts: Texts, locale: str, router: Router, channel: str, unit_path: str) -> str:
    """What a member hears on a bot that does not serve their unit: the bot that does."""
    serving = router.serving(messenger_of(channel), unit_path)
    if serving is None:  # pragma: no cover - may_use lets such a unit use any bot
        return texts.t(locale, "bots.no_bot")
    area = serving.subtree.rsplit("/", 1)[-1] if serving.subtree else ""
    return texts.t(locale, "bots.wrong_bot", bot=serving.shown, area=area or serving.shown)


async def admit(
    tx: Tx, texts: Texts, router: Router, inbound: Inbound, member: Member | None, now_iso: str
) -> tuple[Member | None, Outbound | None]:
    """The member behind an update once the bot is checked, or the refusal to send back.

    With one bot per messenger nothing changes. A user not linked on this bot but known on
    another one is linked here when this bot may serve them (a supervisor above several
    provinces), else refused; so is a member linked here whose unit moved to another bot.
    """
    channel = inbound.channel
    messenger = messenger_of(channel)
    if router.route(channel) is None or not router.several(messenger):
        return member, None
    if member is None:
        others = [c for c in router.channels_of(messenger) if c != channel]
        known = await members.on_other_bot(tx, others, inbound.user_id)
        if known is None:
            return None, None  # a stranger: joining checks the invite's unit
        if not router.may_use(channel, known.unit_path):
            text = wrong_bot(texts, known.locale, router, channel, known.unit_path)
            return known, Outbound(text)
        await members.link_identity(
            tx, channel, inbound.user_id, inbound.chat_id, known.id, now_iso
        )
        return known, None
    if router.may_use(channel, member.unit_path):
        return member, None
    return member, Outbound(wrong_bot(texts, member.locale, router, channel, member.unit_path))


def code_elsewhere(
    texts: Texts, locale: str, router: Router, channel: str, unit_path: str, code: str
) -> str | None:
    """The refusal of an invite, personal or link code sent to a bot that does not serve
    its unit (None: this bot does), naming the bot to send it to instead."""
    if router.may_use(channel, unit_path):
        return None
    serving = router.serving(messenger_of(channel), unit_path)
    if serving is None:  # pragma: no cover - may_use lets such a unit use any bot
        return texts.t(locale, "bots.no_bot")
    area = serving.subtree.rsplit("/", 1)[-1] if serving.subtree else serving.shown
    return texts.t(locale, "bots.wrong_bot_invite", bot=serving.shown, area=area, code=code)
