"""What the aiohttp application holds, named once for every route module."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.core.engine import Services
from bot.web.security import Attempts

SERVICES = web.AppKey("services", Services)
ATTEMPTS = web.AppKey("attempts", Attempts)
# {"handler": the Zalo webhook's handler, "telegram": Telegram's, once each is attached}
HOOK = web.AppKey("zalo_hook", dict)
PHOTOS = web.AppKey("telegram_photos", dict)  # {"fetch": Telegram getFile, when a token is set}


def services_of(request: web.Request) -> Services:
    """The bot's services, for a route."""
    return request.app[SERVICES]


def client_address(request: web.Request) -> str:
    """The address attempts are counted against (the peer; a reverse proxy's X-Forwarded-For
    is not trusted, so one proxy address shares one count)."""
    peer: Any = request.remote
    return str(peer or "?")
