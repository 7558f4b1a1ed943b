"""Dialogs saved by the bot before dialog state was typed resume after the upgrade.

tests/data/dialogs-before-typed-state.sqlite3.gz was written by tests/support/legacy_states.py
on the old code: each chat stopped half-way through a dialog. Each one's next answer, typed
as a user of a text-only messenger would (matched against the last question's choices), must
continue the same dialog; unreadable state resets the chat instead of failing every update,
and a flow that can be parked (a report draft) is parked by whichever dialog opens over it.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.inproc.helpers import CHOOSE_KIND, SUMMARY, file_patrol, one, past_shift, start_patrol
from tests.support import legacy_states as legacy
from tests.support.harness import TEAM_A, Harness, make_harness

# Dialog states saved by an older version, in an SQLite file kept with the tests
pytestmark = pytest.mark.sqlite_only

# The evening of the saved drafts' day, their 19:00-21:30 shift over: the new wizard refuses
# a time not yet come, and the harness starts at 09:00.
EVENING = datetime(2026, 11, 23, 22, 0)
SHIFT = "Ca tuần tra nào?"  # the new wizard's first patrol question (start and end at once)


@pytest.fixture
async def old(tmp_path: Path) -> AsyncIterator[Harness]:
    (tmp_path / "bot.sqlite3").write_bytes(gzip.decompress(legacy.TARGET.read_bytes()))
    harness = await make_harness(tmp_path)
    yield harness
    await harness.close()


async def _save_state(h: Harness, saved: str) -> None:
    async with h.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO conversations (channel, chat_id, state, updated_at) VALUES (?, ?, ?, ?)",
            ("telegram", "1", saved, "2026-11-23T09:00:00+07:00"),
        )


async def state_of(h: Harness, chat: int) -> dict[str, object]:
    row = await one(h, "SELECT state FROM conversations WHERE chat_id = ?", (str(chat),))
    return dict(json.loads(row["state"]))


async def test_a_report_half_way_takes_the_next_answer(old: Harness) -> None:
    old.clock.set(EVENING)
    replies = await old.user(legacy.HALF_WAY).send("21:30")
    assert "Bước 2/4" in replies[-1].text  # the route
    state = await state_of(old, legacy.HALF_WAY)
    assert state["answers"] == {"date": "2026-11-23", "start": "19:00", "end": "21:30"}


async def test_pending_picks_are_kept_and_typed_names_add_to_them(old: Harness) -> None:
    binh = old.user(legacy.MULTI_PENDING)
    await binh.send("Hoàng Văn Chí")  # a typed label toggles that team-mate
    replies = await binh.send("Xong")
    assert "Bước 4/4" in replies[-1].text  # the incident count
    state = await state_of(old, legacy.MULTI_PENDING)
    assert state["answers"]["teammates"] == [1, 3]  # type: ignore[index]


async def test_the_summary_step_submits(old: Harness) -> None:
    old.clock.set(EVENING)
    replies = await old.user(legacy.SUMMARY).send("Gửi báo cáo")
    assert replies[0].text.startswith("✅ Đã lưu báo cáo BC-2026-000002")


async def test_an_edit_continues_and_gives_back_its_parked_draft(old: Harness) -> None:
    dung = old.user(legacy.EDIT_PARKED)
    replies = await dung.send("3")
    assert "Chọn mục cần sửa" in replies[-1].text
    replies = await dung.send("Lưu thay đổi")
    assert replies[0].text.startswith("✅ Đã lưu thay đổi của báo cáo BC-2026-000001")
    replies = await dung.send("/baocao")
    assert "làm dở" in replies[-1].text  # the draft parked by the edit is back
    replies = await dung.send("Tiếp tục")
    assert "Bước 1/4" in replies[-1].text and SHIFT in replies[-1].text


async def test_leave_takes_the_typed_reason_and_gives_back_the_draft(old: Harness) -> None:
    em = old.user(legacy.LEAVE_PARKED)
    replies = await em.send("Ốm")
    assert replies[0].text.startswith("✅ Đã ghi nghỉ phép")
    assert await old.count("SELECT COUNT(*) FROM leaves WHERE reason = 'sick'") == 1
    replies = await em.send("/baocao")
    assert "làm dở" in replies[-1].text


async def test_the_announcement_is_sent_by_its_typed_button(old: Harness) -> None:
    replies = await old.user(legacy.ANNOUNCE).send("Gửi")
    assert replies[0].text.startswith("📣 Thông báo #1 đang được gửi")


async def test_the_tally_takes_the_typed_range(old: Harness) -> None:
    replies = await old.user(legacy.TALLY_RANGE).send("01/10/2026 - 15/10/2026")
    assert replies[0].text.startswith("📊 Thống kê Xã Bắc Sơn · 01/10–15/10/2026")


async def test_joining_uses_the_offered_name(old: Harness) -> None:
    mai = old.user(legacy.JOINING, "Lý Thị", "Mai")
    replies = await mai.send("Dùng tên: Lý Thị Mai")
    assert "Lý Thị Mai" in replies[-1].text
    await mai.send("Đúng, tham gia")
    assert await old.count("SELECT COUNT(*) FROM members WHERE full_name = 'Lý Thị Mai'") == 1


async def test_the_resume_offer_resumes(old: Harness) -> None:
    replies = await old.user(legacy.OFFER).send("Tiếp tục")
    assert "Bước 1/4" in replies[-1].text and SHIFT in replies[-1].text


async def test_back_from_the_first_question_skips_the_old_date_step(old: Harness) -> None:
    khai = old.user(legacy.OFFER)
    await khai.send("Tiếp tục")
    replies = await khai.press("Quay lại")  # the old history is ["date"]; the date is preset
    assert replies[-1].text == CHOOSE_KIND


async def test_back_from_an_old_summary_skips_the_presets_and_the_note(old: Harness) -> None:
    chi = old.user(legacy.SUMMARY)
    replies = await chi.send("Quay lại")  # the old history ends "traffic_help", "note"
    assert "Bước 4/4" in replies[-1].text and "Phát hiện bao nhiêu vụ việc?" in replies[-1].text
    replies = await chi.send("2")
    assert SUMMARY in replies[-1].text and "• Số vụ việc phát hiện: 2" in replies[-1].text


def _old_draft(field: str, answers: dict[str, object], history: list[str]) -> str:
    """A patrol draft as the bot saved it before typed state and before the new wizard."""
    return json.dumps(
        {
            "flow": "report",
            "_choices": [["nav:back", "◀ Quay lại"], ["nav:cancel", "✖ Hủy"]],
            "_free": True,
            "_numeric": False,
            "kind": "patrol",
            "answers": answers,
            "history": history,
            "pending": [],
            "field": field,
        }
    )


async def test_a_draft_saved_at_the_old_date_step_resumes_at_the_shift(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await _save_state(h, _old_draft("date", {}, []))
    an = h.user(1)
    await an.send("/baocao")
    replies = await an.press("Tiếp tục")
    assert "Bước 1/4" in replies[-1].text and SHIFT in replies[-1].text
    state = await state_of(h, 1)
    assert state["field"] == "start" and state["history"] == []
    # the presets, the 4.6 "serious accident" one included (asked only once incidents > 0)
    assert state["answers"] == {
        "date": "2026-11-23",
        "serious_accident": False,
        "traffic_help": False,
    }


async def test_a_draft_saved_at_the_old_note_step_resumes_on_the_summary(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    answers = {
        "date": "2026-11-23",
        "start": "06:00",
        "end": "08:00",
        "route": "Chợ",
        "teammates": [],
        "incidents": 1,
        "traffic_help": True,
    }
    history = ["date", "start", "end", "route", "teammates", "incidents", "traffic_help"]
    await _save_state(h, _old_draft("note", answers, history))
    an = h.user(1)
    await an.send("/baocao")
    replies = await an.press("Tiếp tục")
    assert SUMMARY in replies[-1].text
    assert "• Có hỗ trợ giao thông: Có" in replies[-1].text
    assert "➕ Thêm ghi chú" in replies[-1].labels()
    replies = await an.press("Quay lại")
    assert "Bước 4/4" in replies[-1].text  # the incident count, not the old yes/no step
    await an.send("1")
    await an.press("Gửi báo cáo")
    data = json.loads((await one(h, "SELECT data FROM reports"))["data"])
    assert data["incidents"] == 1 and data["traffic_help"] is True and data["note"] is None


@pytest.mark.parametrize(
    "saved",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"flow": "report", "kind": "patrol", "answers": "not an object"}),
        json.dumps({"flow": "a flow no dialog declares", "step": "x"}),
        json.dumps({"flow": "leave", "step": "dates", "target": 1, "_choices": "abc"}),
    ],
)
async def test_unreadable_state_starts_the_dialog_over(h: Harness, saved: str) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await _save_state(h, saved)
    replies = await h.user(1).send("/baocao")
    assert [m.text for m in replies] == [CHOOSE_KIND]


async def test_an_edit_opened_from_the_leave_dialog_keeps_the_parked_draft(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await file_patrol(an)
    await start_patrol(an)
    await an.send(past_shift(h.clock.now()))
    await an.send("/nghiphep")  # the draft is parked while the leave dialog runs
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("✏️ Sửa")
    await an.send("/huy")
    replies = await an.send("/baocao")
    assert "làm dở" in replies[-1].text
