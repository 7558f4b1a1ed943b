"""What `antt-bot roster sheet` prints: per unit, each member still to join with their code.

The officer hands the pages out at the commune meeting; each member scans their QR code on
Telegram or types their code on Zalo. A member whose code was used up, revoked or expired,
or who never had one, is listed without one, unless `--renew` issues them a new code (the
old one is revoked, and both are kept in the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.clock import Clock, iso
from bot.core.roles import role_label
from bot.people.invites import deep_link, unused_code
from bot.people.membership import Actor
from bot.people.roster.placing import Units
from storage import audit, invites, roster
from storage.db import Row, Store, Tx


class SheetError(Exception):
    """The sheet cannot be made; the message says what to change."""


@dataclass(frozen=True)
class Card:
    """One member on the sheet: their code and link (None: joined already, or no usable
    code) and until when it works."""

    name: str
    role: str
    joined: bool
    code: str | None = None
    link: str | None = None
    expires_at: datetime | None = None


@dataclass
class Page:
    """The members of one unit (printed on one page, or more when they do not fit)."""

    unit_path: str
    cards: list[Card] = field(default_factory=list)


@dataclass(frozen=True)
class Sheet:
    """The pages to print, and what the operator is told: codes renewed, members left
    without a usable code."""

    unit_path: str
    pages: list[Page]
    renewed: int
    without_code: int

    @property
    def codes(self) -> int:
        """How many codes (and QR codes) the sheet prints."""
        return sum(1 for p in self.pages for c in p.cards if c.code)


@dataclass(frozen=True)
class Wanted:
    """What the operator asked for."""

    unit: str
    include_joined: bool
    renew: bool
    invite_days: int
    bot_username: str
    actor: Actor
    # (subtree, @username) of each listed Telegram bot: a unit's cards link to the bot
    # serving it (deepest subtree), others to `bot_username`.
    listed_bots: tuple[tuple[str, str], ...] = ()

    def username_for(self, unit_path: str) -> str:
        """The bot a card's QR code opens: the one serving the member's unit."""
        best, name = -1, self.bot_username
        for subtree, username in self.listed_bots:
            holds = not subtree or unit_path == subtree or unit_path.startswith(subtree + "/")
            if holds and len(subtree) > best:
                best, name = len(subtree), username
        return name


async def collect(db: Store, clock: Clock, wanted: Wanted) -> Sheet:
    """The members under the unit, unit by unit, with their codes (renewed first when asked,
    in one transaction with the audit entries)."""
    now = clock.now().replace(microsecond=0)
    async with db.transaction() as tx:
        unit = await Units(tx).unit(wanted.unit)
        if isinstance(unit, str):
            raise SheetError(unit)
        pages: dict[str, Page] = {}
        renewed = without = 0
        for row in await roster.sheet(tx, unit.path):
            joined = bool(row["joined"])
            if joined and not wanted.include_joined:
                continue
            page = pages.setdefault(str(row["unit_path"]), Page(str(row["unit_path"])))
            card = Card(str(row["full_name"]), role_label(str(row["role"]), "vi"), joined)
            if not joined:
                code, expires_at = _usable(row, now)
                if code is None and wanted.renew:
                    code, expires_at = await _renew(tx, row, wanted, now)
                    renewed += 1
                if code is None:
                    without += 1
                else:
                    link = deep_link(wanted.username_for(str(row["unit_path"])), code)
                    card = Card(card.name, card.role, False, code, link, expires_at)
            page.cards.append(card)
    return Sheet(unit.path, list(pages.values()), renewed, without)


def _usable(row: Row, now: datetime) -> tuple[str | None, datetime | None]:
    """The member's code when it can still be used, with its expiry."""
    if row["code"] is None or int(row["uses_left"]) <= 0:
        return None, None
    expires_at = datetime.fromisoformat(str(row["expires_at"]))
    if expires_at <= now:
        return None, None
    return str(row["code"]), expires_at


async def _renew(tx: Tx, row: Row, wanted: Wanted, now: datetime) -> tuple[str, datetime]:
    """A new code for a member who has none usable; the old one (if any) is revoked."""
    now_iso = iso(now)
    old = str(row["code"]) if row["code"] is not None else ""
    if old:
        await invites.revoke(tx, old, now_iso)
    code = await unused_code(tx)
    expires_at = now + timedelta(days=wanted.invite_days)
    member_id, unit_id = int(row["member_id"]), int(row["unit_id"])
    await invites.create(
        tx, code, unit_id, str(row["role"]), 1, iso(expires_at), now_iso, member_id=member_id
    )
    await audit.record(
        tx,
        at=now_iso,
        actor_id=wanted.actor.id,
        actor=wanted.actor.name,
        subject="invite",
        subject_id=code,
        action="renew",
        unit_id=unit_id,
        detail={"member_id": member_id, "replaces": old},
    )
    return code, expires_at
