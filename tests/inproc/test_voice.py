"""Voice notes on Telegram: a free-text answer kept with the report, played to the officers
after the alert and to the reporter from /baocaocuatoi; refused with what to do elsewhere."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.inproc.helpers import SUMMARY, TIP, one, report_data, rows
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, TEAM_A, Harness, TgUser

# Texts from bot/locales/vi.toml, copied so a changed wording is a visible test change.
WHAT = "Sự việc thế nào?"
SHOWN = "• Nội dung: 🎤 Tin nhắn thoại (12 giây)"
NOT_HERE = (
    "⚠️ Câu hỏi này không nhận tin nhắn thoại. Vui lòng bấm một lựa chọn bên dưới, "
    "hoặc gõ chữ câu trả lời."
)
TOO_LONG = "⚠️ Tin nhắn thoại dài quá 300 giây. Vui lòng ghi âm ngắn hơn, hoặc gõ chữ câu trả lời."
NO_QUESTION = "🎤 Bot chỉ nhận tin nhắn thoại khi bạn đang trả lời một câu hỏi gõ chữ"


@dataclass
class People:
    an: TgUser  # member, TEAM_A (reporter)
    cuong: TgUser  # officer, COMMUNE


@pytest.fixture
async def people(h: Harness) -> People:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    return People(h.user(1), h.user(11))


async def tip_to_what(user: TgUser) -> None:
    """Open a tip and answer up to its free-text question, "what happened"."""
    await user.send("/baocao")
    await user.press("Tin báo ANTT")
    if "Hôm nay" in " ".join(user.last_with_buttons().labels()):
        await user.press("Hôm nay")  # the date question, while the wizard still asks it
    await user.press("Người dân báo")
    await user.press("Tệ nạn xã hội")
    await user.press("Khẩn cấp")
    await user.send("Ngã ba chợ")
    assert WHAT in user.last_text, user.last_text


def voices(user: TgUser) -> list[Sent]:
    return [m for m in user.messages if m.file_kind == "voice"]


async def test_a_voice_note_answers_what_happened_and_follows_the_alert(
    h: Harness, people: People
) -> None:
    an, cuong = people.an, people.cuong
    await tip_to_what(an)
    summary = await an.send_voice("VOICE-1", 12)
    assert SUMMARY in summary[-1].text and SHOWN in summary[-1].text
    receipt = await an.press("Gửi báo cáo")
    assert receipt[0].text.startswith(f"✅ Đã lưu báo cáo BC-2026-000001 ({TIP})")
    assert (await report_data(h))["what"] == {"voice": "tg:VOICE-1", "seconds": 12}

    await h.drain()
    alert, voice = cuong.messages  # the voice comes right after the alert, nothing between
    assert alert.text.startswith("🚨 BÁO CÁO KHẨN:") and SHOWN in alert.text
    assert voice.file_kind == "voice" and voice.file_name == "VOICE-1"  # sendVoice by file id
    assert voice.text == "🎤 BC-2026-000001 · Nội dung: tin nhắn thoại của người báo"
    queued = await one(h, "SELECT status, urgent FROM outbox WHERE dedupe_key LIKE '%:voice:what'")
    assert queued == {"status": "sent", "urgent": 1}


async def test_the_reporter_plays_the_voice_note_from_my_reports(
    h: Harness, people: People
) -> None:
    an = people.an
    await tip_to_what(an)
    await an.send_voice("VOICE-2", 12)
    await an.press("Gửi báo cáo")
    await an.send("/baocaocuatoi")
    opened = await an.press("BC-2026-000001")
    details = [m for m in an.messages if SHOWN in m.text and m.text.startswith("BC-2026")]
    assert details, [m.text for m in opened]
    assert [(m.file_name, m.text) for m in voices(an)] == [
        ("VOICE-2", "🎤 BC-2026-000001 · Nội dung")
    ]
    assert an.messages.index(voices(an)[0]) > an.messages.index(details[-1])


async def test_a_voice_note_on_a_button_question_is_refused_and_nothing_is_kept(
    h: Harness, people: People
) -> None:
    an = people.an
    await an.send("/baocao")
    await an.press("Tin báo ANTT")
    if "Hôm nay" in " ".join(an.last_with_buttons().labels()):
        await an.press("Hôm nay")
    assert "Tin từ đâu?" in an.last_text
    refused = await an.send_voice("VOICE-3", 5)
    assert len(refused) == 1 and refused[0].text.startswith(NOT_HERE)
    assert "Tin từ đâu?" in refused[0].text  # the question stays open, asked again
    assert "VOICE-3" not in str(await rows(h, "SELECT state FROM conversations"))
    nxt = await an.press("Người dân báo")  # and it still takes its answer
    assert "Loại tin báo?" in nxt[-1].text
    assert await h.count("SELECT COUNT(*) FROM reports") == 0


async def test_a_voice_note_longer_than_the_limit_is_refused(h: Harness, people: People) -> None:
    an = people.an
    await tip_to_what(an)
    refused = await an.send_voice("VOICE-4", 301)
    assert refused[-1].text.startswith(TOO_LONG) and WHAT in refused[-1].text
    kept = await an.send_voice("VOICE-5", 300)
    assert "🎤 Tin nhắn thoại (300 giây)" in kept[-1].text


async def test_a_voice_note_with_no_question_open_says_how_to_start(
    h: Harness, people: People
) -> None:
    said = await people.an.send_voice("VOICE-6", 3)
    assert len(said) == 1 and said[0].text.startswith(NO_QUESTION)
    assert "📝 Báo cáo" in said[0].labels()
    assert await h.count("SELECT COUNT(*) FROM reports") == 0


async def test_acknowledged_before_delivery_the_voice_note_is_withdrawn_with_the_alert(
    h: Harness, people: People
) -> None:
    an, cuong = people.an, people.cuong
    await h.add_member(12, "Lý Thị Đào", "officer", COMMUNE)
    dao = h.user(12)
    await tip_to_what(an)
    await an.send_voice("VOICE-1", 12)
    await an.press("Gửi báo cáo")
    queued = await rows(h, "SELECT status FROM outbox WHERE dedupe_key LIKE 'alert:%:voice:what'")
    assert [r["status"] for r in queued] == ["pending", "pending"]  # one per officer
    await cuong.send("/tinbao")  # acknowledged from the list before any alert went out
    await cuong.press("Tiếp nhận BC-2026-000001")
    await h.drain()
    assert voices(cuong) == [] and voices(dao) == []
    queued = await rows(h, "SELECT status FROM outbox WHERE dedupe_key LIKE 'alert:%:voice:what'")
    assert [r["status"] for r in queued] == ["cancelled", "cancelled"]
