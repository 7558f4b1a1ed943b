"""Two reports of one incident: an officer marks one the same incident as another; it leaves
/tinbao, its state is 'duplicate', both reporters are told; every refusal saves nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.clock import iso
from storage import incidents
from tests.inproc.helpers import FIRE, file_fire, file_patrol, file_tip, one, press_data, rows
from tests.inproc.police_world import Teams, enrol_teams
from tests.support.harness import Harness

NOT_FOUND = "Không tìm thấy báo cáo này trong địa bàn của bạn."
NOT_ALLOWED = "Chức năng này dành cho cán bộ Công an xã phụ trách địa bàn."
YES = "Đúng, cùng vụ việc"


@pytest.fixture
async def people(h: Harness) -> Teams:
    teams = await enrol_teams(h)
    await teams.cuong.send("/menu")
    return teams


async def two_reports(h: Harness, p: Teams) -> None:
    """09:00 An's fire (1); 10:00 Bình's tip about it (2), Bình then reads English."""
    await file_fire(p.an)
    h.clock.advance(hours=1)
    await file_tip(p.binh)
    await p.binh.send("/language")
    await p.binh.press("English")
    await h.drain()


async def snapshot(h: Harness) -> dict[str, Any]:
    """Everything a refusal must leave as it was."""
    return {
        "reports": await rows(h, "SELECT id, state, duplicate_of FROM reports ORDER BY id"),
        "events": await h.count("SELECT COUNT(*) FROM report_events"),
        "notices": await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'dup-%'"),
    }


async def test_officer_marks_a_duplicate_and_both_reporters_are_told(
    h: Harness, people: Teams
) -> None:
    await two_reports(h, people)
    replies = await press_data(people.cuong, "dup:2")
    assert replies[-1].text == (
        "🔗 Tin báo BC-2026-000002 trùng vụ việc với tin báo nào?\n"
        "Bấm một tin báo trong xã (đang mở hoặc trong 7 ngày qua), hoặc gõ số báo cáo, "
        "ví dụ BC-2026-000123 hoặc 123."
    )
    assert replies[-1].labels() == [f"🔗 BC-2026-000001 · {FIRE} · 1 giờ", "✖ Hủy"]
    replies = await people.cuong.press("BC-2026-000001")
    assert replies[-1].text == (
        "Ghi nhận hai tin báo là cùng một vụ việc?\n"
        "• BC-2026-000002 · 📢 Tin báo ANTT · Thôn Khuôn Pinh · Ngã ba chợ · 0 phút\n"
        f"• BC-2026-000001 · {FIRE} · Thôn Nà Lẹng · Nhà văn hóa thôn Nà Lẹng · 1 giờ\n"
        "BC-2026-000002 sẽ không còn trong /tinbao, được tính một lần trong thống kê "
        "(theo BC-2026-000001); hai người báo sẽ được thông báo."
    )
    assert await snapshot(h) == {
        "reports": [
            {"id": 1, "state": "received", "duplicate_of": None},
            {"id": 2, "state": "received", "duplicate_of": None},
        ],
        "events": 2,
        "notices": 0,
    }
    h.clock.advance(minutes=5)
    replies = await people.cuong.press(YES)
    assert [m.text for m in replies] == [
        "✅ Đã ghi nhận BC-2026-000002 là cùng vụ việc với BC-2026-000001. "
        "Hai người báo đã được thông báo."
    ]
    report = await one(h, "SELECT state, duplicate_of, state_at FROM reports WHERE id = 2")
    assert report == {
        "state": "duplicate",
        "duplicate_of": 1,
        "state_at": "2026-11-23T10:05:00+07:00",
    }
    events = await rows(
        h, "SELECT report_id, member_id, state, detail FROM report_events WHERE id > 2"
    )
    assert [
        (e["report_id"], e["member_id"], e["state"], json.loads(e["detail"])) for e in events
    ] == [
        (2, 4, "duplicate", {"duplicate_of": 1}),
        (1, 4, "received", {"same_incident": 2}),
    ]
    await h.drain()
    assert people.an.last_text == (
        "🔗 Tin báo BC-2026-000001 của bạn được Công an xã ghi nhận là cùng vụ việc với "
        "BC-2026-000002; vụ việc được theo dõi chung."
    )
    assert people.binh.last_text == (
        "🔗 Your report BC-2026-000002 was recorded by the commune police as the same incident "
        "as BC-2026-000001; the incident is followed up as one."
    )
    # gone from /tinbao; marking it again says it is done already
    text = (await people.cuong.send("/tinbao"))[-1].text
    assert text.startswith("🚨 1 tin báo đang mở trong địa bàn:") and "BC-2026-000002" not in text
    replies = await press_data(people.cuong, "dup:2")
    assert replies[-1].text == (
        "BC-2026-000002 đã được ghi nhận là cùng vụ việc với BC-2026-000001 rồi, không cần làm lại."
    )
    replies = await press_data(people.cuong, "dupy:2:1")
    assert "đã được ghi nhận là cùng vụ việc với BC-2026-000001 rồi" in replies[-1].text
    assert await h.count("SELECT COUNT(*) FROM report_events") == 4


@pytest.mark.parametrize("typed", ["BC-2026-000001", "bc-2026-1", "1"])
async def test_the_other_report_can_be_typed(h: Harness, people: Teams, typed: str) -> None:
    await two_reports(h, people)
    await press_data(people.cuong, "dup:2")
    replies = await people.cuong.send(typed)
    assert replies[-1].text.startswith("Ghi nhận hai tin báo là cùng một vụ việc?\n")
    assert f"• BC-2026-000001 · {FIRE}" in replies[-1].text
    await people.cuong.press(YES)
    assert (await one(h, "SELECT duplicate_of FROM reports WHERE id = 2")) == {"duplicate_of": 1}


async def test_a_report_that_is_itself_a_duplicate_leads_to_its_original(
    h: Harness, people: Teams
) -> None:
    await two_reports(h, people)
    await press_data(people.cuong, "dupy:2:1")  # 2 is the same incident as 1
    await file_tip(people.an)  # 3
    replies = await press_data(people.cuong, "dupk:3:2")
    assert replies[-1].text.startswith(
        "ℹ️ BC-2026-000002 đã được ghi nhận là cùng vụ việc với BC-2026-000001, nên tin báo "
        "được ghép vào BC-2026-000001.\n\nGhi nhận hai tin báo"
    )
    await people.cuong.press(YES)
    assert (await one(h, "SELECT duplicate_of FROM reports WHERE id = 3")) == {"duplicate_of": 1}
    # and folding the original into its own duplicate is refused
    before = await snapshot(h)
    replies = await press_data(people.cuong, "dupk:1:2")
    assert replies[-1].text == (
        "Không ghi nhận được: BC-2026-000002 đã được ghi nhận là cùng vụ việc với chính "
        "BC-2026-000001. Chọn tin báo khác."
    )
    replies = await press_data(people.cuong, "dupy:1:3")
    assert "cùng vụ việc với chính BC-2026-000001" in replies[-1].text
    assert await snapshot(h) == before


async def test_refusals_say_why_and_save_nothing(h: Harness, people: Teams) -> None:
    await two_reports(h, people)
    await file_tip(people.mai)  # 3, the other commune
    await file_patrol(people.an)  # 4, not urgent
    await file_tip(people.an)  # 5, withdrawn below
    await press_data(people.an, "wd:5", on=(await people.an.send("/menu"))[-1])
    await people.an.press("Đúng, rút lại")
    before = await snapshot(h)
    cases = {
        "dupk:2:2": "Không ghi nhận được: một tin báo không thể trùng với chính nó. "
        "Chọn tin báo khác, hoặc gõ số báo cáo khác.",
        "dupk:2:3": "Không ghi nhận được: BC-2026-000003 không thuộc địa bàn của bạn. "
        "Chọn tin báo trong xã, hoặc gõ số báo cáo khác.",
        "dupy:2:3": "Không ghi nhận được: BC-2026-000003 không thuộc địa bàn của bạn. "
        "Chọn tin báo trong xã, hoặc gõ số báo cáo khác.",
        "dupk:2:4": "Không ghi nhận được: BC-2026-000004 không phải tin báo khẩn. "
        "Chọn tin báo khác, hoặc gõ số báo cáo khác.",
        "dupy:2:5": "Không ghi nhận được: BC-2026-000005 đã được người báo rút lại. "
        "Chọn tin báo khác, hoặc gõ số báo cáo khác.",
        "dup:5": NOT_FOUND,  # withdrawn: no longer anyone's case
        "dup:3": NOT_FOUND,  # another commune's
        "dup:4": NOT_FOUND,  # not urgent
        "dup:999": NOT_FOUND,
        "dup:abc": NOT_FOUND,
        "dupk:abc": NOT_FOUND,
        "dupy:2": NOT_FOUND,
        "dupy:2:999": NOT_FOUND,
        "dupk:2:²": NOT_FOUND,
        "dupy:²:1": NOT_FOUND,
    }
    for data, said in cases.items():
        replies = await press_data(people.cuong, data)
        assert replies[-1].text == said, data
        assert await snapshot(h) == before, data
    # typed: an unknown number, another commune's report, itself
    await press_data(people.cuong, "dup:2")
    replies = await people.cuong.send("xyz")
    assert replies[-1].text == (
        "Không thấy báo cáo “xyz”. Gõ số báo cáo, ví dụ BC-2026-000123 hoặc 123, hoặc bấm một "
        "tin báo trong danh sách."
    )
    replies = await people.cuong.send("BC-2026-000003")
    assert "BC-2026-000003 không thuộc địa bàn của bạn" in replies[-1].text
    replies = await people.cuong.send("BC-2026-000002")
    assert "không thể trùng với chính nó" in replies[-1].text
    replies = await people.cuong.press("Hủy")
    assert replies[-1].text.startswith("Đã hủy. Không có gì được lưu.")
    assert await snapshot(h) == before


async def test_a_closed_report_cannot_be_marked(h: Harness, people: Teams) -> None:
    await two_reports(h, people)
    async with h.db.transaction() as tx:
        assert await incidents.move(tx, 2, "unfounded", 4, iso(h.clock.now()))
    before = await snapshot(h)
    replies = await press_data(people.cuong, "dupy:2:1")
    assert replies[-1].text == (
        "BC-2026-000002 đã khép lại, không ghi nhận trùng được nữa. "
        "Gõ /tinbao để xem các tin báo đang mở."
    )
    assert await snapshot(h) == before


@pytest.mark.parametrize("who", ["reporter", "supervisor", "other-commune officer"])
async def test_only_officers_of_the_area_mark_duplicates(
    h: Harness, people: Teams, who: str
) -> None:
    await two_reports(h, people)
    user = {"reporter": people.an, "supervisor": people.lan, "other-commune officer": people.hai}
    await user[who].send("/menu")
    before = await snapshot(h)
    for data in ("dup:1", "dupk:1:2", "dupy:1:2"):
        replies = await press_data(user[who], data)
        expected = NOT_FOUND if who == "other-commune officer" else NOT_ALLOWED
        assert replies[-1].text == expected, data
    assert await snapshot(h) == before
