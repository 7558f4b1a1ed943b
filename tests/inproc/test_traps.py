"""No traps in typed answers (issue 12, item 4): a half-finished report, then a pushed
message (the evening reminder, a notice) on Zalo, where everything is typed; and the same
reminder's buttons on Telegram. Steps go through the "Người tốt" report, whatever its
questions are: each test compares with what the question itself shows or answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core import dialog
from bot.core.clock import iso
from bot.core.config import Config
from bot.core.model import Choice, Outbound
from bot.outbox.sender import OutboxSender, SendPolicy
from bot.reports.drafts import ReportDraft
from handlers.commands import NIL, REPORT
from storage import conversations, outbox
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import TEAM_A, Harness, make_harness

REMINDER = Outbound(
    "🔔 Nhắc báo cáo",
    [[Choice("📝 Báo cáo", REPORT)], [Choice("✅ Không có vụ việc", NIL)]],
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


class Z:
    """The application with a Zalo channel on the fake; pushes go through the outbox."""

    def __init__(self, h: Harness, fake: FakeZalo, token: str, channel: ZaloChannel) -> None:
        self.h, self.fake, self.token, self.channel = h, fake, token, channel
        self.sender: OutboxSender = h.runtime.add_channel(channel, SendPolicy())
        self.pushes = 0

    async def say(self, user: ZaloUser, text: str) -> list[SentMessage]:
        """The user types `text`; returns what the bot answered."""
        user.unread()
        await self.channel.receive(
            self.fake.message("message.text.received", user.id, user.name, text=text)
        )
        await self.sender.drain_once()
        return user.unread()

    async def push(self, user: ZaloUser, message: Outbound) -> SentMessage:
        """Send `message` to the user as the scheduler or another member's action would."""
        self.pushes += 1
        now = iso(self.h.clock.now())
        async with self.h.db.transaction() as tx:
            await outbox.enqueue(
                tx,
                dedupe_key=f"push:{self.pushes}",
                channel="zalo",
                chat_id=user.id,
                member_id=None,
                payload=message.to_payload(),
                not_before_iso=now,
                now_iso=now,
            )
        user.unread()
        await self.sender.drain_once()
        got = user.unread()
        assert len(got) == 1
        return got[0]

    async def join(self, name: str, code: str) -> ZaloUser:
        await self.h.add_invite(code, TEAM_A, "member")
        user = self.fake.user(self.token, name)
        asked = await self.say(user, f"/start {code}")
        confirm = await self.say(user, asked[-1].choice_number("Dùng tên"))
        welcome = await self.say(user, confirm[-1].choice_number("Đúng, tham gia"))
        assert "Chào mừng" in welcome[0].text
        return user

    async def draft(self, user: ZaloUser) -> SentMessage:
        """A "Người tốt" report begun: returns its first question."""
        kinds = await self.say(user, "/baocao")
        first = await self.say(user, kinds[-1].choice_number("Người tốt"))
        assert "Bước 1/" in first[-1].text
        return first[-1]

    async def saved_reports(self) -> int:
        return await self.h.count("SELECT COUNT(*) FROM reports")


@pytest.fixture
async def z(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Z]:
    config = Config()
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, config=config)
    channel = ZaloChannel(config, h.runtime.engine)
    yield Z(h, fake, token, channel)
    await channel.api.aclose()
    await h.close()


async def test_the_reminders_number_answers_the_reminder_and_the_draft_is_kept(z: Z) -> None:
    an = await z.join("Nguyễn Văn An", "TRAPONE")
    question = await z.draft(an)
    reminder = await z.push(an, REMINDER)
    assert "2. ✅ Không có vụ việc" in reminder.lines()
    got = await z.say(an, "2")  # the reminder's "nothing to report", not the draft's 2nd choice
    text = "\n".join(m.text for m in got)
    assert "không có vụ việc" in text.lower() and "Đã ghi nhận" in text
    assert "Người tốt, việc tốt” đang làm dở vẫn được giữ" in text
    assert "gõ /baocao để làm tiếp" in text
    assert got[-1].lines()[-1].startswith("5. ")  # the menu's choices stay last
    assert await z.saved_reports() == 1  # the nil report only
    # Typed text now is not an answer to the draft: the menu (idle) answers it.
    idle = await z.say(an, "Giúp cụ già sửa mái nhà")
    assert "Xin chào" in idle[-1].text
    # /baocao offers the draft back, where it was.
    offer = await z.say(an, "/baocao")
    assert "làm dở" in offer[-1].text
    again = await z.say(an, offer[-1].choice_number("Tiếp tục"))
    assert again[-1].text == question.text
    # A second reminder's number: the draft is set aside again, but told only once.
    await z.push(an, REMINDER)
    got = await z.say(an, "2")
    assert not any("💾" in m.text for m in got)
    offer = await z.say(an, "/baocao")
    assert "làm dở" in offer[-1].text


async def test_the_reminders_report_choice_offers_the_draft_back(z: Z) -> None:
    an = await z.join("Nguyễn Văn An", "TRAPTWO")
    await z.draft(an)
    await z.push(an, REMINDER)
    got = await z.say(an, "1")
    assert "Người tốt, việc tốt” làm dở" in got[-1].text
    assert not any("💾" in m.text for m in got)  # it is on screen: nothing to tell


async def test_text_typed_after_a_notice_is_checked_then_used_as_the_answer(z: Z) -> None:
    # Two members answer the same question: one straight away, one after a notice arrived.
    binh = await z.join("Trần Thị Bình", "TRAPBIN")
    await z.draft(binh)
    direct = await z.say(binh, "hôm nay")
    an = await z.join("Nguyễn Văn An", "TRAPTHR")
    await z.draft(an)
    await z.push(an, Outbound("📣 Thông báo của Công an xã: họp tổ lúc 8 giờ."))
    check = await z.say(an, "hôm nay")
    assert len(check) == 1
    assert "Bạn vừa gõ: «hôm nay»" in check[0].text
    assert "báo cáo “🌟 Người tốt, việc tốt” đang làm dở" in check[0].text
    assert "chưa được lưu" in check[0].text
    assert "1. Dùng «hôm nay» làm câu trả lời" in check[0].lines()
    async with z.h.db.read() as tx:
        kept = dialog.load(await conversations.load(tx, "zalo", an.id))
    draft = kept.require(ReportDraft)
    # nothing landed in the draft: only the preset date is there, as when it was begun
    assert draft.answers == {"date": "2026-11-23"} and draft.history == []
    assert kept.typed == "hôm nay"  # kept until the member says what it is
    used = await z.say(an, "1")
    assert [m.text for m in used] == [m.text for m in direct]


async def test_text_typed_after_a_notice_can_show_the_question_again(z: Z) -> None:
    an = await z.join("Nguyễn Văn An", "TRAPFOU")
    question = await z.draft(an)
    await z.push(an, Outbound("📣 Thông báo: họp tổ lúc 8 giờ."))
    await z.say(an, "chờ chút")
    shown = await z.say(an, "2")
    assert shown[-1].text == question.text
    assert shown[-1].lines() == question.lines()
    assert await z.saved_reports() == 0


async def test_a_number_of_the_reminder_when_idle_still_works(z: Z) -> None:
    an = await z.join("Nguyễn Văn An", "TRAPFIV")
    await z.push(an, REMINDER)
    got = await z.say(an, "2")
    assert "Đã ghi nhận" in got[0].text
    assert not any("💾" in m.text for m in got)


async def test_telegram_a_reminder_button_during_a_draft_keeps_it_and_says_so(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Người tốt")
    async with h.db.transaction() as tx:
        now = iso(h.clock.now())
        await outbox.enqueue(
            tx,
            dedupe_key="remind:1",
            channel="telegram",
            chat_id="1",
            member_id=None,
            payload=REMINDER.to_payload(),
            not_before_iso=now,
            now_iso=now,
        )
    await h.drain()
    replies = await an.press("Không có vụ việc")
    text = "\n".join(m.text for m in replies)
    assert "Đã ghi nhận" in text
    assert "Người tốt, việc tốt” đang làm dở vẫn được giữ" in text
    assert "bấm 📝 Báo cáo để làm tiếp" in text
    idle = await an.send("Giúp cụ già sửa mái nhà")
    assert "Xin chào" in idle[-1].text  # not swallowed by the hidden draft
    offer = await an.send("/baocao")
    assert "làm dở" in offer[-1].text


async def test_zalo_texts_say_type_the_number_not_press(z: Z) -> None:
    an = await z.join("Nguyễn Văn An", "TRAPSIX")
    await z.say(an, "/baocao")
    wrong = await z.say(an, "99")
    assert "Vui lòng gõ số một lựa chọn bên dưới." in wrong[0].text
    assert not any("bấm" in m.text.lower() for m in wrong)
