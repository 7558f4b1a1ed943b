"""Every bot's webhook of one messenger in one process, on one listener (or the web server).

With several bots (`[[telegram.bots]]`, `[[zalo.bots]]`) each has its own address, so that a
post always reaches the channel of the bot it was sent to: the messenger's own bot at
`webhook_url` / `webhook_path`, a listed bot at `<webhook_url>/<name>` /
`<webhook_path>/<name>`. One listener per messenger takes them all (two bots cannot both
listen on `webhook_port`), routing by path; a bot still connecting when a post arrives gets
503, which the messenger retries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from aiohttp import web

from bot.web.listen import listen

if TYPE_CHECKING:
    from bot.web.server import WebServer

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; refuse anything absurd


def bot_suffix(channel_name: str) -> str:
    """'' for a messenger's own bot ("telegram"), '/<name>' for a listed one
    ("telegram:<name>"): what its webhook's URL and path add to the configured ones."""
    _, _, name = channel_name.partition(":")
    return f"/{name}" if name else ""


class WebhookSettings(Protocol):
    """What a messenger's section says of its webhook (`[telegram]`, `[zalo]`)."""

    webhook_url: str
    webhook_host: str
    webhook_port: int
    webhook_path: str


def hook_address(section: WebhookSettings, channel_name: str) -> tuple[str, str]:
    """(URL registered with the messenger, path served here) of one bot's webhook."""
    url, path = section.webhook_url, section.webhook_path
    suffix = bot_suffix(channel_name)
    if not suffix:
        return url, path
    return url.rstrip("/") + suffix, path.rstrip("/") + suffix


def starting() -> web.Response:
    """The answer to a post for a bot not serving yet: the messenger sends it again later."""
    return web.json_response({"ok": False, "description": "starting"}, status=503)


class Hooks:
    """The webhook paths of this process's bots of one messenger, and their one listener."""

    def __init__(
        self, messenger: str, section: WebhookSettings, web_server: WebServer | None = None
    ) -> None:
        self.messenger = messenger  # "telegram" or "zalo"
        self.host = section.webhook_host
        self.port = section.webhook_port
        self.base = section.webhook_path.rstrip("/")
        self.web_server = web_server  # when set, its server takes the posts: no listener here
        self.handlers: dict[str, Handler] = {}
        self._runner: web.AppRunner | None = None

    async def attach(self, path: str, handler: Handler) -> None:
        """Serve `path` with `handler` from now on; the first bot starts the listener (its
        `port` is updated when 0 asked for a free one)."""
        self.handlers[path] = handler
        if self.web_server is not None:
            self.web_server.attach_hook(self.messenger, path, handler)
            self.port = self.web_server.port
            return
        if self._runner is None:
            app = web.Application(client_max_size=MAX_BODY)
            app.router.add_post(self.base or "/", self.dispatch)
            app.router.add_post(f"{self.base}/{{bot}}", self.dispatch)
            self._runner = web.AppRunner(app, access_log=None)  # access lines hold the path
            self.port = await listen(self._runner, self.host, self.port)
            log.info("webhook listening", extra={"channel": self.messenger, "port": self.port})

    async def detach(self, path: str) -> None:
        """Stop serving `path`; the listener stops with the last bot."""
        self.handlers.pop(path, None)
        if self.web_server is not None:
            self.web_server.detach_hook(self.messenger, path)
        if not self.handlers and self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """A post to the handler of the bot whose path it names."""
        handler = self.handlers.get(request.path)
        if handler is None:
            return starting()
        return await handler(request)
