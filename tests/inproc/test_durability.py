"""Exactly-once updates, drafts that survive a restart, resuming a draft, rollback on errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import storage.reports
from bot.core.clock import ManualClock
from tests.inproc.helpers import (
    CHOOSE_KIND,
    INTERNAL_ERROR,
    PATROL,
    SUMMARY,
    file_fire,
    one,
    patrol_to_summary,
    start_patrol,
)
from tests.support.fakebot import callback_update, text_update
from tests.support.harness import COMMUNE, TEAM_A, Harness, TgUser, make_harness

# Evening, after the usual shifts: the harness's 09:00 would refuse them as not yet over.
EVENING = datetime(2026, 11, 23, 21, 45)


@pytest.fixture
async def an(h: Harness) -> TgUser:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(8, "Hà Văn Tám", "member", TEAM_A)  # a team-mate: the question is asked
    return h.user(1)


async def test_same_button_update_twice_files_one_report(h: Harness, an: TgUser) -> None:
    await patrol_to_summary(an)
    update = callback_update(an.id, an.last_with_buttons(), "nav:submit")
    an.new_messages()
    await h.feed(update)
    first = an.new_messages()
    assert first[0].text.startswith("✅ Đã lưu báo cáo BC-2026-000001")
    await h.feed(update)  # Telegram redelivers the same update_id
    assert an.new_messages() == []
    assert await h.count("SELECT COUNT(*) FROM reports") == 1
    assert await h.count("SELECT COUNT(*) FROM report_audit") == 1
    assert await h.count("SELECT value FROM counters WHERE name = 'report:2026'") == 1


async def test_a_redelivered_button_press_leaves_the_question_and_its_buttons(
    h: Harness, an: TgUser
) -> None:
    """After a crash Telegram sends the press again: already handled, it must not touch the
    chat (removing the keyboard of what is now the next question would strand the member)."""
    await an.send("/baocao")
    kinds = an.last_with_buttons()
    update = callback_update(an.id, kinds, kinds.buttons[0][0]["callback_data"])
    await h.feed(update)
    question = an.last_with_buttons()
    assert question.buttons, question  # the pressed message became the next question
    calls = len(h.api.calls)
    await h.feed(update)  # redelivered
    assert h.api.calls[calls:] == []  # no answer, no edit: nothing the member could see
    assert an.last_with_buttons().buttons == question.buttons


async def test_same_text_update_twice_files_one_nil(h: Harness, an: TgUser) -> None:
    update = text_update(an.id, "/khongcovuviec", update_id=9_100_001)
    await h.feed(update)
    await h.feed(update)
    assert [m.text for m in an.messages] == [
        "✅ Đã ghi nhận: ngày 23/11/2026 không có vụ việc (BC-2026-000001). Cảm ơn bạn!"
    ]
    assert await h.count("SELECT COUNT(*) FROM reports") == 1
    assert await h.count("SELECT COUNT(*) FROM processed_updates WHERE update_key = '9100001'") == 1


async def test_replayed_answer_is_not_taken_twice(h: Harness, an: TgUser) -> None:
    h.clock.set(EVENING)
    await start_patrol(an)
    update = text_update(an.id, "19:00", update_id=9_100_002)
    await h.feed(update)
    await h.feed(update)  # taken twice, the 19:00 would also be the end and the route asked
    assert "Tuần tra kết thúc lúc mấy giờ?" in an.last_text
    state = json.loads((await one(h, "SELECT state FROM conversations"))["state"])
    assert state["history"] == ["start"]
    assert state["field"] == "end"
    assert state["answers"]["start"] == "19:00" and "end" not in state["answers"]


async def test_restart_mid_wizard_continues_at_the_next_question(tmp_path: Path) -> None:
    first = await make_harness(tmp_path, clock=ManualClock(EVENING))
    try:
        await first.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
        await first.add_member(8, "Hà Văn Tám", "member", TEAM_A)
        an = first.user(1)
        await start_patrol(an)
        await an.send("19h")
        await an.send("21:30")
        assert "Bước 2/4" in an.last_text
    finally:
        await first.close()

    # same database file; units re-upserted unchanged
    second = await make_harness(tmp_path, clock=ManualClock(EVENING))
    try:
        assert await second.count("SELECT COUNT(*) FROM units") == 6
        an = second.user(1)
        replies = await an.send("Đường liên thôn Nà Lẹng")
        assert "Bước 3/4" in replies[-1].text
        assert "Những ai trong tổ cùng tuần tra?" in replies[-1].text
        await an.press("Xong")
        await an.send("0")
        assert SUMMARY in an.last_text
        await an.press("Ngày khác")  # the date is preset now: changed on the summary
        await an.press("Hôm qua")
        summary = an.last_text
        assert SUMMARY in summary
        assert "• Ngày tuần tra: 22/11/2026" in summary
        assert "• Giờ bắt đầu: 19:00" in summary
        assert "• Giờ kết thúc: 21:30" in summary
        assert "• Tuyến, địa bàn: Đường liên thôn Nà Lẹng" in summary
        await an.press("Gửi báo cáo")
        row = await one(second, "SELECT number, report_date, data FROM reports")
        assert row["number"] == "BC-2026-000001" and row["report_date"] == "2026-11-22"
        assert json.loads(row["data"])["start"] == "19:00"
    finally:
        await second.close()


async def test_alerts_queued_before_a_restart_are_delivered_after(tmp_path: Path) -> None:
    first = await make_harness(tmp_path)
    try:
        await first.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
        await first.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
        await file_fire(first.user(1))
        assert first.user(11).messages == []
    finally:
        await first.close()
    second = await make_harness(tmp_path)
    try:
        assert await second.drain() == 1
        alert = second.user(11).messages
        assert len(alert) == 1 and alert[0].text.startswith("🚨 BÁO CÁO KHẨN:")
        assert alert[0].labels() == ["✅ Đã tiếp nhận"]
        await second.user(11).press("Đã tiếp nhận")
        assert await second.count("SELECT COUNT(*) FROM reports WHERE ack_by IS NOT NULL") == 1
    finally:
        await second.close()


async def test_baocao_with_a_draft_offers_to_resume(h: Harness, an: TgUser) -> None:
    h.clock.set(EVENING)
    await start_patrol(an)
    await an.send("19:00")
    assert "Tuần tra kết thúc lúc mấy giờ?" in an.last_text
    await an.send("/menu")  # wander off
    replies = await an.send("/baocao")
    assert replies[-1].text == (
        f"Bạn đang có báo cáo “{PATROL}” làm dở. Tiếp tục hay làm lại từ đầu?"
    )
    assert replies[-1].labels() == ["▶ Tiếp tục báo cáo dở", "🔄 Làm lại từ đầu"]
    replies = await an.press("Tiếp tục")
    assert "Tuần tra kết thúc lúc mấy giờ?" in replies[-1].text
    await an.send("21:00")
    assert "Bước 2/4" in an.last_text
    await an.send("Chợ")
    await an.press("Xong")
    await an.send("0")
    await an.press("Có hỗ trợ giao thông")
    assert "• Giờ bắt đầu: 19:00" in an.last_text
    assert "• Có hỗ trợ giao thông: Có" in an.last_text
    await an.press("Gửi báo cáo")
    assert await h.count("SELECT COUNT(*) FROM reports") == 1


async def test_restart_the_draft_from_scratch(h: Harness, an: TgUser) -> None:
    h.clock.set(EVENING)
    await start_patrol(an)
    await an.send("19:00-21:00")
    await an.send("/baocao")
    replies = await an.press("Làm lại")
    assert replies[-1].text == CHOOSE_KIND
    state = json.loads((await one(h, "SELECT state FROM conversations"))["state"])
    assert "answers" not in state and "kind" not in state
    await an.press("Tuần tra")
    assert "Bước 1/4" in an.last_text
    state = json.loads((await one(h, "SELECT state FROM conversations"))["state"])
    assert "start" not in state["answers"] and state["history"] == []
    assert await h.count("SELECT COUNT(*) FROM reports") == 0


async def test_answering_instead_of_choosing_keeps_the_draft(h: Harness, an: TgUser) -> None:
    h.clock.set(EVENING)
    await start_patrol(an)
    await an.send("19:30-21:00")
    await an.send("/baocao")
    replies = await an.send("Chợ")  # the route, not "resume" or "restart"
    assert "Bước 3/4" in replies[-1].text
    state = json.loads((await one(h, "SELECT state FROM conversations"))["state"])
    assert state["answers"]["start"] == "19:30"
    assert state["answers"]["route"] == "Chợ"


async def test_error_in_a_handler_rolls_everything_back(
    h: Harness, an: TgUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await patrol_to_summary(an)
    update = callback_update(an.id, an.last_with_buttons(), "nav:submit")
    state_before = (await one(h, "SELECT state FROM conversations"))["state"]

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(storage.reports, "set_participants", broken)
    an.new_messages()
    await h.feed(update)
    replies = an.new_messages()
    assert [m.text for m in replies] == [
        "⚠️ Có lỗi tạm thời, câu trả lời vừa rồi chưa được lưu. Vui lòng gửi lại sau ít phút."
    ]
    assert replies[0].text.startswith(INTERNAL_ERROR)
    for table in ["reports", "report_audit", "report_participants", "counters"]:
        assert await h.count(f"SELECT COUNT(*) FROM {table}") == 0, table
    key = str(update["update_id"])
    assert await h.count("SELECT COUNT(*) FROM processed_updates WHERE update_key = ?", (key,)) == 0
    assert (await one(h, "SELECT state FROM conversations"))["state"] == state_before

    monkeypatch.undo()
    await h.feed(update)  # the platform redelivers the same update
    replies = an.new_messages()
    assert replies[0].text.startswith("✅ Đã lưu báo cáo BC-2026-000001 (🚶 Tuần tra ANTT, ATGT).")
    assert await h.count("SELECT COUNT(*) FROM reports") == 1
    assert await h.count("SELECT value FROM counters") == 1
