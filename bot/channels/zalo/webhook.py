"""The Zalo webhook: an aiohttp server that checks the secret, journals, answers 200 at once.

Zalo posts each update to the URL given to setWebhook with the secret in the
`X-Bot-Api-Secret-Token` header. A request without the right secret gets 403 and is never
read further. A genuine update is written to the inbound journal before the 200 goes back,
then processed by one worker in arrival order, so a slow reply never delays Zalo and a crash
after answering loses nothing (start-up replays the journal).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.channels.zalo.api import ZaloError
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.mapping import NAME, SECRET_HEADER, ZaloUpdate
from bot.web.listen import listen
from bot.web.tokens import secret_matches

if TYPE_CHECKING:
    from bot.web.server import WebServer

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an update is a few hundred bytes; refuse anything absurd


class ZaloWebhook:
    """Serves the webhook path on host:port and feeds a single processing worker."""

    def __init__(
        self,
        channel: ZaloChannel,
        secret: str,
        host: str,
        port: int,
        path: str,
        web_server: WebServer | None = None,
    ) -> None:
        self.channel = channel
        self.web_server = web_server  # when set, its server takes the posts: no listener here
        self._secret = secret
        self.host = host
        self.port = port
        self.path = path
        self._queue: asyncio.Queue[ZaloUpdate | None] = asyncio.Queue()
        self._runner: web.AppRunner | None = None
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen (or take the posts through the bot's web server), and start the worker;
        `port` is updated when 0 asked for a free one."""
        if self.web_server is not None:
            self.web_server.attach_zalo(self._handle)
            self.port = self.web_server.port
            self._worker = asyncio.create_task(self._work())
            log.info("zalo webhook served by the web server", extra={"port": self.port})
            return
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._handle)
        self._runner = web.AppRunner(app, access_log=None)  # access lines would hold the path
        self.port = await listen(self._runner, self.host, self.port)
        self._worker = asyncio.create_task(self._work())
        log.info("zalo webhook listening", extra={"port": self.port})

    async def stop(self) -> None:
        """Stop accepting, finish what was accepted (journaled anyway), stop the worker."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._worker is not None:
            self._queue.put_nowait(None)
            try:
                await asyncio.wait_for(self._worker, 10)
            except (TimeoutError, asyncio.CancelledError):
                self._worker.cancel()
            self._worker = None

    async def _handle(self, request: web.Request) -> web.Response:
        if not secret_matches(self._secret, request.headers.get(SECRET_HEADER)):
            log.warning("zalo webhook refused: bad secret", extra={"channel": NAME})
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            body: Any = await request.json()
        except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
            return web.json_response({"ok": False, "description": "not JSON"}, status=400)
        update = await self.channel.record(body)
        if update is None:
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        self._queue.put_nowait(update)
        return web.json_response({"ok": True})

    async def _work(self) -> None:
        while True:
            update = await self._queue.get()
            if update is None:
                return
            try:
                await self.channel.process(update)
            except Exception:  # one bad update must not stop the webhook
                log.exception("zalo update failed", extra={"channel": NAME})


async def serve_webhook(
    channel: ZaloChannel, stop: asyncio.Event, web_server: WebServer | None = None
) -> None:
    """Register the webhook with Zalo, serve until `stop`, then shut down cleanly (through
    the bot's web server when `[web] public_url` runs one)."""
    config = channel.config.zalo
    secret = config.webhook_secret.get_secret_value() if config.webhook_secret else ""
    hook = ZaloWebhook(
        channel, secret, config.webhook_host, config.webhook_port, config.webhook_path, web_server
    )
    await hook.start()
    try:
        try:
            await channel.api.set_webhook(config.webhook_url, secret)
        except ZaloError as err:  # maybe set already; updates may still come: keep serving
            log.error("zalo setWebhook failed", extra={"error": str(err)})
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await hook.stop()
