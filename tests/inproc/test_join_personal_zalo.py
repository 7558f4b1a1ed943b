"""Joining with a personal code on Zalo: typed as printed on the sheet ("/start CODE"),
the member is linked at once, greeted by name, and never asked a numbered question."""

from __future__ import annotations

from pathlib import Path

from bot.people.roster.importing import import_roster
from storage import members
from tests.inproc.test_zalo import Z, fake, z  # noqa: F401 (the Zalo fixtures)
from tests.support.roster import csv_file, settings


async def test_a_personal_code_typed_on_zalo_joins_the_listed_member(
    z: Z,  # noqa: F811
    tmp_path: Path,
) -> None:
    rows = [["Trần Thị Lan", "Xã Bắc Sơn/Thôn Nà Lẹng", "tổ viên", "", ""]]
    result = await import_roster(z.h.db, csv_file(tmp_path, rows), z.h.clock, settings())
    lan = z.user("Lan Zalo")
    said = await z.say(lan, f"/start {result.created[0].code}")
    assert said[0].text.startswith("🎉 Chào mừng Trần Thị Lan!\nBạn đã có tên trong danh sách")
    assert "🎖 Vai trò: Tổ viên" in said[0].text
    async with z.h.db.read() as tx:
        member = await members.by_identity(tx, "zalo", lan.id)
    assert member is not None and member.id == result.created[0].member_id
    again = await z.say(z.user("Người Khác"), f"/start {result.created[0].code}")
    assert again[0].text.startswith("⚠️ Mã cá nhân này đã được dùng để tham gia rồi.")
