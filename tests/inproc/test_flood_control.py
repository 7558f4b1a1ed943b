"""Flood control: a reply Telegram (or Zalo) refuses with 429 is not lost but handed to the
outbox and sent after retry_after, in order; a handled 429 is one warning line, not an
ERROR with a traceback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from tests.inproc.helpers import one, rows
from tests.support.fakezalo import FakeZalo
from tests.support.harness import COMMUNE, TEAM_A, Harness, make_harness


class FakeTime:
    """The sender's monotonic clock: a retry_after pause is waited out at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def fake_time(sender: OutboxSender) -> FakeTime:
    clock = FakeTime()
    sender.limiter.monotonic = clock
    sender.limiter.sleep = clock.sleep
    return clock


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    config = Config()
    config.announcements.max_chars = 4000
    harness = await make_harness(tmp_path, config=config, rate_limit=True)  # PTB's limiter on
    await harness.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await harness.add_member(100, "Trần Văn Dũng", "officer", COMMUNE)
    yield harness
    await harness.close()


async def test_a_reply_refused_with_429_arrives_after_the_wait(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    clock = fake_time(h.sender)
    user = h.user(1)
    h.api.flood = 1
    with caplog.at_level(logging.INFO):
        assert await user.send("/menu") == []  # Telegram said: retry after 5 s
    row = await one(h, "SELECT dedupe_key, status, urgent, not_before FROM outbox")
    assert row["dedupe_key"].startswith("reply:telegram:") and row["status"] == "pending"
    assert row["urgent"] == 1 and row["not_before"] == "2026-11-23T09:00:05+07:00"
    assert h.sender.limiter.paused_for == pytest.approx(5.0)
    assert await h.drain() == 0  # not before retry_after, by the bot's clock either
    h.clock.advance(seconds=5)
    clock.now += 5
    assert await h.drain() == 1
    assert "📝 Báo cáo" in user.new_messages()[0].labels()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [(r.name, r.getMessage()) for r in errors]
    handed = [r for r in caplog.records if r.getMessage() == "replies handed to the outbox"]
    assert len(handed) == 1 and handed[0].levelno == logging.WARNING


async def test_every_reply_after_the_refused_one_keeps_its_order(h: Harness) -> None:
    fake_time(h.sender)
    user = h.user(1)
    h.api.flood = 1
    assert await user.send("/khonglenh") == []  # two replies: "no such command", then help
    keys = [r["dedupe_key"] for r in await rows(h, "SELECT dedupe_key FROM outbox ORDER BY id")]
    assert [k.rsplit(":", 1)[1] for k in keys] == ["0", "1"]
    h.clock.advance(seconds=5)
    await h.drain()
    got = user.new_messages()
    assert [m.text.split("\n")[0][:20] for m in got] == [
        "Không có lệnh /khong",
        "❓ Hướng dẫn sử dụng",
    ]


async def test_a_long_reply_cut_by_429_part_way_sends_only_the_rest(h: Harness) -> None:
    fake_time(h.sender)
    officer = h.user(100)
    await officer.send("/thongbao")
    await officer.press("Toàn bộ")
    body = ("Nội dung họp giao ban tháng 12. " * 125)[:4000]
    h.api.flood, h.api.flood_skip = 1, 1  # the first part goes, the second is refused
    first = await officer.send(body)
    assert len(first) == 1 and first[0].buttons == []
    h.clock.advance(seconds=5)
    await h.drain()
    rest = officer.new_messages()
    assert len(rest) == 1 and "Gửi" in " ".join(rest[0].labels())
    whole = first[0].text + rest[0].text
    assert whole.count("Nội dung họp giao ban") == 125  # every part once, none twice


async def test_zalo_replies_survive_a_rate_limit(tmp_path: Path) -> None:
    fake = FakeZalo().start()
    try:
        config = Config()
        token = fake.configure(config, tmp_path / "media")
        h = await make_harness(tmp_path, config=config)
        channel = ZaloChannel(config, h.runtime.engine)
        sender = h.runtime.add_channel(channel, SendPolicy())
        fake_time(sender)
        lan = fake.user(token, "Vi Thị Lan")
        fake.state(token).flood = 1
        await channel.receive(fake.message("message.text.received", lan.id, lan.name, text="hi"))
        assert lan.unread() == []
        h.clock.advance(seconds=2)
        await sender.drain_once()
        said = lan.unread()
        assert len(said) == 1 and "Bạn chưa tham gia" in said[0].text
        await channel.api.aclose()
        await h.close()
    finally:
        fake.stop()


async def test_an_outbox_message_cut_part_way_resends_only_the_rest(h: Harness) -> None:
    fake_time(h.sender)
    text = "\n".join(f"Dòng {i:03d} " + "x" * 40 for i in range(120))  # about 5,500 units
    await h.enqueue("long:1", 1, text=text)
    h.api.flood, h.api.flood_skip = 1, 1
    await h.drain()
    first = h.api.chat(1)
    assert len(first) == 1 and first[0].text.startswith("Dòng 000")
    h.clock.advance(seconds=5)
    await h.drain()
    got = h.api.chat(1)
    assert len(got) == 2 and not got[1].text.startswith("Dòng 000")
    lines = [line for m in got for line in m.text.split("\n")]
    assert lines == text.split("\n")  # every line once, in order
