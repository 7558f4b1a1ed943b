"""A member files a patrol with buttons, through the real python-telegram-bot application."""

from __future__ import annotations

import json

from tests.support.harness import TEAM_A, Harness


async def test_member_files_patrol_with_teammate(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    binh = await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    an = h.user(1)
    h.clock.advance(hours=13)  # 22:00, after the patrol
    replies = await an.send("/baocao")
    assert "Bạn muốn báo cáo việc gì?" in replies[-1].text
    await an.press("Tuần tra")
    assert "Bước 1/4" in an.last_text  # the date is preset to the reporting day
    await an.send("19h")
    await an.send("21:30")
    await an.send("Đường liên thôn Nà Lẹng")
    await an.press("Trần Thị Bình")
    assert "☑️ Trần Thị Bình" in an.last_with_buttons().labels()
    await an.press("Xong")
    await an.press("0")
    await an.press("hỗ trợ giao thông")  # preset "no", one tap on the summary flips it
    summary = an.last_text
    assert "Xem lại báo cáo" in summary
    assert "Giờ bắt đầu: 19:00" in summary and "Giờ kết thúc: 21:30" in summary
    assert "Tổ viên cùng tham gia: Trần Thị Bình" in summary
    replies = await an.press("Gửi báo cáo")
    assert "Đã lưu báo cáo BC-2026-000001" in replies[0].text
    async with h.db.read() as tx:
        row = await tx.fetchone("SELECT * FROM reports")
        parts = await tx.fetchall("SELECT member_id FROM report_participants")
    assert row is not None and row["kind"] == "patrol" and row["report_date"] == "2026-11-23"
    data = json.loads(row["data"])
    assert data["start"] == "19:00" and data["teammates"] == [binh] and data["note"] is None
    assert [p["member_id"] for p in parts] == [binh]
