"""Telegram's webhook: updates posted to us, so several processes can share them.

Polling suits one process: two polling one bot would take each other's updates. In webhook
mode Telegram posts each update to `[telegram] webhook_url` (a load balancer in front of
the processes) with the secret in `X-Telegram-Bot-Api-Secret-Token`. A post without the
right secret gets 403 before its body is read. A genuine update is written to the inbound
journal in this process's name before the 200 goes back, then handed to python-telegram-bot
(its update queue, chats in parallel, one chat in order). The same update posted again, to
this process or another, finds its id journaled already and is answered 200 and dropped: the
first receiver handles it, or, if it died first, a living process replays it
(bot/cluster/presence.py). Each process registers the webhook at start (the same URL and
secret: harmless) and none removes it at stop, since the others still serve. With several
bots, each has its own path on one listener (`bot/channels/hooks.py`).

A post is answered once its update has been handled (`bot/channels/telegram_handled.py`):
Telegram sends a chat's next update only then, so one chat's updates are handled in order
even when they reach different processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError

from bot.channels.hooks import Hooks, hook_address
from bot.channels.telegram_handled import ANSWER_WITHIN_SECONDS
from bot.channels.telegram_request import drop_pressed_keyboard
from bot.core.clock import iso
from bot.web.tokens import secret_matches
from storage import journal

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Posts Telegram keeps open at once (its most; 40 by default): each waits for its update's
# handling, one per chat, so these are the chats handled at once across the processes.
MAX_CONNECTIONS = 100


class TelegramWebhook:
    """Takes one bot's posts (`bot/channels/telegram_hooks.py` routes them here)."""

    def __init__(self, channel: TelegramChannel, secret: str) -> None:
        self.channel = channel
        self._secret = secret
        self.answer_within = ANSWER_WITHIN_SECONDS

    async def handle(self, request: web.Request) -> web.Response:
        """One post from Telegram: check, journal, answer; the handlers run afterwards."""
        if not secret_matches(self._secret, request.headers.get(SECRET_HEADER)):
            log.warning(
                "telegram webhook refused: bad secret", extra={"channel": self.channel.name}
            )
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            body: Any = await request.json()
        except (ValueError, RecursionError):
            return web.json_response({"ok": False, "description": "not JSON"}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        if await self._record(body):
            drop_pressed_keyboard(body)  # journaled whole; parsed without (telegram_request.py)
            await self._hand_over(Update.de_json(body, self.channel.application.bot))
        return web.json_response({"ok": True})

    async def _hand_over(self, update: Update) -> None:
        """Queue the update and wait until it has been handled, so that Telegram sends this
        chat's next update only then (to whichever process); not while the application is
        stopped (nobody would handle it now: the journal keeps it for the next start)."""
        application = self.channel.application
        handled = self.channel.handled
        done = handled.expect(update.update_id)
        try:
            await application.update_queue.put(update)
            if application.running:
                await asyncio.wait_for(asyncio.shield(done), self.answer_within)
        except TimeoutError:
            log.warning(
                "telegram update still being handled: answered",
                extra={"channel": self.channel.name, "seconds": self.answer_within},
            )
        finally:
            handled.forget(update.update_id)

    async def _record(self, body: dict[str, Any]) -> bool:
        """Journal the update in this process's name; False when it was received before."""
        services = self.channel.engine.services
        key = str(body["update_id"])
        async with services.db.transaction(brief=True) as tx:
            now = iso(services.clock.now())
            new = await journal.record(
                tx, self.channel.name, [(key, body)], now, services.process_id
            )
        if not new:
            log.info(
                "telegram update received again: dropped", extra={"channel": self.channel.name}
            )
        return bool(new)


async def serve_webhook(channel: TelegramChannel, stop: asyncio.Event, hooks: Hooks) -> None:
    """Take this bot's posts at its own path, register its webhook, serve until `stop`."""
    config = channel.config.telegram
    secret = config.webhook_secret.get_secret_value() if config.webhook_secret else ""
    url, path = hook_address(config, channel.name)
    hook = TelegramWebhook(channel, secret)
    await hooks.attach(path, hook.handle)
    try:
        try:
            await channel.application.bot.set_webhook(
                url,
                secret_token=secret,
                drop_pending_updates=False,
                max_connections=MAX_CONNECTIONS,
            )
        except TelegramError as err:  # set already by another process, maybe: keep serving
            log.error("telegram setWebhook failed", extra={"error": type(err).__name__})
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await hooks.detach(path)
