"""Officers see changes: an edit or withdrawal of an urgent report after its alert reaches the
officers who got it (old → new), and what an officer confirmed the member cannot change."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from bot.core.clock import iso
from storage import incidents
from tests.inproc.helpers import FIRE, file_fire, file_patrol, one, press_data, report_data, rows
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, PROVINCE, TEAM_A, Harness, TgUser

# Texts from bot/locales/vi.toml, copied so a changed wording is a visible test change.
EDIT = "✏️ Sửa"
SAVE = "💾 Lưu thay đổi"
LOCKED = (
    "🔒 Được Công an huy động, Có mặt kịp thời: Công an xã (Hoàng Văn Cường) đã xác nhận lúc "
    "09:05 23/11/2026, bạn không sửa được nữa. Nếu cần điều chỉnh, hãy liên hệ Hoàng Văn Cường."
)
NO_WITHDRAW = (
    "🔒 Không rút được báo cáo BC-2026-000001: Công an xã (Hoàng Văn Cường) đã xác nhận lúc "
    "09:05 23/11/2026. Nếu báo cáo có sai sót, hãy liên hệ Hoàng Văn Cường."
)


@dataclass
class People:
    an: TgUser  # member, TEAM_A (reporter)
    cuong: TgUser  # officer, COMMUNE
    dung: TgUser  # officer, PROVINCE
    ids: dict[str, int]


@pytest.fixture
async def people(h: Harness) -> People:
    ids = {
        "an": await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A),
        "cuong": await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE),
        "dung": await h.add_member(12, "Lý Minh Dũng", "officer", PROVINCE),
    }
    return People(h.user(1), h.user(11), h.user(12), ids)


def alert_of(user: TgUser) -> Sent:
    found = [m for m in user.messages if "BC-2026-000001" in m.text and "KHẨN" in m.text]
    assert len(found) == 1, [m.text for m in user.messages]
    return found[0]


async def open_edit(user: TgUser) -> Sent:
    await user.send("/baocaocuatoi")
    await user.press("BC-2026-000001")
    return (await user.press(EDIT))[-1]


async def events(h: Harness) -> list[tuple[str, dict[str, object]]]:
    async with h.db.read() as tx:
        found = await incidents.events_of(tx, 1)
    return [(e.state, e.detail) for e in found]


async def confirm(h: Harness, officer_id: int) -> None:
    h.clock.advance(minutes=5)
    async with h.db.transaction() as tx:
        await incidents.confirm_fire(tx, 1, officer_id, True, iso(h.clock.now()))


async def test_an_edit_after_acknowledgement_reaches_each_alerted_officer(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await h.drain()
    h.clock.advance(minutes=5)
    await people.cuong.press("Đã tiếp nhận", on=alert_of(people.cuong))
    await h.drain()
    seen = {u.id: len(u.messages) for u in (people.cuong, people.dung)}

    h.clock.advance(minutes=5)
    await open_edit(people.an)
    await people.an.press("Số người được giúp")
    await people.an.send("5")
    await people.an.press("Kết quả")
    await people.an.send("Đã dập tắt, 5 người được đưa ra an toàn")
    replies = await people.an.press(SAVE)
    assert replies[-1].text.startswith("✅ Đã lưu thay đổi của báo cáo BC-2026-000001.")
    assert await h.drain() == 2

    expected = (
        f"✏️ Nguyễn Văn An đã sửa báo cáo BC-2026-000001 ({FIRE}) lúc 09:10 23/11/2026:\n"
        "• Số người được giúp: 3 → 5\n"
        "• Kết quả: Đã dập tắt đám cháy → Đã dập tắt, 5 người được đưa ra an toàn"
    )
    for officer in (people.cuong, people.dung):
        fresh = officer.messages[seen[officer.id] :]
        assert [m.text for m in fresh] == [expected]
    assert await events(h) == [
        ("received", {}),
        ("acknowledged", {}),
        ("acknowledged", {"edited": ["people_helped", "outcome"]}),
    ]
    assert (await one(h, "SELECT state FROM reports")) == {"state": "acknowledged"}
    # an edit that changes nothing tells nobody
    await open_edit(people.an)
    await people.an.press(SAVE)
    assert await h.drain() == 0


async def test_the_edit_notice_is_in_each_officers_language(h: Harness, people: People) -> None:
    await people.dung.send("/language")
    await people.dung.press("English")
    await file_fire(people.an)
    await h.drain()
    await open_edit(people.an)
    await people.an.press("Có mặt kịp thời")
    await people.an.press("Không")
    await people.an.press(SAVE)
    await h.drain()
    assert people.dung.last_text == (
        "✏️ Nguyễn Văn An edited report BC-2026-000001 (🔥 Fire and rescue) at 09:00 23/11/2026:\n"
        "• Arrived in time: Yes → No"
    )
    assert people.cuong.last_text.endswith("• Có mặt kịp thời: Có → Không")


async def test_a_withdrawal_after_the_alert_reaches_each_alerted_officer(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await h.drain()
    h.clock.advance(minutes=3)
    await people.an.send("/baocaocuatoi")
    await people.an.press("BC-2026-000001")
    await people.an.press("Rút lại")
    replies = await people.an.press("Đúng, rút lại")
    assert replies[-1].text.startswith("Đã rút lại báo cáo BC-2026-000001")
    assert await h.drain() == 2
    for officer in (people.cuong, people.dung):
        assert officer.last_text == (
            f"🗑 Người báo đã rút báo cáo BC-2026-000001 ({FIRE}) lúc 09:03 23/11/2026: "
            "Nguyễn Văn An."
        )
    assert await events(h) == [("received", {}), ("received", {"withdrawn": True})]
    assert await one(h, "SELECT state, status FROM reports") == {
        "state": "received",
        "status": "withdrawn",
    }


async def test_a_change_never_overtakes_the_alert_it_follows(h: Harness, people: People) -> None:
    """Edited before the alert went out: the notice is due with it, and comes after it."""
    await file_fire(people.an)
    await open_edit(people.an)
    await people.an.press("Số người được giúp")
    await people.an.send("4")
    await people.an.press(SAVE)
    assert await h.drain() == 4
    texts = [m.text for m in people.cuong.messages]
    assert texts[0].startswith("🚨 BÁO CÁO KHẨN:") and "• Số người được giúp: 3" in texts[0]
    assert texts[1].endswith("• Số người được giúp: 3 → 4")


async def test_an_officer_whose_alert_was_withdrawn_is_not_told(h: Harness, people: People) -> None:
    await file_fire(people.an)
    await people.cuong.send("/tinbao")  # acknowledged before any alert went out
    await people.cuong.press("Tiếp nhận BC-2026-000001")
    await open_edit(people.an)
    await people.an.press("Số người được giúp")
    await people.an.send("4")
    await people.an.press(SAVE)
    await h.drain()
    assert [m.text for m in people.dung.messages if "đã sửa" in m.text] == []
    assert await h.count("SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'change:%'") == 0
    assert ("acknowledged", {"edited": ["people_helped"]}) in await events(h)


async def test_editing_a_report_that_is_not_urgent_tells_nobody(h: Harness, people: People) -> None:
    await file_patrol(people.an)
    await open_edit(people.an)
    await people.an.press("Số vụ việc phát hiện")
    await people.an.send("2")
    await people.an.press(SAVE)
    # incidents found: the 4.6 "serious traffic accident" preset (no) applies
    data = await report_data(h)
    assert (data["incidents"], data["serious_accident"]) == (2, False)
    assert await h.count("SELECT COUNT(*) FROM outbox") == 0
    assert await h.count("SELECT COUNT(*) FROM report_events") == 0


async def test_confirmed_fields_are_not_offered_and_cannot_be_forged(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await confirm(h, people.ids["cuong"])
    pick = await open_edit(people.an)
    assert LOCKED in pick.text
    assert "Được Công an huy động" not in pick.labels()
    assert "Có mặt kịp thời" not in pick.labels()
    assert "Số người được giúp" in pick.labels()
    replies = await press_data(people.an, "ef:in_time", on=pick)
    assert replies[-1].text.startswith("⚠️ " + LOCKED)
    assert "Tổ có mặt kịp thời không?" not in replies[-1].text
    await people.an.press(SAVE)
    assert (await report_data(h))["in_time"] is True
    audit = await rows(h, "SELECT action FROM report_audit")
    assert audit == [{"action": "create"}]


async def test_a_field_confirmed_while_it_was_being_edited_is_not_saved(
    h: Harness, people: People
) -> None:
    await file_fire(people.an)
    await h.drain()
    await open_edit(people.an)
    await people.an.press("Có mặt kịp thời")  # asked before the officer confirmed it
    await confirm(h, people.ids["cuong"])
    await people.an.press("Không")
    replies = await people.an.press(SAVE)
    assert replies[-1].text.startswith(LOCKED)
    assert (await report_data(h))["in_time"] is True
    assert await rows(h, "SELECT action FROM report_audit") == [{"action": "create"}]
    assert await h.drain() == 0  # nothing changed: no officer is told of anything
    assert await events(h) == [("received", {})]
    row = await one(h, "SELECT COUNT(*) AS n FROM conversations WHERE state LIKE '%EditDraft%'")
    assert row == {"n": 0}


async def test_a_confirmed_report_cannot_be_withdrawn(h: Harness, people: People) -> None:
    await file_fire(people.an)
    await h.drain()
    await people.an.send("/baocaocuatoi")
    detail = (await people.an.press("BC-2026-000001"))[-1]
    await confirm(h, people.ids["cuong"])
    replies = await people.an.press("Rút lại", on=detail)
    assert replies[-1].text.startswith(NO_WITHDRAW)
    replies = await press_data(people.an, "wy:1")  # a confirm button seen before
    assert replies[-1].text.startswith(NO_WITHDRAW)
    assert await one(h, "SELECT status FROM reports") == {"status": "active"}
    assert await rows(h, "SELECT action FROM report_audit") == [{"action": "create"}]
    assert await h.drain() == 0
    assert json.dumps(await events(h)) == json.dumps([("received", {})])
