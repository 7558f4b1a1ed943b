"""/ngonngu (/language): a member chooses Vietnamese or English."""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.model import Choice
from handlers import menu
from handlers.commands import handles
from storage import members

PREFIX = "lang:"
LANGUAGES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


@handles("ngonngu")
async def ask(ctx: Context) -> None:
    """Offer the languages, each named in itself so anyone can find their own."""
    ctx.reply(
        ctx.t("language.ask"),
        [[Choice(label, PREFIX + code)] for code, label in LANGUAGES.items()],
    )


async def choose(ctx: Context) -> None:
    """Store the chosen language and answer in it at once."""
    assert ctx.member is not None
    code = (ctx.value or "")[len(PREFIX) :]
    if code not in LANGUAGES:
        await ask(ctx)
        return
    await members.set_locale(ctx.tx, ctx.member.id, code)
    ctx.member = await members.by_identity(ctx.tx, ctx.inbound.channel, ctx.inbound.user_id)
    await menu.show(ctx, ctx.t("language.done"))
