"""Honest receipts, urgency honoured through quiet hours, and the escalation ladder of an
urgent report: reminders to the commune, then the supervisors above, until someone takes it
up; and the line that shows the member who was alerted and when."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import iso
from tests.inproc.helpers import FIRE, TIP, file_fire, one, rows
from tests.inproc.police_world import People
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, PROVINCE, TEAM_A, Harness, TgUser

ACK_BUTTON = "✅ Đã tiếp nhận"
SAVED = "✅ Đã lưu báo cáo BC-2026-000001 ({title}). Cảm ơn bạn!\n"
NOBODY = "⚠️ Chưa báo được cho ai: xã chưa có cán bộ Công an nhận tin qua bot."
EMERGENCY = "Số khẩn cấp: 113 (Công an), 114 (Cứu hỏa), 115 (Cấp cứu)."
AGAIN = "⏰ NHẮC LẠI: chưa ai tiếp nhận sau 15 phút\n\n🚨 BÁO CÁO KHẨN: "
ABOVE = "⏫ BÁO LÊN CẤP TRÊN: Công an xã chưa tiếp nhận sau 30 phút\n\n🚨 BÁO CÁO KHẨN: "


async def file_tip(user: TgUser, urgency: str) -> str:
    await user.send("/baocao")
    await user.press("Tin báo ANTT")
    await user.press("Người dân báo")
    await user.press("Tệ nạn xã hội")
    await user.press(urgency)
    await user.send("Ngã ba chợ")
    await user.send("Có nhóm thanh niên tụ tập đánh bạc")
    replies = await user.press("Gửi báo cáo")
    return replies[0].text


async def set_phone(h: Harness, path: str, phone: str) -> None:
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE units SET phone = ? WHERE path = ?", (phone, path))


def alerts_to(user: TgUser) -> list[Sent]:
    return [m for m in user.messages if "BÁO CÁO KHẨN:" in m.text or "TIN BÁO:" in m.text]


# ------------------------------------------------------------------ honest receipts


async def test_receipt_counts_the_officers_reached(h: Harness, people: People) -> None:
    receipt = await file_tip(people.an, "Khẩn cấp")
    assert receipt == SAVED.format(title=TIP) + "🚨 Đã gửi ngay tới 2 cán bộ Công an xã."


async def test_nobody_to_alert_is_said_with_the_emergency_numbers(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    receipt = await file_fire(h.user(1))
    assert receipt == SAVED.format(title=FIRE) + NOBODY + "\n" + EMERGENCY
    assert "Đã gửi" not in receipt and "chuyển" not in receipt
    assert await h.count("SELECT COUNT(*) FROM alerts WHERE step = 0") == 0
    assert await h.count("SELECT COUNT(*) FROM reports WHERE state = 'received'") == 1


async def test_nobody_to_alert_gives_the_communes_phone(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await set_phone(h, PROVINCE, "0205 3812 345")
    await set_phone(h, COMMUNE, "0205 3833 113")  # the nearest unit with a phone is told
    receipt = await file_fire(h.user(1))
    assert receipt == SAVED.format(title=FIRE) + "\n".join(
        [NOBODY, "☎️ Hãy gọi ngay Xã Bắc Sơn: 0205 3833 113.", EMERGENCY]
    )


async def test_nobody_in_the_commune_sends_it_to_the_level_above_at_once(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(15, "Phạm Văn Sơn", "supervisor", PROVINCE)
    receipt = await file_fire(h.user(1))
    assert receipt == SAVED.format(title=FIRE) + "\n".join(
        [
            "⚠️ Xã chưa có cán bộ Công an nhận tin qua bot.",
            "⏫ Đã chuyển ngay tới 1 cán bộ chỉ đạo cấp trên.",
            EMERGENCY,
        ]
    )
    assert await h.drain() == 1  # not in 30 minutes: there is nobody to wait for
    alert = h.user(15).messages[-1]
    assert alert.text.startswith(
        "⏫ BÁO LÊN CẤP TRÊN: xã chưa có cán bộ Công an nhận tin qua bot\n\n🚨 BÁO CÁO KHẨN: "
    )
    assert alert.labels() == [ACK_BUTTON]
    h.clock.advance(minutes=30)
    assert await h.drain() == 0  # once is enough
    replies = await h.user(15).press(ACK_BUTTON, on=alert)  # and the supervisor may take it up
    assert replies[0].text.startswith("✅ Bạn đã tiếp nhận BC-2026-000001")
    await h.drain()
    told = h.user(1).messages[-1].text
    assert told.startswith(
        "🚓 Báo cáo BC-2026-000001 của bạn đã được Phạm Văn Sơn (Cán bộ chỉ đạo)"
    )


# ------------------------------------------------------------------ urgency honoured


async def test_normal_tip_at_night_waits_for_the_morning(h: Harness, people: People) -> None:
    h.clock.set(datetime(2026, 11, 23, 22, 0))
    receipt = await file_tip(people.an, "Bình thường")
    assert receipt == SAVED.format(title=TIP) + (
        "Tin bình thường: sẽ gửi cho Công an xã lúc 06:30 sáng mai. Nếu cần gấp, gọi 113."
    )
    morning = "2026-11-24T06:30:00+07:00"
    queued = await rows(h, "SELECT member_id, urgent, not_before FROM outbox ORDER BY member_id")
    assert queued == [
        {"member_id": people.ids["cuong"], "urgent": 0, "not_before": morning},
        {"member_id": people.ids["dung"], "urgent": 0, "not_before": morning},
    ]  # and no escalation steps: a normal tip climbs no ladder
    report = await one(h, "SELECT state, alert_at, created_at FROM reports")
    assert report == {
        "state": "received",
        "alert_at": morning,
        "created_at": "2026-11-23T22:00:00+07:00",
    }
    assert await h.drain() == 0
    h.clock.set(datetime(2026, 11, 24, 6, 29))
    assert await h.drain() == 0
    h.clock.set(datetime(2026, 11, 24, 6, 30))
    assert await h.drain() == 2
    for officer in (people.cuong, people.dung):
        (alert,) = alerts_to(officer)
        assert alert.text.startswith(f"📢 TIN BÁO: {TIP} — BC-2026-000001\n")
        assert "KHẨN" not in alert.text.splitlines()[0]
        assert alert.labels() == [ACK_BUTTON]


async def test_urgent_tip_at_night_goes_at_once(h: Harness, people: People) -> None:
    h.clock.set(datetime(2026, 11, 23, 22, 0))
    receipt = await file_tip(people.an, "Khẩn cấp")
    assert receipt.endswith("🚨 Đã gửi ngay tới 2 cán bộ Công an xã.")
    assert (await one(h, "SELECT alert_at FROM reports"))["alert_at"] == iso(h.clock.now())
    assert await h.drain() == 2
    for officer in (people.cuong, people.dung):
        (alert,) = alerts_to(officer)
        assert alert.text.startswith(f"🚨 BÁO CÁO KHẨN: {TIP} — BC-2026-000001\n")


async def test_normal_tip_by_day_goes_at_once_without_a_ladder(h: Harness, people: People) -> None:
    receipt = await file_tip(people.an, "Bình thường")
    assert receipt.endswith("📢 Tin bình thường: đã gửi tới 2 cán bộ Công an xã.")
    assert await h.drain() == 2
    assert alerts_to(people.cuong)[0].text.startswith(f"📢 TIN BÁO: {TIP}")
    h.clock.advance(hours=2)
    assert await h.drain() == 0
    assert await h.count("SELECT COUNT(*) FROM alerts WHERE step > 0") == 0


# ------------------------------------------------------------------ the escalation ladder


async def test_the_ladder_step_by_step(h: Harness, people: People) -> None:
    await file_fire(people.an)
    assert await h.drain() == 2  # the first alert: the officers over the team
    h.clock.advance(minutes=14, seconds=59)
    assert await h.drain() == 0
    h.clock.advance(seconds=1)  # 15 minutes: every officer of the commune again
    assert await h.drain() == 2
    for officer in (people.cuong, people.dung):
        first, again = alerts_to(officer)
        assert again.text.startswith(AGAIN + f"{FIRE} — BC-2026-000001\n")
        assert again.text.endswith(first.text.split("\n", 1)[1])  # the whole alert again
        assert again.labels() == [ACK_BUTTON]
    assert people.son.messages == []
    h.clock.advance(minutes=15)  # 30 minutes: the supervisors of the level above
    assert await h.drain() == 1
    (escalated,) = alerts_to(people.son)
    assert escalated.text.startswith(ABOVE + f"{FIRE} — BC-2026-000001\n")
    assert escalated.labels() == [ACK_BUTTON]
    assert people.lan.messages == [] and people.hai.messages == []  # not above, not theirs
    steps = await rows(h, "SELECT member_id, step FROM alerts ORDER BY step, member_id")
    assert steps == [
        {"member_id": people.ids["cuong"], "step": 0},
        {"member_id": people.ids["dung"], "step": 0},
        {"member_id": people.ids["cuong"], "step": 1},
        {"member_id": people.ids["dung"], "step": 1},
        {"member_id": people.ids["son"], "step": 2},
    ]
    h.clock.advance(hours=12)
    assert await h.drain() == 0  # the ladder has no more steps


async def test_acknowledging_stops_the_ladder_for_everyone(h: Harness, people: People) -> None:
    await file_fire(people.an)
    await h.drain()
    h.clock.advance(minutes=5)
    await people.cuong.press(ACK_BUTTON, on=alerts_to(people.cuong)[0])
    assert await h.drain() == 2  # the reporter's notice and the edit of Dũng's alert
    cancelled = await rows(
        h,
        """SELECT a.member_id, a.step FROM alerts a JOIN outbox o ON o.id = a.outbox_id
           WHERE o.status = 'cancelled' ORDER BY a.step, a.member_id""",
    )
    assert cancelled == [
        {"member_id": people.ids["cuong"], "step": 1},
        {"member_id": people.ids["dung"], "step": 1},
        {"member_id": people.ids["son"], "step": 2},
    ]
    seen = {name: len(getattr(people, name).messages) for name in ("cuong", "dung", "son")}
    h.clock.advance(hours=2)
    assert await h.drain() == 0
    assert {name: len(getattr(people, name).messages) for name in seen} == seen
    assert people.son.messages == []


async def test_a_supervisor_the_ladder_reached_may_acknowledge(h: Harness, people: People) -> None:
    await file_fire(people.an)
    h.clock.advance(minutes=30)
    assert await h.drain() == 5  # nobody drained before: every step due at once
    (escalated,) = alerts_to(people.son)
    replies = await people.son.press(ACK_BUTTON, on=escalated)
    assert [m.text for m in replies] == [
        "✅ Bạn đã tiếp nhận BC-2026-000001 lúc 09:30 23/11/2026. Người báo đã được thông báo."
    ]
    report = await one(h, "SELECT ack_by, state FROM reports")
    assert report == {"ack_by": people.ids["son"], "state": "acknowledged"}
    before = len(people.cuong.messages)
    assert await h.drain() == 5  # the reporter's notice, both officers' two alerts edited
    assert len(people.cuong.messages) == before  # edited in place
    closed = "✅ Báo cáo BC-2026-000001 đã được Phạm Văn Sơn tiếp nhận lúc 09:30 23/11/2026."
    assert [m.text for m in people.cuong.messages] == [closed, closed]
    assert all(m.buttons == [] for m in people.dung.messages)


async def test_a_supervisor_not_alerted_still_may_not_acknowledge(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await h.drain()
    await people.son.send("/start")  # a forged button on a message he has
    replies = await people.son.press_data(people.son.messages[-1], "ack:1")
    assert [m.text for m in replies] == [
        "Chức năng này dành cho cán bộ Công an xã phụ trách địa bàn."
    ]
    assert (await one(h, "SELECT ack_by FROM reports"))["ack_by"] is None


# ------------------------------------------------------------------ who was alerted, when


async def test_the_members_report_shows_who_was_alerted_and_when(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await h.drain()
    h.clock.advance(minutes=15)
    await h.drain()
    h.clock.advance(minutes=1)
    await people.an.send("/baocaocuatoi")
    replies = await people.an.press("BC-2026-000001")
    assert (
        "Đã báo: Hoàng Văn Cường 09:00, Lý Minh Dũng 09:00, Hoàng Văn Cường 09:15 (nhắc lần 1),"
        " Lý Minh Dũng 09:15 (nhắc lần 1); chưa gửi: Phạm Văn Sơn (09:30, cấp trên)"
    ) in replies[0].text
    await people.cuong.press(ACK_BUTTON, on=alerts_to(people.cuong)[-1])
    await people.an.send("/baocaocuatoi")
    replies = await people.an.press("BC-2026-000001")
    assert "; không cần gửi nữa: Phạm Văn Sơn (09:30, cấp trên)" in replies[0].text


async def test_no_alert_line_on_a_report_that_is_not_urgent(h: Harness, people: People) -> None:
    from tests.inproc.helpers import file_patrol

    await file_patrol(people.an)
    await people.an.send("/baocaocuatoi")
    replies = await people.an.press("BC-2026-000001")
    assert "Đã báo" not in replies[0].text


async def test_nobody_alerted_shows_on_the_report(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await file_fire(h.user(1))
    await h.user(1).send("/baocaocuatoi")
    replies = await h.user(1).press("BC-2026-000001")
    assert "Đã báo: chưa ai (xã chưa có cán bộ nhận tin qua bot)." in replies[0].text
