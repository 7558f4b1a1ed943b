"""Replies longer than the messenger allows: echoed text is cut, and the channel splits.

The fake Bot API refuses what Telegram refuses (over 4,096 UTF-16 units, captions over
1,024, button data over 64 bytes), so a reply that would be lost shows up as a failure here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.config import Config
from tests.inproc.helpers import INTERNAL_ERROR
from tests.support.harness import COMMUNE, TEAM_A, TEAM_B, Harness, make_harness

LONG = "Xã Không Tồn Tại " * 280  # 4,760 characters, pasted where a unit name is expected
OFFICER, MEMBER, MEMBER_B = 100, 201, 301


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    config = Config()
    config.announcements.max_chars = 4000
    harness = await make_harness(tmp_path, config=config)
    await harness.add_member(OFFICER, "Trần Văn Dũng", "officer", COMMUNE)
    await harness.add_member(MEMBER, "Lý Văn An", "member", TEAM_A)
    await harness.add_member(MEMBER_B, "Vi Thị Dung", "member", TEAM_B)
    yield harness
    await harness.close()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (f"/thongke {LONG}", "Không tìm thấy đơn vị"),
        (f"/thongbao {LONG}", "Không tìm thấy đơn vị"),
        ("/x" + "y" * 4500, "Không có lệnh"),
    ],
)
async def test_echoed_text_is_cut(h: Harness, text: str, answer: str) -> None:
    replies = await h.user(OFFICER).send(text)
    assert replies, h.api.refused
    assert answer in replies[0].text
    assert "…" in replies[0].text and len(replies[0].text) < 1000
    assert h.api.refused == []


async def test_a_typed_team_name_is_cut_in_the_leave_dialog(h: Harness) -> None:
    officer = h.user(OFFICER)
    await officer.send("/nghiphep")
    replies = await officer.send(LONG)
    assert "⚠️ Không tìm thấy tổ" in replies[0].text and "…" in replies[0].text
    assert h.api.refused == []


async def test_a_long_message_is_split_with_its_buttons_on_the_last_part(h: Harness) -> None:
    """A 4,000-character announcement makes a confirmation over Telegram's limit."""
    officer = h.user(OFFICER)
    await officer.send("/thongbao")
    await officer.press("Toàn bộ")
    body = ("Nội dung họp giao ban tháng 12. " * 125)[:4000]
    replies = await officer.send(body)
    assert len(replies) == 2, [len(r.text) for r in replies]
    assert all(len(r.text) <= 4096 for r in replies)
    assert replies[0].buttons == [] and "Gửi" in " ".join(replies[1].labels())
    assert "".join(r.text for r in replies).count("Nội dung họp giao ban") == 125
    await officer.press("Gửi")
    await h.drain()
    got = h.api.chat(MEMBER)
    assert got[0].text.startswith("📣 Thông báo từ Trần Văn Dũng")
    assert "".join(m.text for m in got).count("Nội dung họp giao ban") == 125
    assert h.api.refused == []
    assert INTERNAL_ERROR not in " ".join(m.text for m in h.api.sent)
