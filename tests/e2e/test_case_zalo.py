"""End to end on Zalo, where everything is typed: an officer takes up a tip, resolves it
with a typed note by numbers, and the reporter is told."""

from __future__ import annotations

from .test_zalo import (  # noqa: F401  (the module's two-messenger bot)
    NUMBER,
    World,
    assert_healthy,
    bot,
    join,
    world,
    worlds,
)


async def test_an_officer_on_zalo_resolves_a_tip_and_the_reporter_is_told(
    bot: World,  # noqa: F811
) -> None:
    officer = bot.fake.user(bot.zalo_token, "Bế Văn Quân")
    await join(officer, bot.codes["officer"])
    hoa = bot.fake.user(bot.zalo_token, "Lục Thị Hoa")
    await join(hoa, bot.codes["member"])

    await hoa.send("/baocao")
    kinds = await hoa.wait_reply("Bạn muốn báo cáo việc gì?")
    await hoa.answer(kinds, "Tin báo ANTT")
    step = await hoa.wait_reply("Bước 1/")
    await hoa.answer(step, "Người dân báo")
    step = await hoa.wait_reply("Bước 2/")
    await hoa.answer(step, "Tệ nạn xã hội")
    step = await hoa.wait_reply("Bước 3/")
    await hoa.answer(step, "Khẩn cấp")
    await hoa.wait_reply("Bước 4/")
    await hoa.send("Bãi đất trống cạnh trường")
    await hoa.wait_reply("Bước 5/")
    await hoa.send("Có người lạ chào mời mua ma túy")
    summary = await hoa.wait_reply("Xem lại báo cáo")
    await hoa.answer(summary, "Gửi báo cáo")
    receipt = await hoa.wait_reply("Đã lưu báo cáo")
    found = NUMBER.search(receipt.text)
    assert found
    number = found.group(0)

    alert = await officer.wait_reply(f"BÁO CÁO KHẨN: 📢 Tin báo ANTT — {number}")
    await officer.answer(alert, "Đã tiếp nhận")
    steps = await officer.wait_reply(f"Khi có kết quả xử lý {number}, gõ số")
    await hoa.wait_reply("tiếp nhận")
    await officer.answer(steps, "Đã giải quyết")
    asked = await officer.wait_reply("Gõ ghi chú ngắn")
    assert "1. ⏭ Bỏ qua" in asked.lines()
    await officer.send("Đã phối hợp bắt giữ đối tượng")
    saved = await officer.wait_reply(f"Đã ghi: {number} → Đã giải quyết.")
    assert "Người báo đã được thông báo." in saved.text
    told = await hoa.wait_reply("đã giải quyết")
    assert told.text == (
        f"🚓 Tin báo {number} của bạn: Công an xã đã giải quyết"
        " (ghi chú: Đã phối hợp bắt giữ đối tượng)."
    )
    row = bot.query("SELECT state FROM reports WHERE number = ?", (number,))[0]
    assert row["state"] == "resolved"
    assert_healthy(bot)
