"""The quick patrol wizard on Zalo, where choices are numbered lines and everything is typed:
a typed number picks "same as last time" or a shift, the counts are typed as themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from tests.inproc.helpers import SUMMARY, report_data, rows
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import TEAM_A, Harness, make_harness

EVENING = datetime(2026, 11, 23, 21, 37)
ROUTE = "Đường liên thôn Nà Lẹng"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


class Chat:
    """An on Zalo (joined by invite) in a team with Bình, in the evening."""

    def __init__(self, h: Harness, fake: FakeZalo, channel: ZaloChannel, user: ZaloUser) -> None:
        self.h, self.fake, self.channel, self.user = h, fake, channel, user
        self.sender: OutboxSender = h.runtime.add_channel(channel, SendPolicy())
        self.last: SentMessage | None = None

    async def say(self, text: str) -> str:
        """Type one line; the text of the bot's last reply."""
        self.user.unread()
        update = self.fake.message("message.text.received", self.user.id, self.user.name, text=text)
        await self.channel.receive(update)
        await self.h.drain()
        await self.sender.drain_once()
        replies = self.user.unread()
        assert replies, f"no answer to {text!r}"
        self.last = replies[-1]
        return self.last.text

    async def pick(self, label: str) -> str:
        """Type the number of the line whose label contains `label`."""
        assert self.last is not None
        return await self.say(self.last.choice_number(label))


@pytest.fixture
async def chat(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Chat]:
    config = Config()
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, clock=ManualClock(EVENING), config=config)
    await h.add_member(2, "Trần Thị Bình", "member", TEAM_A)
    await h.add_invite("QUICK", TEAM_A, "member")
    channel = ZaloChannel(config, h.runtime.engine)
    c = Chat(h, fake, channel, fake.user(token, "Nguyễn Văn An"))
    await c.say("/start QUICK")
    await c.pick("Dùng tên")
    assert "Chào mừng" in await c.pick("Đúng, tham gia")
    yield c
    await channel.api.aclose()
    await h.close()


async def test_first_patrol_by_typed_numbers(chat: Chat) -> None:
    await chat.say("/baocao")
    asked = await chat.pick("Tuần tra")
    assert "Như lần trước" not in asked
    assert "1. 19:00–21:00" in asked.splitlines()
    assert "⏱ Vừa xong (21:35)" in asked
    assert "Bước 2/4" in await chat.say("1")  # the number picks the shift, not 01:00
    asked = await chat.say(ROUTE)
    assert "1. 🙋 Một mình" in asked.splitlines()
    assert "2. 👥 Cả tổ (Bình)" in asked.splitlines()
    asked = await chat.say("2")
    assert "[0] · [1] · [2] · [3]" in asked  # counts are typed as themselves
    summary = await chat.say("2")
    assert SUMMARY in summary
    assert "• Số vụ việc phát hiện: 2" in summary
    assert "• Tổ viên cùng tham gia: Trần Thị Bình" in summary
    assert "Đã lưu báo cáo" in await chat.pick("Gửi báo cáo")
    binh = await rows(chat.h, "SELECT id FROM members WHERE full_name = 'Trần Thị Bình'")
    data = await report_data(chat.h)
    assert (data["start"], data["end"], data["incidents"]) == ("19:00", "21:00", 2)
    assert data["teammates"] == [binh[0]["id"]]


async def test_routine_by_its_number(chat: Chat) -> None:
    await chat.say("/baocao")
    await chat.pick("Tuần tra")
    await chat.say("19h-21h")
    await chat.say(ROUTE)
    await chat.say("1")  # alone
    await chat.say("1")
    await chat.pick("Gửi báo cáo")

    await chat.say("/baocao")
    asked = await chat.pick("Tuần tra")
    assert "1. 🔁 Như lần trước: 19:00–21:00 · Đường liên thôn N… · một mình" in asked
    summary = await chat.say("1")
    assert SUMMARY in summary
    assert f"• Tuyến, địa bàn: {ROUTE}" in summary
    assert "• Số vụ việc phát hiện: 0" in summary
    assert "Gõ số “Gửi báo cáo”" in summary  # no "bấm" where there are no buttons
    assert "Đã lưu báo cáo" in await chat.pick("Gửi báo cáo")
    second = await report_data(chat.h, 2)
    assert (second["route"], second["incidents"], second["teammates"]) == (ROUTE, 0, [])
    assert len(await rows(chat.h, "SELECT id FROM reports")) == 2


async def test_just_now_and_a_typed_start(chat: Chat) -> None:
    await chat.say("/baocao")
    await chat.pick("Tuần tra")
    asked = await chat.pick("Vừa xong")
    assert "Kết thúc lúc 21:35. Bắt đầu lúc mấy giờ?" in asked
    assert "1. 20:35" in asked.splitlines()
    assert "Bước 2/4" in await chat.say("19:30")  # a typed time, not a line number
    await chat.say(ROUTE)
    await chat.say("1")
    await chat.say("0")
    await chat.pick("Gửi báo cáo")
    data = await report_data(chat.h)
    assert (data["start"], data["end"]) == ("19:30", "21:35")


async def test_a_future_shift_is_refused_on_zalo(chat: Chat) -> None:
    await chat.say("/baocao")
    await chat.pick("Tuần tra")
    asked = await chat.say("21:00-23:00")
    assert asked.startswith("⚠️ Giờ này chưa tới (bây giờ là 21:37, báo cáo ngày 23/11/2026).")
    assert "Bước 1/4" in asked
    assert len(await rows(chat.h, "SELECT id FROM reports")) == 0
