"""/khenthuong on Telegram: the ranked shortlist of the hand-worked commune (commend_world),
ticking with a reason, the exported list, the refusals, and 4.7 counting a commendation."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from bot.tally.compute import compute
from bot.tally.periods import month_named
from storage import units
from tests.inproc.commend_world import (
    AN,
    DUNG,
    FIRE,
    GOOD_DEED,
    HUNG,
    PATROL,
    TIP,
    build,
)
from tests.inproc.helpers import INTERNAL_ERROR, press_data
from tests.inproc.test_forged_buttons import BAD_IDS
from tests.support import backend
from tests.support.harness import COMMUNE, PROVINCE, TEAM_B, Harness

OCCASION = "p20261001-20261031"
KINDS = ["nil", "good_deed", "patrol", "tip", "fire_rescue", "outreach", "admin_order"]


async def open_shortlist(h: Harness) -> str:
    """Dũng asks for the list of Đợt 3; returns its text."""
    dung = h.user(DUNG)
    asked = await dung.send("/khenthuong")
    assert asked[-1].text == (
        "🏅 Lập danh sách đề nghị khen thưởng cho Xã Bắc Sơn. Dịp nào? Bấm một dịp:"
    )
    assert asked[-1].labels() == [
        "Đợt 3 (01/10–31/10/2026)",
        "Ngày hội toàn dân bảo vệ ANTQ 19/8/2026 (20/08/2025–19/08/2026)",
        "Ngày hội toàn dân bảo vệ ANTQ 19/8/2025 (20/08/2024–19/08/2025)",
        "🏠 Về menu",
    ]
    listed = await dung.press("Đợt 3")
    return listed[-1].text


async def test_the_shortlist_ranks_teams_and_members_with_report_numbers(h: Harness) -> None:
    await build(h)
    lines = (await open_shortlist(h)).splitlines()
    assert lines[:2] == ["🏅 Gợi ý khen thưởng — Xã Bắc Sơn", "Đợt 3 (01/10–31/10/2026)"]
    assert lines[2] == "Tập thể (tổ) tiêu biểu, xếp theo chỉ tiêu đạt:"
    assert lines[3].startswith("▫️ 1. Thôn Nà Lẹng — đạt ")
    assert lines[3].endswith(f"; báo cáo đúng hạn 100%; việc tốt (1): {GOOD_DEED}")
    assert lines[4].startswith("▫️ 2. Thôn Khuôn Pinh — đạt ")
    assert lines[4].endswith(f"; báo cáo đúng hạn 52%; PCCC, cứu nạn (1): {FIRE}")
    assert lines[5:9] == [
        "Cá nhân tiêu biểu, xếp theo thành tích:",
        "▫️ 3. Nguyễn Văn An (Tổ trưởng, Thôn Nà Lẹng) — có báo cáo 100% số ngày;"
        f" việc tốt (1): {GOOD_DEED}; tuần tra (1): {PATROL}",
        "▫️ 4. Trần Thị Bình (Tổ viên, Thôn Nà Lẹng) — có báo cáo 100% số ngày;"
        f" tin báo (1): {TIP}; tuần tra (1): {PATROL}",
        f"▫️ 5. Lê Văn Cường (Tổ trưởng, Thôn Khuôn Pinh) — có báo cáo 52% số ngày;"
        f" PCCC, cứu nạn (1): {FIRE}",
    ]
    assert "Xếp hạng là gợi ý từ số liệu báo cáo; người có thẩm quyền quyết định." in lines


async def test_an_officer_ticks_gives_a_reason_and_exports_the_list(h: Harness) -> None:
    await build(h)
    await open_shortlist(h)
    dung = h.user(DUNG)
    ticked = await dung.press("Nguyễn Văn An")
    assert ticked[-1].text.startswith(
        "✅ Đã đánh dấu đề nghị: Nguyễn Văn An. Gõ lý do đề nghị nếu muốn (không bắt buộc)."
    )
    assert "✅ 3. Nguyễn Văn An" in ticked[-1].labels()
    reason = await dung.send("Gương mẫu tuần tra")
    assert reason[-1].text.startswith("✏️ Đã ghi lý do đề nghị cho: Nguyễn Văn An.")
    await dung.press("Thôn Nà Lẹng")
    await dung.press("Trần Thị Bình")
    undone = await dung.press("Trần Thị Bình")  # pressed again: withdrawn
    assert undone[-1].text.startswith("Đã bỏ đánh dấu: Trần Thị Bình.")
    assert "Đã đánh dấu 2 đề nghị." in undone[-1].text
    rows = await backend.rows(
        h.db,
        "SELECT occasion, occasion_end, member_id IS NULL, reason, ticked_by_name"
        " FROM commendations ORDER BY id",
    )
    assert [tuple(r) for r in rows] == [
        (OCCASION, "2026-10-31", 0, "Gương mẫu tuần tra", "Phạm Văn Dũng"),
        (OCCASION, "2026-10-31", 1, "", "Phạm Văn Dũng"),
    ]
    actions = await backend.rows(
        h.db, "SELECT action FROM audit_trail WHERE subject = 'commendation' ORDER BY id"
    )
    assert [a[0] for a in actions] == ["tick", "reason", "tick", "tick", "untick"]

    sent = await dung.press("Xuất danh sách")
    assert sent[0].text.startswith("📄 Danh sách đề nghị khen thưởng (2 dòng)")
    files = {s.file_name: s.file_data or b"" for s in sent if s.file_kind == "document"}
    stem = f"khenthuong_xa-bac-son_{OCCASION}"
    assert sorted(files) == [f"{stem}.docx", f"{stem}.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(files[f"{stem}.xlsx"])).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][0] == "XÃ BẮC SƠN" and cells[0][4] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert cells[3][0] == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
    assert cells[6][:7] == (
        "STT",
        "Họ và tên / Tập thể",
        "Chức vụ, tổ",
        "Đơn vị",
        "Thành tích tóm tắt (kèm số báo cáo)",
        "Hình thức đề nghị",
        "Ghi chú",
    )
    assert cells[7][:4] == (1, "Tập thể Thôn Nà Lẹng", None, "Xã Bắc Sơn")
    assert GOOD_DEED in str(cells[7][4]) and cells[7][5] is None
    assert cells[8][:4] == (2, "Nguyễn Văn An", "Tổ trưởng, Thôn Nà Lẹng", "Xã Bắc Sơn")
    assert PATROL in str(cells[8][4]) and cells[8][6] == "Gương mẫu tuần tra"
    assert not any("Trần Thị Bình" in str(c) for row in cells for c in row)
    assert any(row[1] == "NGƯỜI LẬP DANH SÁCH" for row in cells)
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$7:$7"
    document = docx.Document(io.BytesIO(files[f"{stem}.docx"]))
    table = document.tables[1]
    assert [c.text for c in table.rows[2].cells][:3] == [
        "2",
        "Nguyễn Văn An",
        "Tổ trưởng, Thôn Nà Lẹng",
    ]
    assert "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in [p.text for p in document.paragraphs]


async def test_exporting_nothing_ticked_says_what_to_do(h: Harness) -> None:
    await build(h)
    await open_shortlist(h)
    sent = await h.user(DUNG).press("Xuất danh sách")
    assert sent[-1].text == (
        "⚠️ Chưa đánh dấu ai nên chưa có danh sách. Đánh dấu ít nhất một tổ hoặc thành viên"
        " rồi xuất danh sách."
    )
    assert not [s for s in sent if s.file_kind]


async def test_a_leader_and_another_communes_officer_are_refused(h: Harness) -> None:
    await build(h)
    an = await h.user(AN).send("/khenthuong")
    assert an[-1].text.startswith("⛔ Danh sách đề nghị khen thưởng do cán bộ Công an xã")
    hung = h.user(HUNG)
    typed = await hung.send("/khenthuong Xã Bắc Sơn")
    assert typed[-1].text.startswith("⛔ Đơn vị này không thuộc địa bàn bạn phụ trách")
    # A button of Dũng's list, forged by Hùng: refused, nothing ticked.
    await open_shortlist(h)
    dung_list = h.user(DUNG).last_with_buttons()
    data = next(b["callback_data"] for row in dung_list.buttons for b in row if "An" in b["text"])
    forged = await press_data(hung, data)
    assert forged[-1].text.startswith("⛔ Đơn vị này không thuộc địa bàn bạn phụ trách")
    leader = await press_data(h.user(AN), data)
    assert leader[-1].text.startswith("⛔ Danh sách đề nghị khen thưởng do cán bộ Công an xã")
    assert await h.count("SELECT COUNT(*) FROM commendations") == 0


async def test_a_team_is_not_a_unit_to_make_a_list_for(h: Harness) -> None:
    await build(h)
    replies = await h.user(DUNG).send("/khenthuong Khuôn Pinh")
    assert replies[-1].text.startswith("⚠️ Thôn Khuôn Pinh là một tổ.")


async def test_a_ticked_member_makes_their_team_meet_good_deeds(h: Harness) -> None:
    """Thôn Khuôn Pinh filed no good deed in October: target 4.7 is missed until Cường is
    proposed for Đợt 3 (ending 31/10), which counts in October ("có cá nhân được biểu
    dương, khen thưởng"), and in no other month."""
    await build(h)

    async def good_deeds(month: int) -> tuple[int, bool | None]:
        """Thôn Khuôn Pinh's commendations and whether it met 4.7 in that month of 2026."""
        async with h.db.read() as tx:
            unit = await units.get_by_path(tx, COMMUNE)
            assert unit is not None
            period = month_named(2026, month)
            tally = await compute(tx, unit, period, h.config, KINDS, h.clock.now(), ["tip"])
        team = next(t for t in tally.teams if t.path == TEAM_B)
        return team.figures.commended, team.targets["good_deeds"].met

    assert await good_deeds(10) == (0, False)
    await open_shortlist(h)
    await h.user(DUNG).press("Lê Văn Cường")
    assert await good_deeds(10) == (1, True)
    assert await good_deeds(11) == (0, False)


async def test_forged_buttons_get_the_normal_answer_and_tick_nobody(h: Harness) -> None:
    world = await build(h)
    await open_shortlist(h)
    dung = h.user(DUNG)
    team = world.teams[TEAM_B]
    async with h.db.read() as tx:
        unit = await units.get_by_path(tx, COMMUNE)
    assert unit is not None
    forged = [f"cm:o:{bad}:{OCCASION}" for bad in BAD_IDS]
    forged += [f"cm:x:{bad}:{OCCASION}:{team}:0" for bad in BAD_IDS]
    forged += [f"cm:x:{unit.id}:{OCCASION}:{bad}:0" for bad in BAD_IDS]
    forged += [f"cm:x:{unit.id}:{OCCASION}:{team}:{bad}" for bad in BAD_IDS if bad != "0"]
    forged += [f"cm:e:{unit.id}:f99999", f"cm:o:{unit.id}:p20200101-20201231", "cm:", "cm:zz"]
    for data in forged:
        replies = await press_data(dung, data)
        text = "\n".join(m.text for m in replies)
        assert INTERNAL_ERROR not in text, (data, text)
        assert text.startswith(
            ("⛔ Đơn vị này không thuộc", "⚠️ Dịp này không còn", "⚠️ Dòng này không còn")
        ), (data, text)
    assert await h.count("SELECT COUNT(*) FROM commendations") == 0


async def test_a_supervisor_makes_the_list_of_the_province_or_of_one_commune(h: Harness) -> None:
    await build(h)
    await h.add_member(14, "Đinh Thị Lan", "supervisor", PROVINCE)
    lan = h.user(14)
    asked = await lan.send("/khenthuong")
    assert asked[-1].text.startswith("🏅 Lập danh sách đề nghị khen thưởng cho Tỉnh Lạng Sơn.")
    await lan.press("Đợt 3")
    await lan.press("Thôn Nà Lẹng")
    sent = await lan.press("Xuất danh sách")
    xlsx = next(s.file_data or b"" for s in sent if (s.file_name or "").endswith(".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "TỈNH LẠNG SƠN"
    assert rows[7][:4] == (1, "Tập thể Thôn Nà Lẹng", None, "Xã Bắc Sơn")  # its commune
    one_commune = await lan.send("/khenthuong Bắc Sơn")
    assert one_commune[-1].text.startswith("🏅 Lập danh sách đề nghị khen thưởng cho Xã Bắc Sơn.")


@pytest.mark.sqlite_only  # SQLite's own machinery: which thread runs a transaction's calls
async def test_the_shortlist_is_read_on_sqlites_thread_and_a_plain_update_is_not(
    h: Harness,
) -> None:
    await build(h)
    here = h.db.on_loop  # type: ignore[attr-defined]  (the SQLite Database)
    sent = here.sent
    await h.user(DUNG).send("/khenthuong")
    assert here.sent == sent  # the occasions: a brief update, on the event loop's thread
    listed = await h.user(DUNG).press("Đợt 3")
    assert listed[-1].text.startswith("🏅 Gợi ý khen thưởng — Xã Bắc Sơn")
    assert here.sent > sent  # the shortlist's reads went to the worker thread
    assert here.idle()
