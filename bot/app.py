"""Composition root: build every part from a config, start them, stop them."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.channels import Channel
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.engine import Engine, Services
from bot.forms import load_forms
from bot.i18n import Texts
from bot.outbox import OutboxSender
from handlers.router import route
from storage.db import Database

log = logging.getLogger(__name__)


async def build_services(
    config: Config, clock: Clock | None = None, db_path: str | None = None
) -> Services:
    """Open the database and load forms and texts; fails fast on a bad forms file."""
    forms = load_forms(config.reports.forms_file or None)
    db = await Database(db_path or config.database.path).open()
    return Services(
        config=config,
        forms=forms,
        texts=Texts.load(),
        clock=clock or SystemClock(config.bot.timezone),
        db=db,
    )


class Runtime:
    """The engine plus one outbox sender per channel, woken whenever a handler queues."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = Engine(services, route)
        self.senders: list[OutboxSender] = []
        self._tasks: list[asyncio.Task[None]] = []
        services.outbox_wakeup = self._wake_all

    def _wake_all(self) -> None:
        for sender in self.senders:
            sender.wake()

    def add_channel(self, channel: Channel, **sender_options: float) -> OutboxSender:
        """Register a channel so messages queued for it are delivered."""
        if channel.numbered:
            self.services.numbered_channels.add(channel.name)
        else:
            self.services.numbered_channels.discard(channel.name)
        sender = OutboxSender(self.services.db, self.services.clock, channel, **sender_options)  # type: ignore[arg-type]
        self.senders.append(sender)
        return sender

    def start_senders(self) -> None:
        """Start draining the outbox in the background."""
        for sender in self.senders:
            self._tasks.append(asyncio.create_task(sender.run()))

    async def stop(self) -> None:
        """Stop senders and close the database."""
        for sender in self.senders:
            sender.stop()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 10)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        await self.services.db.close()


async def run_telegram(config: Config, stop: asyncio.Event) -> None:
    """Serve Telegram by long polling until `stop` is set (SIGTERM / Ctrl-C)."""
    from bot.channels.telegram import TelegramChannel

    services = await build_services(config)
    runtime = Runtime(services)
    channel = TelegramChannel(config, runtime.engine)
    runtime.add_channel(channel)
    application = channel.application
    async with application:
        await channel.replay_journal()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=config.telegram.poll_interval, drop_pending_updates=False
        )
        runtime.start_senders()
        log.info("telegram polling started", extra={"database": Path(config.database.path).name})
        await stop.wait()
        log.info("stopping")
        await application.updater.stop()
        await application.stop()
    await runtime.stop()
