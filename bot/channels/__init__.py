"""Messenger adapters: each maps its platform to bot.core.model and delivers outbox messages."""

from __future__ import annotations

from typing import Protocol

from bot.core.model import Outbound


class DeliveryError(Exception):
    """A send failed; says whether to retry, when, and whether the user blocked the bot.

    `remaining` is set when a long message failed part-way (its first parts arrived): a
    retry sends only what is left, so nobody reads the same part twice.
    """

    def __init__(
        self,
        reason: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        blocked: bool = False,
        remaining: Outbound | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.blocked = blocked
        self.remaining = remaining


class Channel(Protocol):
    """What the outbox needs from a messenger."""

    name: str
    numbered: bool  # True where choices are numbered lines (no buttons): terminal, Zalo
    locations: bool  # True where users can send a location pin (not Zalo: places are typed)
    files: bool  # True where the bot can send files it made (Zalo only as links: [web] public_url)

    async def deliver(self, chat_id: str, message: Outbound, *, urgent: bool = False) -> str | None:
        """Send a message the bot starts; return the platform's message id if it has one.
        An `urgent` one (an alert) goes ahead of everything else the messenger paces."""
        ...

    async def edit(self, chat_id: str, message_id: str, text: str, *, urgent: bool = False) -> None:
        """Replace a sent message's text and remove its buttons."""
        ...
