"""Workbooks fit to hand on: title and signature blocks, print setup, countable ✓/✗, Excel's
limits kept with a note saying where the rest is, and a province's teams named with their
commune in every output."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.tally.names import display_names
from bot.tally.render import sheet as sheet_mod
from bot.tally.render import team_csv, workbook
from bot.tally.render.sheet import HEADER_ROW, MARK_FORMAT, SIGNATURE_ROWS
from bot.tally.text import TallyWriter
from tests.support.workbook import headers, lines, note, records
from tests.unit.test_render import RAW, build_tally, labels, month_of_reports, team_only_tally


def _sheets(data: bytes) -> dict[str, Worksheet]:
    wb = load_workbook(io.BytesIO(data))
    return {name: wb[name] for name in wb.sheetnames}


def _find(ws: Worksheet, text: str) -> tuple[int, int]:
    """(row, column) of the first cell holding exactly `text`."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not in {ws.title}")


def test_every_sheet_has_the_title_block_and_the_signature_block() -> None:
    sheets = _sheets(workbook(build_tally(), RAW, labels()))
    for name, ws in sheets.items():
        assert ws["A1"].value.startswith("Thống kê Tỉnh Lạng Sơn · Tháng 11/2026")
        assert ws["A1"].value.endswith(f"— {name}")  # which table a printed page is
        assert ws["A2"].value == (
            "Đơn vị: Tỉnh Lạng Sơn (Tỉnh Lạng Sơn) · Kỳ báo cáo: Tháng 11/2026 (01/11–30/11/2026)"
        )
        # Made: the period's stamp (the day after it ended), so a closed period is stable.
        assert ws["A3"].value == (
            "Ngày lập: 01/12/2026 00:00 · Nguồn: Hệ thống báo cáo ANTT cơ sở, "
            "số liệu đến 30/11/2026"
        )
        maker_row, maker_col = _find(ws, "Người lập biểu")
        head_row, head_col = _find(ws, "Thủ trưởng đơn vị")
        assert maker_row == head_row and maker_col == 1 and head_col > maker_col
        assert ws.cell(maker_row + 1, 1).value == "(Ký, ghi rõ họ tên)"
        assert ws.cell(maker_row + 1, head_col).value == "(Ký, ghi rõ họ tên)"
        place = ws.cell(maker_row - 1, head_col).value
        assert place == "Tỉnh Lạng Sơn, ngày 01 tháng 12 năm 2026"
        assert maker_row == HEADER_ROW + len(lines(ws)) + 3  # a blank row, then the place
        assert ws.max_row == maker_row + 1


def test_every_sheet_prints_a4_landscape_one_page_wide_with_its_header_repeated() -> None:
    sheets = _sheets(workbook(build_tally(), RAW, labels()))
    for ws in sheets.values():
        setup = ws.page_setup
        assert setup.orientation == "landscape"
        assert str(setup.paperSize) == "9"  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


def test_marks_are_numbers_that_show_as_ticks_and_count() -> None:
    sheets = _sheets(workbook(build_tally(), RAW, labels()))
    teams = sheets["Các tổ"]
    column = headers(teams).index("Việc tốt: đạt?") + 1
    cells = [teams.cell(HEADER_ROW + 1 + i, column) for i in range(3)]
    assert [c.value for c in cells] == [0, 1, 0]
    assert all(c.number_format == MARK_FORMAT for c in cells)
    # the format shows 1 as ✓ and 0 as ✗; SUM over the column is the teams meeting it
    assert MARK_FORMAT.split(";")[:2] == ['"✓"', '"✗"']
    province = records(sheets["Toàn đơn vị"])[0]
    assert sum(c.value for c in cells) == province["Việc tốt: số tổ đạt"]
    assert "COUNTIF" in note(teams)
    targets = records(sheets["Chỉ tiêu tin báo, PCCC"])
    assert {r["Đạt?"] for r in targets} <= {0, 1, "Không áp dụng", "—"}


def test_rows_past_excels_limit_go_on_to_numbered_sheets(monkeypatch: pytest.MonkeyPatch) -> None:
    room = 4
    monkeypatch.setattr(sheet_mod, "MAX_ROWS", HEADER_ROW + SIGNATURE_ROWS + room)
    data = workbook(team_only_tally(), month_of_reports(10), labels())
    sheets = _sheets(data)
    parts = [name for name in sheets if name.startswith("Báo cáo chi tiết")]
    assert parts == ["Báo cáo chi tiết", "Báo cáo chi tiết (2)", "Báo cáo chi tiết (3)"]
    numbers = [row[0] for name in parts for row in lines(sheets[name])]
    assert numbers == [f"2026-{i:06d}" for i in range(10)]
    assert [len(lines(sheets[name])) for name in parts] == [4, 4, 2]
    assert all(sheets[name].max_row <= sheet_mod.MAX_ROWS for name in parts)
    assert "phần tiếp theo ở trang tính «Báo cáo chi tiết (2)»" in note(sheets[parts[0]])
    assert "Phần 3/3" in note(sheets[parts[2]])
    assert sheets[parts[1]]["A1"].value.endswith("— Báo cáo chi tiết (2/3)")


def test_columns_past_excels_limit_are_left_out_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_mod, "MAX_COLS", 5)
    teams = _sheets(workbook(build_tally(), RAW, labels()))["Các tổ"]
    assert len([h for h in headers(teams) if h is not None]) == 5
    assert teams.max_column <= 5
    assert "Chỉ có 5 cột đầu" in note(teams)


def test_text_past_a_cells_limit_is_cut_with_a_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_mod, "MAX_CELL", 200)
    long = replace(RAW[0], data={"notes": "x" * 500})
    ws = _sheets(workbook(team_only_tally(), [long], labels()))["Báo cáo chi tiết"]
    text = records(ws)[0]["Nội dung"]
    assert len(text) == 200
    assert text.startswith("notes: xxx")
    assert "ký tự không vừa một ô Excel: xem toàn văn báo cáo trên bot" in text


def test_sheet_names_stay_within_31_characters() -> None:
    tally = build_tally()
    long = "Xã " + "Rất Dài " * 6
    for unit in tally.units:
        if unit.unit_id == 2:
            unit.name = long
    sheets = _sheets(workbook(tally, RAW, labels()))
    assert all(len(name) <= 31 for name in sheets)
    cut = next(name for name in sheets if name.startswith("Chi tiết Xã Rất Dài"))
    assert sheets[cut]["A1"].value.endswith(f"— Chi tiết {long}")  # the full name, on the sheet


def test_a_provinces_teams_are_named_with_their_commune_everywhere() -> None:
    tally = build_tally()
    names = display_names(tally)
    assert names[4] == "Thôn Nà Lẹng (Xã Bắc Sơn)" and names[6] == "Thôn Quỳnh Sơn (Xã Vũ Lễ)"
    assert names[2] == "Xã Bắc Sơn"  # communes themselves stay as they are
    tally.root.figures.tips = 0  # the tips lines are not what this test reads
    message = TallyWriter(labels()).message(tally, "21:00", 12)
    assert "Thôn Nà Lẹng (Xã Bắc Sơn)" in message
    rows = list(csv.reader(io.StringIO(team_csv(tally, labels()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [
        "Thôn Khuôn Pinh (Xã Bắc Sơn)",
        "Thôn Nà Lẹng (Xã Bắc Sơn)",
        "Thôn Quỳnh Sơn (Xã Vũ Lễ)",
    ]


def test_a_communes_teams_keep_their_own_names() -> None:
    tally = build_tally()
    commune = [u for u in tally.units if u.unit_id in (2, 4, 5)]
    for unit in commune:
        unit.depth -= 1
    alone = replace(tally, root=commune[0], units=commune)
    alone.root.figures.tips = 0
    assert display_names(alone)[4] == "Thôn Nà Lẹng"
    message = TallyWriter(labels()).message(alone, "21:00", 12)
    assert "Thôn Nà Lẹng (Xã" not in message and " Thôn Nà Lẹng — đạt" in message
    rows = list(csv.reader(io.StringIO(team_csv(alone, labels()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Thôn Khuôn Pinh", "Thôn Nà Lẹng"]
