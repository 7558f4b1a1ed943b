"""/quanly end to end: the real bot process; the commune officer puts someone on a team's
register, a member of the team files a visit picking the code, and the list shows it."""

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
    report_day,
    world,
    worlds,
)

pytestmark = pytest.mark.e2e


async def test_a_register_kept_by_the_officer_and_a_visit_picked_from_it(
    bot: World,  # noqa: F811
    people: Callable[..., EmulatorUser],  # noqa: F811
) -> None:
    officer = people("Quản", "Hoàng Văn")
    member = people("Thăm", "Nguyễn Văn")
    await join(officer, bot.codes["officer_commune"], typed_name="Hoàng Văn Quản")
    await join(member, bot.codes["member_a"], typed_name="Nguyễn Văn Thăm")

    await officer.send("/quanly")
    await officer.wait_reply("Xem danh sách người được quản lý của tổ nào?")
    await officer.press("Thôn Nà Lẹng")
    await officer.wait_reply("🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng")
    await officer.press("➕ Thêm người")
    await officer.wait_reply("Gõ mã hoặc chữ cái đầu tên")
    await officer.send("e2e")
    await officer.wait_reply("Họ tên đầy đủ của E2E?")
    await officer.send("Trần Văn Thử")
    await officer.wait_reply("được quản lý tại địa bàn từ ngày nào?")
    # The reporting day (before 06:00, yesterday), which the visit below is dated too: the
    # test holds at any hour the suite runs.
    await officer.send(f"{report_day():%d/%m/%Y}")
    added = await officer.wait_reply("✅ Đã thêm E2E")
    assert "• E2E — Trần Văn Thử —" in str(added)

    await member.send("/baocao")
    await member.wait_reply("Bạn muốn báo cáo việc gì?")
    await member.press("Cảm hóa")
    asked = await member.wait_reply("Mã hoặc chữ cái đầu tên người được giúp đỡ")
    assert "Trần Văn Thử" not in str(asked)
    await member.press("E2E")
    await member.wait_reply("Hình thức gặp gỡ?")
    await member.press("Gặp trực tiếp")
    await member.wait_reply("Người đó tiến bộ thế nào?")
    await member.press("Tiến bộ rõ")
    await member.wait_reply("Có biểu hiện tái phạm không?")
    await member.press("Không")
    await member.wait_reply("Xem lại báo cáo")
    await member.press("Gửi báo cáo")
    await member.wait_reply("Đã lưu báo cáo")

    await officer.send("/quanly Nà Lẹng")
    day = report_day().strftime("%d/%m/%Y")
    listed = await officer.wait_reply("🤝 Người được quản lý, giáo dục tại Thôn Nà Lẹng")
    assert f"thăm lần cuối {day}" in str(listed)
    rows = bot.query("SELECT code, full_name FROM supervised")
    assert [(r["code"], r["full_name"]) for r in rows] == [("E2E", "Trần Văn Thử")]
    assert_bot_healthy(bot)
