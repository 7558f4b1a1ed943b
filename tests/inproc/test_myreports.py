"""/baocaocuatoi: list, open, edit and withdraw own reports until the edit deadline."""

from __future__ import annotations

import json

import pytest

from tests.inproc.helpers import CANCEL, PATROL, file_patrol, one, press_data, report_data, rows
from tests.support.harness import TEAM_A, Harness, TgUser

LINE = f"BC-2026-000001 · {PATROL} · 23/11/2026"
EDIT = "✏️ Sửa"
WITHDRAW = "🗑 Rút lại"
SAVE = "💾 Lưu thay đổi"
MINE_NOT_FOUND = "Không tìm thấy báo cáo này trong các báo cáo của bạn."
LOCKED = "Đã hết hạn sửa (21:00 23/11/2026)."


@pytest.fixture
async def an(h: Harness) -> TgUser:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    user = h.user(1)
    await file_patrol(user, incidents="0")
    return user


async def audit_actions(h: Harness) -> list[str]:
    return [r["action"] for r in await rows(h, "SELECT action FROM report_audit ORDER BY id")]


async def test_list_and_open(h: Harness, an: TgUser) -> None:
    replies = await an.send("/baocaocuatoi")
    listing = replies[-1]
    assert listing.text.startswith("📋 Báo cáo gần đây của bạn (bấm một báo cáo để xem, sửa):")
    assert listing.labels() == [LINE, "🏠 Về menu"]
    replies = await an.press("BC-2026-000001")
    detail = replies[-1]
    assert detail.text.startswith(LINE + "\n\n• Ngày tuần tra: 23/11/2026\n")
    assert "• Số vụ việc phát hiện: 0" in detail.text
    assert detail.text.endswith("Có thể sửa hoặc rút lại đến 21:00 23/11/2026.")
    assert detail.labels() == [EDIT, WITHDRAW, "◀ Danh sách báo cáo"]
    # the next day's nil report (a nil beside the patrol of the same day is refused) is
    # listed first; it may be withdrawn but has nothing to edit
    h.clock.advance(days=1)
    await an.send("/khongcovuviec")
    replies = await an.send("/baocaocuatoi")
    assert replies[-1].labels() == [
        "BC-2026-000002 · ✅ Không có vụ việc · 24/11/2026",
        LINE,
        "🏠 Về menu",
    ]
    replies = await an.press("BC-2026-000002")
    assert replies[-1].labels() == [WITHDRAW, "◀ Danh sách báo cáo"]


async def test_empty_list(h: Harness) -> None:
    await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    replies = await h.user(2).send("/baocaocuatoi")
    assert replies[-1].text == (
        "Bạn chưa có báo cáo nào. Bấm “📝 Báo cáo” để gửi báo cáo đầu tiên."
    )


async def test_edit_a_field_is_saved_with_an_audit_row(h: Harness, an: TgUser) -> None:
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    replies = await an.press(EDIT)
    pick = replies[-1]
    assert pick.text.startswith("✏️ Sửa báo cáo BC-2026-000001\n\n")
    assert pick.text.endswith("Chọn mục cần sửa, rồi bấm “Lưu thay đổi”.")
    assert "Số vụ việc phát hiện" in pick.labels()
    assert pick.labels()[-2:] == [SAVE, CANCEL]
    replies = await an.press("Số vụ việc phát hiện")
    assert "Bước 4/4" in replies[-1].text and "Phát hiện bao nhiêu vụ việc?" in replies[-1].text
    replies = await an.send("101")
    assert replies[-1].text.startswith("⚠️ Số không được lớn hơn 100.")
    assert "Phát hiện bao nhiêu vụ việc?" in replies[-1].text
    replies = await an.send("3")
    assert "• Số vụ việc phát hiện: 3" in replies[-1].text
    assert (await report_data(h))["incidents"] == 0  # not saved before "Lưu"
    h.clock.advance(hours=1)
    replies = await an.press(SAVE)
    assert replies[-1].text == "✅ Đã lưu thay đổi của báo cáo BC-2026-000001."
    assert (await report_data(h))["incidents"] == 3
    audit = await one(
        h, "SELECT member_id, before, after, at FROM report_audit WHERE action = 'edit'"
    )
    before, after = json.loads(audit["before"]), json.loads(audit["after"])
    assert before["incidents"] == 0 and after["incidents"] == 3
    # incidents found: the 4.6 "serious accident" preset (no) now applies and is saved too
    assert after["serious_accident"] is False and "serious_accident" not in before
    changed = {"incidents", "serious_accident"}
    assert {k: v for k, v in before.items() if k not in changed} == {
        k: v for k, v in after.items() if k not in changed
    }
    assert audit["member_id"] == 1 and audit["at"] == "2026-11-23T10:00:00+07:00"
    updated = await one(h, "SELECT updated_at, created_at FROM reports")
    assert updated == {
        "updated_at": "2026-11-23T10:00:00+07:00",
        "created_at": "2026-11-23T09:00:00+07:00",
    }
    assert await audit_actions(h) == ["create", "edit"]


async def test_edit_team_mates_and_date(h: Harness, an: TgUser) -> None:
    binh = await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press(EDIT)
    await an.press("Tổ viên cùng tham gia")
    await an.press("Trần Thị Bình")
    await an.press("Xong")
    await an.press("Ngày tuần tra")
    await an.press("Hôm qua")
    assert "• Ngày tuần tra: 22/11/2026" in an.last_text
    await an.press(SAVE)
    row = await one(h, "SELECT report_date FROM reports")
    assert row == {"report_date": "2026-11-22"}
    assert await rows(h, "SELECT member_id FROM report_participants") == [{"member_id": binh}]


async def test_edit_without_change_and_cancelled_edit(h: Harness, an: TgUser) -> None:
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press(EDIT)
    replies = await an.press(SAVE)
    assert replies[-1].text == "Báo cáo BC-2026-000001 không có gì thay đổi."
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press(EDIT)
    await an.press("Giờ bắt đầu")
    filed = (await report_data(h))["start"]
    replies = await an.send("06:30")  # a time already past at the harness's 09:00
    assert "• Giờ bắt đầu: 06:30" in replies[-1].text
    replies = await an.press(CANCEL)
    assert replies[-1].text == "Đã hủy sửa. Báo cáo giữ nguyên như cũ."
    assert filed == "07:00"  # helpers.past_shift at 09:00
    assert (await report_data(h))["start"] == filed
    assert await audit_actions(h) == ["create"]


async def test_withdraw(h: Harness, an: TgUser) -> None:
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    replies = await an.press(WITHDRAW)
    assert replies[-1].text == (
        "Rút lại báo cáo BC-2026-000001? Báo cáo sẽ không được tính vào thống kê."
    )
    assert replies[-1].labels() == ["🗑 Đúng, rút lại", "◀ Quay lại"]
    assert (await one(h, "SELECT status FROM reports"))["status"] == "active"
    replies = await an.press("Đúng, rút lại")
    assert replies[-1].text == "Đã rút lại báo cáo BC-2026-000001."
    assert (await one(h, "SELECT status FROM reports"))["status"] == "withdrawn"
    audit = await one(h, "SELECT before, after FROM report_audit WHERE action = 'withdraw'")
    assert json.loads(audit["before"])["route"] == "Đường liên thôn Nà Lẹng"
    assert audit["after"] is None
    replies = await an.send("/baocaocuatoi")
    assert f"{LINE} · đã rút" in replies[-1].labels()
    replies = await an.press("BC-2026-000001")
    assert replies[-1].labels() == ["◀ Danh sách báo cáo"]
    # a second (stale) confirmation changes nothing more
    replies = await press_data(an, "wy:1")
    assert await audit_actions(h) == ["create", "withdraw"]


async def test_report_filed_after_the_deadline_is_editable_until_the_next(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    h.clock.advance(hours=12, minutes=30)  # 21:30
    await an.send("/khongcovuviec")
    await an.send("/baocaocuatoi")
    replies = await an.press("BC-2026-000001")
    assert replies[-1].text.endswith("Có thể sửa hoặc rút lại đến 21:00 24/11/2026.")


async def test_after_the_deadline_nothing_can_be_changed(h: Harness, an: TgUser) -> None:
    h.clock.advance(hours=12, minutes=1)  # 21:01
    await an.send("/baocaocuatoi")
    replies = await an.press("BC-2026-000001")
    assert LOCKED in replies[-1].text
    assert "Nếu cần điều chỉnh, hãy báo tổ trưởng hoặc cán bộ Công an xã." in replies[-1].text
    assert replies[-1].labels() == ["◀ Danh sách báo cáo"]
    before = await one(h, "SELECT data, status, updated_at FROM reports")
    for data in ["ed:1", "wd:1", "wy:1"]:
        replies = await press_data(an, data)
        assert LOCKED in replies[-1].text, data
        assert EDIT not in replies[-1].labels() and WITHDRAW not in replies[-1].labels()
        assert await h.count("SELECT COUNT(*) FROM conversations WHERE state LIKE '%edit%'") == 0
    assert await one(h, "SELECT data, status, updated_at FROM reports") == before
    assert await audit_actions(h) == ["create"]


async def test_edit_in_progress_stops_at_the_deadline(h: Harness, an: TgUser) -> None:
    h.clock.advance(hours=11, minutes=58)  # 20:58
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press(EDIT)
    await an.press("Số vụ việc phát hiện")
    h.clock.advance(minutes=3)
    replies = await an.send("5")
    assert replies[-1].text.startswith(LOCKED)
    await press_data(an, "es:save")
    assert (await report_data(h))["incidents"] == 0
    assert await audit_actions(h) == ["create"]


async def test_someone_else_cannot_open_edit_or_withdraw(h: Harness, an: TgUser) -> None:
    await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    binh = h.user(2)
    await binh.send("/menu")
    before = await one(h, "SELECT data, status, updated_at FROM reports")
    for data in ["my:1", "ed:1", "wd:1", "wy:1", "my:999", "ed:x"]:
        replies = await press_data(binh, data)
        assert replies[-1].text == MINE_NOT_FOUND, data
        assert "Đường liên thôn" not in replies[-1].text
    assert await one(h, "SELECT data, status, updated_at FROM reports") == before
    assert await audit_actions(h) == ["create"]
    assert await h.count("SELECT COUNT(*) FROM conversations WHERE state LIKE '%edit%'") == 0


async def test_edit_cannot_leave_a_newly_required_field_unanswered(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("PCCC")
    await an.press("Cháy")
    await an.send("Nhà văn hóa")
    await an.press("Không")
    await an.send("0")
    await an.send("Đã dập tắt")
    await an.press("Gửi báo cáo")
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press(EDIT)
    await an.press("Được Công an huy động")
    replies = await an.press("Có")
    assert "Có mặt kịp thời" in replies[-1].labels()  # now applicable, still unanswered
    await an.press(SAVE)
    data = await report_data(h)
    assert data["mobilised"] is False or "in_time" in data, data
