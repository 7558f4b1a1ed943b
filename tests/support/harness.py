"""The real application wired to the fake Bot API, a manual clock and a temporary database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import Runtime, build_services
from bot.channels.telegram import TelegramChannel
from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from storage import invites, members, outbox, units
from tests.support import backend
from tests.support.fakebot import (
    FakeBotAPI,
    Sent,
    callback_update,
    media_update,
    text_update,
)

TOKEN = "123456:TEST-TOKEN"
PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
OTHER_COMMUNE = f"{PROVINCE}/Xã Hữu Vĩnh"
TEAM_A = f"{COMMUNE}/Thôn Nà Lẹng"
TEAM_B = f"{COMMUNE}/Thôn Khuôn Pinh"
TEAM_C = f"{OTHER_COMMUNE}/Thôn Làng Mới"
START = datetime(2026, 11, 23, 9, 0)


@dataclass
class Harness:
    config: Config
    clock: ManualClock
    runtime: Runtime
    api: FakeBotAPI
    channel: TelegramChannel
    sender: OutboxSender
    location: str = ""  # the database: a SQLite file, or a PostgreSQL URL

    @property
    def db(self) -> Any:
        return self.runtime.services.db

    async def feed(self, update: dict[str, Any]) -> None:
        """Push one raw update through python-telegram-bot's processing."""
        app = self.channel.application
        await app.process_update(Update.de_json(update, app.bot))
        await self.channel.settle()  # files a reply attached are sent in the background

    async def drain(self) -> int:
        """Deliver everything due in the outbox now."""
        return await self.sender.drain_once()

    async def count(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        async with self.db.read() as tx:
            row = await tx.fetchone(sql, params)
        return int(row[0]) if row else 0

    async def close(self) -> None:
        await self.channel.application.shutdown()
        await self.runtime.stop()

    async def enqueue(
        self, key: str, chat: int, *, text: str | None = None, expires: datetime | None = None
    ) -> int:
        """Put one plain Telegram message in the outbox, due now; returns its id."""
        now = iso(self.clock.now())
        async with self.db.transaction() as tx:
            outbox_id = await outbox.enqueue(
                tx,
                dedupe_key=key,
                channel="telegram",
                chat_id=str(chat),
                member_id=None,
                payload={"text": text or f"tin {key}", "choices": []},
                not_before_iso=now,
                now_iso=now,
                expires_iso=iso(expires) if expires else None,
            )
        assert outbox_id is not None
        return outbox_id

    def user(self, user_id: int, first: str = "Nguyễn", last: str = "Văn An") -> TgUser:
        return TgUser(self, user_id, first, last)

    async def add_member(self, user_id: int, name: str, role: str, unit_path: str) -> int:
        """Enrol someone directly (as an admin would after an invite)."""
        now = iso(self.clock.now())
        async with self.db.transaction() as tx:
            unit = await units.get_by_path(tx, unit_path)
            assert unit is not None, unit_path
            member_id = await members.create(tx, unit.id, role, name, "vi", now)
            channel = self.channel.name  # this harness's bot ("telegram", or one of several)
            await members.link_identity(tx, channel, str(user_id), str(user_id), member_id, now)
        return member_id

    async def add_invite(
        self, code: str, unit_path: str, role: str, uses: int = 1, expires: datetime | None = None
    ) -> None:
        now = iso(self.clock.now())
        async with self.db.transaction() as tx:
            unit = await units.get_by_path(tx, unit_path)
            assert unit is not None
            until = iso(
                expires.replace(tzinfo=self.clock.tz)
                if expires
                else self.clock.now().replace(year=2027)
            )
            await invites.create(tx, code, unit.id, role, uses, until, now)


class TgUser:
    """A person in a Telegram chat with the bot: types, presses buttons, reads replies."""

    def __init__(self, harness: Harness, user_id: int, first: str, last: str) -> None:
        self.h = harness
        self.id = user_id
        self.first = first
        self.last = last
        self._seen = 0

    @property
    def messages(self) -> list[Sent]:
        return self.h.api.chat(self.id)

    def new_messages(self) -> list[Sent]:
        """Messages that arrived since the last call (what the user has not read yet)."""
        msgs = self.messages
        fresh = msgs[self._seen :]
        self._seen = len(msgs)
        return fresh

    async def send(self, text: str) -> list[Sent]:
        self.new_messages()
        await self.h.feed(text_update(self.id, text, self.first, self.last))
        return self.new_messages()

    async def send_photo(self, file_id: str) -> list[Sent]:
        self.new_messages()
        await self.h.feed(media_update(self.id, photo=file_id))
        return self.new_messages()

    async def send_location(self, lat: float, lon: float) -> list[Sent]:
        self.new_messages()
        await self.h.feed(media_update(self.id, location=(lat, lon)))
        return self.new_messages()

    async def send_voice(self, file_id: str, seconds: int) -> list[Sent]:
        self.new_messages()
        await self.h.feed(media_update(self.id, voice=(file_id, seconds)))
        return self.new_messages()

    def last_with_buttons(self) -> Sent:
        for message in reversed(self.messages):
            if message.buttons:
                return message
        raise AssertionError("no message with buttons in this chat")

    async def press(self, label_part: str, on: Sent | None = None) -> list[Sent]:
        """Press the first button whose label contains `label_part` on the latest keyboard."""
        message = on or self.last_with_buttons()
        for row in message.buttons:
            for button in row:
                if label_part in button["text"]:
                    return await self.press_data(message, button["callback_data"])
        raise AssertionError(f"no button containing {label_part!r} in {message.labels()}")

    async def press_data(self, message: Sent, data: str) -> list[Sent]:
        """Press a button with this data on `message`; returns what the user reads next
        (the pressed message first when the bot edited it into its reply)."""
        self.new_messages()
        await self.h.feed(callback_update(self.id, message, data))
        return self.new_messages()

    @property
    def last_text(self) -> str:
        return self.messages[-1].text if self.messages else ""


async def make_harness(
    tmp_path: Path,
    clock: ManualClock | None = None,
    config: Config | None = None,
    *,
    rate_limit: bool = False,
    database: str | None = None,
) -> Harness:
    """Build the application exactly as `antt-bot run` does, with fakes at the edges only.

    `database` opens an existing database (another harness's `location`, e.g. from another
    process sharing it) instead of the test's own, and leaves its units as they are.
    """
    config = config or Config()
    config.telegram.token = None
    from pydantic import SecretStr

    config.telegram.token = SecretStr(TOKEN)
    clock = clock or ManualClock(START)
    db_path = database or await backend.location(str(tmp_path / "bot.sqlite3"))
    services = await build_services(config, clock, db_path=db_path)
    runtime = Runtime(services)
    api = FakeBotAPI()
    channel = TelegramChannel(
        config, runtime.engine, request=api, updates_request=api, rate_limit=rate_limit
    )
    sender = runtime.add_channel(channel, SendPolicy())
    await channel.application.initialize()
    if database is None:
        await seed_units(services.db, clock)
    return Harness(config, clock, runtime, api, channel, sender, db_path)


async def seed_units(db: Any, clock: ManualClock) -> None:
    """The province, its two communes and three teams every in-process test starts with."""
    now = iso(clock.now())
    async with db.transaction() as tx:
        for path, kind in [
            (PROVINCE, "province"),
            (COMMUNE, "commune"),
            (OTHER_COMMUNE, "commune"),
            (TEAM_A, "village"),
            (TEAM_B, "village"),
            (TEAM_C, "village"),
        ]:
            await units.upsert(tx, path, kind, None, now)
