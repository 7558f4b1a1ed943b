"""The world the property-based fuzz plays in: one seeded database, people of every role,
and a driver per messenger that sends what a user (or an attacker) could send there.

Everything below the drivers is the real application (engine, handlers, storage, outbox,
planners); only the platforms are fakes: the fake Bot API (which refuses what Telegram
refuses), the fake Zalo server (which refuses what Zalo refuses) and the terminal channel.
The drivers record every text the bot sent, so the fuzz can check each one.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr

from bot.channels.console import ConsoleChannel
from bot.channels.zalo import ZaloChannel
from bot.clock import ManualClock, iso
from bot.config import Config
from bot.model import Inbound, Location, Outbound
from bot.outbox import OutboxSender, SendPolicy
from bot.planners import jobs_from
from bot.scheduler import Planning
from storage import invites, leaves, members, reports, units
from tests.support.fakebot import Sent, callback_update, media_update, text_update
from tests.support.fakezalo import FakeZalo, ZaloUser
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    PROVINCE,
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
    make_harness,
)

TRICKY_COMMUNE = f"{PROVINCE}/Xã A_1"  # LIKE would take '_' for any character
TRICKY_TEAM = f"{TRICKY_COMMUNE}/Thôn 1"
LOOKALIKE_COMMUNE = f"{PROVINCE}/Xã AB1"
LOOKALIKE_TEAM = f"{LOOKALIKE_COMMUNE}/Thôn 1"
INVITE = "FUZZJOIN"

# (key, name, role, unit) of everyone in the world; "la" has no account at all.
PEOPLE = [
    ("an", "Nguyễn Văn An", "member", TEAM_A),
    ("binh", "Lê Thị Bình", "leader", TEAM_A),
    ("chi", "Hoàng Thị Chi", "deputy", TEAM_A),
    ("dao", "Vi Văn Đào", "member", TEAM_B),
    ("em", "Lương Văn Em", "member", TEAM_C),
    ("tu", "Đặng Văn Tú", "member", TRICKY_TEAM),
    ("cuong", "Hoàng Văn Cường", "officer", COMMUNE),
    ("hai", "Vi Văn Hải", "officer", OTHER_COMMUNE),
    ("ky", "Ma Văn Kỳ", "officer", LOOKALIKE_COMMUNE),
    ("lan", "Đinh Thị Lan", "supervisor", PROVINCE),
    ("minh", "Trần Quang Minh", "admin", PROVINCE),
]
STRANGER = "la"
INTERNAL_ERRORS = ("Có lỗi tạm thời", "A temporary error")
NAVIGATION = ("◀", "✖", "⏭", "🔙", "⬅")  # labels that go back, cancel or skip


def forward(labels: list[str], pick: int) -> int | None:
    """The position of a choice that moves the dialog on (None: only navigation is left)."""
    onward = [i for i, label in enumerate(labels) if not label.startswith(NAVIGATION)]
    return onward[pick % len(onward)] if onward else None


class Driver(Protocol):
    """What a person can do on one messenger."""

    channel: str
    limit: int | None  # the messenger's longest text (None: no limit)

    async def text(self, who: str, text: str) -> None:
        """Type a message (a command too)."""
        ...

    async def press(self, who: str, index: int, *, stale: bool = False) -> None:
        """Press the index-th choice of the last (or an older) message that had choices."""
        ...

    async def answer(self, who: str, pick: int, typed: str) -> None:
        """Move the dialog on, as a cooperative user would: press a choice that is not
        back / cancel / skip, or, where the question only has those, type `typed`."""
        ...

    async def forge(self, who: str, data: str) -> None:
        """Send button data the bot never offered (typed, where there are no buttons)."""
        ...

    async def mutate(self, who: str, index: int, bad: str) -> None:
        """Press a real button whose id was replaced by `bad` (typed, without buttons)."""
        ...

    async def photo(self, who: str) -> None:
        """Send a photo."""
        ...

    async def location(self, who: str, lat: float, lon: float) -> None:
        """Send a location pin (typed coordinates where pins do not exist)."""
        ...

    def said(self) -> list[str]:
        """Every text the bot sent on this messenger so far."""
        ...

    def refused(self) -> list[str]:
        """What the messenger refused (too long, bad button data...): must stay empty."""
        ...


@dataclass
class World:
    """The seeded application, the driver of one messenger, and the errors logged."""

    h: Harness
    driver: Driver
    sender: OutboxSender
    planning: Planning
    errors: list[logging.LogRecord] = field(default_factory=list)

    async def settle(self) -> None:
        """Deliver whatever is due (alerts, notices, handed-over replies), on every channel."""
        for sender in self.h.runtime.senders:
            await sender.drain_once()
        await self.h.channel.settle()

    async def advance(self, minutes: int) -> None:
        """Move the clock, run the scheduled slots that came due, deliver."""
        self.h.clock.advance(minutes=minutes)
        await self.planning.tick()
        await self.settle()


class ErrorLog(logging.Handler):
    """Collects every ERROR (an update that failed, a send that crashed) while fuzzing."""

    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record for the fuzz to report."""
        self.sink.append(record)


async def seed(h: Harness, identities: dict[str, tuple[str, str]], channel: str) -> None:
    """Units (with a wildcard and a look-alike name), people, an invite, a tip, a patrol and
    a leave, so buttons that name reports, units and leaves have something to point at."""
    now = iso(h.clock.now())
    async with h.db.transaction() as tx:
        for path, kind in [
            (TRICKY_COMMUNE, "commune"),
            (TRICKY_TEAM, "village"),
            (LOOKALIKE_COMMUNE, "commune"),
            (LOOKALIKE_TEAM, "village"),
        ]:
            await units.upsert(tx, path, kind, 40, now)
        ids: dict[str, int] = {}
        for key, name, role, path in PEOPLE:
            unit = await units.get_by_path(tx, path)
            assert unit is not None
            ids[key] = await members.create(tx, int(unit["id"]), role, name, "vi", now)
            user_id, chat_id = identities[key]
            await members.link_identity(tx, channel, user_id, chat_id, ids[key], now)
        team_a = await units.get_by_path(tx, TEAM_A)
        team_b = await units.get_by_path(tx, TEAM_B)
        assert team_a is not None and team_b is not None
        until = iso(h.clock.now().replace(year=2027))
        await invites.create(tx, INVITE, int(team_a["id"]), "member", 5, until, now)
        day = h.clock.now().date().isoformat()
        for number, who, unit, kind, urgent in [
            ("BC-2026-900001", "an", team_a, "tip", True),
            ("BC-2026-900002", "dao", team_b, "patrol", False),
        ]:
            await reports.create(
                tx,
                number=number,
                member_id=ids[who],
                unit_id=int(unit["id"]),
                kind=kind,
                report_date=day,
                data={"date": day},
                urgent=urgent,
                now_iso=now,
                edit_until_iso=iso(h.clock.now().replace(hour=21)),
            )
        await leaves.create(tx, ids["an"], day, day, "sick", ids["an"], now)


class TelegramDriver:
    """The fake Bot API: inline buttons, forged callback data, photos and pins."""

    channel = "telegram"
    limit = 4096

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.ids = {key: 1000 + n for n, (key, *_rest) in enumerate(PEOPLE)} | {STRANGER: 1999}

    def identities(self) -> dict[str, tuple[str, str]]:
        """Platform user and chat id of each person."""
        return {k: (str(v), str(v)) for k, v in self.ids.items()}

    def _keyboards(self, who: str) -> list[Sent]:
        return [m for m in self.h.api.chat(self.ids[who]) if m.buttons]

    async def text(self, who: str, text: str) -> None:
        """Type a message."""
        await self.h.feed(text_update(self.ids[who], text))

    async def press(self, who: str, index: int, *, stale: bool = False) -> None:
        """Press a real button."""
        boards = self._keyboards(who)
        if not boards:
            await self.text(who, "/menu")
            return
        message = boards[index % len(boards)] if stale else boards[-1]
        flat = [b for row in message.buttons for b in row]
        data = flat[index % len(flat)]["callback_data"]
        await self.h.feed(callback_update(self.ids[who], message, data))

    async def answer(self, who: str, pick: int, typed: str) -> None:
        """Press an onward button of the latest keyboard, else type."""
        boards = self._keyboards(who)
        chat = self.h.api.chat(self.ids[who])
        if not boards or chat[-1] is not boards[-1] and not chat[-1].buttons:
            await self.text(who, typed)
            return
        flat = [b for row in boards[-1].buttons for b in row]
        index = forward([b["text"] for b in flat], pick)
        if index is None:
            await self.text(who, typed)
            return
        await self.h.feed(callback_update(self.ids[who], boards[-1], flat[index]["callback_data"]))

    async def forge(self, who: str, data: str) -> None:
        """Press a button that was never offered, on the latest message of the chat."""
        chat = self.h.api.chat(self.ids[who])
        if not chat:
            await self.text(who, "/start")
            chat = self.h.api.chat(self.ids[who])
        await self.h.feed(callback_update(self.ids[who], chat[-1], data))

    async def mutate(self, who: str, index: int, bad: str) -> None:
        """A real button of the latest keyboard with its first number replaced."""
        boards = self._keyboards(who)
        if not boards:
            await self.forge(who, bad)
            return
        flat = [b for row in boards[-1].buttons for b in row]
        data = str(flat[index % len(flat)]["callback_data"])
        forged = re.sub(r"[0-9]+", lambda _: bad, data, count=1)
        await self.h.feed(callback_update(self.ids[who], boards[-1], forged))

    async def photo(self, who: str) -> None:
        """Send a photo."""
        await self.h.feed(media_update(self.ids[who], photo=f"ph-{next(_counter)}"))

    async def location(self, who: str, lat: float, lon: float) -> None:
        """Send a location pin."""
        await self.h.feed(media_update(self.ids[who], location=(lat, lon)))

    def said(self) -> list[str]:
        """Every text the bot sent or edited."""
        return [m.text for m in self.h.api.sent]

    def refused(self) -> list[str]:
        """Calls the fake refused as Telegram would."""
        return [f"{method}: {why}" for method, why in self.h.api.refused]


class ZaloDriver:
    """The fake Zalo server: numbered choices typed, photos downloaded, no pins."""

    channel = "zalo"
    limit = 2000

    def __init__(self, fake: FakeZalo, token: str, zalo: ZaloChannel) -> None:
        self.fake = fake
        self.token = token
        self.zalo = zalo
        self.users = {key: fake.user(token, name) for key, name, *_ in PEOPLE}
        self.users[STRANGER] = fake.user(token, "Lò Thị La")

    def identities(self) -> dict[str, tuple[str, str]]:
        """Platform user and chat id of each person."""
        return {k: (u.id, u.id) for k, u in self.users.items()}

    async def _feed(self, user: ZaloUser, event: str, **fields: Any) -> None:
        await self.zalo.receive(self.fake.message(event, user.id, user.name, **fields))

    async def text(self, who: str, text: str) -> None:
        """Type a message."""
        await self._feed(self.users[who], "message.text.received", text=text)

    async def press(self, who: str, index: int, *, stale: bool = False) -> None:
        """Type the number of a choice, as Zalo users press."""
        numbered = [
            m
            for m in self.users[who].messages
            if m.lines() and any(line.partition(". ")[0].isdigit() for line in m.lines())
        ]
        if not numbered:
            await self.text(who, str(index % 9 + 1))
            return
        message = numbered[index % len(numbered)] if stale else numbered[-1]
        count = sum(1 for line in message.lines() if line.partition(". ")[0].isdigit())
        await self.text(who, str(index % max(count, 1) + 1))

    async def answer(self, who: str, pick: int, typed: str) -> None:
        """Type the number of an onward choice of the latest message, else the text."""
        said = self.users[who].messages
        lines = said[-1].lines() if said else []
        labels = [line.partition(". ")[2] for line in lines if line.partition(". ")[0].isdigit()]
        index = forward(labels, pick)
        await self.text(who, typed if index is None else str(index + 1))

    async def forge(self, who: str, data: str) -> None:
        """Zalo has no buttons: button data can only be typed."""
        await self.text(who, data)

    async def mutate(self, who: str, index: int, bad: str) -> None:
        """A number typed where a choice number is expected."""
        await self.text(who, bad)

    async def photo(self, who: str) -> None:
        """Send a photo the fake serves for download."""
        url = f"{self.fake.url}/media/fuzz{next(_counter)}.jpg"
        await self._feed(self.users[who], "message.image.received", photo_url=url)

    async def location(self, who: str, lat: float, lon: float) -> None:
        """Zalo bots cannot receive pins: the member types the place."""
        await self._feed(self.users[who], "message.unsupported.received")

    def said(self) -> list[str]:
        """Every text the bot sent on Zalo."""
        return [m.text for m in self.fake.state(self.token).sent]

    def refused(self) -> list[str]:
        """Calls the fake refused (rate limits are not refusals)."""
        return [f"{m}: {d}" for m, code, d in self.fake.state(self.token).errors if code != 429]


class ConsoleDriver:
    """The terminal: numbered choices typed, no limit on length."""

    channel = "console"
    limit = None

    def __init__(self, h: Harness, console: ConsoleChannel) -> None:
        self.h = h
        self.console = console
        self.sent: list[Outbound] = []
        self.chats: dict[str, list[Outbound]] = {}

    def identities(self) -> dict[str, tuple[str, str]]:
        """Platform user and chat id of each person."""
        return {key: (key, key) for key, *_ in PEOPLE} | {STRANGER: (STRANGER, STRANGER)}

    async def _send(self, who: str, **fields: Any) -> None:
        inbound = Inbound(
            channel="console", chat_id=who, user_id=who, update_key=f"c{next(_counter)}", **fields
        )
        replies = await self.h.runtime.engine.handle(inbound)
        self.sent += replies
        self.chats.setdefault(who, []).extend(replies)
        for reply in replies:
            await self.console.save_attachments(reply)

    async def text(self, who: str, text: str) -> None:
        """Type a line."""
        await self._send(who, text=text)

    async def press(self, who: str, index: int, *, stale: bool = False) -> None:
        """Type a choice's number, or its label where numbers are answers."""
        shown = [m for m in self.chats.get(who, []) if m.choices]
        if not shown:
            await self.text(who, "/menu")
            return
        message = shown[index % len(shown)] if stale else shown[-1]
        flat = message.flat_choices()
        pick = index % len(flat)
        await self.text(who, flat[pick].label if message.numeric_input else str(pick + 1))

    async def answer(self, who: str, pick: int, typed: str) -> None:
        """Type an onward choice of the last reply (its number, or its label where numbers
        are answers), else the text."""
        said = self.chats.get(who, [])
        last = said[-1] if said else None
        flat = last.flat_choices() if last is not None else []
        index = forward([c.label for c in flat], pick)
        if last is None or index is None:
            await self.text(who, typed)
            return
        await self.text(who, flat[index].label if last.numeric_input else str(index + 1))

    async def forge(self, who: str, data: str) -> None:
        """The terminal has no buttons: data can only be typed."""
        await self.text(who, data)

    async def mutate(self, who: str, index: int, bad: str) -> None:
        """A number typed where a choice number is expected."""
        await self.text(who, bad)

    async def photo(self, who: str) -> None:
        """`:anh` in the demo."""
        await self._send(who, photo=f"demo-photo-{next(_counter)}")

    async def location(self, who: str, lat: float, lon: float) -> None:
        """`:vitri` in the demo."""
        await self._send(who, location=Location(lat, lon))

    def said(self) -> list[str]:
        """Replies and delivered messages."""
        return [m.text for m in self.sent] + [self.console.out.getvalue()]  # type: ignore[attr-defined]

    def refused(self) -> list[str]:
        """The terminal refuses nothing."""
        return []


_counter = itertools.count(1)


async def make_world(tmp_path: Path, channel: str, fake: FakeZalo | None = None) -> World:
    """A fresh seeded world on one messenger (Telegram's channel always runs beside it)."""
    config = Config()
    if fake is not None:
        config.zalo.base_url = fake.url
        config.zalo.media_dir = str(tmp_path / "media")
        config.zalo.token = SecretStr(fake.new_token())
    clock = ManualClock(datetime(2026, 11, 23, 18, 30))
    h = await make_harness(tmp_path, clock=clock, config=config)
    driver: Driver
    if channel == "zalo":
        assert fake is not None and config.zalo_token
        zalo = ZaloChannel(config, h.runtime.engine)
        sender = h.runtime.add_channel(zalo, SendPolicy())
        driver = ZaloDriver(fake, config.zalo_token, zalo)
    elif channel == "console":
        console = ConsoleChannel(io.StringIO(), files_dir=tmp_path / "files")
        sender = h.runtime.add_channel(console, SendPolicy())
        driver = ConsoleDriver(h, console)
    else:
        sender = h.sender
        driver = TelegramDriver(h)
    await seed(h, driver.identities(), driver.channel)  # type: ignore[attr-defined]
    planning = Planning(h.runtime.services, jobs_from(config, clock.tz))
    return World(h, driver, sender, planning)
