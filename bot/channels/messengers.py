"""Starting each messenger, and starting it again later when it could not be reached.

A Bot API that cannot be reached at start-up (no network, Telegram blocked by the carrier,
a wrong base_url) must neither print tracebacks nor stop a bot that could serve the other
messenger. Each messenger first checks its token (getMe) on its own. One that answers is
served at once. One that cannot be reached is named in one log line, with its URL and what
to check, and tried again with backoff while the other serves. A token or URL the messenger
refuses is reported once and not retried. When no messenger can be served at all, the bot
says so and stops with exit status 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.config import TOKEN_ENV, ZALO_TOKEN_ENV, Config

if TYPE_CHECKING:  # the messenger libraries load only when a token asks for them
    from bot.channels.hooks import Hooks
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo import ZaloChannel

log = logging.getLogger(__name__)


class NotReachable(Exception):
    """No answer (network, timeout, server trouble): worth trying again later."""


class Refused(Exception):
    """The messenger answered no (a rejected token, no Bot API at that URL): retrying the
    same settings cannot help, the operator must change them."""


class Messenger(Protocol):
    """One messenger as start-up sees it."""

    label: str  # as people call it: "Telegram", "Zalo"
    name: str  # the channel name: "telegram", "zalo"
    url: str  # the Bot API root (never with the token)
    check: str  # what to check when it cannot be reached

    async def connect(self) -> None:
        """Check the token with the messenger; NotReachable or Refused when it cannot."""
        ...

    async def start(self, stop: asyncio.Event) -> asyncio.Task[None] | None:
        """Replay what was received before a crash and start receiving; a task to watch
        when receiving runs in one (its end means it crashed)."""
        ...

    async def close(self) -> None:
        """Stop receiving and release the connection (safe when never started)."""
        ...

    async def replay(self, pending: list[dict[str, Any]]) -> int:
        """Handle the updates a dead process received but never handled (adopted)."""
        ...


class TelegramMessenger:
    """Telegram through python-telegram-bot: initialize (getMe), commands, replay, then
    polling or the webhook."""

    def __init__(
        self,
        config: Config,
        channel: TelegramChannel,
        token_env: str = TOKEN_ENV,
        hooks: Hooks | None = None,
    ) -> None:
        self.config = config
        self.channel = channel
        self.name = channel.name  # "telegram", or "telegram:<name>" (one of several bots)
        self.label = "Telegram" if channel.name == "telegram" else f"Telegram ({channel.name})"
        self.token_env = token_env
        self.hooks = hooks  # webhook mode: the listener (or web server) every bot's posts reach
        self.url = config.telegram.base_url
        self.check = (
            f"the network, a firewall or proxy, or set [telegram] base_url to a Bot API "
            f"server this machine can reach (Vietnamese carriers block api.telegram.org); "
            f"the token comes from {token_env}"
        )

    async def connect(self) -> None:
        """python-telegram-bot's initialize, which asks getMe; its errors sorted in two."""
        from telegram.error import EndPointNotFound, InvalidToken, TelegramError

        try:
            await self.channel.application.initialize()
        except InvalidToken:  # its text holds the token: never log it
            raise Refused(f"the token was rejected: check {self.token_env}") from None
        except EndPointNotFound:
            raise Refused(f"no Bot API answers at {self.url}: check [telegram] base_url") from None
        except TelegramError as err:  # NetworkError and TimedOut: the cause says more
            raise NotReachable(type(err.__cause__ or err).__name__) from None

    async def start(self, stop: asyncio.Event) -> asyncio.Task[None] | None:
        """Set the command menu, replay the journal, then poll or serve the webhook."""
        application = self.channel.application
        await self.channel.announce_commands()
        await self.channel.replay_journal()
        await application.start()
        if self.config.telegram.mode == "webhook":
            from bot.channels.hooks import Hooks
            from bot.channels.telegram_webhook import serve_webhook

            log.info("telegram webhook mode", extra={"channel": self.name})
            hooks = self.hooks or Hooks("telegram", self.config.telegram)
            return asyncio.create_task(serve_webhook(self.channel, stop, hooks))
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=self.config.telegram.poll_interval, drop_pending_updates=False
        )
        self._started = True
        log.info("telegram polling started", extra={"channel": self.name})
        return None

    async def close(self) -> None:
        """Stop polling, let files in flight go, stop and shut python-telegram-bot down."""
        application = self.channel.application
        if application.running:
            updater = application.updater
            if updater is not None and updater.running:
                await updater.stop()
            await self.channel.settle(timeout=30)
            await application.stop()
        await application.shutdown()

    async def replay(self, pending: list[dict[str, Any]]) -> int:
        """Handle the updates a dead process received but never handled (adopted)."""
        return await self.channel.replay(pending)


class ZaloMessenger:
    """Zalo through our own client: getMe, replay, then long polling or the webhook."""

    def __init__(
        self,
        config: Config,
        channel: ZaloChannel,
        hooks: Hooks | None = None,
        token_env: str = ZALO_TOKEN_ENV,
    ) -> None:
        self.config = config
        self.channel = channel
        self.name = channel.name  # "zalo", or "zalo:<name>" (one of several bots)
        self.label = "Zalo" if channel.name == "zalo" else f"Zalo ({channel.name})"
        self.token_env = token_env
        self.hooks = hooks  # webhook mode: the listener (or web server) every bot's posts reach
        self.url = config.zalo.base_url
        self.check = (
            f"the network, a firewall or proxy, or [zalo] base_url; "
            f"the token comes from {token_env}"
        )

    async def connect(self) -> None:
        """getMe: a network error or a server error is worth retrying, a refusal is not."""
        from bot.channels.zalo import ZaloApiError, ZaloNetworkError

        try:
            await self.channel.api.get_me()
        except ZaloNetworkError as err:
            raise NotReachable(err.reason) from None
        except ZaloApiError as err:
            if err.error_code in {401, 403}:
                raise Refused(f"the token was rejected: check {self.token_env}") from None
            if err.error_code == 404:
                raise Refused(
                    f"no Zalo Bot API answers at {self.url}: check [zalo] base_url"
                ) from None
            if err.transient:
                raise NotReachable(f"error {err.error_code}") from None
            raise Refused(f"Zalo answered error {err.error_code} to getMe") from None

    async def start(self, stop: asyncio.Event) -> asyncio.Task[None] | None:
        """Replay the journal, then long-poll or serve the webhook in a task."""
        from bot.channels.zalo import ZaloError
        from bot.channels.zalo.webhook import serve_webhook

        channel = self.channel
        await channel.replay_journal()
        if self.config.zalo.mode == "webhook":
            from bot.channels.hooks import Hooks

            log.info("zalo webhook mode", extra={"channel": self.name})
            hooks = self.hooks or Hooks("zalo", self.config.zalo)
            return asyncio.create_task(serve_webhook(channel, stop, hooks))
        try:
            await channel.api.delete_webhook()  # Zalo refuses getUpdates while a webhook is set
        except ZaloError as err:  # polling reports lasting trouble itself
            log.warning("zalo deleteWebhook failed", extra={"error": type(err).__name__})
        log.info("zalo polling started", extra={"channel": self.name})
        return asyncio.create_task(channel.poll(stop))

    async def close(self) -> None:
        """Let files in flight go, then close the HTTP connection pool."""
        await self.channel.settle(timeout=30)
        await self.channel.api.aclose()

    async def replay(self, pending: list[dict[str, Any]]) -> int:
        """Handle the updates a dead process received but never handled (adopted)."""
        return await self.channel.replay(pending)


async def first_contact(messenger: Messenger) -> Exception | None:
    """Try once at start-up; None when connected, else the problem (already logged)."""
    try:
        await messenger.connect()
    except NotReachable as err:
        log.error(
            f"{messenger.label} could not be reached at {messenger.url} ({err}): "
            f"check {messenger.check}",
            extra={"channel": messenger.name},
        )
        return err
    except Refused as err:
        _refused(messenger, err)
        return err
    return None


def _refused(messenger: Messenger, err: Refused) -> None:
    """The one line for a messenger that said no: which one, and what to change."""
    log.error(f"{messenger.label} refused to start: {err}", extra={"channel": messenger.name})


async def keep_trying(
    messenger: Messenger,
    stop: asyncio.Event,
    started: Callable[[Messenger], Awaitable[None]],
    *,
    first_delay: float,
    max_delay: float,
) -> None:
    """While the other messenger serves, try again with a doubling delay; once connected,
    hand it to `started`. A refusal ends the attempts (it needs the operator)."""
    delay = first_delay
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        try:
            await messenger.connect()
        except NotReachable as err:
            delay = min(delay * 2, max_delay)
            log.warning(
                f"{messenger.label} still cannot be reached at {messenger.url} ({err}); "
                f"next try in {delay:.0f} s",
                extra={"channel": messenger.name},
            )
            continue
        except Refused as err:
            _refused(messenger, err)
            return
        log.info(f"{messenger.label} reached at last", extra={"channel": messenger.name})
        await started(messenger)
        return
