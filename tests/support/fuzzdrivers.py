"""How a person acts on each messenger, for the fuzz: type, press (or type a choice's
number), forge button data, send photos and pins; and what the messenger saw and refused.

The Telegram driver talks to the fake Bot API (which refuses what Telegram refuses), the
Zalo driver to the fake Zalo server (which refuses what Zalo refuses), the terminal driver
to the engine itself. Each records every text the bot sent.
"""

from __future__ import annotations

import io
import itertools
import re
from typing import Any, Protocol

from bot.channels.console import ConsoleChannel
from bot.channels.zalo import ZaloChannel
from bot.core.model import Inbound, Location, Outbound
from tests.support.fakebot import Sent, callback_update, media_update, text_update
from tests.support.fakezalo import FakeZalo, ZaloUser
from tests.support.harness import Harness

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

    def identities(self) -> dict[str, tuple[str, str]]:
        """Platform user and chat id of each person."""
        ...

    def refused(self) -> list[str]:
        """What the messenger refused (too long, bad button data...): must stay empty."""
        ...


class TelegramDriver:
    """The fake Bot API: inline buttons, forged callback data, photos and pins."""

    channel: str = "telegram"
    limit: int | None = 4096

    def __init__(self, h: Harness, people: dict[str, str]) -> None:
        self.h = h
        self.ids = {key: 1000 + n for n, key in enumerate(people)}

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

    channel: str = "zalo"
    limit: int | None = 2000

    def __init__(
        self, fake: FakeZalo, token: str, zalo: ZaloChannel, people: dict[str, str]
    ) -> None:
        self.fake = fake
        self.token = token
        self.zalo = zalo
        self.users = {key: fake.user(token, name) for key, name in people.items()}

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

    channel: str = "console"
    limit: int | None = None

    def __init__(self, h: Harness, console: ConsoleChannel, people: dict[str, str]) -> None:
        self.h = h
        self.console = console
        self.people = list(people)
        self.sent: list[Outbound] = []
        self.chats: dict[str, list[Outbound]] = {}

    def identities(self) -> dict[str, tuple[str, str]]:
        """Platform user and chat id of each person."""
        return {key: (key, key) for key in self.people}

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
        printed = self.console.out
        assert isinstance(printed, io.StringIO)
        return [m.text for m in self.sent] + [printed.getvalue()]

    def refused(self) -> list[str]:
        """The terminal refuses nothing."""
        return []


_counter = itertools.count(1)
