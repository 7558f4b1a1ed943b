"""Forged button data: every id is parsed in one place, a bad one gets the normal answer.

Button data comes back from the user's device. Ids that are not ASCII digits ("²", Arabic or
full-width digits), that overflow SQLite (≥ 2**63) or that name a report of the wrong kind
must never reach the internal-error message, and must change nothing.
"""

from __future__ import annotations

import pytest

from tests.inproc.helpers import INTERNAL_ERROR, file_patrol, file_tip, one, press_data
from tests.support.harness import COMMUNE, TEAM_A, Harness, TgUser

BAD_IDS = [
    "²",  # isdigit() is true, int() refuses it
    "١٢",  # Arabic-Indic digits: int() accepts them, they are not ids we make
    "１２",  # full-width
    str(2**63),  # one past SQLite's largest integer
    "9" * 30,
    "9" * 5000,  # past Python's int-string limit
    "0",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1e3",
    "0x1f",
    "",
    "abc",
    "1:2",
]

MINE_NOT_FOUND = "Không tìm thấy báo cáo này trong các báo cáo của bạn."
ACK_NOT_FOUND = "Không tìm thấy báo cáo này trong địa bàn của bạn."
TALLY_OUT = "⛔ Bạn không được xem thống kê của đơn vị này"
ANNOUNCE_OUT = "⛔ Bạn chỉ gửi được thông báo tới đơn vị của mình"
LEAVE_OUT = "⛔ Bạn chỉ ghi được nghỉ phép cho tổ viên trong phạm vi của mình"
LEAVE_NOT_FOUND = "Không tìm thấy nghỉ phép này"

# (button prefix, who presses it, what they must read, suffix after the id)
CASES = [
    ("ack:", "officer", ACK_NOT_FOUND, ""),
    ("my:", "member", MINE_NOT_FOUND, ""),
    ("ed:", "member", MINE_NOT_FOUND, ""),
    ("wd:", "member", MINE_NOT_FOUND, ""),
    ("wy:", "member", MINE_NOT_FOUND, ""),
    ("tally:", "officer", TALLY_OUT, ":m2026-11"),
    ("announce:unit:", "officer", ANNOUNCE_OUT, ""),
    ("lv:u:", "officer", LEAVE_OUT, ""),
    ("lv:m:", "officer", LEAVE_OUT, ""),
    ("lv:x:", "member", LEAVE_NOT_FOUND, ""),
]


@pytest.fixture
async def users(h: Harness) -> dict[str, TgUser]:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    an, cuong = h.user(1), h.user(11)
    await an.send("/menu")
    await cuong.send("/menu")
    return {"member": an, "officer": cuong}


async def snapshot(h: Harness) -> list[tuple[int, ...]]:
    """Counts of every table a button could change."""
    tables = ["reports", "report_audit", "leaves", "announcements", "outbox"]
    return [(await h.count(f"SELECT COUNT(*) FROM {t}"),) for t in tables]


@pytest.mark.parametrize(("prefix", "role", "answer", "suffix"), CASES)
async def test_forged_ids_get_the_normal_answer(
    h: Harness, users: dict[str, TgUser], prefix: str, role: str, answer: str, suffix: str
) -> None:
    user = users[role]
    before = await snapshot(h)
    for bad in BAD_IDS:
        replies = await press_data(user, prefix + bad + suffix)
        text = "\n".join(m.text for m in replies)
        assert INTERNAL_ERROR not in text, (prefix, bad, text)
        assert answer in text, (prefix, bad, text)
    assert await snapshot(h) == before


async def test_a_patrol_cannot_be_acknowledged(h: Harness, users: dict[str, TgUser]) -> None:
    an, cuong = users["member"], users["officer"]
    await file_patrol(an)
    patrol = await one(h, "SELECT id FROM reports WHERE kind = 'patrol'")
    await h.drain()
    an.new_messages()
    replies = await press_data(cuong, f"ack:{patrol['id']}")
    assert replies[0].text == ACK_NOT_FOUND
    assert (await one(h, "SELECT ack_by, ack_at FROM reports WHERE kind = 'patrol'")) == {
        "ack_by": None,
        "ack_at": None,
    }
    await h.drain()
    assert an.new_messages() == []  # the reporter is told nothing


async def test_a_tip_still_can(h: Harness, users: dict[str, TgUser]) -> None:
    await file_tip(users["member"])
    tip = await one(h, "SELECT id FROM reports WHERE kind = 'tip'")
    replies = await press_data(users["officer"], f"ack:{tip['id']}")
    assert replies[0].text.startswith("✅ Bạn đã tiếp nhận BC-2026-000001")
