"""The target fields on Zalo (no buttons: numbered lines, everything typed): the model level
and the business-violation question come as one numbered message each, only when they apply."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from tests.inproc.helpers import SUMMARY, report_data
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import TEAM_A, Harness, make_harness

EVENING = datetime(2026, 11, 23, 20, 0)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


class Chat:
    """An on Zalo, joined by invite; `say` returns every reply to one typed line."""

    def __init__(self, h: Harness, fake: FakeZalo, channel: ZaloChannel, user: ZaloUser) -> None:
        self.h, self.fake, self.channel, self.user = h, fake, channel, user
        self.sender: OutboxSender = h.runtime.add_channel(channel, SendPolicy())
        self.last: SentMessage | None = None

    async def say(self, text: str) -> list[SentMessage]:
        self.user.unread()
        update = self.fake.message("message.text.received", self.user.id, self.user.name, text=text)
        await self.channel.receive(update)
        await self.h.drain()
        await self.sender.drain_once()
        replies = self.user.unread()
        assert replies, f"no answer to {text!r}"
        self.last = replies[-1]
        return replies

    async def pick(self, label: str) -> list[SentMessage]:
        assert self.last is not None
        return await self.say(self.last.choice_number(label))


@pytest.fixture
async def chat(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Chat]:
    config = Config()
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, clock=ManualClock(EVENING), config=config)
    await h.add_invite("TARGETS", TEAM_A, "member")
    channel = ZaloChannel(config, h.runtime.engine)
    c = Chat(h, fake, channel, fake.user(token, "Nguyễn Văn An"))
    await c.say("/start TARGETS")
    await c.pick("Dùng tên")
    await c.pick("Đúng, tham gia")
    yield c
    await channel.api.aclose()
    await h.close()


async def test_model_level_typed_by_its_number(chat: Chat) -> None:
    await chat.say("/baocao")
    await chat.pick("Tuyên truyền")
    await chat.pick("Xây dựng mô hình")
    await chat.say("60")
    replies = await chat.say("Camera an ninh ở ngõ xóm")
    assert len(replies) == 1 and SUMMARY in replies[0].text
    await chat.pick("Thêm mô hình")
    replies = await chat.say("Camera an ninh")
    assert len(replies) == 1
    asked = replies[0].text
    assert "Mô hình đã được ghi nhận, biểu dương ở cấp nào?" in asked
    assert "3. Cấp huyện (khu vực) trở lên" in asked.splitlines()
    assert "bấm" not in asked.lower()  # no buttons on Zalo: "gõ số"
    replies = await chat.say("3")
    assert len(replies) == 1 and SUMMARY in replies[0].text
    await chat.pick("Gửi báo cáo")
    assert (await report_data(chat.h))["model_level"] == "district"


async def test_business_violation_typed_and_households_as_a_number(chat: Chat) -> None:
    await chat.say("/baocao")
    await chat.pick("Quản lý hành chính")
    await chat.say("120")
    await chat.say("0")
    replies = await chat.say("1")
    assert len(replies) == 1 and "Có cơ sở nào vi phạm quy định về ANTT không?" in replies[0].text
    await chat.pick("Không")
    replies = await chat.say("0")
    assert SUMMARY in replies[-1].text
    await chat.pick("Gửi báo cáo")
    data = await report_data(chat.h)
    assert (data["households_informed"], data["business_violation"]) == (120, False)
