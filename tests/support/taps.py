"""Counting the messages a report takes: each kind's shortest honest path, driven through
the real application on Telegram (pressing buttons) and on Zalo (typing numbered lines).

A path starts with the menu on screen (it follows every finished action, and every reminder
carries its buttons) and ends when the report is saved. Every message counts: a button
pressed or a line typed; "typed" counts the answers that are not a choice (a route, a
count typed, a place). Used by the benchmark (tests/bench/taps.py) and by the goals test.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.channels.zalo import ZaloChannel
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.outbox.sender import SendPolicy
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import TEAM_A, Harness, TgUser, make_harness

EVENING = datetime(2026, 11, 23, 21, 40)  # after the usual 19:00–21:00 shift
MENU_REPORT = "📝 Báo cáo"
MENU_NIL = "Hôm nay không có vụ việc"
SAVED = ("Đã lưu báo cáo", "Đã ghi nhận")

Step = tuple[str, str]  # ("tap", part of a button's label) or ("type", the text)
TAP, TYPE = "tap", "type"


def _report(kind: str, *steps: Step) -> list[Step]:
    return [(TAP, MENU_REPORT), (TAP, kind), *steps, (TAP, "Gửi báo cáo")]


# The shortest honest path of each kind: the first time (no earlier report), and routine
# (after one earlier report of the kind) where the kind offers "same as last time".
# "Nothing to report" goes first: a nil report beside a real one of the same day is refused.
FIRST: dict[str, list[Step]] = {
    "nil": [(TAP, MENU_NIL)],
    "patrol": _report(
        "Tuần tra",
        (TAP, "19:00–21:00"),
        (TYPE, "Đường liên thôn Nà Lẹng"),
        (TAP, "Cả tổ"),
        (TAP, "0"),
    ),
    "good_deed": _report(
        "Người tốt",
        (TYPE, "Sửa cầu tre qua suối"),
        (TYPE, "Bà con xóm Bản Chang"),
    ),
    "fire_rescue": _report(
        "PCCC",
        (TAP, "Cháy"),
        (TYPE, "Nhà văn hóa thôn"),
        (TAP, "Không"),
        (TAP, "0"),
        (TYPE, "Đã dập tắt"),
    ),
    "tip": _report(
        "Tin báo",
        (TAP, "Người dân báo"),
        (TAP, "Tệ nạn"),
        (TAP, "Bình thường"),
        (TYPE, "Ngã ba chợ"),
        (TYPE, "Nhóm thanh niên tụ tập"),
    ),
    "admin_order": _report(
        "Quản lý hành chính",
        (TYPE, "12"),
        (TAP, "0"),
        (TAP, "0"),
        (TAP, "0"),
    ),
    "reintegration": _report(
        "Cảm hóa",
        (TYPE, "NVT"),
        (TAP, "Gặp trực tiếp"),
        (TAP, "Tiến bộ rõ"),
        (TAP, "Không"),
    ),
    "outreach": _report(
        "Tuyên truyền",
        (TAP, "Họp dân"),
        (TYPE, "40"),
        (TYPE, "Phòng chống ma túy"),
    ),
}
ROUTINE: dict[str, list[Step]] = {
    "patrol": _report("Tuần tra", (TAP, "Như lần trước")),
    "reintegration": _report(
        "Cảm hóa",
        (TAP, "Như lần trước"),
        (TAP, "Tiến bộ rõ"),
        (TAP, "Không"),
    ),
    "outreach": _report("Tuyên truyền", (TAP, "Như lần trước")),
}


@dataclass(frozen=True)
class Count:
    """One measured path."""

    kind: str
    channel: str
    when: str  # "first" or "routine"
    messages: int
    typed: int


class Driver:
    """One member on one messenger, sending steps and reading the last reply."""

    channel = ""

    async def step(self, step: Step) -> str:
        """Send one step; the text of the bot's last reply."""
        raise NotImplementedError

    async def menu(self) -> None:
        """Put the menu on screen (not counted: it is there after every action)."""
        await self.step((TYPE, "/menu"))


class TelegramDriver(Driver):
    channel = "telegram"

    def __init__(self, user: TgUser) -> None:
        self.user = user

    async def step(self, step: Step) -> str:
        action, text = step
        if action == TAP:
            await self.user.press(text)
        else:
            await self.user.send(text)
        return self.user.last_text


class ZaloDriver(Driver):
    channel = "zalo"

    def __init__(self, h: Harness, fake: FakeZalo, channel: ZaloChannel, user: ZaloUser) -> None:
        self.h, self.fake, self.zalo, self.user = h, fake, channel, user
        self.sender = h.runtime.add_channel(channel, SendPolicy())
        self.last: SentMessage | None = None

    async def step(self, step: Step) -> str:
        action, text = step
        if action == TAP:
            text = self._number(text)
        self.user.unread()
        update = self.fake.message("message.text.received", self.user.id, self.user.name, text=text)
        await self.zalo.receive(update)
        await self.h.drain()
        await self.sender.drain_once()
        replies = self.user.unread()
        assert replies, f"no answer to {text!r}"
        self.last = replies[-1]
        return self.last.text

    def _number(self, label: str) -> str:
        """The numbered line to type; a count shown in brackets is typed as itself."""
        assert self.last is not None
        try:
            return self.last.choice_number(label)
        except AssertionError:
            if f"[{label}]" in self.last.text:
                return label
            raise


async def run_path(driver: Driver, kind: str, steps: list[Step], when: str) -> Count:
    """Walk one path from the menu to the receipt; fails loudly if the path does not hold."""
    await driver.menu()
    text = ""
    for step in steps:
        text = await driver.step(step)
    assert any(mark in text for mark in SAVED), f"{kind} ({when}) was not saved:\n{text}"
    typed = sum(1 for action, _ in steps if action == TYPE)
    return Count(kind, driver.channel, when, len(steps), typed)


async def measure_all(driver: Driver) -> list[Count]:
    """Every kind first, then the routine paths (each after the kind's first report)."""
    counts = [await run_path(driver, kind, steps, "first") for kind, steps in FIRST.items()]
    for kind, steps in ROUTINE.items():
        counts.append(await run_path(driver, kind, steps, "routine"))
    return counts


@asynccontextmanager
async def telegram(tmp_path: Path) -> AsyncIterator[TelegramDriver]:
    """A member of a two-person team on Telegram, in the evening after the usual shift."""
    h = await make_harness(tmp_path, clock=ManualClock(EVENING))
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    try:
        yield TelegramDriver(h.user(1))
    finally:
        await h.close()


@asynccontextmanager
async def zalo(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[ZaloDriver]:
    """The same member and team on Zalo (joined with an invite code, by typing numbers)."""
    config = Config()
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, clock=ManualClock(EVENING), config=config)
    await h.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    await h.add_invite("TAPS", TEAM_A, "member")
    channel = ZaloChannel(config, h.runtime.engine)
    driver = ZaloDriver(h, fake, channel, fake.user(token, "Nguyễn Văn An"))
    try:
        await driver.step((TYPE, "/start TAPS"))
        await driver.step((TAP, "Dùng tên"))
        await driver.step((TAP, "Đúng, tham gia"))
        yield driver
    finally:
        await channel.api.aclose()
        await h.close()


def table(counts: list[Count]) -> str:
    """The figures as printed by `make bench-taps`."""
    lines = [f"{'kind':<14} {'channel':<9} {'when':<8} {'messages':>8} {'typed':>6}"]
    for c in counts:
        lines.append(f"{c.kind:<14} {c.channel:<9} {c.when:<8} {c.messages:>8} {c.typed:>6}")
    return "\n".join(lines)


def as_json(counts: list[Count]) -> str:
    """The figures as JSON, for comparing runs."""
    rows: list[dict[str, Any]] = [c.__dict__ for c in counts]
    return json.dumps(rows, ensure_ascii=False)
