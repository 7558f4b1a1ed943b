"""End to end on Telegram: an officer acknowledges a tip, verifies it, resolves it with a
note, and the reporter is told of each step; the case view shows the whole history."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .client import EmulatorUser
from .test_field_reports import (  # noqa: F401  (the module's bot and its people)
    TIP,
    World,
    assert_bot_healthy,
    bot,
    join,
    people,
    submit,
    world,
    worlds,
)


async def file_tip(user: EmulatorUser) -> str:
    """A resident's urgent tip, every answer pressed or typed; returns its number."""
    await user.send("/baocao")
    await user.wait_reply("Bạn muốn báo cáo việc gì?")
    await user.press(TIP)
    await user.wait_reply("Bước 1/")
    await user.press("Người dân báo")
    await user.wait_reply("Bước 2/")
    await user.press("Tệ nạn xã hội")
    await user.wait_reply("Bước 3/")
    await user.press("Khẩn cấp")
    await user.wait_reply("Bước 4/")
    await user.send("Ngã ba chợ Bắc Sơn")
    await user.wait_reply("Bước 5/")
    await user.send("Có nhóm thanh niên tụ tập đánh bạc")
    await user.wait_reply("Xem lại báo cáo")
    _, number = await submit(user)
    return number


@pytest.mark.both_backends
async def test_an_officer_resolves_a_tip_and_the_reporter_is_told(
    bot: World,  # noqa: F811
    people: Callable[..., EmulatorUser],  # noqa: F811
) -> None:
    cuong = people("Hoàng Văn", "Cường")  # officer of the reporter's commune
    hoa = people("Nông Thị", "Hoa")  # the reporter
    await join(cuong, bot.codes["officer_commune"])
    await join(hoa, bot.codes["member_a"])
    number = await file_tip(hoa)

    alert = await cuong.wait_reply("BÁO CÁO KHẨN")
    assert number in alert.text
    await cuong.press("✅ Đã tiếp nhận")
    steps = await cuong.wait_reply("Khi có kết quả xử lý")
    assert steps.labels == [
        "🔎 Đang xác minh",
        "✅ Đã giải quyết",
        "↪️ Chuyển cơ quan khác",
        "🚫 Không có cơ sở",
        "🔗 Trùng vụ khác",
    ]
    await hoa.wait_reply("tiếp nhận")

    await cuong.press("🔎 Đang xác minh")
    asked = await cuong.wait_reply("Gõ ghi chú ngắn")
    assert asked.labels == ["⏭ Bỏ qua", "✖ Hủy"]
    await cuong.press("⏭ Bỏ qua")
    saved = await cuong.wait_reply("Đã ghi:")
    assert saved.text.startswith(f"✅ Đã ghi: {number} → Đang xác minh.")
    told = await hoa.wait_reply("đang xác minh")
    assert told.text == f"🚓 Tin báo {number} của bạn: Công an xã đang xác minh."

    await cuong.press("✅ Đã giải quyết")
    await cuong.wait_reply("→ ✅ Đã giải quyết")
    await cuong.send("Đã giải tán, lập biên bản nhắc nhở")
    saved = await cuong.wait_reply("→ Đã giải quyết.")
    assert "Người báo đã được thông báo." in saved.text
    told = await hoa.wait_reply("đã giải quyết")
    assert told.text == (
        f"🚓 Tin báo {number} của bạn: Công an xã đã giải quyết"
        " (ghi chú: Đã giải tán, lập biên bản nhắc nhở)."
    )

    report = bot.reports_of(hoa)[0]
    assert report["state"] == "resolved"
    kept = bot.query(
        "SELECT state, note FROM report_events WHERE report_id = ? ORDER BY id", (report["id"],)
    )
    assert [(e["state"], e["note"]) for e in kept] == [
        ("received", None),
        ("acknowledged", None),
        ("verifying", None),
        ("resolved", "Đã giải tán, lập biên bản nhắc nhở"),
    ]
    assert_bot_healthy(bot)
