"""Joining by invite code: name, confirmation, refusals, and what strangers can (not) reach."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest

from tests.inproc.helpers import HOW_TO_JOIN, MENU_BUTTONS, labels, one, press_data, rows
from tests.support.fakebot import Sent
from tests.support.harness import COMMUNE, TEAM_A, Harness, TgUser

ASK_NAME = "Họ và tên đầy đủ của bạn là gì?"
BAD_NAME = "⚠️ Họ tên cần ít nhất hai chữ, chỉ gồm chữ cái (ví dụ: Nguyễn Văn An)."
CODE = "ABCD2345"


async def file_nil(user: TgUser) -> None:
    await user.send("/khongcovuviec")
    assert "không có vụ việc" in user.last_text


async def nothing_saved(h: Harness) -> None:
    assert await h.count("SELECT COUNT(*) FROM members") == 0
    assert await h.count("SELECT COUNT(*) FROM identities") == 0
    assert await h.count("SELECT COUNT(*) FROM reports") == 0


async def uses_left(h: Harness, code: str = CODE) -> int:
    return int((await one(h, "SELECT uses_left FROM invites WHERE code = ?", (code,)))["uses_left"])


def stranger(h: Harness, user_id: int = 50) -> TgUser:
    return h.user(user_id, "Lê", "Thị Hoa")


async def test_join_with_telegram_name(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", uses=3)
    hoa = stranger(h)
    replies = await hoa.send(f"/start {CODE}")
    assert len(replies) == 1
    assert ASK_NAME in replies[0].text
    assert replies[0].labels() == ["Dùng tên: Lê Thị Hoa", "✖ Hủy"]
    replies = await hoa.press("Dùng tên")
    confirm = replies[-1].text
    assert "👤 Họ tên: Lê Thị Hoa" in confirm
    assert "🏘 Đơn vị: Thôn Nà Lẹng" in confirm
    assert "(Tỉnh Lạng Sơn › Xã Bắc Sơn › Thôn Nà Lẹng)" in confirm
    assert "🎖 Vai trò: Tổ viên" in confirm
    assert replies[-1].labels() == ["✅ Đúng, tham gia", "✖ Hủy"]
    await nothing_saved(h)  # nothing is stored before the confirmation

    replies = await hoa.press("Đúng, tham gia")
    assert replies[-1].text == "🎉 Chào mừng Lê Thị Hoa đã tham gia Thôn Nà Lẹng!"
    assert all(b in replies[-1].labels() for b in MENU_BUTTONS)
    member = await one(
        h,
        "SELECT m.full_name, m.role, m.locale, u.path FROM members m"
        " JOIN units u ON u.id = m.unit_id",
    )
    assert member == {"full_name": "Lê Thị Hoa", "role": "member", "locale": "vi", "path": TEAM_A}
    identity = await one(h, "SELECT channel, user_id, chat_id FROM identities")
    assert identity == {"channel": "telegram", "user_id": "50", "chat_id": "50"}
    assert await uses_left(h) == 2
    assert await h.count("SELECT COUNT(*) FROM conversations WHERE state LIKE '%join%'") == 0


async def test_join_with_typed_name_as_officer(h: Harness) -> None:
    await h.add_invite(CODE, COMMUNE, "officer")
    user = stranger(h)
    await user.send(f"/start {CODE}")
    replies = await user.send("  Hoàng   Văn  Thụ ")
    assert "👤 Họ tên: Hoàng Văn Thụ" in replies[-1].text
    assert "🏘 Đơn vị: Xã Bắc Sơn" in replies[-1].text
    assert "🎖 Vai trò: Cán bộ Công an xã" in replies[-1].text
    await user.press("Đúng, tham gia")
    assert user.last_text == "🎉 Chào mừng Hoàng Văn Thụ đã tham gia Xã Bắc Sơn!"
    assert "🚨 Tin báo chờ tiếp nhận" in user.messages[-1].labels()
    member = await one(h, "SELECT full_name, role FROM members")
    assert member == {"full_name": "Hoàng Văn Thụ", "role": "officer"}
    assert await uses_left(h) == 0


async def test_one_word_telegram_name_is_not_offered(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member")
    user = h.user(51, "Hoa", "")
    replies = await user.send(f"/start {CODE}")
    assert ASK_NAME in replies[0].text
    assert replies[0].labels() == ["✖ Hủy"]


@pytest.mark.parametrize(
    "bad", ["Hoa", "Nguyễn Văn 2", "Tran Thi B1nh", "Lê_Thị Hoa", "A" * 40 + " " + "B" * 40]
)
async def test_bad_names_are_asked_again(h: Harness, bad: str) -> None:
    await h.add_invite(CODE, TEAM_A, "member")
    user = stranger(h)
    await user.send(f"/start {CODE}")
    replies = await user.send(bad)
    assert len(replies) == 1
    assert replies[0].text.startswith(BAD_NAME)
    assert ASK_NAME in replies[0].text
    assert "Dùng tên: Lê Thị Hoa" in replies[0].labels()
    await nothing_saved(h)
    assert await uses_left(h) == 1
    # still at the name step: a good name now moves on to the confirmation
    replies = await user.send("Lê Thị Hoa")
    assert "👤 Họ tên: Lê Thị Hoa" in replies[-1].text


async def test_name_typed_with_combining_diacritics_is_accepted(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member")
    user = stranger(h)
    await user.send(f"/start {CODE}")
    replies = await user.send(unicodedata.normalize("NFD", "Trần Thị Bình"))
    assert "👤 Họ tên: Trần Thị Bình" in replies[-1].text
    await user.press("Đúng, tham gia")
    assert (await one(h, "SELECT full_name FROM members"))["full_name"] == "Trần Thị Bình"


@pytest.mark.parametrize("where", ["name", "confirm"])
async def test_cancel_saves_nothing(h: Harness, where: str) -> None:
    await h.add_invite(CODE, TEAM_A, "member")
    user = stranger(h)
    await user.send(f"/start {CODE}")
    if where == "confirm":
        await user.press("Dùng tên")
    replies = await user.press("Hủy")
    assert [m.text for m in replies] == ["Đã hủy tham gia. Khi cần, hãy gõ lại /start kèm mã mời."]
    assert labels(replies) == []
    await nothing_saved(h)
    assert await uses_left(h) == 1
    assert await h.count("SELECT COUNT(*) FROM conversations") == 0
    # afterwards the stranger is a stranger again
    replies = await user.send("Lê Thị Hoa")
    assert HOW_TO_JOIN in replies[0].text


async def test_text_at_confirmation_shows_the_buttons_again(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member")
    user = stranger(h)
    await user.send(f"/start {CODE}")
    await user.press("Dùng tên")
    replies = await user.send("ok luôn")
    assert replies[-1].text.startswith("Vui lòng bấm một lựa chọn bên dưới")
    assert replies[-1].labels() == ["✅ Đúng, tham gia", "✖ Hủy"]
    await nothing_saved(h)


async def test_unknown_code(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member")
    user = stranger(h)
    replies = await user.send("/start WRONG999")
    assert [m.text for m in replies] == [
        "Mã mời không đúng. Hãy kiểm tra lại từng ký tự, hoặc xin mã mới từ cán bộ Công an xã."
    ]
    assert labels(replies) == []
    await nothing_saved(h)
    assert await uses_left(h) == 1


async def test_expired_code(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", expires=datetime(2026, 11, 22, 17, 30))
    user = stranger(h)
    replies = await user.send(f"/start {CODE}")
    assert [m.text for m in replies] == [
        "Mã mời đã hết hạn (lúc 17:30 22/11/2026). "
        "Hãy xin mã mới từ cán bộ Công an xã hoặc tổ trưởng."
    ]
    await nothing_saved(h)
    assert await uses_left(h) == 1


async def test_code_expiring_during_the_dialog_is_refused_at_the_name(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", expires=datetime(2026, 11, 23, 9, 30))
    user = stranger(h)
    await user.send(f"/start {CODE}")
    h.clock.advance(hours=1)
    replies = await user.press("Dùng tên")
    assert replies[-1].text.startswith("Mã mời đã hết hạn (lúc 09:30 23/11/2026).")
    await nothing_saved(h)


async def test_used_up_code(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", uses=1)
    first = stranger(h, 50)
    await first.send(f"/start {CODE}")
    await first.press("Dùng tên")
    await first.press("Đúng, tham gia")
    assert await uses_left(h) == 0
    second = h.user(60, "Phạm", "Văn Đức")
    replies = await second.send(f"/start {CODE}")
    assert [m.text for m in replies] == [
        "Mã mời đã được dùng hết lượt. Hãy xin mã mới từ cán bộ Công an xã hoặc tổ trưởng."
    ]
    assert await h.count("SELECT COUNT(*) FROM members") == 1
    assert await h.count("SELECT COUNT(*) FROM identities WHERE user_id = '60'") == 0


async def test_last_use_taken_while_someone_else_was_confirming(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "member", uses=1)
    first, second = stranger(h, 50), h.user(60, "Phạm", "Văn Đức")
    await first.send(f"/start {CODE}")
    await second.send(f"/start {CODE}")
    await first.press("Dùng tên")
    await second.press("Dùng tên")
    await first.press("Đúng, tham gia")
    replies = await second.press("Đúng, tham gia")
    assert replies[-1].text.startswith("Mã mời đã được dùng hết lượt.")
    assert [r["full_name"] for r in await rows(h, "SELECT full_name FROM members")] == [
        "Lê Thị Hoa"
    ]
    assert await uses_left(h) == 0


async def test_code_is_case_insensitive(h: Harness) -> None:
    await h.add_invite(CODE, TEAM_A, "leader")
    user = stranger(h)
    replies = await user.send("/start abcd2345")
    assert ASK_NAME in replies[0].text
    await user.press("Dùng tên")
    assert "🎖 Vai trò: Tổ trưởng" in user.last_text
    await user.press("Đúng, tham gia")
    assert (await one(h, "SELECT role FROM members"))["role"] == "leader"
    assert await uses_left(h) == 0


@pytest.mark.parametrize("action", ["text", "/baocao", "/baocaocuatoi", "/start", "/huy"])
async def test_stranger_only_learns_how_to_join(h: Harness, action: str) -> None:
    user = stranger(h)
    replies = await user.send("Xin chào" if action == "text" else action)
    assert len(replies) == 1
    assert replies[0].text.startswith(HOW_TO_JOIN)
    assert "/start MÃ_MỜI" in replies[0].text
    assert replies[0].labels() == []
    await nothing_saved(h)
    assert await h.count("SELECT COUNT(*) FROM conversations") == 0


@pytest.mark.parametrize("data", ["menu:report", "menu:nil", "my:1", "ack:1", "k:patrol"])
async def test_stranger_pressing_a_stale_button_only_learns_how_to_join(
    h: Harness, data: str
) -> None:
    # a keyboard left in the chat from before (e.g. a membership since removed)
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await file_nil(h.user(1))
    user = stranger(h)
    old = Sent(user.id, 999, "Xin chào", [[{"text": "x", "callback_data": data}]])
    replies = await press_data(user, data, on=old)
    assert len(replies) == 1
    assert replies[0].text.startswith(HOW_TO_JOIN)
    assert labels(replies) == []
    assert await h.count("SELECT COUNT(*) FROM members") == 1
    assert await h.count("SELECT COUNT(*) FROM reports") == 1
    assert await h.count("SELECT COUNT(*) FROM reports WHERE ack_by IS NOT NULL") == 0
    assert await h.count("SELECT COUNT(*) FROM conversations WHERE chat_id = '50'") == 0


async def test_member_using_a_code_again_is_told_they_joined(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_invite(CODE, TEAM_A, "member")
    an = h.user(1)
    replies = await an.send(f"/start {CODE}")
    assert replies[0].text == ("Bạn đã là thành viên của Thôn Nà Lẹng, không cần dùng mã mời nữa.")
    assert replies[-1].text.startswith("Xin chào Nguyễn Văn An (Tổ viên, Thôn Nà Lẹng).")
    assert all(b in replies[-1].labels() for b in MENU_BUTTONS)
    assert await uses_left(h) == 1
    assert await h.count("SELECT COUNT(*) FROM members") == 1
