"""The terminal channel of the demo: numbered choices, identity switching, pushed alerts."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.app import Runtime, build_services
from bot.channels.console import ConsoleChannel, ConsoleSession
from bot.core.clock import ManualClock
from bot.core.config import Config
from bot.demo import INVITE_CODE, USERS, seed
from tests.support.harness import START


async def make_session(tmp_path: Path) -> tuple[ConsoleSession, io.StringIO, Runtime]:
    clock = ManualClock(START)
    services = await build_services(Config(), clock, db_path=str(tmp_path / "demo.sqlite3"))
    assert await seed(services.db, clock)
    runtime = Runtime(services)
    out = io.StringIO()
    names = {u.key: u.name for u in USERS} | {"moi": "Lý Thị Mai"}
    channel = ConsoleChannel(out, names)
    sender = runtime.add_channel(channel)
    session = ConsoleSession(
        runtime.engine,
        channel,
        names,
        "moi",
        after_each=sender.drain_once,
        display_names=names,
    )
    return session, out, runtime


async def type_lines(session: ConsoleSession, out: io.StringIO, *lines: str) -> str:
    out.seek(0)
    out.truncate()
    for line in lines:
        assert await session.handle_line(line)
        assert session.after_each is not None
        await session.after_each()  # type: ignore[misc]
    return out.getvalue()


async def test_newcomer_joins_by_typing_numbers(tmp_path: Path) -> None:
    session, out, runtime = await make_session(tmp_path)
    text = await type_lines(session, out, f"/start {INVITE_CODE.lower()}")
    assert "1. Dùng tên: Lý Thị Mai" in text and "2. ✖ Hủy" in text
    text = await type_lines(session, out, "1")
    assert "👤 Họ tên: Lý Thị Mai" in text
    text = await type_lines(session, out, "1")
    assert "🎉 Chào mừng Lý Thị Mai đã tham gia Thôn Nà Lẹng!" in text
    await runtime.stop()


async def test_fire_alert_reaches_the_officer_who_acknowledges_by_number(tmp_path: Path) -> None:
    session, out, runtime = await make_session(tmp_path)
    await type_lines(session, out, ":la an", "/baocao", "3", "1", "Nhà văn hóa")
    text = await type_lines(session, out, "1", "1", "0", "Đã dập tắt")
    assert "Xem lại báo cáo" in text
    text = await type_lines(session, out, "1")
    found = re.search(r"Đã lưu báo cáo (BC-2026-\d{6})", text)  # the demo has past reports
    assert found, text
    number = found.group(1)
    assert "📨 Tin nhắn mới → Phạm Văn Dũng" in text and "1. ✅ Đã tiếp nhận" in text
    text = await type_lines(session, out, ":la dung", "1")
    assert f"Bạn đã tiếp nhận {number}" in text
    assert "📨 Tin nhắn mới → Nguyễn Văn An" in text
    async with runtime.services.db.read() as tx:
        row = await tx.fetchone("SELECT ack_by FROM reports WHERE number = ?", (number,))
    assert row is not None and row["ack_by"] is not None
    await runtime.stop()


async def test_unknown_identity_and_bad_location_are_explained(tmp_path: Path) -> None:
    session, out, runtime = await make_session(tmp_path)
    text = await type_lines(session, out, ":la nobody", ":vitri abc")
    assert "Không có người dùng 'nobody'" in text
    assert "Cách dùng: :vitri 21.90 106.09" in text
    assert not await session.handle_line(":thoat")
    await runtime.stop()


async def test_a_5000_digit_answer_is_a_bad_answer(tmp_path: Path) -> None:
    """Python refuses int() past 4,300 digits: neither choice matching nor the number
    question may try (the terminal and Zalo number their choices, so both read digits)."""
    session, out, runtime = await make_session(tmp_path)
    huge = "9" * 5000
    text = await type_lines(session, out, ":la an", huge)  # the menu: a choice question
    assert "Có lỗi tạm thời" not in text
    assert "1. 📝 Báo cáo" in text
    await type_lines(session, out, "/baocao", "3", "hôm nay", "1", "Nhà văn hóa", "1", "1")
    text = await type_lines(session, out, huge)  # "Số người được giúp": a number question
    assert "Có lỗi tạm thời" not in text
    assert "⚠️ Số không được lớn hơn" in text
    text = await type_lines(session, out, "-" + huge)
    assert "⚠️ Số phải từ 0 trở lên" in text
    text = await type_lines(session, out, "0")
    assert "Kết quả" in text
    async with runtime.services.db.read() as tx:
        row = await tx.fetchone(
            "SELECT COUNT(*) AS n FROM conversations WHERE state LIKE ?", ("%99999%",)
        )
    assert row is not None and row["n"] == 0  # the huge number was never kept as an answer
    await runtime.stop()


async def test_a_demo_voice_note_answers_a_typed_question_and_not_a_choice(
    tmp_path: Path,
) -> None:
    session, out, runtime = await make_session(tmp_path)
    try:
        text = await type_lines(session, out, ":la an", "/baocao")
        tip = re.search(r"(\d+)\. 📢 Tin báo ANTT", text)
        assert tip, text
        text = await type_lines(session, out, tip.group(1))
        if "Hôm nay" in text:
            text = await type_lines(session, out, "hôm nay")  # while the wizard asks the date
        assert "Tin từ đâu?" in text
        text = await type_lines(session, out, ":thoai 5")
        assert "⚠️ Câu hỏi này không nhận tin nhắn thoại. Vui lòng gõ số thứ tự" in text
        assert "Tin từ đâu?" in text
        text = await type_lines(session, out, ":thoai abc")
        assert "Cách dùng: :thoai 12" in text
    finally:
        await runtime.stop()
