"""The channel-neutral dialog runner.

Each inbound update is handled in one SQLite transaction: the update id is recorded, the
chat's dialog state is loaded, a handler runs, and the new state and any queued messages are
committed together. Before the handler there is one trip to the database (the transaction's
BEGIN with one SELECT: seen before? who? which state?) and after it one more (the update id,
the state and the COMMIT together; see storage/tx.py). A replayed update finds its id
already recorded and does nothing; a crash rolls everything back, so the platform's
redelivery is processed as if for the first time.

An answer that only reads, at length (a tally of a province or of the country), is left by
its handler for after the COMMIT (`Context.after_commit`): it runs on a read snapshot (the
replica's, when one is configured), so no write of any process waits for it, and the choices
it shows are remembered in a short transaction of their own.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.channels.text import clip
from bot.core import dialog
from bot.core.bot_gate import admit
from bot.core.bots import Router
from bot.core.clock import Clock, iso
from bot.core.config import Config
from bot.core.dialog import Dialog, Question
from bot.core.i18n import Texts
from bot.core.model import Attachment, Choice, Inbound, Outbound
from bot.core.parsing import match_choice
from bot.outbox.notify import notify_member
from bot.reports.forms import Forms
from storage import conversations, failures, members
from storage.db import Store, Tx
from storage.members import Member, Served

log = logging.getLogger(__name__)

QUOTE_LIMIT = 80  # characters of a user's text echoed back in a reply


@dataclass
class Services:
    """Everything a handler may use; built once by the composition root."""

    config: Config
    forms: Forms
    texts: Texts
    clock: Clock
    db: Store
    outbox_wakeup: Callable[[], None] = lambda: None
    # A messenger asked to slow down (retry_after seconds): its outbox sender pauses.
    flood_pause: Callable[[str, float], None] = lambda channel, seconds: None
    numbered_channels: set[str] = field(default_factory=set)
    served_channels: set[str] = field(default_factory=set)
    pinless_channels: set[str] = field(default_factory=set)  # no location pins: type places
    fileless_channels: set[str] = field(default_factory=set)  # cannot send files the bot makes
    # This process among those sharing the database (bot/cluster/presence.py); None alone.
    process_id: str | None = None

    def served(self) -> Served | None:
        """Messengers this process delivers to (None before any is registered, e.g. in
        tests), with the rule of which bot serves whom when a messenger has several."""
        if not self.served_channels:
            return None
        router = Router.of(self.config)
        return Served(self.served_channels, router.may_use if router.several() else None)


@dataclass
class Context:
    """One update being handled: who, what they sent, their dialog state, what to answer."""

    services: Services
    tx: Tx
    inbound: Inbound
    member: Member | None
    state: Dialog
    value: str | None = None
    replies: list[Outbound] = field(default_factory=list)
    queued: bool = False
    # The typed text picked a choice of the newest message, not of the dialog's question.
    via_aside: bool = False
    # This update's replies are a message beside the dialog (its choices go to `aside`).
    keep_aside: bool = False
    # Steps that only read, run after the COMMIT on a read snapshot (`after_commit`).
    afterwards: list[Callable[[Context], Awaitable[None]]] = field(default_factory=list)

    @property
    def numbered(self) -> bool:
        """Whether this messenger has no buttons: choices are numbered lines, typed."""
        return self.inbound.channel in self.services.numbered_channels

    @property
    def locale(self) -> str:
        """The caller's language; strangers get the configured default."""
        if self.member is not None:
            return self.member.locale
        return self.services.config.bot.locale

    @property
    def now(self) -> datetime:
        """The injected clock's time, so handlers never read the wall clock."""
        return self.services.clock.now()

    @property
    def now_iso(self) -> str:
        """The same moment as stored in the database."""
        return iso(self.services.clock.now())

    @property
    def can_send_location(self) -> bool:
        """Whether this messenger can send a location pin (Zalo cannot: places are typed)."""
        return self.inbound.channel not in self.services.pinless_channels

    @property
    def shown_choices(self) -> list[tuple[str, str]]:
        """The last question's choices as (value, label), in the order, and so with the
        numbers, the member saw them: typed lists ("1, 3") are read against these."""
        question = self.state.question
        return list(question.choices) if question is not None else []

    @property
    def can_send_files(self) -> bool:
        """Whether files (the tally's workbook, CSV, chart) can be sent on this messenger."""
        return self.inbound.channel not in self.services.fileless_channels

    @property
    def served(self) -> Served | None:
        """Messengers this process delivers to (None before any is registered, e.g. in tests)."""
        return self.services.served()

    @property
    def forms(self) -> Forms:
        """The validated report forms."""
        return self.services.forms

    @property
    def text(self) -> str:
        """What the user typed, stripped; empty for buttons, photos and pins."""
        return (self.inbound.text or "").strip()

    def quote(self, typed: str) -> str:
        """What the user typed, on one line and cut to QUOTE_LIMIT, for echoing it inside a
        reply (an unknown unit, an unknown command): echoed whole, a pasted page would push
        the reply past the messenger's limit and the user would get nothing."""
        return clip(" ".join(typed.split()), QUOTE_LIMIT)

    def t(self, key: str, **params: object) -> str:
        """A user-facing text in the caller's language; `{press}` and `{Press}` in it say how
        to pick a choice on this messenger ("bấm" a button, or "gõ số" where there are none)."""
        texts = self.services.texts
        if "ress}" in texts.template(self.locale, key):
            press = texts.t(self.locale, "words.type_number" if self.numbered else "words.press")
            params = {"press": press, "Press": press[:1].upper() + press[1:], **params}
        return texts.t(self.locale, key, **params)

    def reply(
        self,
        text: str,
        choices: list[list[Choice]] | None = None,
        *,
        free_input: bool = False,
        numeric_input: bool = False,
        replace: bool = False,
        attachments: list[Attachment] | None = None,
    ) -> None:
        """Answer in the same chat; sent directly by the channel after the commit."""
        self.replies.append(
            Outbound(
                text,
                choices or [],
                free_input=free_input or numeric_input,
                numeric_input=numeric_input,
                replace=replace,
                attachments=attachments or [],
            )
        )

    async def notify(
        self, member_id: int, key: str, message: Outbound, *, urgent: bool = False
    ) -> bool:
        """Queue a message for another member (a notice about something done for or to
        them) where they are reached; False when no messenger this process serves can."""
        if not await notify_member(
            self.tx, member_id, key, message, self.now_iso, self.served, urgent=urgent
        ):
            return False
        self.queued = True
        return True

    def after_commit(self, step: Callable[[Context], Awaitable[None]]) -> None:
        """Run `step(ctx)` once this update has committed, with `ctx.tx` a read snapshot
        (a replica's when `[database] read_url` is set): for an answer that only reads and
        may take seconds, such as a tally, so that the write lock every process shares is
        not held meanwhile. The step may reply; it must not change the dialog state (that
        was saved with the COMMIT)."""
        self.afterwards.append(step)

    def park(self) -> None:
        """Open a side dialog (edit, tally range, leave, announcement) without losing a
        report draft: a parkable flow (or the one parked already) is kept aside, and `reset`
        gives it back when the side dialog ends."""
        self.state.park()

    def reset(self) -> None:
        """Leave the current dialog; a dialog it interrupted (the parked one) resumes.

        Editing a report parks a report draft in progress, so cancelling or finishing the edit
        gives the draft back instead of losing it; otherwise the chat becomes idle.
        """
        self.state.resume()


Handler = Callable[[Context], Awaitable[None]]


class Engine:
    """Routes inbound updates to handlers inside one transaction each."""

    def __init__(self, services: Services, router: Handler) -> None:
        self.services = services
        self.router = router

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Process one update exactly once and return the replies to send in its chat."""
        return await self.handle_once(inbound) or []

    async def handle_once(self, inbound: Inbound) -> list[Outbound] | None:
        """As `handle`, but None for an update already handled (redelivered after a crash),
        so a channel that does more than send replies (Telegram removing the pressed
        button's keyboard) leaves the chat as it is."""
        services = self.services
        started = time.perf_counter()
        if inbound.text:
            # NUL is never part of what someone meant, and PostgreSQL's text refuses it
            text = unicodedata.normalize("NFC", inbound.text).replace("\x00", "")
            inbound = replace(inbound, text=text)
        try:
            async with services.db.transaction(brief=True) as tx:
                now = iso(services.clock.now())
                arrival = await conversations.arrive(
                    tx, inbound.channel, inbound.update_key, inbound.user_id, inbound.chat_id, now
                )
                if arrival is None:
                    log.info("duplicate update ignored", extra={"channel": inbound.channel})
                    return None
                router = Router.of(services.config)
                member, refused = await admit(
                    tx, services.texts, router, inbound, arrival.member, now
                )
                if refused is not None:
                    log.info("update for another bot", extra={"channel": inbound.channel})
                    return [refused]
                state = dialog.load(arrival.state)
                ctx = Context(services, tx, inbound, member, state)
                ctx.value, ctx.via_aside = resolve(inbound, state, numbered=ctx.numbered)
                await self.router(ctx)
                remember_choices(state, ctx.replies, aside=ctx.keep_aside)
                await conversations.save(tx, inbound.channel, inbound.chat_id, state.dump(), now)
        except Exception as err:
            log.exception(
                "update failed",
                extra={"channel": inbound.channel, "update_key": inbound.update_key},
            )
            return await self._failed(inbound, err)
        if ctx.afterwards:
            await self._afterwards(ctx)
        if ctx.queued:
            services.outbox_wakeup()
        log.info(
            "update handled",
            extra={
                "channel": inbound.channel,
                "flow": state.name,
                "replies": len(ctx.replies),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return ctx.replies

    async def _afterwards(self, ctx: Context) -> None:
        """Run the steps left for after the COMMIT on a read snapshot, then remember the
        choices their replies show (the newest message) on the chat's saved state as it is
        now. A step that fails is answered with the internal error: the update itself was
        handled and committed, so it is not run again."""
        services, inbound = self.services, ctx.inbound
        before = len(ctx.replies)
        try:
            async with services.db.read(replica=True) as tx:
                ctx.tx = tx
                for step in ctx.afterwards:
                    await step(ctx)
        except Exception:
            log.exception("update's reading step failed", extra={"channel": inbound.channel})
            del ctx.replies[before:]
            ctx.reply(services.texts.t(ctx.locale, "error.internal"))
            return
        later = ctx.replies[before:]
        if not any(message.choices for message in later):
            return
        try:
            async with services.db.transaction(brief=True) as tx:
                raw = await conversations.load(tx, inbound.channel, inbound.chat_id)
                state = dialog.load(raw)
                remember_choices(state, later, aside=ctx.keep_aside)
                now = iso(services.clock.now())
                await conversations.save(tx, inbound.channel, inbound.chat_id, state.dump(), now)
        except Exception:  # the answer still goes out; only typed numbers will not pick it
            log.exception("choices not remembered", extra={"channel": inbound.channel})

    async def _failed(self, inbound: Inbound, err: Exception) -> list[Outbound]:
        """Count the failure (a journaled update is replayed at each start, so it may fail
        again): the user hears of it once, and after `[inbound] max_attempts` the update is
        set aside so it is never run again."""
        services = self.services
        locale: str = services.config.bot.locale
        try:
            async with services.db.transaction(brief=True) as tx:
                member = await members.by_identity(tx, inbound.channel, inbound.user_id)
                locale = member.locale if member is not None else locale
                failure = await failures.record(
                    tx,
                    inbound.channel,
                    inbound.update_key,
                    type(err).__name__,
                    iso(services.clock.now()),
                    services.config.inbound.max_attempts,
                )
        except Exception:  # the database itself is failing: say so, count nothing
            log.exception("update failure not recorded", extra={"channel": inbound.channel})
            failure = None
        internal = [Outbound(services.texts.t(locale, "error.internal"))]
        if failure is None:
            return internal
        if failure.set_aside:
            log.error(
                "update set aside",
                extra={
                    "channel": inbound.channel,
                    "update_key": inbound.update_key,
                    "attempts": failure.attempts,
                },
            )
        return internal if failure.tell_user else []


def resolve(inbound: Inbound, state: Dialog, *, numbered: bool = True) -> tuple[str | None, bool]:
    """The choice the user meant, and whether it is one of the newest message's (`aside`).

    A message the member saw after the dialog's question (a reminder with choices) is what a
    typed number or label answers first: the newest message on screen is the one they read.
    Numbers pick choices only where the channel shows numbers and the question's own answers
    are not numbers; on a question that takes typed answers only a whole label counts.
    """
    if inbound.button is not None:
        return inbound.button, False
    text = (inbound.text or "").strip()
    if not text or text.startswith("/"):
        return None, False
    if state.aside is not None and state.aside.choices:
        picked = match_choice(text, state.aside.choices, numbers=numbered, prefix=False)
        if picked is not None:
            return picked, True
    question = state.question
    if question is None or not question.choices:
        return None, False
    numbers = numbered and not question.numeric
    return match_choice(text, question.choices, numbers=numbers, prefix=not question.free), False


def remember_choices(state: Dialog, replies: list[Outbound], *, aside: bool = False) -> None:
    """Keep the last shown choices, so typed numbers and labels map to them next time.

    A reply is the newest message: it ends what `aside` remembered, unless the reply itself
    is beside the dialog (`aside`), when its choices go there and the dialog's stay.
    """
    if replies and not aside:
        state.aside, state.typed = None, None
    for message in reversed(replies):
        if message.choices:
            question = Question(
                choices=[(c.value, c.label) for c in message.flat_choices()],
                free=message.free_input,
                numeric=message.numeric_input,
            )
            if aside:
                state.aside = question
            else:
                question.text = message.text if state.flow is not None else ""
                state.question = question
            return
    if state.flow is None:
        state.question = None
