"""Composition root: build every part from a config, start them, stop them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.channels import Channel
from bot.channels.maintenance import prune_inbound
from bot.channels.messengers import (
    Messenger,
    NotReachable,
    TelegramMessenger,
    ZaloMessenger,
    first_contact,
    keep_trying,
)
from bot.cluster.presence import Presence, Shared, living
from bot.core.bots import bot_channel, messenger_of
from bot.core.clock import Clock, SystemClock
from bot.core.config import Config
from bot.core.engine import Engine, Services
from bot.core.i18n import DEFAULT_LOCALE, Texts
from bot.outbox.quiet import in_quiet_hours
from bot.outbox.sender import OutboxSender, SendPolicy
from bot.reports.forms import load_forms
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Every, Planning, Scheduler
from bot.tally.deferred import render_deferred
from bot.tally.snapshots import refill_snapshots
from bot.web.server import WebServer
from handlers.commands import telegram_list
from handlers.router import route
from storage.stores import open_store

log = logging.getLogger(__name__)


async def build_services(
    config: Config, clock: Clock | None = None, db_path: str | None = None
) -> Services:
    """Open the database and load forms and texts; fails fast on a bad forms file."""
    forms = load_forms(config.reports.forms_file or None)
    db = await open_store(db_path or config.database.location, read_url=config.database.read_url)
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
    rate, per_chat = pace.get(messenger_of(channel), (None, None))
    listed = [*config.telegram.bots, *config.zalo.bots]
    for bot in listed:
        if channel == bot_channel(messenger_of(channel), bot.name) and bot.send_rate:
            rate = bot.send_rate  # one pace per bot token
    retry = config.outbox
    return SendPolicy(
        rate=rate,
        per_chat=per_chat,
        max_in_flight=retry.max_in_flight,
        max_attempts=retry.max_attempts,
        backoff_seconds=retry.backoff_seconds,
        backoff_max_seconds=retry.backoff_max_seconds,
    )


def background_jobs(services: Services) -> list[Every]:
    """Jobs that run at intervals beside the cron slots: announcement progress, pruning the
    inbound journal and update ids (else a bot running for months grows them forever), and
    the communes' kept months, closed or up to the running month's last closed day (a
    country's tally adds them up), also a minute after each day's report deadline, when the
    running month's lines fall due."""
    from bot.people.announcements import report_progress

    async def progress() -> None:
        """Tell announcers how far delivery has got (their progress message is edited)."""
        if await report_progress(services):
            services.outbox_wakeup()

    async def prune() -> None:
        """Keep the journal and the remembered update ids to their configured days."""
        await prune_inbound(services)

    async def snapshots() -> None:
        """Compute the communes' kept months a change made the triggers forget, or a day's
        deadline made due."""
        await refill_snapshots(services)

    config = services.config
    jobs = [
        Every("announce-progress", config.announcements.progress_seconds, progress),
        Every("inbound-prune", config.inbound.prune_every_minutes * 60.0, prune),
    ]
    if config.tally.snapshot_months:
        every = config.tally.snapshot_every_minutes * 60.0
        after = datetime.combine(date.min, config.reports.deadline) + timedelta(minutes=1)
        jobs.append(Every("tally-snapshots", every, snapshots, daily=after.time()))
    if config.web.enabled:
        from bot.web.prune import prune_files

        async def prune_web() -> None:
            """Delete the files of expired web links."""
            await prune_files(services)

        jobs.append(Every("web-prune", config.inbound.prune_every_minutes * 60.0, prune_web))
    return jobs


class Runtime:
    """The engine plus one outbox sender per channel, woken whenever a handler queues."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = Engine(services, route)
        self.senders: list[OutboxSender] = []
        self.presence: Presence | None = None
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
        """Start draining the outbox of every channel in the background."""
        for sender in self.senders:
            self._tasks.append(asyncio.create_task(sender.run()))

    def start_sender(self, channel: str) -> None:
        """Start draining one channel's outbox, once its messenger has been reached."""
        for sender in self.senders:
            if sender.channel.name == channel:
                self._tasks.append(asyncio.create_task(sender.run()))

    async def join(self, *, beating: bool = True) -> Presence:
        """Take part among the processes sharing the database (after every channel is
        registered, before any journal is replayed): a heartbeat, rows claimed in this
        process's name, and each bot's rate shared (its sender's and Telegram's pace)."""
        services = self.services
        presence = Presence(services)
        presence.senders = list(self.senders)
        for sender in self.senders:
            sender.owner = presence.process_id
            sender.alive = lambda: living(services)
            pace: Shared | None = getattr(sender.channel, "pace", None)
            if pace is not None:
                presence.paces[sender.channel.name] = pace
        await presence.start(beating=beating)
        self.presence = presence
        return presence

    async def stop(self) -> None:
        """Stop senders, leave the processes' table, close the database."""
        for sender in self.senders:
            sender.stop()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 10)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if self.presence is not None:
            await self.presence.stop()
        await self.services.db.close()


def _messengers(
    config: Config, runtime: Runtime, web_server: WebServer | None = None
) -> list[Messenger]:
    """Register a channel for each messenger with a token, before any journal is replayed."""
    from bot.channels.hooks import Hooks
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo import ZaloChannel

    messengers: list[Messenger] = []
    hooks = Hooks("telegram", config.telegram, web_server)  # one listener for every bot
    zalo_hooks = Hooks("zalo", config.zalo, web_server)
    if config.telegram_token:
        # Vietnamese for everyone; an English list (commands_by_language={"en": ...}) would be
        # a second setMyCommands call per start, which tests/e2e/test_startup.py rules out.
        commands = telegram_list(runtime.services.texts, DEFAULT_LOCALE)
        telegram = TelegramChannel(config, runtime.engine, commands=commands)
        runtime.add_channel(telegram)
        messengers.append(TelegramMessenger(config, telegram, hooks=hooks))
    for bot in config.telegram.bots:
        assert bot.token is not None  # load_config refuses a listed bot without one
        listed = TelegramChannel(
            config,
            runtime.engine,
            commands=telegram_list(runtime.services.texts, DEFAULT_LOCALE),
            name=bot_channel("telegram", bot.name),
            token=bot.token.get_secret_value(),
        )
        runtime.add_channel(listed)
        messengers.append(TelegramMessenger(config, listed, bot.token_env, hooks))
    if config.zalo_token:
        zalo = ZaloChannel(config, runtime.engine)
        runtime.add_channel(zalo)
        messengers.append(ZaloMessenger(config, zalo, zalo_hooks))
    for entry in config.zalo.bots:
        assert entry.token is not None  # load_config refuses a listed bot without one
        name, token = bot_channel("zalo", entry.name), entry.token.get_secret_value()
        listed_zalo = ZaloChannel(config, runtime.engine, name=name, token=token)
        runtime.add_channel(listed_zalo)
        messengers.append(ZaloMessenger(config, listed_zalo, zalo_hooks, entry.token_env))
    return messengers


async def serve(config: Config, stop: asyncio.Event) -> int:
    """Serve every configured messenger (Telegram, Zalo or both) until `stop` is set;
    returns the exit status (1 when no messenger could be served at all).

    One database, one engine and one outbox sender per messenger: a member linked on both
    gets alerts on the one they prefer, and a reply always goes back where they wrote.
    Every channel is registered before any journal is replayed, so alerts raised by a
    replayed update already know every messenger this process serves. A messenger that
    cannot be reached at start is retried in the background while the other one serves
    (bot/channels/messengers.py); its sender starts once it is reached, so nothing queued for it is
    spent on failed attempts meanwhile.
    """
    services = await build_services(config)
    runtime = Runtime(services)
    web_server = _web_server(services)
    messengers = _messengers(config, runtime, web_server)
    presence = await runtime.join()
    await prune_inbound(services)  # before the replays, which then read only what is kept
    receivers: list[asyncio.Task[None]] = []
    background: list[asyncio.Task[None]] = []

    async def started(messenger: Messenger) -> None:
        """Serve a messenger that answered: receive, and drain its outbox."""
        task = await messenger.start(stop)
        if task is not None:
            receivers.append(task)
        runtime.start_sender(messenger.name)
        presence.replayers[messenger.name] = messenger.replay

    try:
        if web_server is not None:
            await web_server.start()
        problems = [await first_contact(m) for m in messengers]
        if all(problem is not None for problem in problems):
            if len(messengers) > 1:
                log.error("no messenger could be served; stopping")
            return 1
        for messenger, problem in zip(messengers, problems, strict=True):
            if problem is None:
                await started(messenger)
            elif isinstance(problem, NotReachable):
                retry = keep_trying(
                    messenger,
                    stop,
                    started,
                    first_delay=config.bot.reconnect_first_seconds,
                    max_delay=config.bot.reconnect_max_seconds,
                )
                background.append(asyncio.create_task(retry))
        scheduler = Scheduler(
            Planning(services, jobs_from(config, services.clock.tz)),
            extra=background_jobs(services),
        )
        await scheduler.start()
        try:
            log.info(
                "serving",
                extra={
                    "channels": sorted(services.served_channels),
                    "database": Path(config.database.path).name,
                },
            )
            await _until_stopped(stop, receivers)
        finally:
            scheduler.stop()
    finally:
        stop.set()
        for task in background:
            task.cancel()
        for task in (*background, *receivers):
            with contextlib.suppress(asyncio.CancelledError):
                await task  # a crashed receiver raises here, after the others were told
        await _close(messengers, web_server, runtime)
    return 0


async def _close(
    messengers: list[Messenger], web_server: WebServer | None, runtime: Runtime
) -> None:
    """Close the messengers, stop the web server, then the senders and the database."""
    for messenger in messengers:
        with contextlib.suppress(Exception):
            await messenger.close()
    if web_server is not None:
        await web_server.stop()
    await runtime.stop()


def _web_server(services: Services) -> WebServer | None:
    """The bot's HTTP server when `[web] public_url` is set (Zalo's webhook then comes in
    through it too), else None: Zalo in webhook mode listens on its own."""
    web = services.config.web
    if not web.enabled:
        return None
    return WebServer(services, web.host, web.port)


async def _until_stopped(stop: asyncio.Event, receivers: list[asyncio.Task[None]]) -> None:
    """Wait for `stop`, or for a receiver task to end (it crashed); receivers started later
    by a messenger reached at last are watched too."""
    waiter = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            await asyncio.wait(
                {waiter, *receivers}, return_when=asyncio.FIRST_COMPLETED, timeout=1.0
            )
            if any(task.done() for task in receivers):
                break
    finally:
        waiter.cancel()
    log.info("stopping")
