"""Joining with a personal code from the roster: already named and placed, greeted by name,
serving from the roster's date; a code used, revoked, expired or for someone who left is
refused with what to do, and links nobody."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.people.roster.importing import RosterResult, import_roster
from tests.inproc.helpers import HOW_TO_JOIN, MENU_BUTTONS, one
from tests.support.harness import TEAM_A, Harness
from tests.support.roster import csv_file, settings

WELCOME = """🎉 Chào mừng Lê Thị Hoa!
Bạn đã có tên trong danh sách lực lượng:
🏘 Đơn vị: Thôn Nà Lẹng
   (Tỉnh Lạng Sơn › Xã Bắc Sơn › Thôn Nà Lẹng)
🎖 Vai trò: Tổ phó
Nếu thông tin chưa đúng, hãy báo cán bộ Công an xã."""


async def listed(h: Harness, tmp_path: Path) -> RosterResult:
    """Lê Thị Hoa, deputy of Nà Lẹng since 1/10 (a closed month on 23/11), and Trần Văn
    Bình of Khuôn Pinh, listed on the harness's morning of 23/11/2026."""
    rows = [
        ["Lê Thị Hoa", "Xã Bắc Sơn/Nà Lẹng", "tổ phó", "0912 345 678", "1/10/2026"],
        ["Trần Văn Bình", "khuon pinh", "", "", ""],
    ]
    return await import_roster(h.db, csv_file(tmp_path, rows), h.clock, settings())


async def identities(h: Harness) -> list[tuple[str, int]]:
    async with h.db.read() as tx:
        found = await tx.fetchall("SELECT user_id, member_id FROM identities ORDER BY user_id")
    return [(str(r["user_id"]), int(r["member_id"])) for r in found]


async def test_a_personal_code_joins_the_listed_member_without_asking(
    h: Harness, tmp_path: Path
) -> None:
    result = await listed(h, tmp_path)
    hoa = result.created[0]
    user = h.user(50, "Hoa", "")  # the messenger's name does not matter: she is listed
    replies = await user.send(f"/start {hoa.code.lower()}")
    assert len(replies) == 1
    assert replies[0].text == WELCOME
    assert all(b in replies[0].labels() for b in MENU_BUTTONS)
    assert await identities(h) == [("50", hoa.member_id)]
    assert await h.count("SELECT COUNT(*) FROM members") == 2  # nobody new
    assert await h.count("SELECT uses_left FROM invites WHERE code = ?", (hoa.code,)) == 0
    stretch = await one(h, "SELECT unit_id, role, start_date, end_date FROM memberships"
                        " WHERE member_id = ?", (hoa.member_id,))  # fmt: skip
    team = await one(h, "SELECT id FROM units WHERE path = ?", (TEAM_A,))
    assert stretch == {
        "unit_id": team["id"],
        "role": "deputy",
        "start_date": "2026-11-01",  # 1/10 on the roster, clamped to the open month
        "end_date": None,
    }
    joined = await one(
        h, "SELECT actor_id, action, detail FROM audit_trail WHERE action = 'joined'"
    )
    assert joined["actor_id"] == hoa.member_id
    assert json.loads(joined["detail"]) == {"invite": hoa.code, "channel": "telegram"}
    # placed: she reports for her team at once
    await user.send("/khongcovuviec")
    assert "không có vụ việc" in user.last_text
    report = await one(h, "SELECT member_id, unit_id FROM reports")
    assert report == {"member_id": hoa.member_id, "unit_id": team["id"]}


async def test_a_used_code_is_refused_and_links_nobody(h: Harness, tmp_path: Path) -> None:
    hoa = (await listed(h, tmp_path)).created[0]
    await h.user(50).send(f"/start {hoa.code}")
    other = h.user(51, "Kẻ", "Lạ")
    replies = await other.send(f"/start {hoa.code}")
    assert [r.text for r in replies] == [
        "⚠️ Mã cá nhân này đã được dùng để tham gia rồi. Đã tham gia trên Telegram hoặc Zalo?"
        " Gõ /lienket ở đó để lấy mã liên kết, rồi gửi /lienket MÃ ở đây. Nếu không phải bạn"
        " dùng, hãy báo ngay cán bộ Công an xã để được cấp mã mới."
    ]
    assert await identities(h) == [("50", hoa.member_id)]
    await other.send("xin chào")
    assert HOW_TO_JOIN in other.last_text  # still a stranger, no dialog left open


async def test_a_revoked_code_is_refused(h: Harness, tmp_path: Path) -> None:
    hoa = (await listed(h, tmp_path)).created[0]
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE invites SET revoked_at = '2026-11-23T10:00:00+07:00'")
    h.clock.advance(hours=2)
    replies = await h.user(50).send(f"/start {hoa.code}")
    assert replies[0].text.startswith("⚠️ Mã cá nhân này đã bị hủy vì đã có mã mới thay thế.")
    assert await identities(h) == []
    assert await h.count("SELECT uses_left FROM invites WHERE code = ?", (hoa.code,)) == 1


async def test_an_expired_code_is_refused_with_its_expiry(h: Harness, tmp_path: Path) -> None:
    hoa = (await listed(h, tmp_path)).created[0]
    h.clock.set(h.clock.now() + timedelta(days=91))
    replies = await h.user(50).send(f"/start {hoa.code}")
    assert replies[0].text == (
        "⚠️ Mã cá nhân này đã hết hạn (lúc 09:00 21/02/2027). Hãy xin cán bộ Công an xã in mã mới."
    )
    assert await identities(h) == []


async def test_a_code_for_someone_who_left_is_refused(h: Harness, tmp_path: Path) -> None:
    hoa = (await listed(h, tmp_path)).created[0]
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE members SET active = 0 WHERE id = ?", (hoa.member_id,))
    replies = await h.user(50).send(f"/start {hoa.code}")
    assert replies[0].text.startswith("⛔ Mã này dành cho người đã nghỉ")
    assert await identities(h) == []
    assert await h.count("SELECT uses_left FROM invites WHERE code = ?", (hoa.code,)) == 1


async def test_an_ordinary_invite_still_asks_the_name(h: Harness, tmp_path: Path) -> None:
    await listed(h, tmp_path)
    await h.add_invite("ABCD2345", TEAM_A, "member")
    replies = await h.user(52, "Lê", "Văn Tám").send("/start ABCD2345")
    assert "Họ và tên đầy đủ của bạn là gì?" in replies[0].text


async def test_a_member_sending_a_personal_code_is_neither_moved_nor_linked(
    h: Harness, tmp_path: Path
) -> None:
    result = await listed(h, tmp_path)
    hoa, binh = result.created
    user = h.user(50)
    await user.send(f"/start {hoa.code}")
    replies = await user.send(f"/start {binh.code}")  # Bình's code, sent by Hoa
    assert replies[0].text == (
        "⚠️ Mã này là mã cá nhân của một người khác trong danh sách, không dùng cho bạn được."
        " Bạn vẫn thuộc Thôn Nà Lẹng. Hãy đưa lại mã cho đúng người."
    )
    assert await identities(h) == [("50", hoa.member_id)]
    assert await h.count("SELECT uses_left FROM invites WHERE code = ?", (binh.code,)) == 1
    assert await h.count("SELECT COUNT(*) FROM memberships") == 2  # nobody moved
    replies = await user.send(f"/start {hoa.code}")  # her own code again
    assert replies[0].text == "Bạn đã là thành viên của Thôn Nà Lẹng, không cần dùng mã mời nữa."
