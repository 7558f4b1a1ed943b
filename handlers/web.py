"""/web: a one-time link that signs an officer, a supervisor or an admin in to the pages.

The link is spent by the first sign-in and lasts `[web] signin_minutes` (10 by default); the
session it opens lasts `[web] session_hours`. Without `[web] public_url` the bot has no pages
and says what the administrator sets to turn them on.
"""

from __future__ import annotations

from bot.core.engine import Context
from bot.core.roles import OVERSIGHT_ROLES
from bot.web import links
from handlers.commands import handles


@handles("web")
async def web_command(ctx: Context) -> None:
    """Send the sign-in link to whoever may see the pages; tell everyone else why not."""
    assert ctx.member is not None
    config = ctx.services.config
    if ctx.member.role not in OVERSIGHT_ROLES:
        ctx.reply(ctx.t("web.not_for_role"))
        return
    if not config.web.enabled:
        ctx.reply(ctx.t("web.off"))
        return
    made = await links.signin(ctx.tx, config, ctx.member.id, ctx.now)
    expires = made.expires.astimezone(ctx.services.clock.tz).strftime("%H:%M")
    ctx.reply(ctx.t("web.link", url=made.url, minutes=config.web.signin_minutes, expires=expires))
