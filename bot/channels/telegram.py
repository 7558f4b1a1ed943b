"""Telegram through python-telegram-bot: polling, rate limiting and the Bot API calls.

Every update goes to one TypeHandler that maps it to `Inbound` and hands it to the engine;
python-telegram-bot stays in charge of the network (polling, timeouts, flood control).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels import DeliveryError
from bot.channels.background import Background
from bot.channels.journal import JournalingRequest
from bot.channels.telegram_handled import Handled
from bot.channels.telegram_messages import (
    NAME,
    Unsent,
    keyboard,
    send_photo_ref,
    send_text,
    send_voice,
    to_inbound,
)
from bot.channels.telegram_pace import ChatOrder, PacedLimiter, bulk
from bot.channels.telegram_request import LeanRequest
from bot.channels.text import TELEGRAM_CAPTION, TELEGRAM_TEXT, clip, utf16_units
from bot.core.config import Config
from bot.core.engine import Engine
from bot.core.model import Inbound, Outbound
from bot.outbox.replies import hand_over
from storage import journal

log = logging.getLogger(__name__)

FILE_FLOOD_RETRIES = 3  # a reply's file waits out this many flood-control pauses
# Opt in to python-telegram-bot's coming behaviour (retry_after as a timedelta, which
# `_delivery_error` handles): otherwise every flood-control error logs a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")


# Telegram's command list, beside the text box: (command, description) pairs in the order
# shown. The composition root builds it from the handlers' command list.
CommandList = Sequence[tuple[str, str]]


class TelegramChannel:
    """The Telegram adapter: receives through PTB and delivers outbox messages."""

    name = NAME
    numbered = False
    locations = True
    files = True

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
        rate_limit: bool = True,
        commands: CommandList = (),
        commands_by_language: Mapping[str, CommandList] | None = None,
        name: str = NAME,
        token: str | None = None,
    ) -> None:
        token = token or config.telegram_token
        if not token:
            raise ValueError("Telegram token missing: set ANTT_TELEGRAM_TOKEN")
        self.name = name  # "telegram", or "telegram:<name>" for one of several bots
        base = config.telegram.base_url
        builder = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
        )
        self.pace = PacedLimiter() if rate_limit else None  # shared out across processes
        if self.pace is not None:
            builder = builder.rate_limiter(self.pace)
        builder = builder.concurrent_updates(ChatOrder())
        # python-telegram-bot's own default transport for the Bot API calls, keyboards dropped
        # from its answers (bot/channels/telegram_request.py)
        builder = builder.request(LeanRequest(request or HTTPXRequest(connection_pool_size=256)))
        services = engine.services
        inner = updates_request or HTTPXRequest(connection_pool_size=1)
        builder = builder.get_updates_request(
            JournalingRequest(inner, services.db, services.clock, name, lambda: services.process_id)
        )
        self.application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.engine = engine
        self._files_in_flight = Background()
        self.handled = Handled()  # webhook posts waiting for their update's handling
        self.config = config
        self.commands = commands  # for every user whose language has no list of its own
        self.commands_by_language = dict(commands_by_language or {})

    async def announce_commands(self) -> bool:
        """Set the command menu Telegram shows beside the text box, once per start.

        Called by the start-up code itself: python-telegram-bot runs `post_init` hooks only
        under run_polling / run_webhook, which this bot does not use, so a hook was never run.
        """
        lists: list[tuple[str | None, CommandList]] = [(None, self.commands)]
        lists += self.commands_by_language.items()
        try:
            for language, commands in lists:
                await self.application.bot.set_my_commands(
                    [BotCommand(c, d) for c, d in commands], language_code=language
                )
        except TelegramError as err:
            log.warning("could not set the command list", extra={"error": type(err).__name__})
            return False
        return True

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # PTB's default handler would print the whole update (names, texts): log ids only.
        update_id = update.update_id if isinstance(update, Update) else None
        err = context.error
        log.error(
            "telegram handler error",
            extra={"update_id": update_id, "error": type(err).__name__ if err else None},
        )

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self._handle(update, context)
        finally:
            self.handled.finish(update.update_id)

    async def _handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inbound = to_inbound(update, self.name)
        if inbound is None:
            return
        replies = await self.engine.handle_once(inbound)
        if replies is None:  # handled before a crash: its buttons were dealt with then
            return
        bot = context.bot
        query = update.callback_query
        replaced = False
        if query is not None:
            with contextlib.suppress(TelegramError):
                await query.answer()
            first = replies[0] if replies else None
            pressed = query.message if isinstance(query.message, Message) else None
            if pressed is not None and first is not None and _becomes(first, pressed):
                # One message per step: the pressed question turns into the next one.
                try:
                    await pressed.edit_text(first.text, reply_markup=keyboard(first))
                    replaced = True
                except TelegramError:
                    replaced = False
            if pressed is not None and not replaced:
                with contextlib.suppress(TelegramError):
                    await pressed.edit_reply_markup(reply_markup=None)
        await self._send_replies(bot, inbound, replies, skip_first=replaced)

    async def _send_replies(
        self, bot: Bot, inbound: Inbound, replies: list[Outbound], *, skip_first: bool
    ) -> None:
        """Send the replies in order; from the first Telegram refuses for now (flood
        control, network), the rest go to the outbox instead of being lost."""
        chat = int(inbound.chat_id)
        for index, message in enumerate(replies):
            if not (index == 0 and skip_first):
                try:
                    await send_text(bot, chat, message)
                except Unsent as unsent:
                    problem = _delivery_error(unsent.error)
                    if problem.transient:
                        later = [(index, unsent.remaining)]
                        later += [(i, m) for i, m in enumerate(replies) if i > index]
                        await hand_over(
                            self.engine.services,
                            self.name,
                            inbound.chat_id,
                            inbound.update_key,
                            later,
                            retry_after=problem.retry_after,
                            reason=problem.reason,
                        )
                        for later_message in replies[index:]:
                            self._spawn_files(chat, later_message)
                        return
                    log.warning("reply refused", extra={"reason": problem.reason[:200]})
            self._spawn_files(chat, message)

    def _spawn_files(self, chat_id: int, message: Outbound) -> None:
        """Files take a second or two to build: they are sent in the background, so the
        chat's next update does not wait for them."""
        if not message.attachments:
            return
        self._files_in_flight.spawn(self._send_attachments(chat_id, message))

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until files still being built and sent are out (shutdown, tests)."""
        await self._files_in_flight.settle(timeout)

    async def _send_attachments(self, chat_id: int, message: Outbound) -> None:
        """Build and send a reply's files; flood control is waited out (a few times), any
        other failure is logged and told, never fatal."""
        bot = self.application.bot
        for item in message.attachments:
            try:
                data = await item.render()
                caption = clip(item.caption, TELEGRAM_CAPTION, utf16_units) or None
                for attempt in range(FILE_FLOOD_RETRIES + 1):
                    try:
                        if item.kind == "voice":
                            await send_voice(bot, chat_id, item, item.caption)
                        elif item.kind == "photo":
                            await bot.send_photo(
                                chat_id, photo=data, filename=item.filename, caption=caption
                            )
                        else:
                            await bot.send_document(
                                chat_id, document=data, filename=item.filename, caption=caption
                            )
                        break
                    except RetryAfter as flood:
                        if attempt == FILE_FLOOD_RETRIES:
                            raise
                        wait = _delivery_error(flood).retry_after or 1.0
                        log.warning("file waits for flood control", extra={"retry_after": wait})
                        await asyncio.sleep(wait)
            except Exception as err:
                log.error(
                    "attachment not sent",
                    extra={"kind": item.kind, "error": type(err).__name__},
                )
                if item.failed_text:
                    with contextlib.suppress(TelegramError):
                        await bot.send_message(chat_id=chat_id, text=item.failed_text)
                return

    async def replay_journal(self, alive: list[str] | None = None) -> int:
        """Process updates received before a crash but never handled; returns how many.
        With `alive`, only those a dead process received (bot/cluster/presence.py)."""
        services = self.engine.services
        me = services.process_id
        if alive is None:
            from bot.cluster.presence import living

            alive = await living(services)
        async with services.db.transaction() as tx:
            pending = await journal.unprocessed(tx, self.name, alive=alive, adopt_as=me)
        return await self.replay(pending)

    async def replay(self, pending: list[dict[str, Any]]) -> int:
        """Process journaled updates (this process's after a crash, or a dead one's)."""
        application = self.application
        for raw in pending:
            await application.process_update(Update.de_json(raw, application.bot))
        if pending:
            log.warning("replayed journaled updates", extra={"count": len(pending)})
        return len(pending)

    async def deliver(self, chat_id: str, message: Outbound, *, urgent: bool = False) -> str | None:
        """Send an outbox message; map Telegram's errors to retry / give up / blocked.

        A message with a file (the monthly tally's workbook) is one document with the text
        as its caption, so one outbox row is one Telegram message. An urgent one takes the
        pace's first lane, ahead of the replies of a rush.
        """
        bot = self.application.bot
        try:
            with bulk(urgent=urgent):
                return await self._deliver(bot, chat_id, message)
        except Exception as err:
            raise _delivery_error(err) from err

    async def _deliver(self, bot: Bot, chat_id: str, message: Outbound) -> str | None:
        if message.attachments and message.attachments[0].kind == "voice":
            sent = await send_voice(bot, int(chat_id), message.attachments[0], message.text)
        elif message.attachments and message.attachments[0].ref.startswith("file:"):
            sent = await self._upload_stored(bot, chat_id, message)
        elif message.attachments and message.attachments[0].ref:  # a photo Telegram holds
            sent = await send_photo_ref(bot, int(chat_id), message.attachments[0], message.text)
        elif message.attachments:
            item = message.attachments[0]
            data = await item.render()
            send = bot.send_photo if item.kind == "photo" else bot.send_document
            caption = clip(message.text, TELEGRAM_CAPTION, utf16_units)
            sent = await send(int(chat_id), data, filename=item.filename, caption=caption)
        else:
            sent = await send_text(bot, int(chat_id), message)
        return str(sent.message_id)

    async def _upload_stored(self, bot: Bot, chat_id: str, message: Outbound) -> Message:
        """A photo the bot stored (sent on Zalo) is uploaded: Telegram has no file id for it.
        One that is gone from the media folder fails for good (the sender gives up, logged)."""
        from bot.phasereport.photos import one

        data = await one(message.attachments[0].ref, self.config, None)
        if data is None:
            raise DeliveryError("stored photo missing", transient=False)
        caption = clip(message.text, TELEGRAM_CAPTION, utf16_units) or None
        return await bot.send_photo(int(chat_id), photo=data, filename="anh.jpg", caption=caption)

    async def edit(self, chat_id: str, message_id: str, text: str, *, urgent: bool = False) -> None:
        """Replace an alert's text and drop its button once someone acknowledged it."""
        try:
            with bulk(urgent=urgent):
                await self.application.bot.edit_message_text(
                    chat_id=int(chat_id),
                    message_id=int(message_id),
                    text=clip(text, TELEGRAM_TEXT, utf16_units),
                    reply_markup=None,
                )
        except Exception as err:
            raise _delivery_error(err) from err


def _becomes(reply: Outbound, pressed: Message) -> bool:
    """Whether the pressed message may be edited into this reply: a question (it has
    buttons) or a message that asks for it, short enough for one message. A reply without
    buttons goes as a new message, so what was pressed stays readable; so does a reply the
    pressed message already shows (a second press): an edit would change nothing visible."""
    if not (reply.replace or reply.choices) or utf16_units(reply.text) > TELEGRAM_TEXT:
        return False
    return reply.replace or reply.text != pressed.text


def _delivery_error(err: Exception) -> DeliveryError:
    if isinstance(err, DeliveryError):
        return err
    if isinstance(err, Unsent):
        problem = _delivery_error(err.error)
        problem.remaining = err.remaining if err.sent_parts else None
        return problem
    if isinstance(err, RetryAfter):
        retry = err.retry_after
        seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
        return DeliveryError("retry_after", transient=True, retry_after=seconds)
    if isinstance(err, Forbidden):
        return DeliveryError("forbidden", transient=False, blocked=True)
    if isinstance(err, BadRequest):
        return DeliveryError(f"bad_request: {err.message[:100]}", transient=False)
    if isinstance(err, NetworkError | TelegramError):
        return DeliveryError(type(err).__name__, transient=True)
    return DeliveryError(repr(err)[:200], transient=True)
