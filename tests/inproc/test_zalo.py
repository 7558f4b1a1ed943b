"""Zalo in-process: the real application and ZaloChannel against the fake Zalo API.

Updates are fed to the channel one by one (the path long polling takes after getUpdates), so
these tests need no waiting; the fake records what the bot sent. The same application also
runs the Telegram channel on the fake Bot API, for linking one member across messengers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo import ZaloChannel
from bot.core.config import Config
from bot.outbox.sender import OutboxSender, SendPolicy
from storage import members
from tests.support.fakezalo import PHOTO_BYTES, FakeZalo, SentMessage, ZaloUser
from tests.support.harness import COMMUNE, TEAM_A, Harness, make_harness


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    server = FakeZalo().start()
    yield server
    server.stop()


class Z:
    """The Telegram harness plus a Zalo channel on the fake, in one application."""

    def __init__(self, h: Harness, fake: FakeZalo, token: str, channel: ZaloChannel) -> None:
        self.h = h
        self.fake = fake
        self.token = token
        self.channel = channel
        self.sender: OutboxSender = h.runtime.add_channel(channel, SendPolicy())

    def user(self, name: str) -> ZaloUser:
        return self.fake.user(self.token, name)

    async def say(self, user: ZaloUser, text: str) -> list[SentMessage]:
        """The user types `text`; returns what the bot answered (alerts drained too)."""
        user.unread()
        await self.feed(self.fake.message("message.text.received", user.id, user.name, text=text))
        return user.unread()

    async def feed(self, update: dict[str, Any]) -> None:
        await self.channel.receive(update)
        await self.h.drain()
        await self.sender.drain_once()

    async def join(self, user: ZaloUser, code: str) -> None:
        asked = await self.say(user, f"/start {code}")
        assert "Họ và tên đầy đủ" in asked[-1].text
        confirm = await self.say(user, asked[-1].choice_number("Dùng tên"))
        assert "Vui lòng kiểm tra" in confirm[-1].text
        welcome = await self.say(user, confirm[-1].choice_number("Đúng, tham gia"))
        assert "Chào mừng" in welcome[0].text


@pytest.fixture
async def z(tmp_path: Path, fake: FakeZalo) -> AsyncIterator[Z]:
    config = Config()
    token = fake.configure(config, tmp_path / "media")
    h = await make_harness(tmp_path, config=config)
    channel = ZaloChannel(config, h.runtime.engine)
    yield Z(h, fake, token, channel)
    await channel.api.aclose()
    await h.close()


async def test_join_with_an_invite_code_by_typing_numbers(z: Z) -> None:
    await z.h.add_invite("ZALOJOIN", TEAM_A, "member")
    lan = z.user("Trần Thị Lan")
    asked = await z.say(lan, "/start zalojoin")
    assert "1. Dùng tên: Trần Thị Lan" in asked[-1].lines()
    confirm = await z.say(lan, "1")
    assert "👤 Họ tên: Trần Thị Lan" in confirm[-1].text
    welcome = await z.say(lan, "dung, tham gia")  # the label without diacritics works too
    assert welcome[0].text.startswith("🎉 Chào mừng Trần Thị Lan đã tham gia Thôn Nà Lẹng!")
    async with z.h.db.read() as tx:
        member = await members.by_identity(tx, "zalo", lan.id)
    assert member is not None and member.full_name == "Trần Thị Lan"


async def test_location_is_asked_as_text_and_a_typed_address_is_kept(z: Z) -> None:
    await z.h.add_invite("ZALOFIRE", TEAM_A, "member")
    an = z.user("Nguyễn Văn An")
    await z.join(an, "ZALOFIRE")
    kinds = await z.say(an, "/baocao")
    step = await z.say(an, kinds[-1].choice_number("PCCC"))
    step = await z.say(an, step[-1].choice_number("Cháy"))
    assert "Gõ địa chỉ hoặc mô tả nơi xảy ra" in step[-1].text
    assert "📎" not in step[-1].text  # no location pins on Zalo
    step = await z.say(an, "Nhà văn hóa thôn Nà Lẹng")
    assert "Bước 3/" in step[-1].text
    state = await z.h.count(
        "SELECT COUNT(*) FROM conversations WHERE channel = 'zalo' AND state LIKE ?",
        ("%Nhà văn hóa thôn Nà Lẹng%",),
    )
    assert state == 1


async def test_long_texts_are_split_on_line_boundaries(z: Z) -> None:
    lan = z.user("Lan")
    lines = [f"Dòng {i:03d}: " + "x" * 60 for i in range(120)]  # about 8,500 characters
    from bot.core.model import Outbound

    await z.channel.deliver(lan.id, Outbound("\n".join(lines)))
    sent = lan.unread()
    assert len(sent) >= 5 and all(len(m.text) <= 2000 for m in sent)
    assert "\n".join(m.text for m in sent) == "\n".join(lines)
    assert z.fake.state(z.token).errors == []


async def test_the_fake_refuses_over_2000_characters(z: Z) -> None:
    from bot.channels.zalo import ZaloApiError

    with pytest.raises(ZaloApiError) as caught:
        await z.channel.api.send_message("someone", "x" * 2001)
    assert caught.value.error_code == 400


async def test_a_photo_is_downloaded_at_once_and_stored(z: Z, tmp_path: Path) -> None:
    await z.h.add_invite("ZALOPHOT", TEAM_A, "member")
    chi = z.user("Lương Thị Chi")
    await z.join(chi, "ZALOPHOT")
    kinds = await z.say(chi, "/baocao")
    await z.say(chi, kinds[-1].choice_number("Người tốt"))
    await z.say(chi, "Giúp cụ già sửa mái nhà")
    summary = await z.say(chi, "Cụ Tư, xóm Bản Chắt")
    assert "➕ Thêm ảnh" in summary[-1].text  # photos are offered on the summary: just send one
    chi.unread()
    update = z.fake.message(
        "message.image.received", chi.id, chi.name, photo_url=f"{z.fake.url}/media/a.jpg"
    )
    await z.feed(update)
    got = chi.unread()
    assert "Đã nhận 1 ảnh." in got[-1].text
    files = list((tmp_path / "media" / "zalo").iterdir())
    assert len(files) == 1 and files[0].read_bytes() == PHOTO_BYTES
    await z.feed(update)  # Zalo delivers the same photo again: one photo, no second reply
    assert chi.unread() == []
    done = await z.say(chi, got[-1].choice_number("Xong"))
    receipt = await z.say(chi, done[-1].choice_number("Gửi báo cáo"))
    assert "Đã lưu báo cáo" in receipt[0].text
    async with z.h.db.read() as tx:
        row = await tx.fetchone("SELECT channel, file_ref FROM report_media")
    assert row is not None and row["channel"] == "zalo"
    assert row["file_ref"] == "file:" + str(files[0])


async def test_stickers_and_unsupported_messages_get_a_polite_answer(z: Z) -> None:
    lan = z.user("Lan")
    await z.feed(z.fake.message("message.sticker.received", lan.id, lan.name, sticker="abc"))
    said = lan.unread()
    assert len(said) == 1 and "Bot chưa hiểu nhãn dán (sticker)" in said[0].text
    assert "tin nhắn chữ, số thứ tự của lựa chọn" in said[0].text
    update = z.fake.message("message.unsupported.received", lan.id, lan.name)
    await z.feed(update)
    await z.feed(update)  # redelivered: answered once
    said = lan.unread()
    assert len(said) == 1 and "Bot chưa đọc được loại tin nhắn này" in said[0].text


async def test_group_chats_are_ignored(z: Z) -> None:
    update = z.fake.message("message.text.received", "u1", "Lan", text="/start")
    update["message"]["chat"] = {"id": "group-1", "chat_type": "GROUP"}
    await z.feed(update)
    assert [m for m in z.fake.state(z.token).sent if m.chat_id == "group-1"] == []


async def test_a_telegram_member_links_zalo_and_chooses_where_alerts_go(z: Z) -> None:
    member_id = await z.h.add_member(21, "Hoàng Văn Cường", "officer", COMMUNE)
    cuong_tg = z.h.user(21)
    replies = await cuong_tg.send("/lienket")
    code = replies[-1].text.split("Mã liên kết của bạn: ")[1].split()[0]
    assert f"/lienket {code}" in replies[-1].text

    cuong_zalo = z.user("Hoàng Văn Cường")
    z.h.clock.advance(minutes=1)
    said = await z.say(cuong_zalo, f"/lienket {code.lower()}")
    assert said[0].text.startswith("🔗 Đã liên kết Zalo với tài khoản của Hoàng Văn Cường")
    notice = cuong_tg.new_messages()
    assert any("vừa được liên kết với Zalo" in m.text for m in notice), notice
    async with z.h.db.read() as tx:
        rows = await members.identities_of(tx, member_id)
        contact = await members.contact(tx, member_id)
    assert sorted(r["channel"] for r in rows) == ["telegram", "zalo"]
    assert contact is not None and contact["channel"] == "zalo"  # the last one used

    intruder = z.user("Kẻ Lạ")
    said = await z.say(intruder, f"/lienket {code}")
    assert "đã hết hạn hoặc đã được dùng" in said[0].text  # single use

    z.h.clock.advance(minutes=1)
    await cuong_tg.send("/menu")  # writing on Telegram makes it the last used again
    async with z.h.db.read() as tx:
        contact = await members.contact(tx, member_id)
    assert contact is not None and contact["channel"] == "telegram"

    asked = await z.say(cuong_zalo, "/kenhnhan")  # writing here made Zalo the last used
    assert "đang được gửi đến: ứng dụng dùng gần nhất (hiện là Zalo)" in asked[-1].text
    assert "1. 🔄 Ứng dụng dùng gần nhất ✔" in asked[-1].lines()
    done = await z.say(cuong_zalo, asked[-1].choice_number("Telegram"))
    assert "Từ giờ tin báo khẩn và nhắc nhở sẽ được gửi đến Telegram." in done[0].text
    z.h.clock.advance(minutes=1)
    await z.say(cuong_zalo, "/menu")
    async with z.h.db.read() as tx:
        contact = await members.contact(tx, member_id)
    assert contact is not None and contact["channel"] == "telegram"  # chosen beats last used
    asked = await z.say(cuong_zalo, "/messenger")
    assert "đang được gửi đến: Telegram." in asked[-1].text
    done = await z.say(cuong_zalo, "1")
    assert "ứng dụng bạn dùng gần nhất" in done[0].text
    async with z.h.db.read() as tx:
        assert await members.preferred_channel(tx, member_id) is None


async def test_link_codes_expire_and_never_join_strangers(z: Z) -> None:
    await z.h.add_member(22, "Đinh Thị Hà", "member", TEAM_A)
    ha_tg = z.h.user(22)
    replies = await ha_tg.send("/link")
    code = replies[-1].text.split("Mã liên kết của bạn: ")[1].split()[0]
    again = await ha_tg.send(f"/lienket {code}")
    assert "cần được gửi trên ứng dụng kia" in again[-1].text
    z.h.clock.advance(minutes=11)
    ha_zalo = z.user("Hà")
    said = await z.say(ha_zalo, f"/start {code}")
    assert "đã hết hạn hoặc đã được dùng" in said[0].text
    said = await z.say(ha_zalo, "/lienket")
    assert "gõ /lienket trên ứng dụng bạn đã tham gia" in said[0].text
    said = await z.say(ha_zalo, "/lienket 0912345678")  # a phone number links nothing
    assert "Mã liên kết không đúng" in said[0].text
    assert await z.h.count("SELECT COUNT(*) FROM identities WHERE channel = 'zalo'") == 0


async def test_an_update_journaled_before_a_crash_is_replayed_once(z: Z) -> None:
    await z.h.add_invite("ZALOCRSH", TEAM_A, "member")
    kim = z.user("Triệu Thị Kim")
    await z.join(kim, "ZALOCRSH")
    kim.unread()
    update = z.fake.message("message.text.received", kim.id, kim.name, text="/khongcovuviec")
    assert await z.channel.record(update) is not None  # received, then the process died
    assert await z.h.count("SELECT COUNT(*) FROM reports") == 0
    assert await z.channel.replay_journal() == 1  # the next start
    assert "Đã ghi nhận: ngày" in kim.unread()[0].text
    assert await z.h.count("SELECT COUNT(*) FROM reports WHERE kind = 'nil'") == 1
    assert await z.channel.replay_journal() == 0
    await z.feed(update)  # and Zalo delivering it again changes nothing
    assert kim.unread() == []
    assert await z.h.count("SELECT COUNT(*) FROM reports WHERE kind = 'nil'") == 1


async def test_a_photo_that_cannot_be_downloaded_is_asked_for_again(z: Z, tmp_path: Path) -> None:
    await z.h.add_invite("ZALONOPH", TEAM_A, "member")
    chi = z.user("Lương Thị Chi")
    await z.join(chi, "ZALONOPH")
    chi.unread()
    gone = f"{z.fake.url}/expired/a.jpg"  # Zalo's photo links do not last
    await z.feed(z.fake.message("message.image.received", chi.id, chi.name, photo_url=gone))
    said = chi.unread()
    assert len(said) == 1 and "Chưa tải được ảnh bạn vừa gửi" in said[0].text
    assert not (tmp_path / "media" / "zalo").exists() or not any(
        (tmp_path / "media" / "zalo").iterdir()
    )


async def test_an_officer_on_zalo_reads_the_tally_and_is_told_where_the_files_are(z: Z) -> None:
    await z.h.add_invite("ZALOCAX", COMMUNE, "officer")
    officer = z.user("Trần Văn Dũng")
    await z.join(officer, "ZALOCAX")
    replies = await z.say(officer, "/thongke")
    table = replies[0].text
    assert table.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 11/2026 (01/11–30/11/2026)")
    assert "📎 Kèm theo" not in table  # no files follow on Zalo, and the message says so
    assert "Zalo chưa nhận được tệp từ bot: bảng Excel, CSV và biểu đồ có trên Telegram" in table
    assert "Tháng trước" in table  # the period buttons are numbered lines
    last_month = await z.say(officer, replies[0].choice_number("Tháng trước"))
    assert last_month[0].text.startswith("📊 Thống kê Xã Bắc Sơn · Tháng 10/2026")
    assert all(len(m.text) <= 2000 for m in replies + last_month)


async def test_the_webhook_refuses_json_nested_too_deep_with_400(z: Z) -> None:
    """Python's json gives up around 1,000 levels with RecursionError, not ValueError."""
    import httpx

    from bot.channels.hooks import Hooks
    from bot.channels.zalo.webhook import ZaloWebhook

    section = z.h.config.zalo.model_copy(update={"webhook_port": 0, "webhook_path": "/hook"})
    hooks = Hooks("zalo", section)
    hook = ZaloWebhook(z.channel, "s3cret-hook")
    hook.start()
    await hooks.attach("/hook", hook.handle)
    try:
        url = f"http://127.0.0.1:{hooks.port}/hook"
        headers = {"X-Bot-Api-Secret-Token": "s3cret-hook", "Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=10) as http:
            deep = await http.post(url, content="[" * 100_000 + "]" * 100_000, headers=headers)
            lan = z.user("Vi Thị Lan")
            update = z.fake.message("message.text.received", lan.id, lan.name, text="/start")
            fine = await http.post(url, json=update, headers=headers)
    finally:
        await hooks.detach("/hook")
        await hook.stop()
    assert deep.status_code == 400 and deep.json() == {"ok": False, "description": "not JSON"}
    assert fine.status_code == 200
    assert await z.h.count("SELECT COUNT(*) FROM inbound_journal") == 1


async def test_a_voice_note_on_zalo_is_answered_with_type_it_and_the_question_stays(z: Z) -> None:
    # Zalo's Bot API delivers a voice note as message.unsupported.received (no audio in it).
    await z.h.add_invite("ZALOVOIC", TEAM_A, "member")
    chi = z.user("Lương Thị Chi")
    await z.join(chi, "ZALOVOIC")
    kinds = await z.say(chi, "/baocao")
    step = await z.say(chi, kinds[-1].choice_number("Người tốt"))
    if "Hôm nay" in step[-1].text:
        step = await z.say(chi, "hôm nay")  # the date question, while the wizard asks it
    question = step[-1].text
    await z.feed(z.fake.message("message.unsupported.received", chi.id, chi.name))
    said = chi.unread()
    assert len(said) == 1
    assert "Zalo chưa nhận được tin nhắn thoại: nếu bạn đang trả lời câu hỏi, vui lòng gõ chữ" in (
        said[0].text
    )
    assert await z.h.count("SELECT COUNT(*) FROM reports") == 0
    nxt = await z.say(chi, "Giúp cụ già sửa mái nhà")  # the open question takes the typed answer
    assert nxt[-1].text != question and "Bước" in nxt[-1].text
    state = await z.h.count(
        "SELECT COUNT(*) FROM conversations WHERE channel = 'zalo' AND state LIKE ?",
        ("%Giúp cụ già sửa mái nhà%",),
    )
    assert state == 1
