"""No traps in typed answers end to end (issue 12, item 4): the real bot, the evening reminder
arriving over a half-finished report, on Zalo (the fake Zalo API) and Telegram (the emulator).

One bot process serves both messengers; `[reminders] daily_at` is a few seconds after it
starts, in a zone where it is around noon (as in test_reminders.py). Three members begin a
"Người tốt" report before then, so one wait for the reminder serves every check:

* Zalo: the reminder's number answers the reminder (the nil report is filed), the draft is
  kept, the member is told once how to come back; text typed after it does not land in the
  hidden draft; /baocao offers the draft back with its answers, and the report is filed;
* Zalo: text typed into the open draft after the reminder is quoted back, not stored, until
  the member says it is the answer;
* Telegram: the reminder's button, the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.fakezalo import FakeZalo, SentMessage, ZaloUser

from .client import EmulatorUser, next_user_id
from .harness import Emulator, slot_soon
from .test_field_reports import GOOD_DEED, NUMBER
from .test_field_reports import join as tg_join
from .test_reminders import REMINDER, zone_near_noon
from .test_zalo import ORG_CSV, TEAM, World, _query, both_messengers
from .test_zalo import join as zalo_join

pytestmark = pytest.mark.e2e

KEPT_TYPED = f"💾 Báo cáo “{GOOD_DEED}” đang làm dở vẫn được giữ: gõ /baocao để làm tiếp."
KEPT_BUTTON = f"💾 Báo cáo “{GOOD_DEED}” đang làm dở vẫn được giữ: bấm 📝 Báo cáo để làm tiếp."


@dataclass
class Reminded:
    """The bot, its reminder slot (local), and the members' chats."""

    w: World
    zone: ZoneInfo
    slot: datetime

    def state(self, channel: str, chat_id: str) -> dict[str, Any]:
        rows = _query(
            self.w.db,
            "SELECT state FROM conversations WHERE channel = ? AND chat_id = ?",
            (channel, chat_id),
        )
        return dict(json.loads(rows[0]["state"])) if rows else {}

    def answers(self, channel: str, chat_id: str) -> dict[str, Any]:
        """The report draft's answers, open or parked."""
        state = self.state(channel, chat_id)
        draft = state if state.get("flow") == "report" else state.get("parked") or {}
        assert draft.get("flow") == "report", state
        return dict(draft.get("answers") or {})

    def reports(self, channel: str, user_id: str) -> list[tuple[str, str]]:
        rows = _query(
            self.w.db,
            "SELECT r.kind, r.status FROM reports r JOIN identities i ON i.member_id = "
            "r.member_id WHERE i.channel = ? AND i.user_id = ? ORDER BY r.id",
            (channel, user_id),
        )
        return [(r["kind"], r["status"]) for r in rows]


@pytest.fixture
async def reminded(
    emulator: Emulator, fake: FakeZalo, tmp_path: Path, request: pytest.FixtureRequest
) -> Any:
    """A bot on Zalo and Telegram whose daily reminder is due a few seconds after it starts."""
    zone = ZoneInfo(zone_near_noon(datetime.now(UTC)))
    settings = f'[bot]\ntimezone = "{zone.key}"\n[reminders]\ndaily_at = "12:00"'
    w = both_messengers(tmp_path, emulator, fake, settings)
    bot = w.bot
    request.node.e2e_processes = [bot]
    (tmp_path / "units.csv").write_text(ORG_CSV, encoding="utf-8")
    w.cli("org", "import", str(tmp_path / "units.csv"))
    out = w.cli("invite", "create", "--unit", TEAM, "--role", "member", "--uses", "10")
    w.codes["member"] = out.strip().splitlines()[-1].strip()
    slot = slot_soon(w.config, zone)
    bot.start()
    await fake.wait_polling(w.zalo_token)
    await emulator.wait_polling(w.tg_token, bot=bot)
    try:
        yield Reminded(w, zone, slot)
    finally:
        bot.stop()


async def zalo_draft(user: ZaloUser, *answers: str) -> SentMessage:
    """A "Người tốt" report begun on Zalo and `answers` typed; the question it stops at."""
    await user.send("/baocao")
    kinds = await user.wait_reply("Bạn muốn báo cáo việc gì?")
    await user.answer(kinds, "Người tốt")
    step = await user.wait_reply("Bước 1/")
    for number, answer in enumerate(answers, start=2):
        await user.send(answer)
        step = await user.wait_reply(f"Bước {number}/")
    return step


async def test_a_reminder_over_a_half_finished_report_on_zalo_and_telegram(
    reminded: Reminded,
) -> None:
    r, w = reminded, reminded.w
    an = w.fake.user(w.zalo_token, "Nông Văn An")  # picks the reminder's "nothing to report"
    binh = w.fake.user(w.zalo_token, "Lý Thị Bình")  # types text after the reminder
    chi = EmulatorUser(
        w.emulator_url, w.tg_token, first_name="Lương Thị", last_name="Chi", user_id=next_user_id()
    )
    try:
        for user in (an, binh):
            await zalo_join(user, w.codes["member"])
        await tg_join(chi, w.codes["member"])
        an_question = await zalo_draft(an, "Giúp cụ già sửa mái nhà")  # the date is preset
        await zalo_draft(binh)
        await chi.send("/baocao")
        await chi.wait_reply("Bạn muốn báo cáo việc gì?")
        await chi.press(GOOD_DEED)
        await chi.wait_reply("Bước 1/2")
        await chi.send("Đưa cụ bà bị lạc về nhà")
        chi_question = await chi.wait_reply("Bước 2/2")
        assert datetime.now(r.zone) < r.slot, "the set-up took longer than the time it had"

        wait = (r.slot - datetime.now(r.zone)).total_seconds() + 30
        an_reminder = await an.wait_reply(REMINDER, timeout=wait)
        await binh.wait_reply(REMINDER, timeout=10)
        await chi.wait_reply(REMINDER, timeout=10)
        await _zalo_the_number_answers_the_reminder(r, an, an_reminder, an_question)
        await _zalo_text_after_the_reminder_is_checked(r, binh)
        await _telegram_the_button_answers_the_reminder(r, chi, chi_question.text)
    finally:
        await chi.aclose()
    assert w.bot.running and "Traceback" not in w.bot.output(), w.bot.tail(80)
    assert w.fake.state(w.zalo_token).errors == []


async def _zalo_the_number_answers_the_reminder(
    r: Reminded, an: ZaloUser, reminder: SentMessage, question: SentMessage
) -> None:
    nil = reminder.choice_number("Không có vụ việc")
    await an.send(nil)  # the reminder's number, not an answer to the draft's question
    done = await an.wait_reply("Đã ghi nhận")
    assert "không có vụ việc" in done.text and KEPT_TYPED in done.text
    assert r.reports("zalo", an.id) == [("nil", "active")]
    kept = r.answers("zalo", an.id)
    assert kept["what"] == "Giúp cụ già sửa mái nhà" and "for_whom" not in kept

    await an.send("Cụ Tư xóm Bản Chắt")  # the draft's question scrolled away: not its answer
    await an.wait_reply("Xin chào")
    assert "for_whom" not in r.answers("zalo", an.id)

    await an.send("/baocao")
    offer = await an.wait_reply("làm dở")
    await an.answer(offer, "Tiếp tục")
    again = await an.wait_reply("Bước 2/")
    assert again.text == question.text  # where it was, with the earlier answers
    await an.send("Cụ Tư xóm Bản Chắt")
    summary = await an.wait_reply("Xem lại báo cáo")
    assert "• Việc đã làm: Giúp cụ già sửa mái nhà" in summary.text
    await an.answer(summary, "Gửi báo cáo")
    receipt = await an.wait_reply("Đã lưu báo cáo")
    assert NUMBER.search(receipt.text)
    assert "“Không có vụ việc” ngày" in receipt.text and "thay bằng báo cáo này" in receipt.text
    assert r.reports("zalo", an.id) == [("nil", "withdrawn"), ("good_deed", "active")]
    assert sum("💾" in m.text for m in an.messages) == 1  # told once


async def _zalo_text_after_the_reminder_is_checked(r: Reminded, binh: ZaloUser) -> None:
    await binh.send("Giúp bà cụ qua đường")
    check = await binh.wait_reply("✋ Bạn vừa gõ: «Giúp bà cụ qua đường».")
    assert "chưa được lưu" in check.text
    assert "what" not in r.answers("zalo", binh.id)  # not silently in the draft
    assert r.reports("zalo", binh.id) == []
    await binh.answer(check, "Dùng «Giúp bà cụ qua đường»")
    await binh.wait_reply("Bước 2/")
    assert r.answers("zalo", binh.id)["what"] == "Giúp bà cụ qua đường"


async def _telegram_the_button_answers_the_reminder(
    r: Reminded, chi: EmulatorUser, question: str
) -> None:
    await chi.press("✅ Không có vụ việc")
    done = await chi.wait_reply("Đã ghi nhận")
    assert KEPT_BUTTON in done.text
    user_id = str(chi.user_id)
    assert r.reports("telegram", user_id) == [("nil", "active")]
    await chi.send("Cụ Nông Thị Dần")  # typed with the draft set aside: the menu answers
    await chi.wait_reply("Xin chào")
    kept = r.answers("telegram", user_id)
    assert kept["what"] == "Đưa cụ bà bị lạc về nhà" and "for_whom" not in kept
    await chi.send("/baocao")
    await chi.wait_reply("làm dở")
    await chi.press("▶ Tiếp tục báo cáo dở")
    again = await chi.wait_reply("Bước 2/2")
    assert again.text == question
    assert sum("💾" in t for t in chi.all_texts()) == 1
