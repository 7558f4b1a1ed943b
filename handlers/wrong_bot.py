"""A code (invite, personal or link code) sent to a bot that does not serve its unit, when
several bots of one messenger share the database: refused before anything is saved."""

from __future__ import annotations

from bot.core.bot_gate import code_elsewhere
from bot.core.bots import Router
from bot.core.engine import Context


def elsewhere_refusal(ctx: Context, unit_path: str, code: str) -> str | None:
    """The refusal naming the bot to send the code to, else None (this bot serves it): the
    join and link dialogs ask before anything is saved."""
    services = ctx.services
    router = Router.of(services.config)
    return code_elsewhere(
        services.texts, ctx.locale, router, ctx.inbound.channel, unit_path, code.upper()
    )
