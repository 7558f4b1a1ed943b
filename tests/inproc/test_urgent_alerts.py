"""Urgent reports: alerts to the police over the team, acknowledgement, scope, /tinbao."""

from __future__ import annotations

import copy

import pytest

from bot.core.clock import iso
from tests.inproc.helpers import FIRE, TIP, file_fire, file_patrol, file_tip, one, press_data, rows
from tests.inproc.police_world import People, alert_of
from tests.support.harness import (
    TEAM_A,
    TEAM_B,
    TEAM_C,
    Harness,
)

ACK_BUTTON = "✅ Đã tiếp nhận"
NOT_FOUND = "Không tìm thấy báo cáo này trong địa bàn của bạn."
NOT_ALLOWED = "Chức năng này dành cho cán bộ Công an xã phụ trách địa bàn."


async def test_fire_report_alerts_the_officers_over_the_team(h: Harness, people: People) -> None:
    receipt = await file_fire(people.an)
    assert receipt == (
        f"✅ Đã lưu báo cáo BC-2026-000001 ({FIRE}). Cảm ơn bạn!\n"
        "🚨 Đã gửi ngay tới 2 cán bộ Công an xã."
    )
    queued = await rows(
        h,
        "SELECT member_id, chat_id, status FROM outbox WHERE not_before <= ? ORDER BY member_id",
        (iso(h.clock.now()),),
    )
    assert queued == [
        {"member_id": people.ids["cuong"], "chat_id": "11", "status": "pending"},
        {"member_id": people.ids["dung"], "chat_id": "12", "status": "pending"},
    ]
    alerts = await rows(
        h, "SELECT report_id, member_id FROM alerts WHERE step = 0 ORDER BY member_id"
    )
    assert alerts == [
        {"report_id": 1, "member_id": people.ids["cuong"]},
        {"report_id": 1, "member_id": people.ids["dung"]},
    ]
    # nothing reaches anyone until the outbox is drained
    assert people.cuong.messages == [] and people.dung.messages == []
    assert await h.drain() == 2
    for officer in (people.cuong, people.dung):
        alert = alert_of(officer)
        assert alert.text.startswith(f"🚨 BÁO CÁO KHẨN: {FIRE} — BC-2026-000001\n")
        assert "Người báo: Nguyễn Văn An (Thôn Nà Lẹng), lúc 09:00 23/11/2026" in alert.text
        assert "• Loại: Cháy" in alert.text
        assert "• Địa điểm: Nhà văn hóa thôn Nà Lẹng" in alert.text
        assert "• Số người được giúp: 3" in alert.text
        assert alert.labels() == [ACK_BUTTON]
    assert people.hai.messages == []
    assert people.lan.messages == []
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE status = 'sent'") == 2
    assert await h.drain() == 0


async def test_non_urgent_report_alerts_nobody(h: Harness, people: People) -> None:
    await file_patrol(people.an)
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0
    assert await h.count("SELECT COUNT(*) FROM reports WHERE urgent = 1") == 0


async def test_tip_in_the_other_commune_alerts_only_its_police(h: Harness, people: People) -> None:
    await h.add_member(3, "Hà Thị Mai", "member", TEAM_C)
    receipt = await file_tip(h.user(3))
    assert receipt.startswith(f"✅ Đã lưu báo cáo BC-2026-000001 ({TIP}).")
    await h.drain()
    assert alert_of(people.hai).text.startswith(f"🚨 BÁO CÁO KHẨN: {TIP} — BC-2026-000001")
    assert alert_of(people.dung).labels() == [ACK_BUTTON]
    assert people.cuong.messages == [] and people.lan.messages == []


async def test_first_acknowledgement_wins_and_closes_the_others(h: Harness, people: People) -> None:
    await file_fire(people.an)
    await h.drain()
    dung_alert = alert_of(people.dung)
    dung_alert_before = copy.deepcopy(dung_alert)
    h.clock.advance(minutes=5)

    replies = await people.cuong.press(ACK_BUTTON, on=alert_of(people.cuong))
    assert [m.text for m in replies] == [
        "✅ Bạn đã tiếp nhận BC-2026-000001 lúc 09:05 23/11/2026. Người báo đã được thông báo.",
        "Khi có kết quả xử lý BC-2026-000001, bấm một bước dưới đây:",  # the next steps
    ]
    assert alert_of(people.cuong).buttons == []  # the pressed button is gone
    report = await one(h, "SELECT ack_by, ack_at FROM reports")
    assert report == {"ack_by": people.ids["cuong"], "ack_at": "2026-11-23T09:05:00+07:00"}

    reporter_seen = len(people.an.messages)
    assert await h.drain() == 2  # the reporter's notice and the edit of the other alert
    notice = people.an.messages[reporter_seen:]
    assert [m.text for m in notice] == [
        "🚓 Báo cáo BC-2026-000001 của bạn đã được Hoàng Văn Cường (Cán bộ Công an xã) "
        "tiếp nhận lúc 09:05 23/11/2026."
    ]
    assert dung_alert.text == (
        "✅ Báo cáo BC-2026-000001 đã được Hoàng Văn Cường tiếp nhận lúc 09:05 23/11/2026."
    )
    assert dung_alert.buttons == []
    assert len(people.dung.messages) == 1  # edited in place, not a new message

    # the other officer presses the button he saw before the edit
    h.clock.advance(minutes=1)
    replies = await people.dung.press(ACK_BUTTON, on=dung_alert_before)
    assert [m.text for m in replies] == [
        "Báo cáo BC-2026-000001 đã được Hoàng Văn Cường tiếp nhận lúc 09:05 23/11/2026."
    ]
    assert await one(h, "SELECT ack_by, ack_at FROM reports") == report
    assert await h.drain() == 0  # no second notice to the reporter
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'ack-notice:%'") == 1


async def test_acknowledging_before_delivery_cancels_the_other_alert(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await people.cuong.send("/tinbao")
    await people.cuong.press("Tiếp nhận BC-2026-000001")
    assert (await one(h, "SELECT ack_by FROM reports"))["ack_by"] == people.ids["cuong"]
    status = await one(
        h, "SELECT status FROM outbox WHERE dedupe_key = ?", (f"alert:1:{people.ids['dung']}",)
    )
    assert status == {"status": "cancelled"}
    await h.drain()
    assert people.dung.messages == []
    assert people.an.last_text.startswith(
        "🚓 Báo cáo BC-2026-000001 của bạn đã được Hoàng Văn Cường"
    )


async def test_officer_of_another_commune_cannot_acknowledge(h: Harness, people: People) -> None:
    await file_fire(people.an)
    await h.drain()
    await people.hai.send("/tinbao")
    replies = await press_data(people.hai, "ack:1")
    assert [m.text for m in replies] == [NOT_FOUND]
    replies = await press_data(people.hai, "ack:999")
    assert [m.text for m in replies] == [NOT_FOUND]
    replies = await press_data(people.hai, "ack:abc")
    assert [m.text for m in replies] == [NOT_FOUND]
    assert await one(h, "SELECT ack_by, ack_at FROM reports") == {"ack_by": None, "ack_at": None}
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key NOT LIKE 'alert:%'") == 0
    assert alert_of(people.cuong).labels() == [ACK_BUTTON]


@pytest.mark.parametrize("who", ["reporter", "team-mate", "other-team", "supervisor"])
async def test_non_officers_cannot_acknowledge(h: Harness, people: People, who: str) -> None:
    await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    await h.add_member(4, "Lục Văn Tài", "member", TEAM_B)
    await file_fire(people.an)
    await h.drain()
    user = {
        "reporter": people.an,
        "team-mate": h.user(2),
        "other-team": h.user(4),
        "supervisor": people.lan,
    }[who]
    await user.send("/menu")
    replies = await press_data(user, "ack:1")
    expected = NOT_FOUND if who == "other-team" else NOT_ALLOWED
    assert [m.text for m in replies] == [expected]
    assert await one(h, "SELECT ack_by FROM reports") == {"ack_by": None}
    assert await h.drain() == 0


async def test_pending_lists_unacknowledged_urgent_reports_in_scope(
    h: Harness, people: People
) -> None:
    await h.add_member(3, "Hà Thị Mai", "member", TEAM_C)
    await file_fire(people.an)  # BC-...01, TEAM_A
    await file_patrol(people.an)  # BC-...02, not urgent
    h.clock.advance(minutes=30)
    await file_tip(h.user(3))  # BC-...03, TEAM_C
    await h.drain()

    replies = await people.cuong.send("/tinbao")
    text = replies[-1].text
    assert text.startswith("🚨 1 tin báo đang mở trong địa bàn:")
    assert f"BC-2026-000001 · {FIRE}\nThôn Nà Lẹng · " in text
    assert "BC-2026-000002" not in text and "BC-2026-000003" not in text
    assert "✅ Tiếp nhận BC-2026-000001" in replies[-1].labels()

    text = (await people.hai.send("/tinbao"))[-1].text
    assert text.startswith("🚨 1 tin báo đang mở trong địa bàn:")
    assert f"BC-2026-000003 · {TIP}\nThôn Làng Mới · " in text
    assert "BC-2026-000001" not in text

    replies = await people.dung.send("/tinbao")
    assert replies[-1].text.startswith("🚨 2 tin báo đang mở trong địa bàn:")
    acks = [label for label in replies[-1].labels() if label.startswith("✅ Tiếp nhận")]
    assert acks == ["✅ Tiếp nhận BC-2026-000001", "✅ Tiếp nhận BC-2026-000003"]

    # a supervisor sees the list but has no acknowledge buttons
    replies = await people.lan.send("/tinbao")
    assert replies[-1].text.startswith("🚨 1 tin báo đang mở trong địa bàn:")
    assert not any(label.startswith("✅ Tiếp nhận") for label in replies[-1].labels())

    # acknowledged from the list: it stays listed as taken up, without the button
    replies = await people.cuong.press("Tiếp nhận BC-2026-000001")
    assert replies[0].text.startswith("✅ Bạn đã tiếp nhận BC-2026-000001 lúc 09:30 23/11/2026.")
    replies = await people.cuong.send("/tinbao")
    assert replies[-1].text.endswith("· ✅ Đã tiếp nhận")
    assert not any(label.startswith("✅ Tiếp nhận") for label in replies[-1].labels())
    replies = await people.dung.send("/tinbao")
    assert replies[-1].text.startswith("🚨 2 tin báo đang mở trong địa bàn:")
    acks = [label for label in replies[-1].labels() if label.startswith("✅ Tiếp nhận")]
    assert acks == ["✅ Tiếp nhận BC-2026-000003"]


async def test_members_cannot_list_pending(h: Harness, people: People) -> None:
    await file_fire(people.an)
    replies = await people.an.send("/tinbao")
    assert replies[-1].text == NOT_ALLOWED
    assert "🚨 Tin báo chờ tiếp nhận" not in replies[-1].labels()


async def test_own_pending_alert_is_not_delivered_after_acknowledging(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await people.cuong.send("/tinbao")
    await people.cuong.press("Tiếp nhận BC-2026-000001")
    await h.drain()
    live = [m for m in people.cuong.messages if ACK_BUTTON in m.labels()]
    assert live == []


async def test_alert_is_wholly_in_the_officers_language(h: Harness, people: People) -> None:
    """The reporter writes in Vietnamese; an English-speaking officer reads it all in English."""
    await people.cuong.send("/language")
    await people.cuong.press("English")
    await file_fire(people.an)
    await h.drain()
    english = [m for m in people.cuong.messages if m.text.startswith("🚨 URGENT REPORT:")]
    assert len(english) == 1, [m.text for m in people.cuong.messages]
    text = english[0].text
    assert text.startswith("🚨 URGENT REPORT: 🔥 Fire and rescue — BC-2026-000001\n")
    assert "Reported by Nguyễn Văn An (Thôn Nà Lẹng) at 09:00 23/11/2026" in text
    assert "• Kind: Fire\n" in text
    assert "• Place: Nhà văn hóa thôn Nà Lẹng\n" in text  # typed by the reporter, as typed
    assert "• Mobilised by police: Yes\n" in text
    assert "• Arrived in time: Yes\n" in text
    assert "• People helped: 3\n" in text
    assert "Photos" not in text  # offered on the summary and never added: not listed
    for vietnamese in ("Loại", "Cháy", "Có", "Số người", "bỏ qua", "Ảnh"):
        assert vietnamese not in text
    assert english[0].labels() == ["✅ Acknowledge"]
    # the Vietnamese-speaking officer still gets it all in Vietnamese
    assert "• Được Công an huy động: Có" in alert_of(people.dung).text
