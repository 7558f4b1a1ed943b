"""A tip's life on Zalo, where everything is typed: the officer answers the alert, the
steps and the note question with numbers and text; the reporter on Telegram is told."""

from __future__ import annotations

from tests.inproc.helpers import file_tip, rows
from tests.inproc.test_zalo import Z, fake, z  # noqa: F401  (the Zalo fixtures)
from tests.support.harness import COMMUNE, TEAM_A


async def test_an_officer_on_zalo_moves_a_tip_on_by_typing(z: Z) -> None:  # noqa: F811
    await z.h.add_invite("CONGAN1", COMMUNE, "officer")
    cuong = z.user("Hoàng Văn Cường")
    await z.join(cuong, "CONGAN1")
    await z.h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = z.h.user(1)
    await file_tip(an)
    cuong.unread()
    await z.h.drain()
    await z.sender.drain_once()
    alert = cuong.unread()[-1]
    assert alert.text.startswith("🚨 BÁO CÁO KHẨN:")

    ack = await z.say(cuong, alert.choice_number("Đã tiếp nhận"))
    assert ack[0].text.startswith("✅ Bạn đã tiếp nhận BC-2026-000001")
    assert ack[1].text.startswith("Khi có kết quả xử lý BC-2026-000001, gõ số một bước")
    assert "1. 🔎 Đang xác minh" in ack[1].lines()
    asked = await z.say(cuong, ack[1].choice_number("Đang xác minh"))
    assert asked[-1].text.startswith("✍️ BC-2026-000001 → 🔎 Đang xác minh.")
    assert "1. ⏭ Bỏ qua" in asked[-1].lines()
    saved = await z.say(cuong, "1")  # the number of "Bỏ qua"
    assert saved[-1].text.startswith("✅ Đã ghi: BC-2026-000001 → Đang xác minh.")

    asked = await z.say(cuong, saved[-1].choice_number("Đã giải quyết"))
    assert asked[-1].text.startswith("✍️ BC-2026-000001 → ✅ Đã giải quyết.")
    saved = await z.say(cuong, "Đã nhắc nhở, giải tán")
    assert saved[-1].text.startswith("✅ Đã ghi: BC-2026-000001 → Đã giải quyết.")

    await z.h.drain()
    told = [m.text for m in an.messages if m.text.startswith("🚓 Tin báo")]
    assert told == [
        "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đang xác minh.",
        "🚓 Tin báo BC-2026-000001 của bạn: Công an xã đã giải quyết"
        " (ghi chú: Đã nhắc nhở, giải tán).",
    ]
    kept = await rows(z.h, "SELECT state, note FROM report_events ORDER BY id")
    assert kept[-2:] == [
        {"state": "verifying", "note": None},
        {"state": "resolved", "note": "Đã nhắc nhở, giải tán"},
    ]
