"""Alerts an officer can use: who reported and their phone, a map link for a pin, the photos
as photos right after the alert on Telegram (withdrawn with it when acknowledged first)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.inproc.helpers import SUMMARY, rows
from tests.inproc.police_world import alert_of
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, PROVINCE, TEAM_A, Harness, TgUser

# Texts from bot/locales/vi.toml, copied so a changed wording is a visible test change.
FROM_WITH_PHONE = "Người báo: Nguyễn Văn An (Thôn Nà Lẹng), 0912 345 678, lúc 09:00 23/11/2026"
MAP = "🗺 Bản đồ (Địa điểm): https://www.google.com/maps?q=21.853000,106.761000"
PIN = "• Địa điểm: 📍 21.85300, 106.76100"
FOLLOW = "📷 2 ảnh gửi ngay sau tin này."


@dataclass
class People:
    an: TgUser  # member, TEAM_A (reporter)
    cuong: TgUser  # officer, COMMUNE
    dung: TgUser  # officer, PROVINCE


@pytest.fixture
async def people(h: Harness) -> People:
    an = await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    await h.add_member(12, "Lý Minh Dũng", "officer", PROVINCE)
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE members SET phone = '0912345678' WHERE id = ?", (an,))
    return People(h.user(1), h.user(11), h.user(12))


async def file_fire_with_pin_and_photos(user: TgUser, photos: list[str]) -> None:
    """A fire reported with a location pin and photos added on the summary."""
    await user.send("/baocao")
    await user.press("PCCC")
    await user.press("Cháy")
    await user.send_location(21.853, 106.761)
    await user.press("Có")
    await user.press("Có")
    await user.send("3")
    await user.send("Đã dập tắt đám cháy")
    assert SUMMARY in user.last_text, user.last_text
    await user.press("Thêm ảnh")
    for photo in photos:
        await user.send_photo(photo)
    await user.press("Xong")
    assert SUMMARY in user.last_text, user.last_text
    replies = await user.press("Gửi báo cáo")
    assert replies[0].text.startswith("✅ Đã lưu báo cáo BC-2026-000001"), replies[0].text


def photos(user: TgUser) -> list[Sent]:
    return [m for m in user.messages if m.file_kind == "photo"]


async def test_alert_names_the_reporter_with_phone_links_the_map_and_shows_the_photos(
    h: Harness, people: People
) -> None:
    await file_fire_with_pin_and_photos(people.an, ["PH-1", "PH-2"])
    await h.drain()
    for officer in (people.cuong, people.dung):
        alert = alert_of(officer)
        lines = alert.text.splitlines()
        assert lines[1] == FROM_WITH_PHONE
        assert PIN in lines
        assert lines[lines.index(PIN) + 1 :] == [
            "• Được Công an huy động: Có",
            "• Có mặt kịp thời: Có",
            "• Số người được giúp: 3",
            "• Kết quả: Đã dập tắt đám cháy",
            "• Ảnh: 2 ảnh",
            MAP,
            FOLLOW,
        ]
        # the photos themselves, right after the alert, as Telegram photos by file id
        after = officer.messages[officer.messages.index(alert) + 1 :]
        assert [(m.file_kind, m.file_name, m.text) for m in after] == [
            ("photo", "PH-1", "Ảnh 1/2 — BC-2026-000001"),
            ("photo", "PH-2", "Ảnh 2/2 — BC-2026-000001"),
        ]
    queued = await rows(
        h, "SELECT urgent FROM outbox WHERE dedupe_key LIKE 'alert:1:%:photo:%' ORDER BY id"
    )
    assert queued == [{"urgent": 1}] * 4  # an emergency's photos: quiet hours never hold them


async def test_a_reminder_of_the_ladder_says_the_photos_came_with_the_first_alert(
    h: Harness, people: People
) -> None:
    await file_fire_with_pin_and_photos(people.an, ["PH-1"])
    await h.drain()
    seen = len(people.cuong.messages)
    h.clock.advance(minutes=16)  # nobody acknowledged: the ladder's first reminder
    await h.drain()
    later = people.cuong.messages[seen:]
    assert [m.text.splitlines()[0] for m in later] == ["⏰ NHẮC LẠI: chưa ai tiếp nhận sau 15 phút"]
    assert later[0].text.splitlines()[-1] == "📷 1 ảnh: đã gửi ngay sau tin báo đầu tiên."
    assert photos(people.cuong) == [m for m in people.cuong.messages[:seen] if m.file_kind]


async def test_a_typed_address_stays_text_and_no_phone_no_photos_say_nothing(
    h: Harness, people: People
) -> None:
    from tests.inproc.helpers import file_fire

    async with h.db.transaction() as tx:
        await tx.execute("UPDATE members SET phone = NULL")
    await file_fire(people.an)
    await h.drain()
    text = alert_of(people.cuong).text
    assert "Người báo: Nguyễn Văn An (Thôn Nà Lẹng), lúc 09:00 23/11/2026" in text
    assert "• Địa điểm: Nhà văn hóa thôn Nà Lẹng" in text
    assert "🗺" not in text and "📷" not in text
    assert photos(people.cuong) == []


async def test_no_map_link_when_the_map_url_is_empty(h: Harness, people: People) -> None:
    h.config.alerts.map_url = ""
    await file_fire_with_pin_and_photos(people.an, ["PH-1"])
    await h.drain()
    text = alert_of(people.cuong).text
    assert PIN in text and "🗺" not in text
    assert "📷 1 ảnh gửi ngay sau tin này." in text


async def test_an_english_officer_reads_the_photo_lines_in_english(
    h: Harness, people: People
) -> None:
    await people.cuong.send("/language")
    await people.cuong.press("English")
    await file_fire_with_pin_and_photos(people.an, ["PH-1", "PH-2"])
    await h.drain()
    english = [m for m in people.cuong.messages if m.text.startswith("🚨 URGENT REPORT:")]
    assert len(english) == 1
    text = english[0].text
    assert "Reported by Nguyễn Văn An (Thôn Nà Lẹng), 0912 345 678, at 09:00 23/11/2026" in text
    assert "🗺 Map (Place): https://www.google.com/maps?q=21.853000,106.761000" in text
    assert "📷 2 photo(s) follow this message." in text
    assert [m.text for m in photos(people.cuong)] == [
        "Photo 1/2 — BC-2026-000001",
        "Photo 2/2 — BC-2026-000001",
    ]


async def test_acknowledged_before_delivery_the_photos_are_withdrawn_with_the_alert(
    h: Harness, people: People
) -> None:
    await file_fire_with_pin_and_photos(people.an, ["PH-1", "PH-2"])
    queued = await rows(h, "SELECT status FROM outbox WHERE dedupe_key LIKE 'alert:1:%:photo:%'")
    assert [r["status"] for r in queued] == ["pending"] * 4  # two photos for each officer
    await people.cuong.send("/tinbao")  # acknowledged from the list before anything went out
    await people.cuong.press("Tiếp nhận BC-2026-000001")
    await h.drain()
    assert photos(people.cuong) == [] and photos(people.dung) == []
    queued = await rows(h, "SELECT status FROM outbox WHERE dedupe_key LIKE 'alert:1:%:photo:%'")
    assert [r["status"] for r in queued] == ["cancelled"] * 4


async def test_photos_already_sent_stay_when_acknowledged_later(h: Harness, people: People) -> None:
    await file_fire_with_pin_and_photos(people.an, ["PH-1"])
    await h.drain()
    await people.cuong.press("Đã tiếp nhận", on=alert_of(people.cuong))
    await h.drain()
    assert [m.file_name for m in photos(people.dung)] == ["PH-1"]
    assert [m.file_name for m in photos(people.cuong)] == ["PH-1"]
