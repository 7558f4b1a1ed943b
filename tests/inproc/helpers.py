"""Shared steps for in-process tests: filing whole reports and reading rows back."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from tests.support.fakebot import Sent
from tests.support.harness import Harness, TgUser

# Texts from bot/locales/vi.toml, copied so a changed wording is a visible test change.
HOW_TO_JOIN = "Bạn chưa tham gia hệ thống báo cáo của Tổ bảo vệ ANTT."
CHOOSE_KIND = "📝 Bạn muốn báo cáo việc gì?"
CANCELLED = "Đã hủy. Không có gì được lưu."
SUMMARY = "📋 Xem lại báo cáo:"
INTERNAL_ERROR = "⚠️ Có lỗi tạm thời, câu trả lời vừa rồi chưa được lưu."
BACK = "◀ Quay lại"
SKIP = "⏭ Bỏ qua"
CANCEL = "✖ Hủy"
DONE = "✔ Xong"
SUBMIT = "✅ Gửi báo cáo"
MENU_BUTTONS = ("📝 Báo cáo", "✅ Hôm nay không có vụ việc", "📋 Báo cáo của tôi")

PATROL = "🚶 Tuần tra ANTT, ATGT"
FIRE = "🔥 PCCC, cứu nạn, cứu hộ"
TIP = "📢 Tin báo ANTT"
REINTEGRATION = "🤝 Cảm hóa, giáo dục người vi phạm"


def past_shift(now: datetime) -> str:
    """A shift already over on the patrol's preset day: the evening one once it has ended
    (or before 06:00, when the preset day is yesterday), else the two hours before now."""
    if now.time() >= time(21, 30) or now.time() < time(6, 0):
        return "19:00-21:30"
    return f"{now - timedelta(hours=2):%H:%M}-{now - timedelta(hours=1):%H:%M}"


async def start_patrol(user: TgUser) -> None:
    """Open the wizard on the patrol form (question 1/4, the shift; the date is preset)."""
    await user.send("/baocao")
    await user.press("Tuần tra")
    assert "Bước 1/4" in user.last_text, user.last_text


async def patrol_to_summary(user: TgUser, incidents: str = "0") -> None:
    """Answer every patrol question (typed times, no team-mates, no note) and stop at the
    summary; the date is the preset reporting day, "helped with traffic" the preset no."""
    await start_patrol(user)
    await user.send(past_shift(user.h.clock.now()))
    replies = await user.send("Đường liên thôn Nà Lẹng")
    if "Xong" in " ".join(replies[-1].labels()):  # a member alone in the team is not asked
        await user.press("Xong")
    await user.send(incidents)
    assert SUMMARY in user.last_text, user.last_text


async def file_patrol(user: TgUser, incidents: str = "0") -> str:
    """File a whole patrol report; returns the receipt text."""
    await patrol_to_summary(user, incidents)
    replies = await user.press("Gửi báo cáo")
    return replies[0].text


async def fire_to_summary(user: TgUser, place: str = "Nhà văn hóa thôn Nà Lẹng") -> None:
    """Answer every fire-and-rescue question (mobilised, in time, no photos)."""
    await user.send("/baocao")
    await user.press("PCCC")
    await user.press("Cháy")
    await user.send(place)
    await user.press("Có")
    await user.press("Có")
    await user.send("3")
    await user.send("Đã dập tắt đám cháy")
    assert SUMMARY in user.last_text, user.last_text


async def file_fire(user: TgUser) -> str:
    await fire_to_summary(user)
    replies = await user.press("Gửi báo cáo")
    return replies[0].text


async def file_tip(user: TgUser) -> str:
    await user.send("/baocao")
    await user.press("Tin báo ANTT")
    await user.press("Người dân báo")
    await user.press("Tệ nạn xã hội")
    await user.press("Khẩn cấp")
    await user.send("Ngã ba chợ")
    await user.send("Có nhóm thanh niên tụ tập đánh bạc")
    replies = await user.press("Gửi báo cáo")
    return replies[0].text


async def rows(h: Harness, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    async with h.db.read() as tx:
        found = await tx.fetchall(sql, params)
    return [dict(r) for r in found]


async def one(h: Harness, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any]:
    found = await rows(h, sql, params)
    assert len(found) == 1, found
    return found[0]


async def report_data(h: Harness, report_id: int = 1) -> dict[str, Any]:
    row = await one(h, "SELECT data FROM reports WHERE id = ?", (report_id,))
    return dict(json.loads(row["data"]))


async def press_data(user: TgUser, data: str, on: Sent | None = None) -> list[Sent]:
    """Press a button with arbitrary callback data (a forged or stale button)."""
    return await user.press_data(on or user.messages[-1], data)


def texts(messages: list[Sent]) -> str:
    return "\n".join(m.text for m in messages)


def labels(messages: list[Sent]) -> list[str]:
    return [label for m in messages for label in m.labels()]
