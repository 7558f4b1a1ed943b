"""/thongbao (/announce): who may announce, to which units, confirmation, outbox delivery,
progress reports to the sender, blocked members and quiet hours."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.people.announcements import report_progress
from tests.inproc.helpers import press_data, texts
from tests.support.fakebot import Sent
from tests.support.harness import (
    COMMUNE,
    OTHER_COMMUNE,
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
    TgUser,
    make_harness,
)

NOT_ALLOWED = (
    "Xin lỗi, chức năng gửi thông báo dành cho cán bộ Công an xã, cán bộ chỉ đạo và quản trị."
)
OUT_OF_SCOPE = "⛔ Bạn chỉ gửi được thông báo tới đơn vị của mình và các đơn vị trực thuộc."
ASK_TEXT = "✍️ Gõ nội dung thông báo gửi tới"
EMPTY = "⚠️ Thông báo chưa có nội dung."
STALE = "Thông báo này đã được gửi hoặc đã hủy"
HEADER = "📣 Thông báo từ Trần Văn Dũng (Xã Bắc Sơn):"
MESSAGE = "Tối nay 19h họp toàn xã tại nhà văn hóa, đề nghị các đồng chí có mặt đúng giờ."

OFFICER, A1, A2, B_LEADER, B1, C1, OTHER_OFFICER = 100, 201, 202, 301, 302, 401, 400
COMMUNE_MEMBERS = (A1, A2, B_LEADER, B1)


async def _people(h: Harness) -> TgUser:
    """The commune's officer, two members in each of its teams, and another commune."""
    await h.add_member(OFFICER, "Trần Văn Dũng", "officer", COMMUNE)
    await h.add_member(A1, "Lý Văn An", "member", TEAM_A)
    await h.add_member(A2, "Hoàng Thị Bình", "member", TEAM_A)
    await h.add_member(B_LEADER, "Nông Văn Cường", "leader", TEAM_B)
    await h.add_member(B1, "Vi Thị Dung", "member", TEAM_B)
    await h.add_member(C1, "Lương Văn Em", "member", TEAM_C)
    await h.add_member(OTHER_OFFICER, "Đặng Văn Hải", "officer", OTHER_COMMUNE)
    return h.user(OFFICER)


async def _to_confirmation(officer: TgUser, text: str = MESSAGE) -> Sent:
    """Pick the whole commune, type the message; returns the confirmation."""
    await officer.send("/thongbao")
    replies = await officer.press("Toàn bộ")
    assert ASK_TEXT in replies[-1].text
    replies = await officer.send(text)
    assert "Sẽ gửi tới" in replies[-1].text, replies[-1].text
    return replies[-1]


def _announcements_received(h: Harness, user_id: int) -> list[Sent]:
    """The announcements a chat received (other messages, e.g. menus, left out)."""
    return [m for m in h.api.chat(user_id) if m.text.startswith("📣 Thông báo từ")]


async def test_officer_announces_to_the_whole_commune(h: Harness) -> None:
    """Count shown, each member once, not the sender nor another commune; progress, report."""
    officer = await _people(h)
    replies = await officer.send("/thongbao")
    labels = replies[-1].labels()
    assert labels[0] == "Toàn bộ Xã Bắc Sơn (4 người)"
    assert "Thôn Nà Lẹng" in labels and "Thôn Khuôn Pinh" in labels
    assert "Thôn Làng Mới" not in labels
    await officer.press("Toàn bộ")
    replies = await officer.send(MESSAGE)
    confirm = replies[-1].text
    assert MESSAGE in confirm
    assert "Sẽ gửi tới 4 người thuộc Xã Bắc Sơn." in confirm
    assert "không nhận được" not in confirm and "giờ nghỉ đêm" not in confirm
    assert replies[-1].labels() == ["✅ Gửi", "✏️ Sửa nội dung", "✖ Hủy"]
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0

    replies = await officer.press("✅ Gửi")
    assert "📣 Thông báo #1 đang được gửi tới 4 người thuộc Xã Bắc Sơn." in replies[-1].text
    assert await h.count("SELECT COUNT(*) FROM announcements WHERE recipients = 4") == 1
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'announce:1:%'") == 5
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE urgent = 1") == 1

    await h.drain()
    for user_id in COMMUNE_MEMBERS:
        received = _announcements_received(h, user_id)
        assert len(received) == 1, user_id
        assert received[0].text == f"{HEADER}\n\n{MESSAGE}"
    assert _announcements_received(h, OFFICER) == []
    assert h.api.chat(C1) == [] and h.api.chat(OTHER_OFFICER) == []
    progress = officer.messages[-1]
    assert progress.text == "📣 Đang gửi thông báo #1: 0/4"

    assert await report_progress(h.runtime.services) == 1
    await h.drain()
    assert progress.text == "📣 Thông báo #1: đã gửi xong, 4/4 người nhận được."
    assert officer.messages[-1].text == "✅ Đã gửi xong thông báo #1: cả 4 người đều nhận được."
    assert await h.count("SELECT COUNT(*) FROM announcements WHERE finished_at IS NULL") == 0

    before = len(h.api.sent)
    assert await report_progress(h.runtime.services) == 0
    await h.drain()
    assert len(h.api.sent) == before
    for user_id in COMMUNE_MEMBERS:
        assert len(_announcements_received(h, user_id)) == 1


async def test_typed_team_only_reaches_that_team(h: Harness) -> None:
    """`/thongbao <team name>` skips the buttons and reaches that team only."""
    officer = await _people(h)
    replies = await officer.send("/thongbao Nà Lẹng")
    assert f"{ASK_TEXT} Thôn Nà Lẹng" in replies[-1].text
    replies = await officer.send("Mai tuần tra đường liên thôn.")
    assert "Sẽ gửi tới 2 người thuộc Thôn Nà Lẹng." in replies[-1].text
    await officer.press("Gửi")
    await h.drain()
    assert len(_announcements_received(h, A1)) == 1 and len(_announcements_received(h, A2)) == 1
    assert h.api.chat(B1) == [] and h.api.chat(B_LEADER) == [] and h.api.chat(C1) == []


async def test_blocked_member_counts_as_not_received(h: Harness) -> None:
    """A 403 from the messenger counts as not received, now and in the next confirmation."""
    officer = await _people(h)
    await _to_confirmation(officer)
    await officer.press("✅ Gửi")
    h.api.blocked.add(B1)
    await h.drain()
    assert _announcements_received(h, B1) == []
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE status = 'unreachable'") == 1
    assert await report_progress(h.runtime.services) == 1
    await h.drain()
    assert officer.messages[-1].text == (
        "✅ Đã gửi xong thông báo #1: 3/4 người nhận được; 1 không nhận được "
        "(đã chặn bot hoặc lỗi gửi). Hãy báo trực tiếp cho những người này."
    )

    # The next announcement knows in advance who cannot be reached.
    await officer.send("/thongbao")
    replies = await officer.press("Toàn bộ")
    replies = await officer.send("Lần hai")
    confirm = replies[-1].text
    assert "Sẽ gửi tới 3 người thuộc Xã Bắc Sơn." in confirm
    assert "1 người không nhận được (đã chặn bot hoặc chưa liên kết)." in confirm
    await officer.press("✅ Gửi")
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'announce:2:%'") == 4


async def test_members_and_leaders_are_refused(h: Harness) -> None:
    """Only police, supervisors and admins announce, by command or by a forged button."""
    await _people(h)
    for user_id in (A1, B_LEADER):
        replies = await h.user(user_id).send("/thongbao")
        assert replies[-1].text.startswith(NOT_ALLOWED)
        replies = await h.user(user_id).send("/announce")
        assert replies[-1].text.startswith(NOT_ALLOWED)
    replies = await press_data(h.user(A1), "announce:unit:2")
    assert replies[-1].text.startswith(NOT_ALLOWED)
    assert await h.count("SELECT COUNT(*) FROM announcements") == 0


async def test_officer_cannot_reach_another_commune(h: Harness) -> None:
    """Units outside the caller's subtree are refused, typed (path or name) or pressed."""
    officer = await _people(h)
    replies = await officer.send(f"/thongbao {OTHER_COMMUNE}")
    assert replies[0].text.startswith(OUT_OF_SCOPE)
    assert replies[-1].labels()[0].startswith("Toàn bộ Xã Bắc Sơn")
    replies = await officer.send("Xã Hữu Vĩnh")
    assert replies[0].text.startswith(OUT_OF_SCOPE)
    replies = await officer.send("Làng Mới")
    assert replies[0].text.startswith(OUT_OF_SCOPE)
    replies = await officer.send("Thôn Không Có")
    assert 'Không tìm thấy đơn vị "Thôn Không Có"' in replies[0].text

    async with h.db.read() as tx:
        row = await tx.fetchone("SELECT id FROM units WHERE path = ?", (TEAM_C,))
    assert row is not None
    replies = await press_data(officer, f"announce:unit:{row['id']}")
    assert replies[-1].text.startswith(OUT_OF_SCOPE)
    replies = await press_data(officer, "announce:unit:9999")
    assert replies[-1].text.startswith(OUT_OF_SCOPE)
    assert await h.count("SELECT COUNT(*) FROM announcements") == 0
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0


async def test_empty_and_too_long_texts_are_asked_again(h: Harness) -> None:
    """Empty text, a photo and text over max_chars are asked again; nothing is queued."""
    officer = await _people(h)
    await officer.send("/thongbao")
    await officer.press("Toàn bộ")
    replies = await officer.send("   ")
    assert replies[-1].text.startswith(EMPTY)
    replies = await officer.send_photo("photo-1")
    assert replies[-1].text.startswith(EMPTY)
    replies = await officer.send("x" * 2001)
    assert replies[-1].text.startswith(
        "⚠️ Thông báo dài 2001 ký tự, quá giới hạn 2000 ký tự. Hãy rút gọn rồi gõ lại."
    )
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0
    replies = await officer.send("x" * 2000)
    assert "Sẽ gửi tới 4 người" in replies[-1].text


async def test_cancel_queues_nothing(h: Harness) -> None:
    """✖ Hủy on the confirmation leaves no announcement and no outbox row."""
    officer = await _people(h)
    await _to_confirmation(officer)
    replies = await officer.press("✖ Hủy")
    assert replies[-1].text.startswith("Đã hủy thông báo, không có tin nào được gửi.")
    await h.drain()
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0
    assert await h.count("SELECT COUNT(*) FROM announcements") == 0
    for user_id in COMMUNE_MEMBERS:
        assert h.api.chat(user_id) == []


async def test_replayed_send_press_queues_nothing_more(h: Harness) -> None:
    """A second press of the same ✅ finds no draft: every member still gets one message."""
    officer = await _people(h)
    confirmation = await _to_confirmation(officer)
    send = confirmation.buttons[0][0]["callback_data"]
    await officer.press("✅ Gửi", on=confirmation)
    assert confirmation.buttons == []  # the pressed keyboard is taken away
    queued = await h.count("SELECT COUNT(*) FROM outbox")
    replies = await press_data(officer, send, on=confirmation)  # a replayed press
    assert replies[-1].text.startswith(STALE)
    assert await h.count("SELECT COUNT(*) FROM outbox") == queued
    assert await h.count("SELECT COUNT(*) FROM announcements") == 1
    await h.drain()
    for user_id in COMMUNE_MEMBERS:
        assert len(_announcements_received(h, user_id)) == 1


async def test_edit_text_makes_the_old_confirmation_stale(h: Harness) -> None:
    """After ✏️ the old ✅ no longer sends; the current draft is shown again instead."""
    officer = await _people(h)
    first = await _to_confirmation(officer, "Bản nháp")
    old_send = first.buttons[0][0]["callback_data"]
    replies = await officer.press("Sửa nội dung")
    assert ASK_TEXT in replies[-1].text
    replies = await officer.send("Bản chính thức")
    assert "Bản chính thức" in replies[-1].text
    replies = await press_data(officer, old_send, on=first)
    assert replies[0].text.startswith("Lựa chọn vừa rồi thuộc một bản thông báo cũ")
    assert "«Bản chính thức»" in replies[-1].text  # the current draft, shown again
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0
    await officer.press("✅ Gửi")
    await h.drain()
    assert _announcements_received(h, A1)[0].text.endswith("Bản chính thức")


async def test_quiet_hours_hold_members_but_not_the_progress(h: Harness) -> None:
    """At 22:00 members wait until 06:30 while the sender's progress arrives at once."""
    h.clock.set(datetime(2026, 11, 23, 22, 0))
    officer = await _people(h)
    confirmation = await _to_confirmation(officer)
    assert "🌙 Đang trong giờ nghỉ đêm: thông báo sẽ được gửi lúc 06:30." in confirmation.text
    replies = await officer.press("✅ Gửi")
    assert "sẽ gửi lúc 06:30" in texts(replies)
    await h.drain()
    assert officer.messages[-1].text == "📣 Đang gửi thông báo #1: 0/4"
    progress = officer.messages[-1]
    for user_id in COMMUNE_MEMBERS:
        assert h.api.chat(user_id) == []
    assert await report_progress(h.runtime.services) == 0

    h.clock.set(datetime(2026, 11, 24, 6, 29))
    await h.drain()
    for user_id in COMMUNE_MEMBERS:
        assert h.api.chat(user_id) == []

    h.clock.set(datetime(2026, 11, 24, 6, 30))
    h.api.fail_next["sendMessage"] = (
        500,
        {"ok": False, "error_code": 500, "description": "Internal Server Error"},
    )
    await h.drain()  # one member's message fails once and waits for its retry
    assert sum(len(_announcements_received(h, u)) for u in COMMUNE_MEMBERS) == 3
    assert await report_progress(h.runtime.services) == 1
    await h.drain()
    assert progress.text == "📣 Thông báo #1: đã gửi 3/4…"
    assert await report_progress(h.runtime.services) == 0

    h.clock.advance(seconds=10)
    await h.drain()
    for user_id in COMMUNE_MEMBERS:
        assert len(_announcements_received(h, user_id)) == 1
    assert await report_progress(h.runtime.services) == 1
    await h.drain()
    assert progress.text == "📣 Thông báo #1: đã gửi xong, 4/4 người nhận được."
    assert officer.messages[-1].text == "✅ Đã gửi xong thông báo #1: cả 4 người đều nhận được."


async def test_two_processes_report_an_announcements_progress_once(
    h: Harness, tmp_path: Path
) -> None:
    """Every process runs the progress job; the write lock and the dedupe keys make one
    report it, the other find nothing new."""
    officer = await _people(h)
    await _to_confirmation(officer)
    await officer.press("✅ Gửi")
    await h.drain()
    other = await make_harness(tmp_path / "other", h.clock, database=h.location)
    try:
        reported = await asyncio.gather(
            report_progress(h.runtime.services), report_progress(other.runtime.services)
        )
        assert sorted(reported) == [0, 1]
        assert (
            await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'announce:1:%'") == 7
        )
        await h.drain()
        assert officer.messages[-1].text == (
            "✅ Đã gửi xong thông báo #1: cả 4 người đều nhận được."
        )
        assert sum("Đã gửi xong thông báo #1" in m.text for m in officer.messages) == 1
    finally:
        await other.close()
