"""Composition root: build every part from a config, start them, stop them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.channels import Channel
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.deferred import render_deferred
from bot.engine import Engine, Services
from bot.forms import load_forms
from bot.i18n import Texts
from bot.maintenance import prune_inbound
from bot.outbox import OutboxSender, SendPolicy
from bot.planners import jobs_from
from bot.quiet import in_quiet_hours
from bot.scheduler import Planning, Scheduler
from handlers.router import route
from storage.db import Database

if TYPE_CHECKING:  # the messenger libraries load only when a token asks for them
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo import ZaloChannel

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


def send_policy(config: Config, channel: str) -> SendPolicy:
    """The pace and retry rules of one messenger's sender, from its config section."""
    pace: dict[str, tuple[float, float]] = {
        "telegram": (config.telegram.send_rate, config.telegram.send_rate_per_chat),
        "zalo": (config.zalo.send_rate, config.zalo.send_rate_per_chat),
    }
    rate, per_chat = pace.get(channel, (None, None))
    retry = config.outbox
    return SendPolicy(
        rate=rate,
        per_chat=per_chat,
        max_in_flight=retry.max_in_flight,
        max_attempts=retry.max_attempts,
        backoff_seconds=retry.backoff_seconds,
        backoff_max_seconds=retry.backoff_max_seconds,
    )


def background_jobs(services: Services) -> list[tuple[str, float, Callable[[], Awaitable[Any]]]]:
    """Jobs that run at intervals beside the cron slots: announcement progress, and pruning
    the inbound journal and update ids (else a bot running for months grows them forever)."""
    from bot.announcements import report_progress

    async def progress() -> None:
        """Tell announcers how far delivery has got (their progress message is edited)."""
        if await report_progress(services):
            services.outbox_wakeup()

    async def prune() -> None:
        """Keep the journal and the remembered update ids to their configured days."""
        await prune_inbound(services)

    config = services.config
    return [
        ("announce-progress", config.announcements.progress_seconds, progress),
        ("inbound-prune", config.inbound.prune_every_minutes * 60.0, prune),
    ]


class Runtime:
    """The engine plus one outbox sender per channel, woken whenever a handler queues."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = Engine(services, route)
        self.senders: list[OutboxSender] = []
        self._tasks: list[asyncio.Task[None]] = []
        services.outbox_wakeup = self._wake_all
        services.flood_pause = self._pause

    def _wake_all(self) -> None:
        for sender in self.senders:
            sender.wake()

    def _pause(self, channel: str, seconds: float) -> None:
        for sender in self.senders:
            if sender.channel.name == channel:
                sender.limiter.pause(seconds)

    def add_channel(self, channel: Channel, policy: SendPolicy | None = None) -> OutboxSender:
        """Register a channel so messages queued for it are delivered, at the pace its
        config section sets (the terminal has no limit); `policy` overrides it (tests)."""
        services = self.services
        services.served_channels.add(channel.name)
        if channel.numbered:
            services.numbered_channels.add(channel.name)
        else:
            services.numbered_channels.discard(channel.name)
        if channel.files:
            services.fileless_channels.discard(channel.name)
        else:
            services.fileless_channels.add(channel.name)
        if channel.locations:
            services.pinless_channels.discard(channel.name)
        else:
            services.pinless_channels.add(channel.name)
        config = services.config
        reminders = config.reminders
        sender = OutboxSender(
            services.db,
            services.clock,
            channel,
            policy=policy or send_policy(config, channel.name),
            quiet=lambda moment: in_quiet_hours(moment, reminders.quiet_start, reminders.quiet_end),
            renderer=lambda payload: render_deferred(services, payload),
        )
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


async def serve(config: Config, stop: asyncio.Event) -> None:
    """Serve every configured messenger (Telegram, Zalo or both) until `stop` is set.

    One database, one engine and one outbox sender per messenger: a member linked on both
    gets alerts on the one they prefer, and a reply always goes back where they wrote.
    Every channel is registered before any journal is replayed, so alerts raised by a
    replayed update already know every messenger this process serves.
    """
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo import ZaloChannel

    services = await build_services(config)
    runtime = Runtime(services)
    telegram = TelegramChannel(config, runtime.engine) if config.telegram_token else None
    zalo = ZaloChannel(config, runtime.engine) if config.zalo_token else None
    for channel in (telegram, zalo):
        if channel is not None:
            runtime.add_channel(channel)
    await prune_inbound(services)  # before the replays, which then read only what is kept
    try:
        async with contextlib.AsyncExitStack() as stack:
            tasks: list[asyncio.Task[None]] = []
            if telegram is not None:
                await stack.enter_async_context(_telegram(config, telegram))
            if zalo is not None:
                stack.push_async_callback(zalo.api.aclose)
                tasks.append(await _zalo(config, zalo, stop))
            runtime.start_senders()
            scheduler = Scheduler(
                Planning(services, jobs_from(config, services.clock.tz)),
                extra=background_jobs(services),
            )
            await scheduler.start()
            stack.callback(scheduler.stop)
            log.info(
                "serving",
                extra={
                    "channels": sorted(services.served_channels),
                    "database": Path(config.database.path).name,
                },
            )
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({waiter, *tasks}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            log.info("stopping")
            stop.set()
            for task in tasks:
                await task  # a crashed receiver raises here, after the others were told to stop
    finally:
        await runtime.stop()


@contextlib.asynccontextmanager
async def _telegram(config: Config, channel: TelegramChannel) -> AsyncIterator[None]:
    application = channel.application
    async with application:
        await channel.replay_journal()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=config.telegram.poll_interval, drop_pending_updates=False
        )
        log.info("telegram polling started")
        try:
            yield
        finally:
            await application.updater.stop()
            await channel.settle(timeout=30)
            await application.stop()


async def _zalo(config: Config, channel: ZaloChannel, stop: asyncio.Event) -> asyncio.Task[None]:
    from bot.channels.zalo import ZaloError
    from bot.channels.zalo.webhook import serve_webhook

    await channel.replay_journal()
    if config.zalo.mode == "webhook":
        log.info("zalo webhook mode")
        return asyncio.create_task(serve_webhook(channel, stop))
    try:
        await channel.api.delete_webhook()  # Zalo refuses getUpdates while a webhook is set
    except ZaloError as err:  # polling reports lasting trouble itself
        log.warning("zalo deleteWebhook failed", extra={"error": type(err).__name__})
    log.info("zalo polling started")
    return asyncio.create_task(channel.poll(stop))
