"""The Zalo webhook: checks the secret, journals, answers 200 at once.

Zalo posts each update to the URL given to setWebhook with the secret in the
`X-Bot-Api-Secret-Token` header. A request without the right secret gets 403 and is never
read further. A genuine update is written to the inbound journal before the 200 goes back,
then processed by one worker in arrival order, so a slow reply never delays Zalo and a crash
after answering loses nothing (start-up replays the journal). Each bot listed in
`[[zalo.bots]]` has its own path, `<webhook_path>/<name>`, on one listener
(`bot/channels/hooks.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from bot.channels.hooks import Hooks, hook_address
from bot.channels.zalo.api import ZaloError
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.mapping import SECRET_HEADER, ZaloUpdate
from bot.web.tokens import secret_matches

log = logging.getLogger(__name__)


class ZaloWebhook:
    """Takes one bot's posts (`bot/channels/hooks.py` routes them here) and feeds its single
    processing worker."""

    def __init__(self, channel: ZaloChannel, secret: str) -> None:
        self.channel = channel
        self._secret = secret
        self._queue: asyncio.Queue[ZaloUpdate | None] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the worker that handles what the posts bring, in arrival order."""
        self._worker = asyncio.create_task(self._work())

    async def stop(self) -> None:
        """Finish what was accepted (journaled anyway), then stop the worker."""
        if self._worker is not None:
            self._queue.put_nowait(None)
            try:
                await asyncio.wait_for(self._worker, 10)
            except (TimeoutError, asyncio.CancelledError):
                self._worker.cancel()
            self._worker = None

    async def handle(self, request: web.Request) -> web.Response:
        """One post from Zalo: check, journal, answer; the worker handles it afterwards."""
        if not secret_matches(self._secret, request.headers.get(SECRET_HEADER)):
            log.warning("zalo webhook refused: bad secret", extra={"channel": self.channel.name})
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
                log.exception("zalo update failed", extra={"channel": self.channel.name})


async def serve_webhook(channel: ZaloChannel, stop: asyncio.Event, hooks: Hooks) -> None:
    """Take this bot's posts at its own path, register its webhook with Zalo, serve until
    `stop`, then shut down cleanly."""
    config = channel.config.zalo
    secret = config.webhook_secret.get_secret_value() if config.webhook_secret else ""
    url, path = hook_address(config, channel.name)
    hook = ZaloWebhook(channel, secret)
    hook.start()
    await hooks.attach(path, hook.handle)
    try:
        try:
            await channel.api.set_webhook(url, secret)
        except ZaloError as err:  # maybe set already; updates may still come: keep serving
            log.error("zalo setWebhook failed", extra={"error": str(err)})
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await hooks.detach(path)
        with contextlib.suppress(Exception):
            await hook.stop()
