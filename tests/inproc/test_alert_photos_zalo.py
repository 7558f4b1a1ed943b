"""Photos in alerts across messengers: Zalo sends images only from a URL and, without
`[web] public_url`, the bot has no public file URL, so an alert read on Zalo (or a Zalo
photo's alert on Telegram) says how many photos there are and where they can be seen, and
nothing is sent that cannot arrive (with links: tests/inproc/test_zalo_files.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.clock import iso
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from storage import members, units
from tests.inproc.helpers import SUMMARY, report_data, rows
from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser
from tests.support.harness import COMMUNE, TEAM_A, Harness, make_harness

ELSEWHERE = (
    "📷 2 ảnh: xem trên Telegram (người báo gửi qua Telegram, chưa chuyển được sang đây). "
    "Muốn xem ảnh ngay trên Zalo: quản trị viên đặt địa chỉ trang (mục [web] public_url) "
    "trong tệp cấu hình."
)
LATER = (
    "📷 1 ảnh: bot đã lưu, sẽ gửi kèm khi hệ thống bật đường dẫn tệp (hỏi quản trị hệ thống). "
    "Cần xem ngay thì gọi người báo."
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


class Both:
    """The Telegram harness plus a Zalo channel on the fake, in one application."""

    def __init__(self, h: Harness, fake: FakeZalo, token: str, channel: ZaloChannel) -> None:
        self.h, self.fake, self.token, self.channel = h, fake, token, channel
        self.sender: OutboxSender = h.runtime.add_channel(channel, SendPolicy())
        self.last: SentMessage | None = None

    async def zalo_member(self, name: str, role: str, unit_path: str) -> ZaloUser:
        """Someone enrolled directly and reached on Zalo."""
        user = self.fake.user(self.token, name)
        now = iso(self.h.clock.now())
        async with self.h.db.transaction() as tx:
            unit = await units.get_by_path(tx, unit_path)
            assert unit is not None
            member_id = await members.create(tx, unit.id, role, name, "vi", now)
            await members.link_identity(tx, "zalo", user.id, user.id, member_id, now)
        return user

    async def drain(self) -> None:
        await self.h.drain()
        await self.sender.drain_once()

    async def say(self, user: ZaloUser, text: str | None = None, *, photo: bool = False) -> str:
        """Type a line (or send a photo) on Zalo; the text of the bot's last answer."""
        user.unread()
        if photo:
            update = self.fake.message(
                "message.image.received",
                user.id,
                user.name,
                photo_url=f"{self.fake.url}/media/p{len(user.messages)}.jpg",
            )
        else:
            update = self.fake.message("message.text.received", user.id, user.name, text=text)
        await self.channel.receive(update)
        replies = user.unread()
        assert replies, f"no answer to {text!r}"
        self.last = replies[-1]
        return self.last.text

    async def pick(self, user: ZaloUser, label: str) -> str:
        assert self.last is not None
        return await self.say(user, self.last.choice_number(label))


@pytest.fixture
async def both(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Both]:
    config = Config()
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, config=config)
    channel = ZaloChannel(config, h.runtime.engine)
    yield Both(h, fake, token, channel)
    await channel.api.aclose()
    await h.close()


def zalo_alert(user: ZaloUser) -> SentMessage:
    found = [m for m in user.messages if m.text.startswith("🚨 BÁO CÁO KHẨN:")]
    assert len(found) == 1, [m.text for m in user.messages]
    return found[0]


async def test_a_zalo_officer_is_told_how_many_telegram_photos_and_where(both: Both) -> None:
    h = both.h
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)  # on Telegram
    hai = await both.zalo_member("Vi Văn Hải", "officer", COMMUNE)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("PCCC")
    await an.press("Cháy")
    await an.send("Nhà văn hóa thôn Nà Lẹng")
    await an.press("Có")
    await an.press("Có")
    await an.send("3")
    await an.send("Đã dập tắt")
    await an.press("Thêm ảnh")
    await an.send_photo("PH-1")
    await an.send_photo("PH-2")
    await an.press("Xong")
    await an.press("Gửi báo cáo")
    await both.drain()

    alert = zalo_alert(hai)
    lines = alert.text.splitlines()
    assert lines[lines.index("• Ảnh: 2 ảnh") :] == [
        "• Ảnh: 2 ảnh",
        ELSEWHERE,
        "",
        "1. ✅ Đã tiếp nhận",
    ]
    assert "gửi ngay sau tin này" not in alert.text
    assert [m.method for m in hai.messages] == ["sendMessage"]  # no photo that cannot arrive
    zalo_rows = await rows(
        h,  # the ladder's later steps wait in the outbox; the first alert alone went now
        "SELECT COUNT(*) AS n FROM outbox"
        " WHERE channel = 'zalo' AND dedupe_key NOT LIKE '%:step:%'",
    )
    assert zalo_rows == [{"n": 1}]
    # the Telegram officer gets them as photos
    cuong = h.user(11)
    assert [m.file_name for m in cuong.messages if m.file_kind == "photo"] == ["PH-1", "PH-2"]
    assert "📷 2 ảnh gửi ngay sau tin này." in cuong.messages[0].text


async def test_a_zalo_photo_reaches_a_telegram_officer_uploaded(both: Both) -> None:
    """Telegram has no file id for a photo sent on Zalo: the stored file is uploaded."""
    h = both.h
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    an = await both.zalo_member("Nguyễn Văn An", "member", TEAM_A)
    await both.say(an, "/baocao")
    await both.pick(an, "PCCC")
    await both.pick(an, "Cháy")
    await both.say(an, "Nhà văn hóa thôn Nà Lẹng")
    await both.pick(an, "Có")
    await both.pick(an, "Có")
    await both.say(an, "3")
    assert SUMMARY in await both.say(an, "Đã dập tắt")
    await both.pick(an, "Thêm ảnh")
    await both.say(an, photo=True)
    assert SUMMARY in await both.pick(an, "Xong")
    assert (await both.pick(an, "Gửi báo cáo")).startswith("✅ Đã lưu báo cáo BC-2026-000001")
    assert str((await report_data(h))["photos"][0]).startswith("file:")
    await both.drain()

    cuong = h.user(11)
    alert = [m for m in cuong.messages if m.text.startswith("🚨 BÁO CÁO KHẨN:")]
    assert len(alert) == 1
    assert "📷 1 ảnh gửi ngay sau tin này." in alert[0].text.splitlines()
    assert LATER not in alert[0].text
    stored = Path(str((await report_data(h))["photos"][0]).removeprefix("file:"))
    photos = [m for m in cuong.messages if m.file_kind == "photo"]
    assert [m.file_data for m in photos] == [stored.read_bytes()]
    assert photos[0].text == "Ảnh 1/1 — BC-2026-000001"
