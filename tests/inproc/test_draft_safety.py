"""A report draft in progress survives editing another report and a changed forms file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.config import Config, ReportsSection
from tests.support.harness import TEAM_A, Harness, make_harness

END_ASKED = "Tuần tra kết thúc lúc mấy giờ?"  # the patrol's end question (no step number)


async def file_good_deed_then_start_patrol(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    h.clock.set(datetime(2026, 11, 23, 21, 45))  # evening: the 19:00 shift has begun
    await an.send("/baocao")
    await an.press("Người tốt")
    await an.send("Sửa mái nhà")
    await an.send("Cụ bà xóm 2")
    await an.press("Gửi báo cáo")
    await an.send("/baocao")
    await an.press("Tuần tra")
    await an.send("19:00")
    assert END_ASKED in an.last_text


async def test_editing_another_report_keeps_the_draft(h: Harness) -> None:
    await file_good_deed_then_start_patrol(h)
    an = h.user(1)
    an.new_messages()
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    replies = await an.press("Sửa")
    assert "Sửa báo cáo BC-2026-000001" in replies[-1].text
    replies = await an.send("/huy")
    assert "Đã hủy" in replies[0].text
    replies = await an.send("/baocao")
    assert "làm dở" in replies[-1].text
    replies = await an.press("Tiếp tục")
    assert END_ASKED in replies[-1].text
    replies = await an.send("21:00")
    assert "Bước 2/4" in replies[-1].text


async def test_an_abandoned_edit_gives_the_draft_back_on_baocao(h: Harness) -> None:
    await file_good_deed_then_start_patrol(h)
    an = h.user(1)
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("Sửa")
    await an.press("Việc đã làm")
    replies = await an.send("/baocao")
    assert "làm dở" in replies[-1].text
    await an.press("Tiếp tục")
    assert END_ASKED in an.last_text


async def test_a_draft_of_a_category_removed_from_the_forms_restarts_cleanly(
    tmp_path: Path,
) -> None:
    h = await make_harness(tmp_path)
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    an = h.user(1)
    await an.send("/baocao")
    await an.press("Người tốt")
    await an.send("Sửa mái nhà")
    await h.close()
    forms = tmp_path / "forms.toml"
    forms.write_text(
        '[[categories]]\nkey = "patrol"\nlabel = { vi = "Tuần tra" }\n'
        '[[categories.fields]]\nkey = "date"\ntype = "date"\nlabel = { vi = "Ngày" }\n',
        encoding="utf-8",
    )
    config = Config(reports=ReportsSection(forms_file=str(forms)))
    h2 = await make_harness(tmp_path, config=config)
    an2 = h2.user(1)
    replies = await an2.send("/baocao")
    assert "Bạn muốn báo cáo việc gì?" in replies[-1].text
    assert "Tuần tra" in " ".join(replies[-1].labels())
    replies = await an2.send("xin chào")
    assert "Có lỗi tạm thời" not in replies[-1].text
    await h2.close()
