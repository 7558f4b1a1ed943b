"""The Zalo channel: receive (long polling or webhook), process through the engine, deliver.

Zalo has no buttons, no message editing, no location pins and no update offset, so:
choices are numbered lines (`numbered`), an edit is sent as a new message, places are typed
(`locations = False`), and the message id is the dedupe key. Every received update is written
to the inbound journal before it is processed (and, for webhooks, before Zalo gets its 200),
so an update Zalo considers delivered survives a crash; start-up replays the unprocessed ones.

Zalo's Bot API has no documents and sends pictures only from a URL: with `[web] public_url`
set the channel sends files by link (bot/channels/zalo/files.py); without it, none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from bot.channels import DeliveryError
from bot.channels.background import Background
from bot.channels.zalo.api import ZaloApi, ZaloApiError, ZaloError, ZaloNetworkError
from bot.channels.zalo.files import Piece, piece, pieces_of, sent_by_link
from bot.channels.zalo.mapping import (
    IMAGE,
    NAME,
    STICKER,
    TEXT,
    ZaloUpdate,
    media_stem,
    parse_update,
    split_text,
    to_inbound,
)
from bot.core.clock import iso
from bot.core.config import Config
from bot.core.engine import Engine
from bot.core.model import Outbound, render_text
from bot.outbox.replies import hand_over
from storage import conversations, journal, members

log = logging.getLogger(__name__)

FILE_FLOOD_RETRIES = 3  # a reply's file waits out this many rate limits


class ZaloChannel:
    """The Zalo adapter: maps updates to the engine and delivers outbox messages."""

    name = NAME
    numbered = True
    locations = False
    files = False  # the Bot API sends photos by URL only and has no documents: see __init__

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        api: ZaloApi | None = None,
        name: str = NAME,
        token: str | None = None,
    ) -> None:
        token = token or config.zalo_token
        if not token:
            raise ValueError("Zalo token missing: set ANTT_ZALO_TOKEN")
        self.name = name  # "zalo", or "zalo:<name>" for one of several bots
        self.config = config
        self.engine = engine
        self.api = api or ZaloApi(config.zalo.base_url, token or "")
        # one folder per bot: two bots' message ids may be alike
        self.media_dir = Path(config.zalo.media_dir).resolve() / name.replace(":", "-")
        self._max_photo = int(config.zalo.max_photo_mb * 1024 * 1024)
        self._lock = asyncio.Lock()  # one update at a time: a chat's messages stay in order
        self.files = config.web.enabled  # files go as links to the bot's own web server
        self._files_in_flight = Background()

    # ------------------------------------------------------------------ receiving

    async def record(self, raw: dict[str, Any]) -> ZaloUpdate | None:
        """Journal a raw update (durably) before anyone is told it arrived."""
        update = parse_update(raw)
        if update is None:
            log.warning("zalo update not understood", extra={"channel": self.name})
            return None
        services = self.engine.services
        async with services.db.transaction(brief=True) as tx:
            payload = update.model_dump(by_alias=True, exclude_none=True)
            now = iso(services.clock.now())
            await journal.record(tx, self.name, [(update.key, payload)], now, services.process_id)
        return update

    async def receive(self, raw: dict[str, Any]) -> None:
        """Journal one update, then process it (the long-polling path)."""
        update = await self.record(raw)
        if update is not None:
            await self.process(update)

    async def process(self, update: ZaloUpdate) -> None:
        """Handle one journaled update exactly once and answer in its chat."""
        async with self._lock:
            await self._process(update)

    async def _process(self, update: ZaloUpdate) -> None:
        message = update.message
        services = self.engine.services
        async with services.db.read() as tx:
            if await conversations.seen(tx, self.name, update.key):
                log.info("duplicate update ignored", extra={"channel": self.name})
                return
        if message is None or not update.private or message.sender.is_bot:
            await self._settle(update.key)  # not for us (groups, odd events): never replay it
            return
        photo_ref: str | None = None
        if update.event_name == IMAGE and message.picture:
            photo_ref = await self._download(message.message_id, message.picture)
            if photo_ref is None:  # Zalo's link may not last: ask for the photo again
                await self._say(update, "zalo.photo_failed")
                return
        inbound = to_inbound(update, photo_ref, self.name)
        if inbound is None or update.event_name not in {TEXT, IMAGE}:
            await self._say(
                update, "zalo.sticker" if update.event_name == STICKER else "zalo.unsupported"
            )
            return
        replies = await self.engine.handle(inbound)
        await self._reply_all(inbound.chat_id, update.key, replies)

    async def _download(self, message_id: str, url: str) -> str | None:
        stem = media_stem(message_id)
        existing = [p for p in self.media_dir.glob(stem + ".*") if p.suffix != ".part"]
        if existing:
            return "file:" + str(existing[0])
        try:
            path = await self.api.download(url, self.media_dir, stem, self._max_photo)
        except ZaloError as err:
            log.warning("zalo photo download failed", extra={"error": type(err).__name__})
            return None
        return "file:" + str(path)

    async def _say(self, update: ZaloUpdate, key: str) -> None:
        """Answer an update the engine does not handle, in the sender's language, once."""
        assert update.message is not None
        services = self.engine.services
        async with services.db.transaction(brief=True) as tx:
            now = iso(services.clock.now())
            if not await conversations.first_time(tx, self.name, update.key, now):
                return
            member = await members.by_identity(tx, self.name, update.message.sender.id)
        locale = member.locale if member is not None else services.config.bot.locale
        text = Outbound(services.texts.t(locale, key))
        await self._reply_all(update.message.chat.id, update.key, [text])

    async def _settle(self, key: str) -> None:
        services = self.engine.services
        async with services.db.transaction(brief=True) as tx:
            await conversations.first_time(tx, self.name, key, iso(services.clock.now()))

    async def _reply_all(self, chat_id: str, update_key: str, replies: list[Outbound]) -> None:
        """Send the replies in order; from the first Zalo refuses for now (rate limit,
        network), the rest go to the outbox instead of being lost."""
        for index, message in enumerate(replies):
            try:
                await self._send_text(chat_id, message)
            except DeliveryError as err:
                if not err.transient:
                    log.warning("zalo reply refused", extra={"reason": err.reason[:200]})
                    self._spawn_files(chat_id, message)
                    continue
                later = list(enumerate(replies))[index:]
                if err.remaining is not None:
                    later[0] = (index, err.remaining)
                await hand_over(
                    self.engine.services,
                    self.name,
                    chat_id,
                    update_key,
                    later,
                    retry_after=err.retry_after,
                    reason=err.reason,
                )
                for later_message in replies[index:]:  # the outbox keeps texts; files go here
                    self._spawn_files(chat_id, later_message)
                return
            self._spawn_files(chat_id, message)

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
        updates = [u for u in map(parse_update, pending) if u is not None]
        updates.sort(key=lambda u: (u.message.date or 0) if u.message else 0)  # Zalo's ms
        for update in updates:
            await self.process(update)
        count = len(updates)
        if count:
            log.warning("replayed journaled updates", extra={"channel": self.name, "count": count})
        return count

    async def poll(self, stop: asyncio.Event) -> None:
        """Long-poll getUpdates until `stop` is set; network trouble only pauses the loop."""
        timeout = self.config.zalo.poll_timeout
        pause = 1.0
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                fetch = asyncio.create_task(self.api.get_updates(timeout))
                await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, ZaloError):
                        await fetch
                    break
                try:
                    raw = fetch.result()
                except ZaloError as err:
                    code = err.error_code if isinstance(err, ZaloApiError) else None
                    log.warning(
                        "zalo getUpdates failed",
                        extra={"error": type(err).__name__, "error_code": code, "pause": pause},
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), pause)
                    pause = min(pause * 2, 30.0)
                    continue
                pause = 1.0
                if raw is not None:
                    try:
                        await self.receive(raw)
                    except Exception:  # journaled if it got that far; keep serving others
                        log.exception("zalo update failed", extra={"channel": self.name})
        finally:
            stopping.cancel()

    # ------------------------------------------------------------------ sending

    async def deliver(self, chat_id: str, message: Outbound, *, urgent: bool = False) -> str | None:
        """Send a message as numbered lines, split under Zalo's 2,000-character limit (the
        outbox already sends urgent rows first; Zalo replies are not paced against them).

        With file links on, its files follow the text as links (a photo row is one
        sendPhoto with the text as caption); a voice note is never sent: the text tells of it.
        """
        items = [a for a in message.attachments if sent_by_link(a)] if self.files else []
        services = self.engine.services
        if len(items) == 1 and items[0].ref and not message.choices:  # an alert's photo
            return await self._send_pieces(
                chat_id, [await piece(services, chat_id, items[0], message.text, self.name)]
            )
        parts = [Piece(part) for part in split_text(render_text(message))]
        return await self._send_pieces(
            chat_id, parts + await pieces_of(services, chat_id, items, self.name)
        )

    async def _send_text(self, chat_id: str, message: Outbound) -> str | None:
        """A reply's text alone: its files are sent apart (`_spawn_files`)."""
        parts = [Piece(part) for part in split_text(render_text(message))]
        return await self._send_pieces(chat_id, parts)

    async def _send_pieces(self, chat_id: str, pieces: list[Piece]) -> str | None:
        """Send texts and photos in order; on a failure after the first, what is left
        travels as text (a photo as its link), so a retry repeats nothing."""
        first: str | None = None
        for index, part in enumerate(pieces):
            try:
                if part.photo:
                    sent = await self.api.send_photo(chat_id, part.photo, part.text)
                else:
                    sent = await self.api.send_message(chat_id, part.text)
            except ZaloError as err:
                problem = _delivery_error(err)
                if index:  # the first parts arrived: a retry sends only the rest
                    problem.remaining = Outbound("\n".join(p.as_text() for p in pieces[index:]))
                raise problem from None
            first = first or sent
        return first

    def _spawn_files(self, chat_id: str, message: Outbound) -> None:
        """A reply's files take a second or two to build: they are sent in the background,
        so the next update does not wait for them."""
        if not self.files or not any(sent_by_link(a) for a in message.attachments):
            return
        self._files_in_flight.spawn(self._send_attachments(chat_id, message))

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until files still being built and sent are out (shutdown, tests)."""
        await self._files_in_flight.settle(timeout)

    async def _send_attachments(self, chat_id: str, message: Outbound) -> None:
        """Build, link and send a reply's files; a rate limit is waited out (a few times),
        any other failure is logged and told, never fatal."""
        services = self.engine.services
        for item in message.attachments:
            if not sent_by_link(item):
                continue
            try:
                part = await piece(services, chat_id, item, channel=self.name)
                for attempt in range(FILE_FLOOD_RETRIES + 1):
                    try:
                        await self._send_pieces(chat_id, [part])
                        break
                    except DeliveryError as err:
                        if not err.transient or attempt == FILE_FLOOD_RETRIES:
                            raise
                        await asyncio.sleep(err.retry_after or 1.0)
            except Exception as err:
                log.error(
                    "attachment not sent", extra={"kind": item.kind, "error": type(err).__name__}
                )
                if item.failed_text:
                    with contextlib.suppress(ZaloError):
                        await self.api.send_message(chat_id, item.failed_text)
                return

    async def edit(self, chat_id: str, message_id: str, text: str, *, urgent: bool = False) -> None:
        """Zalo cannot edit a sent message: the new text arrives as a new message."""
        await self.deliver(chat_id, Outbound(text), urgent=urgent)


def _delivery_error(err: ZaloError) -> DeliveryError:
    if isinstance(err, ZaloNetworkError):
        return DeliveryError(f"network: {err.reason}", transient=True)
    assert isinstance(err, ZaloApiError)
    code = err.error_code
    if code == 429:
        return DeliveryError("rate_limited", transient=True, retry_after=2.0)
    if code == 403:
        return DeliveryError("forbidden", transient=False, blocked=True)
    reason = f"error {code}: {err.description[:100]}"
    return DeliveryError(reason, transient=err.transient)
