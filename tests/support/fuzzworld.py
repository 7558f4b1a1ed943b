"""The world the property-based fuzz plays in: one seeded database, people of every role,
and a driver per messenger (tests/support/fuzzdrivers.py) that sends what a user (or an
attacker) could send there.

Everything below the drivers is the real application (engine, handlers, storage, outbox,
planners); only the platforms are fakes: the fake Bot API (which refuses what Telegram
refuses), the fake Zalo server (which refuses what Zalo refuses) and the terminal channel.
The drivers record every text the bot sent, so the fuzz can check each one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.channels.console import ConsoleChannel
from bot.channels.zalo import ZaloChannel
from bot.core.clock import ManualClock, iso
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from bot.schedule.planners import jobs_from
from bot.schedule.scheduler import Planning
from storage import invites, leaves, members, reports, units
from tests.support.fakezalo import FakeZalo
from tests.support.fuzzdrivers import ConsoleDriver, Driver, TelegramDriver, ZaloDriver
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
    """Units (with a wildcard and a look-alike name), people, an invite, a tip, patrols and
    a leave, so buttons that name reports, units and leaves have something to point at; the
    patrols give the wizard's shift buttons and "same as last time" (one past midnight, one
    of the team's shifts still to come at the clock's 18:30) something to offer."""
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
            ids[key] = await members.create(tx, unit.id, role, name, "vi", now)
            user_id, chat_id = identities[key]
            await members.link_identity(tx, channel, user_id, chat_id, ids[key], now)
        team_a = await units.get_by_path(tx, TEAM_A)
        team_b = await units.get_by_path(tx, TEAM_B)
        assert team_a is not None and team_b is not None
        until = iso(h.clock.now().replace(year=2027))
        await invites.create(tx, INVITE, team_a.id, "member", 5, until, now)
        day = h.clock.now().date().isoformat()
        shift = {"route": "Đường liên thôn", "incidents": 0, "traffic_help": False}
        patrols = {
            "dao": {"start": "17:00", "end": "18:00", "teammates": [], **shift},
            "an": {"start": "22:00", "end": "00:30", "teammates": [ids["binh"]], **shift},
            "chi": {"start": "19:00", "end": "21:00", "teammates": [ids["an"]], **shift},
        }
        for number, who, unit, kind, urgent in [
            ("BC-2026-900001", "an", team_a, "tip", True),
            ("BC-2026-900002", "dao", team_b, "patrol", False),
            ("BC-2026-900003", "an", team_a, "patrol", False),
            ("BC-2026-900004", "chi", team_a, "patrol", False),
        ]:
            await reports.create(
                tx,
                number=number,
                member_id=ids[who],
                unit_id=unit.id,
                kind=kind,
                report_date=day,
                data={"date": day, **patrols.get(who, {})} if kind == "patrol" else {"date": day},
                urgent=urgent,
                now_iso=now,
                edit_until_iso=iso(h.clock.now().replace(hour=21)),
            )
        await leaves.create(tx, ids["an"], day, day, "sick", ids["an"], now)


async def make_world(tmp_path: Path, channel: str, fake: FakeZalo | None = None) -> World:
    """A fresh seeded world on one messenger (Telegram's channel always runs beside it)."""
    config = Config()
    if fake is not None:
        fake.configure(config, tmp_path / "media")
    clock = ManualClock(datetime(2026, 11, 23, 18, 30))
    h = await make_harness(tmp_path, clock=clock, config=config)
    driver: Driver
    people = {key: name for key, name, *_ in PEOPLE} | {STRANGER: "Lò Thị La"}
    if channel == "zalo":
        assert fake is not None and config.zalo_token
        zalo = ZaloChannel(config, h.runtime.engine)
        sender = h.runtime.add_channel(zalo, SendPolicy())
        driver = ZaloDriver(fake, config.zalo_token, zalo, people)
    elif channel == "console":
        console = ConsoleChannel(io.StringIO(), files_dir=tmp_path / "files")
        sender = h.runtime.add_channel(console, SendPolicy())
        driver = ConsoleDriver(h, console, people)
    else:
        sender = h.sender
        driver = TelegramDriver(h, people)
    await seed(h, driver.identities(), driver.channel)
    planning = Planning(h.runtime.services, jobs_from(config, clock.tz))
    return World(h, driver, sender, planning)
