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
from pathlib import Path

import pytest

from tests.inproc.helpers import CHOOSE_KIND, file_patrol, one, start_patrol
from tests.support import legacy_states as legacy
from tests.support.harness import TEAM_A, Harness, make_harness


@pytest.fixture
async def old(tmp_path: Path) -> AsyncIterator[Harness]:
    (tmp_path / "bot.sqlite3").write_bytes(gzip.decompress(legacy.TARGET.read_bytes()))
    harness = await make_harness(tmp_path)
    yield harness
    await harness.close()


async def state_of(h: Harness, chat: int) -> dict[str, object]:
    row = await one(h, "SELECT state FROM conversations WHERE chat_id = ?", (str(chat),))
    return dict(json.loads(row["state"]))


async def test_a_report_half_way_takes_the_next_answer(old: Harness) -> None:
    replies = await old.user(legacy.HALF_WAY).send("21:30")
    assert "Bước 4/8" in replies[-1].text
    state = await state_of(old, legacy.HALF_WAY)
    assert state["answers"] == {"date": "2026-11-23", "start": "19:00", "end": "21:30"}


async def test_pending_picks_are_kept_and_typed_names_add_to_them(old: Harness) -> None:
    binh = old.user(legacy.MULTI_PENDING)
    await binh.send("Hoàng Văn Chí")  # a typed label toggles that team-mate
    replies = await binh.send("Xong")
    assert "Bước 6/8" in replies[-1].text
    state = await state_of(old, legacy.MULTI_PENDING)
    assert state["answers"]["teammates"] == [1, 3]  # type: ignore[index]


async def test_the_summary_step_submits(old: Harness) -> None:
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
    assert "Bước 2/8" in replies[-1].text


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
    assert "Bước 2/8" in replies[-1].text


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
    async with h.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO conversations (channel, chat_id, state, updated_at) VALUES (?, ?, ?, ?)",
            ("telegram", "1", saved, "2026-11-23T09:00:00+07:00"),
        )
    replies = await h.user(1).send("/baocao")
    assert [m.text for m in replies] == [CHOOSE_KIND]


async def test_an_edit_opened_from_the_leave_dialog_keeps_the_parked_draft(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await file_patrol(an)
    await start_patrol(an)
    await an.press("Hôm nay")
    await an.send("/nghiphep")  # the draft is parked while the leave dialog runs
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("✏️ Sửa")
    await an.send("/huy")
    replies = await an.send("/baocao")
    assert "làm dở" in replies[-1].text
