"""Typed answers on Telegram: numbers are not buttons there; withdrawn reports stay closed."""

from __future__ import annotations

from tests.support.harness import COMMUNE, TEAM_A, Harness


async def test_a_typed_number_on_telegram_does_not_press_a_navigation_button(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("PCCC")
    await an.press("Cháy")
    await an.send("Nhà văn hóa thôn")
    step = an.last_text
    assert "Bước 3/6" in step
    replies = await an.send("4")  # the 4th button would be "✖ Hủy" on a numbered channel
    assert "Vui lòng bấm “Có” hoặc “Không”" in replies[-1].text
    assert "Bước 3/6" in replies[-1].text
    replies = await an.send("co")
    assert "Bước 4/6" in replies[-1].text


async def test_a_withdrawn_urgent_report_cannot_be_acknowledged(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(9, "Phạm Văn Dũng", "officer", COMMUNE)
    an, dung = h.user(1), h.user(9)
    await an.send("/baocao")
    await an.press("Tin báo ANTT")
    await an.press("Người dân báo")
    await an.press("Mâu thuẫn")
    await an.press("Bình thường")
    await an.send("Xóm 3")
    await an.send("Hai hộ tranh chấp lối đi")
    await an.press("Gửi báo cáo")
    await h.drain()
    alert = dung.last_with_buttons()
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("Rút lại")
    await an.press("Đúng, rút lại")
    replies = await dung.press("Đã tiếp nhận", on=alert)
    assert "Không tìm thấy báo cáo này" in replies[-1].text
    assert await h.count("SELECT COUNT(*) FROM reports WHERE ack_by IS NOT NULL") == 0
