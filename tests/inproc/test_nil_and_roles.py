"""The one-tap nil report, who may report at all, and report numbering across years."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.inproc.helpers import CHOOSE_KIND, MENU_BUTTONS, file_patrol, one, press_data, rows
from tests.support.harness import COMMUNE, PROVINCE, TEAM_A, Harness

NIL_BUTTON = "✅ Hôm nay không có vụ việc"
NOT_FOR_ROLE = "Chức năng báo cáo dành cho thành viên Tổ bảo vệ ANTT."


async def test_nil_from_the_menu_in_one_tap(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/menu")
    assert NIL_BUTTON in an.messages[-1].labels()
    replies = await an.press(NIL_BUTTON)
    assert len(replies) == 1
    assert replies[0].text == (
        "✅ Đã ghi nhận: ngày 23/11/2026 không có vụ việc (BC-2026-000001). Cảm ơn bạn!"
    )
    assert all(b in replies[0].labels() for b in MENU_BUTTONS)
    row = await one(h, "SELECT number, kind, report_date, data, status, urgent FROM reports")
    assert row == {
        "number": "BC-2026-000001",
        "kind": "nil",
        "report_date": "2026-11-23",
        "data": "{}",
        "status": "active",
        "urgent": 0,
    }
    audit = await one(h, "SELECT action, before, after FROM report_audit")
    assert audit == {"action": "create", "before": None, "after": "{}"}
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0


async def test_second_nil_the_same_day_is_refused(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/menu")
    await an.press(NIL_BUTTON)
    h.clock.advance(hours=8)
    replies = await an.press(NIL_BUTTON)
    assert replies[0].text == (
        "Hôm nay bạn đã báo “không có vụ việc” rồi (BC-2026-000001), không cần báo lại."
    )
    replies = await an.send("/khongcovuviec")
    assert replies[0].text.startswith("Hôm nay bạn đã báo “không có vụ việc” rồi")
    assert await h.count("SELECT COUNT(*) FROM reports") == 1
    assert await h.count("SELECT COUNT(*) FROM counters WHERE value > 1") == 0
    # the next day (after [reports] day_ends_at, 06:00) it may be filed again
    h.clock.advance(hours=14)
    replies = await an.send("/khongcovuviec")
    assert replies[0].text.startswith("✅ Đã ghi nhận: ngày 24/11/2026 không có vụ việc")
    assert await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'nil'") == 2


async def test_nil_from_the_kind_list(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    replies = await an.send("/baocao")
    assert replies[-1].text == CHOOSE_KIND
    replies = await an.press("Không có vụ việc")
    assert replies[-1].text.startswith("✅ Đã ghi nhận: ngày 23/11/2026 không có vụ việc")
    assert await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'nil'") == 1
    assert await h.count("SELECT COUNT(*) FROM conversations WHERE state LIKE '%flow%'") == 0


async def test_nil_is_per_member(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    await h.user(1).send("/khongcovuviec")
    replies = await h.user(2).send("/khongcovuviec")
    assert "(BC-2026-000002)" in replies[0].text
    assert await h.count("SELECT COUNT(*) FROM reports") == 2


@pytest.mark.parametrize(
    ("role", "unit", "label"),
    [
        ("officer", COMMUNE, "Cán bộ Công an xã"),
        ("supervisor", COMMUNE, "Cán bộ chỉ đạo"),
        ("admin", PROVINCE, "Quản trị"),
    ],
)
async def test_oversight_roles_may_not_report(h: Harness, role: str, unit: str, label: str) -> None:
    await h.add_member(9, "Đặng Quốc Huy", role, unit)
    user = h.user(9)
    replies = await user.send("/menu")
    assert replies[0].text.startswith(f"Xin chào Đặng Quốc Huy ({label},")
    assert not any(b in replies[0].labels() for b in MENU_BUTTONS)
    for command in ["/baocao", "/khongcovuviec", "/report"]:
        replies = await user.send(command)
        assert [m.text for m in replies] == [NOT_FOR_ROLE]
    # a stale or forged menu button is refused the same way
    replies = await user.press("Hướng dẫn")
    assert not re.search(r"/baocao\b", replies[-1].text)  # (/baocaodot is theirs)
    assert "🚨 /tinbao" in replies[-1].text
    for data in ["menu:report", "menu:nil"]:
        replies = await press_data(user, data, on=user.messages[-1])
        assert replies[-1].text == NOT_FOR_ROLE
    assert await h.count("SELECT COUNT(*) FROM reports") == 0
    assert await h.count("SELECT COUNT(*) FROM conversations WHERE state LIKE '%report%'") == 0


async def test_numbers_increase_and_restart_each_year(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    replies = await an.send("/khongcovuviec")
    assert "(BC-2026-000001)" in replies[0].text
    second = await file_patrol(an)  # replaces the nil report, under a number of its own
    assert second.startswith("✅ Đã lưu báo cáo BC-2026-000002 (🚶 Tuần tra ANTT, ATGT).")
    h.clock.advance(days=1)
    third = await file_patrol(an)
    assert third.startswith("✅ Đã lưu báo cáo BC-2026-000003 ")
    h.clock.set(datetime(2027, 1, 1, 6, 5))  # after [reports] day_ends_at: 1 January's
    replies = await an.send("/khongcovuviec")
    assert replies[0].text == (
        "✅ Đã ghi nhận: ngày 01/01/2027 không có vụ việc (BC-2027-000001). Cảm ơn bạn!"
    )
    fourth = await file_patrol(an)
    assert fourth.startswith("✅ Đã lưu báo cáo BC-2027-000002 ")
    numbers = [r["number"] for r in await rows(h, "SELECT number FROM reports ORDER BY id")]
    assert numbers == [
        "BC-2026-000001",
        "BC-2026-000002",
        "BC-2026-000003",
        "BC-2027-000001",
        "BC-2027-000002",
    ]
