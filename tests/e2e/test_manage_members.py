"""/thanhvien end to end: the real bot process; an officer moves a member to another team
from chat, confirms, and the member gets the notice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .client import EmulatorUser
from .test_field_reports import (  # noqa: F401  (the module's world, bot and people fixtures)
    World,
    assert_bot_healthy,
    bot,
    join,
    people,
    today,
    world,
    worlds,
)

pytestmark = pytest.mark.e2e


async def test_an_officer_moves_a_member_and_the_member_is_told(
    bot: World,  # noqa: F811
    people: Callable[..., EmulatorUser],  # noqa: F811
) -> None:
    officer = people("Cường", "Hoàng Văn")
    member = people("Chuyển", "Nguyễn Văn")
    await join(officer, bot.codes["officer_commune"], typed_name="Hoàng Văn Cường")
    await join(member, bot.codes["member_a"], typed_name="Nguyễn Văn Chuyển")

    await officer.send("/thanhvien")
    await officer.wait_reply("Xem thành viên của đơn vị nào?")
    await officer.press("Thôn Nà Lẹng")
    listed = await officer.wait_reply("👥 Thôn Nà Lẹng")
    assert "• Nguyễn Văn Chuyển — Tổ viên" in str(listed)
    await officer.press("Nguyễn Văn Chuyển")
    await officer.wait_reply("Thay đổi gì?")
    await officer.press("🔀 Chuyển tổ")
    await officer.wait_reply("sang đâu?")
    await officer.press("Thôn Khuôn Pinh")
    await officer.wait_reply("Thay đổi có hiệu lực từ ngày nào?")
    await officer.press("Hôm nay")
    day = today().strftime("%d/%m/%Y")
    confirm = await officer.wait_reply("Chuyển Nguyễn Văn Chuyển")
    assert f"từ Thôn Nà Lẹng sang Thôn Khuôn Pinh từ ngày {day}?" in str(confirm)
    await officer.press("✅ Xác nhận")
    done = await officer.wait_reply("✅ Đã chuyển")
    assert "📨 Đã báo cho Nguyễn Văn Chuyển." in str(done)

    notice = await member.wait_reply("đã chuyển bạn sang Thôn Khuôn Pinh", timeout=15)
    assert f"Hoàng Văn Cường đã chuyển bạn sang Thôn Khuôn Pinh từ ngày {day}." in str(notice)
    rows = bot.query(
        "SELECT u.name, s.end_date FROM memberships s JOIN units u ON u.id = s.unit_id"
        " WHERE s.member_id = ? ORDER BY s.id",
        (bot.member_id(member),),
    )
    assert [r["name"] for r in rows][-1] == "Thôn Khuôn Pinh"
    assert rows[-1]["end_date"] is None
    assert_bot_healthy(bot)
