"""Announcement bursts for the outbox benchmark: the scene of a duplicate after a crash.

An officer's announcements (/thongbao) to the 60 members of a village, one every `gap_s`
seconds, queued beforehand through `bot.people.announcements.queue` itself (announcement row, one
outbox row per member, the officer's progress message), so the running bot edits the
progress message and sends the final report as it would. Meanwhile members of another
village write to the bot, `inbound` updates per second in turn (/khongcovuviec files a nil
report once a day, /baocaocuatoi lists reports, /menu): each is a journal write, a handler
transaction and a reply, the ordinary work an outbox mark has to get past for the database.
Each announcement's text ends with its own tag, so a delivery is "tag@chat".
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.app import build_services
from bot.core.clock import SystemClock, iso
from bot.core.config import Config
from bot.people import announcements
from storage import members, units
from storage.db import Tx
from tests.bench.outbox_data import ANNOUNCE, FIRST_CHAT
from tests.bench.outbox_fake import CappedBotAPI
from tests.bench.outbox_kill import Beside
from tests.support.fakebot import text_update

PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
VILLAGE = f"{COMMUNE}/Thôn Nà Lẹng"  # the announcements' audience
OTHERS = f"{COMMUNE}/Thôn Khuôn Pinh"  # members who write to the bot meanwhile
OFFICER_CHAT = FIRST_CHAT - 1
CHATTERS = 20
COMMANDS = ("/khongcovuviec", "/baocaocuatoi", "/menu")
START_AFTER_S = 2.0  # the first announcement is due this long after filling (bot start-up)


@dataclass(frozen=True)
class Bursts:
    """The shape of the scene: how many announcements, to how many members, how far apart,
    and how many updates per second other members send."""

    count: int = 8
    members: int = 60
    gap_s: float = 3.0
    inbound: float = 2.0

    def describe(self) -> str:
        """One line for the benchmark's output."""
        return (
            f"{self.count} announcements to {self.members} members each, {self.gap_s:g} s "
            f"apart, while {CHATTERS} other members send {self.inbound:g} updates/s"
        )


async def fill_bursts(db_path: Path, shape: Bursts) -> set[str]:
    """Create the commune and its members, queue every announcement; returns the deliveries."""
    clock = SystemClock()
    services = await build_services(Config(), clock, db_path=str(db_path))
    now = clock.now()
    wanted: set[str] = set()
    try:
        async with services.db.transaction() as tx:
            stamp = iso(now)
            for path, kind in [
                (PROVINCE, "province"),
                (COMMUNE, "commune"),
                (VILLAGE, "village"),
                (OTHERS, "village"),
            ]:
                await units.upsert(tx, path, kind, None, stamp)
            commune = await units.get_by_path(tx, COMMUNE)
            village = await units.get_by_path(tx, VILLAGE)
            others = await units.get_by_path(tx, OTHERS)
            assert commune is not None and village is not None and others is not None
            officer_id = await _member(tx, commune.id, "officer", OFFICER_CHAT, stamp)
            chats = [FIRST_CHAT + 7919 * i for i in range(shape.members)]
            for chat in chats:
                await _member(tx, village.id, "member", chat, stamp)
            for chat in chatter_chats():
                await _member(tx, others.id, "member", chat, stamp)
            officer = await members.get(tx, officer_id)
            assert officer is not None
            for index in range(shape.count):
                tag = f"bench-{index:06d}"
                at = iso(now + timedelta(seconds=START_AFTER_S + index * shape.gap_s))
                queued = await announcements.queue(
                    tx,
                    services,
                    sender=officer,
                    unit=village,
                    text=ANNOUNCE.format(date=stamp[:10], unit=village.name) + f"\n#{tag}",
                    reply_to=("telegram", str(OFFICER_CHAT)),
                    now_iso=at,
                    served={"telegram"},
                )
                assert queued is not None and queued.recipients == shape.members
                wanted.update(f"{tag}@{chat}" for chat in chats)
    finally:
        await services.db.close()
    return wanted


async def _member(tx: Tx, unit_id: int, role: str, chat: int, now_iso: str) -> int:
    """A member with a Telegram account whose user id is its chat id."""
    member_id = await members.create(tx, unit_id, role, f"Thành viên {chat % 1000}", "vi", now_iso)
    await members.link_identity(tx, "telegram", str(chat), str(chat), member_id, now_iso)
    return member_id


def chatter_chats() -> list[int]:
    """The chats of the members who write to the bot during the announcements."""
    return [FIRST_CHAT + 7919 * (1000 + i) for i in range(CHATTERS)]


def members_writing(shape: Bursts) -> Beside:
    """What runs beside the bot: the other members' updates, evenly spaced, in turn."""

    async def write(fake: CappedBotAPI) -> None:
        chats = itertools.cycle(chatter_chats())
        commands = itertools.cycle(COMMANDS)
        while True:
            await asyncio.sleep(1.0 / shape.inbound)
            fake.push_update(text_update(next(chats), next(commands), "Lò", "Văn Sinh"))

    return write
