"""The 21:00 rush: each step of a dialog costs Telegram one message, not an edit plus a send."""

from __future__ import annotations

from tests.inproc.helpers import TIP, file_tip
from tests.support.harness import TEAM_A, Harness

MESSAGE_CALLS = {"sendMessage", "editMessageText", "editMessageReplyMarkup"}


def message_calls(h: Harness) -> list[str]:
    return [method for method, _ in h.api.calls if method in MESSAGE_CALLS]


async def test_a_whole_report_costs_one_message_per_step(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    receipt = await file_tip(h.user(1))
    assert receipt.startswith("✅ Đã lưu báo cáo BC-2026-000001")
    updates = sum(1 for method, _ in h.api.calls if method == "answerCallbackQuery") + 3
    calls = message_calls(h)
    assert len(calls) == updates  # 6 presses and 3 typed answers: 9 messages, no more
    assert "editMessageReplyMarkup" not in calls


async def test_a_pressed_question_becomes_the_next_one(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    asked = an.last_with_buttons()
    before = len(h.api.sent)
    await an.press("Tin báo ANTT", on=asked)
    edited = h.api.messages[(asked.chat_id, asked.message_id)]
    assert TIP in edited.text and "Bước 1/" in edited.text
    assert edited.labels()  # the next question's buttons, on the pressed message
    assert [m for m in h.api.sent[before:] if m is not edited] == []  # nothing sent anew
