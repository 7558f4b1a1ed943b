"""Patrols in a few messages, end to end, on Telegram and on Zalo: the real bot process.

Two bot processes serve the module, each on Telegram (the emulator) and Zalo (the fake) at
once. The night bot runs in a time zone where local time is about 03:00, so the reporting
day is yesterday and the usual evening shifts are over: a first patrol, a routine one, and a
patrol that ran past midnight. The noon bot's daily reminder is due a few seconds after it starts: a
member named as a team-mate is credited and not reminded, a member nobody named is.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import backend
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser

from .backends import PerBackend
from .client import EmulatorUser, next_user_id
from .harness import Emulator, slot_soon
from .test_field_reports import ORG_CSV, PATROL, TEAM_A, TEAM_B
from .test_field_reports import join as tg_join
from .test_reminders import REMINDER
from .test_zalo import World, both_messengers
from .test_zalo import join as zalo_join

pytestmark = pytest.mark.e2e

NUMBER = re.compile(r"BC-\d{4}-\d{6}")
NOTICE = "đã ghi bạn vào ca tuần tra"


def zone_at(local_hour: int, now: datetime) -> ZoneInfo:
    """An IANA zone (Etc/GMT±N) in which `now` (UTC) is local_hour:MM."""
    offset = (local_hour - now.hour + 12) % 24 - 12  # -12..11
    return ZoneInfo("UTC" if offset == 0 else f"Etc/GMT{-offset:+d}")  # Etc/GMT-7 is UTC+7


def _world(
    root: Path, emulator: Emulator, fake: FakeZalo, zone: ZoneInfo, reminders: str, db: str
) -> World:
    w = both_messengers(
        root, emulator, fake, f'[bot]\ntimezone = "{zone.key}"\n[reminders]\n{reminders}', db
    )
    (root / "units.csv").write_text(ORG_CSV, encoding="utf-8")
    w.cli("org", "import", str(root / "units.csv"))
    for name, unit in (("a", TEAM_A), ("b", TEAM_B)):
        out = w.cli("invite", "create", "--unit", unit, "--role", "member", "--uses", "30")
        w.codes[name] = out.strip().splitlines()[-1].strip()
    return w


@contextmanager
def made_night(emulator: Emulator, fake: FakeZalo, root: Path, on: str) -> Iterator[World]:
    """Local time about 03:00 (quiet hours off, no reminders): the reporting day is yesterday."""
    zone = zone_at(3, datetime.now(UTC))
    off = 'enabled = false\nquiet_start = "00:00"\nquiet_end = "00:00"'
    with backend.bot_database(root / "bot.sqlite3", on) as db:
        w = _world(root, emulator, fake, zone, off, db)
        w.bot.start()
        try:
            yield w
        finally:
            w.bot.stop()


@pytest.fixture(scope="module")
def night_worlds(
    emulator: Emulator, fake: FakeZalo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PerBackend[World]]:
    """The night bot on each backend the module's tests run on, made at first use."""
    with PerBackend(
        lambda on: made_night(emulator, fake, tmp_path_factory.mktemp(f"night-{on}"), on)
    ) as made:
        yield made


@pytest.fixture
def night_world(night_worlds: PerBackend[World], db_backend: str) -> World:
    """The night bot on the running test's backend."""
    return night_worlds.get(db_backend)


@pytest.fixture
async def night(
    night_world: World, emulator: Emulator, request: pytest.FixtureRequest
) -> AsyncIterator[World]:
    request.node.e2e_processes = [night_world.bot]
    await night_world.fake.wait_polling(night_world.zalo_token)
    await emulator.wait_polling(night_world.tg_token, bot=night_world.bot)
    yield night_world
    assert_healthy(night_world)


def assert_healthy(w: World) -> None:
    __tracebackhide__ = True
    assert w.bot.running, f"the bot died (exit {w.bot.returncode}):\n{w.bot.tail()}"
    assert "Traceback" not in w.bot.output(), w.bot.tail(80)
    assert w.fake.state(w.zalo_token).errors == []


def local_now(w: World) -> datetime:
    return datetime.now(ZoneInfo(_zone_key(w)))


def _zone_key(w: World) -> str:
    found = re.search(r'timezone = "([^"]+)"', w.config.read_text(encoding="utf-8"))
    assert found
    return found.group(1)


def reporting_day(w: World) -> date:
    """Yesterday before 06:00 (`[reports] day_ends_at`), else today, in the bot's zone."""
    now = local_now(w)
    return now.date() - timedelta(days=1) if now.hour < 6 else now.date()


def tg_user(w: World, first: str, last: str) -> EmulatorUser:
    return EmulatorUser(
        w.emulator_url, w.tg_token, first_name=first, last_name=last, user_id=next_user_id()
    )


def reports_by(w: World, channel: str, user_id: str) -> list[dict[str, Any]]:
    """A member's reports, with whether each was filed late (as the tally counts it)."""
    return w.query(
        "SELECT r.*, r.created_at >= date(r.report_date, '+1 day') || 'T06:00:00' AS late "
        "FROM reports r JOIN identities i ON i.member_id = r.member_id "
        "WHERE i.channel = ? AND i.user_id = ? ORDER BY r.id",
        (channel, user_id),
    )


def data(row: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(row["data"]))


class Counted:
    """A member's messages to the bot on either messenger: taps by label, typed answers."""

    def __init__(self, tg: EmulatorUser | None = None, zalo: ZaloUser | None = None) -> None:
        self.tg, self.zalo = tg, zalo
        self.messages = self.typed = 0
        self.last: SentMessage | None = None
        self.choices: list[str] = []  # what the last awaited message offers

    async def wait(self, contains: str) -> str:
        """The next message containing `contains`; its text."""
        if self.tg is not None:
            message = await self.tg.wait_reply(contains)
            self.choices = message.labels
            return message.text
        assert self.zalo is not None
        self.last = await self.zalo.wait_reply(contains)
        self.choices = [line.partition(". ")[2] for line in self.last.lines() if ". " in line]
        return self.last.text

    def texts(self) -> list[str]:
        """Everything the bot sent this member."""
        if self.tg is not None:
            return self.tg.all_texts()
        assert self.zalo is not None
        return [m.text for m in self.zalo.messages]

    async def tap(self, label: str) -> None:
        self.messages += 1
        if self.tg is not None:
            await self.tg.press(label)
        else:
            assert self.zalo is not None and self.last is not None
            if f"[{label}]" in self.last.text:  # a count offered in brackets: typed as is
                await self.zalo.send(label)
            else:
                await self.zalo.answer(self.last, label)

    async def type(self, text: str) -> None:
        self.messages += 1
        self.typed += 1
        if self.tg is not None:
            await self.tg.send(text)
        else:
            assert self.zalo is not None
            await self.zalo.send(text)


async def members(w: World, channel: str, names: list[str], team: str = "a") -> list[Counted]:
    """New members of a team on one messenger, joined with an invite code, at the menu."""
    made: list[Counted] = []
    for name in names:
        if channel == "telegram":
            first, last = name.rsplit(" ", 1)
            user = tg_user(w, first, last)
            await tg_join(user, w.codes[team])
            made.append(Counted(tg=user))
        else:
            zuser = w.fake.user(w.zalo_token, name)
            await zalo_join(zuser, w.codes[team])
            member = Counted(zalo=zuser)
            member.last = zuser.messages[-1]  # the welcome, with the menu
            made.append(member)
    return made


def ident(member: Counted) -> tuple[str, str]:
    if member.tg is not None:
        return "telegram", str(member.tg.user_id)
    assert member.zalo is not None
    return "zalo", member.zalo.id


async def close(people: list[Counted]) -> None:
    for person in people:
        if person.tg is not None:
            await person.tg.aclose()


# ---------------------------------------------------------------------------- the night bot


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_a_first_patrol_and_a_routine_one_at_the_counts_above(
    night: World, channel: str
) -> None:
    names = {"telegram": ["Hà Văn Thắng", "Lộc Thị Mơ"], "zalo": ["Mông Văn Sáng", "Sầm Thị Út"]}
    people = await members(night, channel, names[channel], team="b")
    reporter = people[0]
    day = reporting_day(night)
    assert day < local_now(night).date()  # 03:00: a night patrol belongs to yesterday

    await reporter.tap("📝 Báo cáo")
    await reporter.wait("Bạn muốn báo cáo việc gì?")
    await reporter.tap(PATROL)
    await reporter.wait("Bước 1/4")
    assert "19:00–21:00" in reporter.choices, reporter.choices  # the evening shift is over
    assert not any("Như lần trước" in c for c in reporter.choices)  # nothing to repeat yet
    await reporter.tap("19:00–21:00")
    await reporter.wait("Bước 2/4")
    await reporter.type("Đường liên thôn Nà Chà")
    await reporter.wait("Bước 3/4")
    await reporter.tap("Một mình")
    await reporter.wait("Bước 4/4")
    await reporter.tap("0")
    summary = await reporter.wait("Xem lại báo cáo")
    assert f"• Ngày tuần tra: {day:%d/%m/%Y}" in summary
    await reporter.tap("Gửi báo cáo")
    await reporter.wait("Đã lưu báo cáo")
    assert (reporter.messages, reporter.typed) == (7, 1)

    reporter.messages = reporter.typed = 0
    await reporter.tap("📝 Báo cáo")  # the menu under the receipt
    await reporter.wait("Bạn muốn báo cáo việc gì?")
    await reporter.tap(PATROL)
    await reporter.wait("Bước 1/4")
    routine = reporter.choices[0]
    assert routine.startswith("🔁 Như lần trước: 19:00–21:00 · Đường liên thôn"), routine
    await reporter.tap("Như lần trước")
    summary = await reporter.wait("Xem lại báo cáo")
    assert "• Tuyến, địa bàn: Đường liên thôn Nà Chà" in summary
    await reporter.tap("Gửi báo cáo")
    await reporter.wait("Đã lưu báo cáo")
    assert (reporter.messages, reporter.typed) == (4, 0)

    rows = reports_by(night, *ident(reporter))
    assert [(r["kind"], r["report_date"], r["late"]) for r in rows] == [
        ("patrol", day.isoformat(), 0)
    ] * 2
    for row in rows:
        d = data(row)
        assert (d["start"], d["end"], d["route"]) == ("19:00", "21:00", "Đường liên thôn Nà Chà")
        assert (d["incidents"], d["traffic_help"], d.get("teammates") or []) == (0, False, [])
    await close(people)


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_a_patrol_from_22_00_to_00_30(night: World, channel: str) -> None:
    names = {"telegram": ["Lý Văn Đêm", "Hoàng Thị Khuya"], "zalo": ["Nông Văn Canh", "Bế Thị Gác"]}
    people = await members(night, channel, names[channel])
    reporter = people[0]
    day = reporting_day(night)

    await reporter.tap("📝 Báo cáo")
    await reporter.wait("Bạn muốn báo cáo việc gì?")
    await reporter.tap(PATROL)
    await reporter.wait("Bước 1/4")
    await reporter.type("22h-5h")  # ends at 05:00 this morning: not yet
    refused = await reporter.wait("Giờ này chưa tới")
    assert "Bước 1/4" in refused
    if channel == "telegram":
        await reporter.type("22h-0h30")
    else:
        await reporter.type("22:00")
        await reporter.wait("kết thúc lúc mấy giờ?")
        await reporter.type("00:30")
    await reporter.wait("Tuần tra tuyến nào")
    await reporter.type("Chốt cầu Bản Giới")
    await reporter.wait("Những ai trong tổ")
    await reporter.tap("Một mình")
    await reporter.wait("Phát hiện bao nhiêu vụ việc?")
    await reporter.type("0")
    summary = await reporter.wait("Xem lại báo cáo")
    for line in (
        f"• Ngày tuần tra: {day:%d/%m/%Y}",
        "• Giờ bắt đầu: 22:00",
        "• Giờ kết thúc: 00:30 (hôm sau)",
    ):
        assert line in summary, summary
    await reporter.tap("Gửi báo cáo")
    await reporter.wait("Đã lưu báo cáo")

    rows = reports_by(night, *ident(reporter))
    assert [(r["report_date"], r["late"]) for r in rows] == [(day.isoformat(), 0)]
    assert (data(rows[0])["start"], data(rows[0])["end"]) == ("22:00", "00:30")
    await close(people)


# ---------------------------------------------------------------------------- the noon bot


@pytest.fixture
async def noon(
    emulator: Emulator,
    fake: FakeZalo,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    db_backend: str,
) -> AsyncIterator[tuple[World, datetime]]:
    """Local time about noon; the daily reminder is due in a few seconds (the slot)."""
    zone = zone_at(12, datetime.now(UTC))
    with backend.bot_database(tmp_path / "bot.sqlite3", db_backend) as db:
        w = _world(tmp_path, emulator, fake, zone, 'daily_at = "12:00"', db)
        request.node.e2e_processes = [w.bot]
        slot = slot_soon(w.config, zone)
        w.bot.start()
        await w.fake.wait_polling(w.zalo_token)
        await emulator.wait_polling(w.tg_token, bot=w.bot)
        yield w, slot
        w.bot.stop()


async def _file_naming(reporter: Counted, mate: str) -> str:
    """A patrol this morning (typed: noon is long before the evening shifts) naming a mate."""
    await reporter.tap("📝 Báo cáo")
    await reporter.wait("Bạn muốn báo cáo việc gì?")
    await reporter.tap(PATROL)
    await reporter.wait("Bước 1/4")
    await reporter.type("8h-10h")
    await reporter.wait("Bước 2/4")
    await reporter.type("Đường ra bãi ngô")
    await reporter.wait("Bước 3/4")
    await reporter.tap(f"▫️ {mate}")
    await reporter.wait("Bước 3/4")  # the same question, the mate ticked
    assert f"☑️ {mate}" in reporter.choices, reporter.choices
    await reporter.tap("Xong")
    await reporter.wait("Bước 4/4")
    await reporter.type("0")
    await reporter.wait("Xem lại báo cáo")
    await reporter.tap("Gửi báo cáo")
    found = NUMBER.search(await reporter.wait("Đã lưu báo cáo"))
    assert found
    return found.group(0)


async def test_team_mates_are_credited_and_not_reminded(
    noon: tuple[World, datetime], emulator: Emulator
) -> None:
    w, slot = noon
    tg = await members(w, "telegram", ["Triệu Văn Tuần", "Đàm Thị Cùng", "Lưu Văn Quên"])
    zl = await members(w, "zalo", ["Hứa Văn Đi", "Lã Thị Theo", "Mạc Văn Nghỉ"])
    for reporter, mate in ((tg[0], "Đàm Thị Cùng"), (zl[0], "Lã Thị Theo")):
        number = await _file_naming(reporter, mate)
        credited = tg[1] if reporter is tg[0] else zl[1]
        notice = await credited.wait(NOTICE)
        assert number in notice and "🙅 Không phải tôi" in credited.choices, notice
        rows = reports_by(w, *ident(reporter))
        participants = w.query(
            "SELECT i.channel, i.user_id FROM report_participants p "
            "JOIN identities i ON i.member_id = p.member_id WHERE p.report_id = ?",
            (rows[0]["id"],),
        )
        assert [(p["channel"], p["user_id"]) for p in participants] == [ident(credited)]
        assert reports_by(w, *ident(credited)) == []  # credited, not a second reporter
    assert datetime.now(slot.tzinfo) < slot, "the set-up took longer than the time it had"

    wait = (slot - datetime.now(slot.tzinfo)).total_seconds() + 30
    assert tg[2].tg is not None and zl[2].zalo is not None
    reminder = await tg[2].tg.wait_reply(REMINDER, timeout=wait)
    assert f"{REMINDER} {slot:%d/%m/%Y}" in reminder.text
    await zl[2].zalo.wait_reply(REMINDER, timeout=10)
    assert tg[0].tg is not None and tg[1].tg is not None
    await tg[1].tg.expect_silence(2)
    for person in (*tg[:2], *zl[:2]):
        assert not any(REMINDER in t for t in person.texts()), ident(person)
    assert_healthy(w)
    await close(tg)
