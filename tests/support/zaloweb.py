"""Zalo with file links, in-process: the Telegram harness, a Zalo channel on the fake Zalo API
and (with `web`) `[web] public_url` set, so files reach Zalo as links the web test client opens.

Updates are fed to the channel one at a time (the path long polling takes); `say` then waits
for the files the channel builds in the background and drains both outboxes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.channels.zalo import ZaloChannel
from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from storage import members, units
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import START, Harness, make_harness
from tests.support.web import web_config


class ZaloWeb:
    """One application serving Telegram (fake Bot API) and Zalo (fake Zalo API)."""

    def __init__(self, h: Harness, fake: FakeZalo, token: str, channel: ZaloChannel) -> None:
        self.h, self.fake, self.token, self.channel = h, fake, token, channel
        self.sender: OutboxSender = h.runtime.add_channel(channel, SendPolicy())
        self.last: SentMessage | None = None

    async def member(self, name: str, role: str, unit_path: str) -> tuple[ZaloUser, int]:
        """Someone enrolled directly and reached on Zalo, with their member id."""
        user = self.fake.user(self.token, name)
        now = iso(self.h.clock.now())
        async with self.h.db.transaction() as tx:
            unit = await units.get_by_path(tx, unit_path)
            assert unit is not None
            member_id = await members.create(tx, unit.id, role, name, "vi", now)
            await members.link_identity(tx, "zalo", user.id, user.id, member_id, now)
        return user, member_id

    async def drain(self) -> None:
        """Files in flight, then both outboxes."""
        await self.channel.settle()
        await self.h.drain()
        await self.sender.drain_once()
        await self.channel.settle()

    async def say(
        self, user: ZaloUser, text: str | None = None, *, photo: bool = False
    ) -> list[SentMessage]:
        """Type a line (or send a photo) on Zalo; everything the bot sent back."""
        user.unread()
        if photo:
            url = f"{self.fake.url}/media/p{len(user.messages)}.jpg"
            update = self.fake.message("message.image.received", user.id, user.name, photo_url=url)
        else:
            update = self.fake.message("message.text.received", user.id, user.name, text=text)
        await self.channel.receive(update)
        await self.drain()
        replies = user.unread()
        texts = [m for m in replies if m.method == "sendMessage"]
        self.last = texts[0] if texts else self.last
        return replies

    async def pick(self, user: ZaloUser, label: str) -> list[SentMessage]:
        """Type the number of a numbered choice of the bot's last question."""
        assert self.last is not None
        return await self.say(user, self.last.choice_number(label))


@asynccontextmanager
async def zalo_web(
    tmp_path: Path, fake: FakeZalo, config: Config | None = None, *, web: bool = True
) -> AsyncIterator[ZaloWeb]:
    """The application (on `config`) with Zalo, and file links when `web`."""
    config = config or Config()
    if web:
        config.web = web_config(tmp_path).web
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, ManualClock(START), config)
    channel = ZaloChannel(config, h.runtime.engine)
    try:
        yield ZaloWeb(h, fake, token, channel)
    finally:
        await channel.settle()
        await channel.api.aclose()
        await h.close()
