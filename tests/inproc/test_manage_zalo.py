"""/thanhvien on Zalo, where everything is typed: numbers for choices, names and days as
text; the member on Telegram is told."""

from __future__ import annotations

from tests.inproc.manage_world import TODAY, notices
from tests.inproc.test_zalo import Z, fake, z  # noqa: F401  (the Zalo fixtures)
from tests.support.harness import COMMUNE, TEAM_A, TEAM_B


async def test_an_officer_on_zalo_moves_a_member_by_typing(z: Z) -> None:  # noqa: F811
    await z.h.add_invite("CONGAN1", COMMUNE, "officer")
    cuong = z.user("Hoàng Văn Cường")
    await z.join(cuong, "CONGAN1")
    await z.h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await z.h.add_member(2, "Trần Thị Bình", "member", TEAM_B)
    async with z.h.db.transaction() as tx:
        await tx.execute("UPDATE memberships SET start_date = '2026-10-01'")
    z.h.clock.set(TODAY.replace(tzinfo=z.h.clock.tz))
    an = z.h.user(1)

    asked = await z.say(cuong, "/thanhvien")
    assert asked[-1].text.startswith("👥 Xem thành viên của đơn vị nào? Gõ số tên đơn vị")
    listed = await z.say(cuong, "na leng")  # typed, without diacritics
    assert "• Nguyễn Văn An — Tổ viên" in listed[-1].lines()
    actions = await z.say(cuong, listed[-1].choice_number("Nguyễn Văn An"))
    assert actions[-1].text.startswith("👤 Nguyễn Văn An — Tổ viên, Thôn Nà Lẹng.")
    where = await z.say(cuong, actions[-1].choice_number("Chuyển tổ"))
    assert where[-1].text.startswith("Chuyển Nguyễn Văn An từ Thôn Nà Lẹng sang đâu?")
    day = await z.say(cuong, "khuon pinh")
    assert day[-1].text.startswith("📅 Thay đổi có hiệu lực từ ngày nào? Gõ số «Hôm nay»")
    wrong = await z.say(cuong, "mai")  # tomorrow
    assert wrong[-1].text.startswith("⚠️ Ngày này chưa tới.")
    confirm = await z.say(cuong, "hôm nay")
    assert confirm[-1].text.startswith(
        "Chuyển Nguyễn Văn An từ Thôn Nà Lẹng sang Thôn Khuôn Pinh từ ngày 30/11/2026?"
    )
    done = await z.say(cuong, confirm[-1].choice_number("Xác nhận"))
    assert done[0].text.splitlines()[:2] == [
        "✅ Đã chuyển Nguyễn Văn An sang Thôn Khuôn Pinh từ ngày 30/11/2026.",
        "📨 Đã báo cho Nguyễn Văn An.",
    ]
    await z.h.drain()
    assert notices(an)[-1].startswith(
        "ℹ️ Hoàng Văn Cường đã chuyển bạn sang Thôn Khuôn Pinh từ ngày 30/11/2026."
    )
    assert await z.h.count("SELECT COUNT(*) FROM audit_trail WHERE action = 'move'") == 1


async def test_a_member_on_zalo_who_left_is_told_so(z: Z) -> None:  # noqa: F811
    await z.h.add_invite("ZALOAN", TEAM_A, "member")
    an = z.user("Nguyễn Văn An")
    await z.join(an, "ZALOAN")
    await z.h.add_member(11, "Hoàng Văn Cường", "officer", COMMUNE)
    cuong = z.h.user(11)
    await cuong.send("/thanhvien Nà Lẹng")
    await cuong.press("Nguyễn Văn An")
    await cuong.press("Ghi đã nghỉ")
    await cuong.press("Hôm nay")
    await cuong.press("Xác nhận")
    await z.h.drain()
    await z.sender.drain_once()
    assert an.unread()[-1].text.startswith("ℹ️ Hoàng Văn Cường đã ghi bạn nghỉ")
    answer = await z.say(an, "1")
    assert answer[-1].text.startswith(
        "Bạn (Nguyễn Văn An) đã nghỉ, không còn trong lực lượng từ ngày 23/11/2026"
    )
