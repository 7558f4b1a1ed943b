"""The tally files: the workbook read back cell by cell, the CSV parsed, the PNG opened."""

from __future__ import annotations

import csv
import io
import itertools
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from bot.core.config import TARGET_KEYS, Config
from bot.core.i18n import Texts
from bot.core.targets import target
from bot.reports.forms import load_forms
from bot.tally import files as tally_files
from bot.tally.compute import RATING_LEVELS, Figures, RawReport, Tally, TargetResult, UnitTally
from bot.tally.labels import Labels, labels_for, plain
from bot.tally.periods import month_named
from bot.tally.render import team_csv, workbook
from bot.tally.render.chart import chart_figure, chart_png, name_lines
from bot.tally.render.sheet import HEADER_ROW
from storage import members, reports, units
from storage.db import Database, SqliteTx

ROOT = Path(__file__).resolve().parents[2]

TEXTS = Texts.load()
FORMS = load_forms()
KINDS = ["patrol", "good_deed", "tip", "nil"]
PERIOD = month_named(2026, 11)
NOW = datetime(2026, 12, 1, 8, 30)
GOALS = {"patrol": 0.8, "tips_acked": 1.0, "tips_in_time": 0.9, "residents_info": 0.9}
COMPLIANCE_GOAL = 0.95


def labels(locale: str = "vi") -> Labels:
    return Labels(TEXTS, FORMS, locale, 60)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _ratio(key: str, part: int, whole: int, goal: float) -> TargetResult:
    """A share compared the way the plan words it ("trên 90%" strictly above)."""
    value = _share(part, whole)
    return TargetResult(key, value, goal, target(key).met(value, goal))


def _targets(f: Figures) -> dict[str, TargetResult]:
    """Targets from figures with fixed goals, close enough to the movement's for the files."""
    good = f.by_kind.get("good_deed", 0)
    need = f.good_deeds_required
    results = [
        TargetResult("good_deeds", good, need, good >= need if need else None),
        _ratio("patrol", f.patrol_members, f.members, GOALS["patrol"]),
        _ratio("fire_in_time", f.fire_in_time, f.fire_mobilised, 1.0),
        _ratio("tips_acked", f.tips_acked, f.tips, GOALS["tips_acked"]),
        _ratio("tips_in_time", f.tips_acked_in_time, f.tips, GOALS["tips_in_time"]),
        TargetResult("reoffences", f.reoffences, 0, f.reoffences <= 0),
        _ratio("residents_info", f.households_informed, f.households, GOALS["residents_info"]),
        _ratio("compliance", f.on_time_days, f.expected_days, COMPLIANCE_GOAL),
    ]
    return {r.key: r for r in results}


def _unit(uid: int, parent: int | None, path: str, kind: str, *, team: bool) -> UnitTally:
    return UnitTally(
        unit_id=uid,
        parent_id=parent,
        name=path.rsplit("/", 1)[-1],
        path=path,
        kind=kind,
        depth=path.count("/"),
        is_team=team,
    )


def _team_figures(**counts: object) -> Figures:
    figures = Figures(teams=1, good_deeds_required=1)
    for name, value in counts.items():
        setattr(figures, name, value)
    return figures


def build_tally(extra_teams: int = 0) -> Tally:
    """A province, two communes, three teams (plus `extra_teams` quiet ones in the second)."""
    province = _unit(1, None, "Tỉnh Lạng Sơn", "province", team=False)
    bac_son = _unit(2, 1, "Tỉnh Lạng Sơn/Xã Bắc Sơn", "commune", team=False)
    vu_le = _unit(3, 1, "Tỉnh Lạng Sơn/Xã Vũ Lễ", "commune", team=False)
    khuon_pinh = _unit(5, 2, "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Khuôn Pinh", "village", team=True)
    na_leng = _unit(4, 2, "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng", "village", team=True)
    quynh_son = _unit(6, 3, "Tỉnh Lạng Sơn/Xã Vũ Lễ/Thôn Quỳnh Sơn", "village", team=True)
    na_leng.figures = _team_figures(
        members=5,
        reporters=5,
        by_kind={"patrol": 10, "good_deed": 2, "nil": 20},
        late=1,
        expected_days=150,
        on_time_days=145,
        patrol_members=5,
        households=120,
        households_informed=120,
    )
    khuon_pinh.figures = _team_figures(
        members=4,
        reporters=3,
        by_kind={"patrol": 3, "tip": 2, "nil": 40},
        late=5,
        expected_days=120,
        on_time_days=90,
        patrol_members=2,
        tips=2,
        tips_acked=2,
        tips_acked_in_time=1,
        households=95,
        households_informed=50,
    )
    quynh_son.figures = _team_figures(members=3, expected_days=90)
    teams = [khuon_pinh, na_leng, quynh_son]
    for i in range(extra_teams):
        quiet = _unit(100 + i, 3, f"Tỉnh Lạng Sơn/Xã Vũ Lễ/Thôn Mới {i:02d}", "village", team=True)
        quiet.figures = _team_figures(members=2, expected_days=60, on_time_days=60 - i)
        teams.append(quiet)
    for team in teams:
        team.targets = _targets(team.figures)
        met, applicable = team.met_count
        team.rating = RATING_LEVELS[0] if met == applicable else RATING_LEVELS[-1]
    by_id = {u.unit_id: u for u in [province, bac_son, vu_le]}
    for team in teams:
        parent = team.parent_id
        while parent is not None:
            above = by_id[parent]
            above.figures.add(team.figures)
            for key, result in team.targets.items():
                if result.met is not None:
                    above.teams_applicable[key] = above.teams_applicable.get(key, 0) + 1
                    above.teams_meeting[key] = above.teams_meeting.get(key, 0) + int(result.met)
            parent = above.parent_id
    for unit in by_id.values():
        unit.targets = _targets(unit.figures)
    return Tally(
        root=province,
        units=[province, bac_son, vu_le, *teams],
        period=PERIOD,
        kinds=KINDS,
        elapsed_end=date(2026, 11, 30),
        generated_at=NOW,
    )


def team_only_tally() -> Tally:
    """Asked about a single team: the team is the root."""
    whole = build_tally()
    team = next(u for u in whole.teams if u.name == "Thôn Nà Lẹng")
    team.depth, team.parent_id = 0, None
    return Tally(team, [team], PERIOD, KINDS, date(2026, 11, 30), NOW)


RAW = [
    RawReport(
        number="2026-000017",
        report_date=date(2026, 11, 3),
        filed_at=datetime(2026, 11, 3, 21, 40),
        unit_name="Thôn Nà Lẹng",
        unit_path="Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng",
        reporter="Hoàng Văn Dũng",
        kind="patrol",
        late=True,
        acknowledged_at=None,
        data={
            "date": "2026-11-03",
            "start": "20:00",
            "end": "22:00",
            "route": "Đường liên thôn",
            "teammates": ["Lý Thị Hoa", "Nông Văn Tú"],
            "incidents": 0,
            "traffic_help": True,
        },
    ),
    RawReport(
        number="2026-000018",
        report_date=date(2026, 11, 4),
        filed_at=datetime(2026, 11, 4, 9, 15),
        unit_name="Thôn Khuôn Pinh",
        unit_path="Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Khuôn Pinh",
        reporter="Lương Thị Mai",
        kind="tip",
        late=False,
        acknowledged_at=datetime(2026, 11, 4, 9, 50),
        data={"what": '=HYPERLINK("http://x")', "gone_field": "x\x07y"},
    ),
    RawReport(
        number="2026-000019",
        report_date=date(2026, 11, 5),
        filed_at=datetime(2026, 11, 5, 7, 0),
        unit_name="Thôn Khuôn Pinh",
        unit_path="Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Khuôn Pinh",
        reporter="Lương Thị Mai",
        kind="old_kind",
        late=False,
        acknowledged_at=None,
        data={},
    ),
]


def _open(data: bytes) -> dict[str, Worksheet]:
    wb = load_workbook(io.BytesIO(data))
    return {name: wb[name] for name in wb.sheetnames}


def _columns(ws: Worksheet) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[HEADER_ROW]}


def _row(line: int) -> int:
    """The sheet row of a table line numbered as if the header were row 1 (line 2 is the
    first line under the header): the title block sits above every table."""
    return HEADER_ROW + line - 1


def _at(ws: Worksheet, line: int, header: str) -> object:
    return ws.cell(row=_row(line), column=_columns(ws)[header]).value


# ---------------------------------------------------------------- labels


def test_labels_name_every_target_and_rating_in_both_languages() -> None:
    for locale in ("vi", "en"):
        lab = labels(locale)
        for key in TARGET_KEYS:
            assert lab.target(key) != key, (locale, key)
        for level in RATING_LEVELS:
            assert lab.rating(level) != level, (locale, level)
    assert "60" in labels().target("tips_in_time")
    assert labels().rating(None) == ""


def test_labels_fall_back_to_the_key_and_strip_icons() -> None:
    lab = labels()
    assert lab.kind("patrol").startswith("🚶")
    assert lab.kind_plain("patrol") == "Tuần tra ANTT, ATGT"
    assert lab.kind_plain("nil") == "Không có vụ việc"
    assert lab.kind("old_kind") == "old_kind"
    assert plain("✅ Không có vụ việc") == "Không có vụ việc"
    assert plain("🔥") == "🔥"


def test_level_names_use_the_shared_kind_or_the_depth() -> None:
    tally = build_tally()
    lab = labels()
    assert lab.level(tally.level(1), 1) == "Xã"
    assert labels("en").level(tally.level(1), 1) == "Communes"
    mixed = [*tally.level(1), _unit(9, 1, "Tỉnh Lạng Sơn/Phường X", "ward", team=False)]
    assert lab.level(mixed, 1) == "Cấp 1"
    odd = [_unit(9, 1, "Tỉnh Lạng Sơn/Khu Y", "zone", team=False)]
    assert lab.level(odd, 1) == "Cấp 1"
    assert lab.level([tally.root], 0) == "Toàn đơn vị"


# ---------------------------------------------------------------- workbook


def test_workbook_sheets_headers_and_layout() -> None:
    sheets = _open(workbook(build_tally(), RAW, labels()))
    assert list(sheets) == [
        "Các tổ",
        "Xã",
        "Toàn đơn vị",
        "Chỉ tiêu tin báo, PCCC",
        "Chỉ tiêu",  # every target, its source and the goals applied
        "Chi tiết Xã Bắc Sơn",  # a province's reports: a sheet per commune that has any
    ]
    teams = sheets["Các tổ"]
    headers = [c.value for c in teams[HEADER_ROW]]
    assert headers[:4] == ["Đơn vị", "Đường dẫn", "Số tổ viên", "Số tổ viên đã báo cáo"]
    assert headers[4:8] == [
        "Tuần tra ANTT, ATGT",
        "Người tốt, việc tốt",
        "Tin báo ANTT",
        "Không có vụ việc",
    ]
    assert "Tiếp nhận trong 60 phút" in headers
    assert "Việc tốt: đạt?" in headers
    assert headers[-2] == "Gợi ý xếp loại"
    assert headers[-1] == "Gợi ý xếp loại phong trào (do cấp có thẩm quyền quyết định)"
    for ws in sheets.values():
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
        assert all(c.font.b for c in ws[HEADER_ROW] if c.value is not None)
        widths = [ws.column_dimensions[letter].width for letter in ("A", "B")]
        assert all(8 <= w <= 50 for w in widths), widths
    last = teams.cell(HEADER_ROW, len(headers)).column_letter
    assert teams.auto_filter.ref == f"A{HEADER_ROW}:{last}{_row(4)}"  # the totals line is out


def test_team_rows_numbers_shares_and_marks() -> None:
    ws = _open(workbook(build_tally(), RAW, labels()))["Các tổ"]
    names = [ws.cell(row=_row(r), column=1).value for r in range(2, 5)]
    assert names == [  # a province's teams are named with their commune
        "Thôn Khuôn Pinh (Xã Bắc Sơn)",
        "Thôn Nà Lẹng (Xã Bắc Sơn)",
        "Thôn Quỳnh Sơn (Xã Vũ Lễ)",
    ]
    assert _at(ws, 3, "Số tổ viên") == 5
    assert isinstance(_at(ws, 3, "Tuần tra ANTT, ATGT"), int)
    assert _at(ws, 3, "Tin báo ANTT") == 0
    compliance = ws.cell(row=_row(3), column=_columns(ws)["Tỷ lệ đúng hạn"])
    assert compliance.value == pytest.approx(145 / 150)
    assert compliance.number_format == "0.0%"
    assert _at(ws, 3, "Việc tốt") == 2  # a count, not a share
    assert _at(ws, 3, "Việc tốt: đạt?") == 1  # ✓ as a number the sheet can count
    assert _at(ws, 2, "Việc tốt: đạt?") == 0  # ✗
    assert _at(ws, 2, "Tin báo được tiếp nhận") == 1.0
    assert _at(ws, 2, "Tiếp nhận trong 60 phút") == 0.5
    assert _at(ws, 2, "Tiếp nhận trong 60 phút: đạt?") == 0
    assert _at(ws, 3, "Tin báo được tiếp nhận") is None  # no tips: not applicable
    assert _at(ws, 3, "Tin báo được tiếp nhận: đạt?") == "—"
    assert _at(ws, 3, "PCCC kịp thời: đạt?") == "—"
    # Residents' information (4.4, "trên 90%"): Khuôn Pinh 50 of 95 households, Nà Lẹng
    # 120 of 120; Quỳnh Sơn's household count is unknown, so the target does not apply.
    assert _at(ws, 2, "Thông tin nhân khẩu") == pytest.approx(50 / 95)
    assert _at(ws, 3, "Thông tin nhân khẩu") == 1.0
    assert _at(ws, 4, "Thông tin nhân khẩu") is None
    assert _at(ws, 3, "Số chỉ tiêu đạt") == 5
    assert _at(ws, 3, "Số chỉ tiêu áp dụng") == 5
    assert _at(ws, 3, "Gợi ý xếp loại") == "Hoàn thành xuất sắc nhiệm vụ"


def test_team_sheet_totals_row_holds_numbers() -> None:
    ws = _open(workbook(build_tally(), RAW, labels()))["Các tổ"]
    assert _at(ws, 6, "Đơn vị") is None  # the signature block follows a blank row
    assert _at(ws, 5, "Đơn vị") == "Tổng cộng"
    assert _at(ws, 5, "Số tổ viên") == 12
    assert _at(ws, 5, "Số tổ viên đã báo cáo") == 8
    assert _at(ws, 5, "Không có vụ việc") == 60
    assert _at(ws, 5, "Báo cáo muộn") == 6
    assert _at(ws, 5, "Ngày phải báo cáo") == 360
    assert _at(ws, 5, "Tỷ lệ đúng hạn") == pytest.approx(235 / 360)
    assert _at(ws, 5, "Việc tốt") == 2


def test_roll_up_sheets_count_teams_meeting() -> None:
    sheets = _open(workbook(build_tally(), RAW, labels()))
    communes = sheets["Xã"]
    assert [_at(communes, r, "Đơn vị") for r in (2, 3)] == ["Xã Bắc Sơn", "Xã Vũ Lễ"]
    assert _at(communes, 2, "Số tổ") == 2
    assert _at(communes, 2, "Số tổ viên") == 9
    assert _at(communes, 2, "Tỷ lệ đúng hạn") == pytest.approx(235 / 270)
    assert _at(communes, 2, "Việc tốt: số tổ đạt") == 1
    assert _at(communes, 2, "Việc tốt: số tổ áp dụng") == 2
    assert _at(communes, 3, "Tin báo được tiếp nhận: số tổ áp dụng") == 0
    assert _at(communes, 2, "Tuần tra") == pytest.approx(7 / 9)
    whole = sheets["Toàn đơn vị"]
    assert _at(whole, 3, "Đơn vị") is None
    assert _at(whole, 2, "Đơn vị") == "Tỉnh Lạng Sơn"
    assert _at(whole, 2, "Số tổ") == 3
    assert _at(whole, 2, "Báo cáo đúng hạn: số tổ đạt") == 1


def test_raw_sheet_dates_marks_and_details() -> None:
    ws = _open(workbook(build_tally(), RAW, labels()))["Chi tiết Xã Bắc Sơn"]
    assert [c.value for c in ws[HEADER_ROW]][:3] == ["Số báo cáo", "Ngày báo cáo", "Thời điểm gửi"]
    assert _at(ws, 4, "Số báo cáo") == "2026-000019" and _at(ws, 5, "Số báo cáo") is None
    day = ws.cell(row=_row(2), column=2)
    assert isinstance(day.value, datetime) and day.value.date() == date(2026, 11, 3)
    assert day.number_format == "dd/mm/yyyy"
    filed = ws.cell(row=_row(2), column=3)
    assert filed.value == datetime(2026, 11, 3, 21, 40)
    assert filed.number_format == "dd/mm/yyyy hh:mm"
    assert _at(ws, 2, "Tổ") == "Thôn Nà Lẹng (Xã Bắc Sơn)"
    assert _at(ws, 2, "Loại báo cáo") == "Tuần tra ANTT, ATGT"
    assert _at(ws, 2, "Báo cáo muộn") == "Có"
    assert _at(ws, 3, "Báo cáo muộn") == "Không"
    assert _at(ws, 2, "Thời điểm tiếp nhận") is None
    assert _at(ws, 3, "Thời điểm tiếp nhận") == datetime(2026, 11, 4, 9, 50)
    details = str(_at(ws, 2, "Nội dung"))
    assert details.startswith("Ngày tuần tra: 03/11/2026; Giờ bắt đầu: 20:00;")
    assert "Tổ viên cùng tham gia: Lý Thị Hoa, Nông Văn Tú" in details
    assert "Số vụ việc phát hiện: 0" in details
    assert "Có hỗ trợ giao thông: Có" in details
    assert _at(ws, 4, "Loại báo cáo") == "old_kind"
    assert ws.column_dimensions["J"].width <= 50


def test_user_text_is_never_a_formula_nor_a_broken_file() -> None:
    ws = _open(workbook(build_tally(), RAW, labels()))["Chi tiết Xã Bắc Sơn"]
    cell = ws.cell(row=_row(3), column=_columns(ws)["Nội dung"])
    assert cell.data_type == "s"
    assert "=HYPERLINK" in str(cell.value)
    assert "gone_field: xy" in str(cell.value)  # the control character is dropped


def test_truncated_raw_list_says_how_to_get_all_of_it() -> None:
    data = workbook(build_tally(), RAW[:1], labels(), raw_truncated=True)
    ws = _open(data)["Chi tiết Xã Bắc Sơn"]
    note = str(ws.cell(HEADER_ROW - 1, 1).value)  # the sheet's note, over the header
    assert "antt-bot tally --format xlsx" in note
    assert _at(ws, 2, "Số báo cáo") == "2026-000017"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:J{_row(2)}"
    wb = load_workbook(io.BytesIO(data))
    assert "antt-bot tally --format xlsx" in str(wb.properties.description)


def test_properties_carry_the_period_not_the_rows() -> None:
    wb = load_workbook(io.BytesIO(workbook(build_tally(), RAW, labels())))
    assert wb.properties.title == "Thống kê Tỉnh Lạng Sơn · Tháng 11/2026 (01/11–30/11/2026)"
    assert wb.properties.subject == "Tháng 11/2026 (01/11–30/11/2026)"
    # an ended period's file carries the day after it, not the moment it was made
    assert wb.properties.created == wb.properties.modified == datetime(2026, 12, 1, 0, 0)


def test_time_zones_do_not_reach_the_cells() -> None:
    """The bot's clock is zone-aware; Excel cells are not and file properties are UTC."""
    tally = build_tally()
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    tally.generated_at = NOW.replace(tzinfo=zone)
    aware = replace(RAW[1], filed_at=RAW[1].filed_at.replace(tzinfo=zone))
    data = workbook(tally, [aware], labels())
    wb = load_workbook(io.BytesIO(data))
    assert wb.properties.created == datetime(2026, 12, 1) - timedelta(hours=7)  # 01/12 00:00
    assert _at(wb["Chi tiết Xã Bắc Sơn"], 2, "Thời điểm gửi") == datetime(2026, 11, 4, 9, 15)


def test_english_workbook_and_a_team_alone() -> None:
    sheets = _open(workbook(team_only_tally(), [], labels("en")))
    assert list(sheets) == ["Teams", "Tip and fire targets", "Targets", "Reports"]
    ws = sheets["Teams"]
    assert ws.cell(HEADER_ROW, 1).value == "Unit"
    assert _at(ws, 3, "Unit") is None  # the team, no totals line under a single team
    assert _at(ws, 2, "Suggested rating") == "Excellent"
    assert _at(sheets["Reports"], 2, "Report number") is None


def month_of_reports(count: int) -> list[RawReport]:
    """A month of one team's reports, every three minutes from the first evening (also the
    export benchmark's data)."""
    start = datetime(2026, 11, 1, 21, 0)
    return [
        RawReport(
            number=f"2026-{i:06d}",
            report_date=(start + timedelta(minutes=3 * i)).date(),
            filed_at=start + timedelta(minutes=3 * i),
            unit_name="Thôn Nà Lẹng",
            unit_path="Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng",
            reporter="Hoàng Văn Dũng",
            kind="patrol" if i % 3 else "nil",
            late=i % 7 == 0,
            acknowledged_at=None,
            data={"date": "2026-11-03", "start": "20:00", "end": "22:00", "incidents": 0},
        )
        for i in range(count)
    ]


def test_a_commune_month_exports_every_raw_row() -> None:
    """15,000 reports, as a busy commune files in a month, all reach the raw sheet (how long
    it takes is measured by `make bench-export`, not asserted here)."""
    tally = build_tally(extra_teams=57)
    raw = month_of_reports(15_000)
    data = workbook(tally, raw, labels())
    ws = load_workbook(io.BytesIO(data), read_only=True)["Chi tiết Xã Bắc Sơn"]
    numbers = [r[0] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r]
    assert sum(1 for n in numbers if str(n).startswith("2026-")) == 15_000


# ---------------------------------------------------------------- CSV


def test_csv_has_bom_header_and_one_row_per_team() -> None:
    tally = build_tally()
    data = team_csv(tally, labels())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = _open(workbook(tally, RAW, labels()))["Các tổ"]
    assert rows[0] == [c.value for c in sheet[HEADER_ROW]]
    assert len(rows) == 1 + 3
    line = dict(zip(rows[0], rows[2], strict=True))
    assert line["Đơn vị"] == "Thôn Nà Lẹng (Xã Bắc Sơn)"
    assert line["Đường dẫn"] == "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng"
    assert line["Số tổ viên"] == "5"
    assert line["Tỷ lệ đúng hạn"] == "0.9667"
    assert line["Việc tốt"] == "2"
    assert line["Việc tốt: đạt?"] == "✓"
    assert line["Tin báo được tiếp nhận"] == ""
    assert line["Tuần tra"] == "1"
    assert line["Gợi ý xếp loại"] == "Hoàn thành xuất sắc nhiệm vụ"


def test_csv_defuses_names_a_spreadsheet_would_run() -> None:
    tally = build_tally()
    tally.teams[0].name = "=cmd()"
    rows = list(csv.reader(io.StringIO(team_csv(tally, labels()).decode("utf-8-sig"))))
    assert rows[1][0] == "'=cmd() (Xã Bắc Sơn)"


# ---------------------------------------------------------------- chart


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def test_chart_is_a_phone_sized_png_growing_with_the_bars() -> None:
    small = _png(chart_png(build_tally(), labels()))
    assert small.width >= 800
    big_tally = build_tally(extra_teams=20)
    commune = next(u for u in big_tally.units if u.name == "Xã Vũ Lễ")
    big_tally.root, commune.depth = commune, 0
    big = _png(chart_png(big_tally, labels()))
    assert big.width == small.width
    assert big.height > small.height + 300


def test_chart_caps_the_bars_and_draws_a_team_alone() -> None:
    tally = build_tally(extra_teams=40)
    commune = next(u for u in tally.units if u.name == "Xã Vũ Lễ")
    tally.root = commune
    capped = _png(chart_png(tally, labels(), max_bars=10))
    full = _png(chart_png(tally, labels(), max_bars=100))
    assert capped.height < full.height
    alone = _png(chart_png(team_only_tally(), labels("en")))
    assert alone.width >= 800


# ---------------------------------------------------------------- chart layout


LONG = "Tổ an ninh trật tự cơ sở thôn Nà Phặc Khuổi Luông số {}"


def commune_tally(bars: int, name: str = LONG) -> Tally:
    """Xã Vũ Lễ with `bars` teams of long names, each with ~25 nil reports and a few others."""
    tally = build_tally(extra_teams=bars - 1)
    commune = next(u for u in tally.units if u.name == "Xã Vũ Lễ")
    tally.root = commune
    for i, team in enumerate(tally.children(commune)):
        team.name = name.format(i)
        team.figures.by_kind = {"nil": 25 - i % 5, "patrol": 3 + i % 4, "good_deed": i % 3}
        team.figures.on_time_days = team.figures.expected_days - i
        team.targets = _targets(team.figures)
    return tally


def _blocks(fig: Figure) -> dict[str, Bbox]:
    """The boxes of the chart's blocks in pixels: title, compliance header, legend, the two
    panels with everything drawn on or around them, the "more units" note."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    reports_ax, compliance_ax = fig.axes
    blocks = {
        "reports": reports_ax.get_tightbbox(renderer),
        "compliance": compliance_ax.get_tightbbox(renderer),
        "legend": fig.legends[0].get_window_extent(renderer),
    }
    for text in fig.texts:
        content = text.get_text().replace("\n", " ")
        name = "title" if "Báo cáo theo loại" in content else "more" if "(và" in content else ""
        blocks[name or "header"] = text.get_window_extent(renderer)
    return blocks


def _texts(fig: Figure, ax_index: int) -> list[Text]:
    """The texts drawn in one panel (value labels, nil counts, the goal)."""
    return list(fig.axes[ax_index].texts)


@pytest.mark.parametrize("bars", [1, 5, 25, 40])
def test_chart_blocks_never_overlap(bars: int) -> None:
    """Title, legend, header and panels each keep their own band at any bar count, with long
    Vietnamese names, and stay inside the picture."""
    fig = chart_figure(commune_tally(bars), labels())
    blocks = _blocks(fig)
    expected = {"title", "header", "legend", "reports", "compliance"} | (
        {"more"} if bars > 25 else set()
    )
    assert set(blocks) == expected
    width, height = fig.bbox.width, fig.bbox.height
    for name, box in blocks.items():
        assert box.x0 >= 0 and box.y0 >= 0, name
        assert box.x1 <= width and box.y1 <= height, name
    for (a, box_a), (b, box_b) in itertools.combinations(blocks.items(), 2):
        assert not box_a.overlaps(box_b), (a, b, box_a, box_b)
    # top to bottom: the title, the header over the compliance panel, the panels, the legend
    assert blocks["title"].y0 > blocks["header"].y1 > blocks["compliance"].y0
    assert blocks["reports"].y0 > blocks["legend"].y1


@pytest.mark.parametrize("bars", [1, 5, 25])
def test_chart_names_values_and_nil_counts_stay_in_their_rows(bars: int) -> None:
    """Two-line names do not run into each other; counts and shares stay inside their panel."""
    fig = chart_figure(commune_tally(bars), labels())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    reports_ax, compliance_ax = fig.axes
    names = [t.get_window_extent(renderer) for t in reports_ax.get_yticklabels()]
    assert len(names) == bars
    for upper, lower in itertools.pairwise(names):
        assert upper.y0 > lower.y1
    for ax in (reports_ax, compliance_ax):
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 + 1, text.get_text()
    assert not compliance_ax.get_yticklabels()[0].get_text()  # the names are written once


def test_province_sized_counts_keep_their_ticks_apart() -> None:
    """Thousands of reports per commune: fewer, wider-spaced ticks; nil counts still fit."""
    tally = commune_tally(5)
    for i, team in enumerate(tally.children(tally.root)):
        team.figures.by_kind = {"patrol": 300 + 450 * i, "tip": 40, "nil": 15_000 + i}
    fig = chart_figure(tally, labels())
    blocks = _blocks(fig)
    for (a, box_a), (b, box_b) in itertools.combinations(blocks.items(), 2):
        assert not box_a.overlaps(box_b), (a, b)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    reports_ax = fig.axes[0]
    ticks = [t.get_window_extent(renderer) for t in reports_ax.get_xticklabels() if t.get_text()]
    assert len(ticks) >= 2
    for left, right in itertools.pairwise(sorted(ticks, key=lambda b: b.x0)):
        assert left.x1 < right.x0
    assert "+15004 ✓" in [t.get_text() for t in reports_ax.texts]
    for text in reports_ax.texts:
        assert text.get_window_extent(renderer).x1 <= reports_ax.bbox.x1 + 1


def test_twenty_five_long_names_fit_a_phone_picture() -> None:
    """A messenger shrinks photos past 2560 px; 25 units with two-line names stay below."""
    image = _png(chart_png(commune_tally(25), labels()))
    assert image.width == 1080
    assert image.height <= 2560


def test_long_names_keep_their_distinguishing_tail() -> None:
    assert name_lines("Thôn Nà Lẹng") == "Thôn Nà Lẹng"
    assert name_lines("Tổ ANTT cơ sở thôn Nà Lẹng") == "Tổ ANTT cơ sở thôn Nà\nLẹng"
    shown = name_lines(LONG.format(12))
    head, tail = shown.split("\n")
    assert head == "Tổ an ninh trật tự cơ"
    assert tail.startswith("…") and tail.endswith("Khuổi Luông số 12")
    assert all(len(line) <= 22 for line in (head, tail))


# ---------------------------------------------------------------- chart: nil reports, percents


def test_nil_reports_are_counted_beside_the_bars_not_stacked() -> None:
    tally = build_tally()
    bac_son = next(u for u in tally.units if u.name == "Xã Bắc Sơn")
    tally.root = bac_son  # two teams: Khuôn Pinh (3 patrols, 2 tips, 40 nil), Nà Lẹng
    fig = chart_figure(tally, labels())
    reports_ax = fig.axes[0]
    widths = [round(p.get_width()) for p in reports_ax.patches]  # type: ignore[attr-defined]
    assert sum(widths) == (3 + 2) + (10 + 2)  # Khuôn Pinh, Nà Lẹng: nil reports not drawn
    assert [t.get_text() for t in _texts(fig, 0)] == ["+40 ✓", "+20 ✓"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "báo cáo “Không có vụ việc” (không vẽ thành cột)" in legend
    assert "Không có vụ việc" not in legend
    assert "Tin báo ANTT" in legend and "Chỉ tiêu việc tốt" in legend
    handle_texts = [
        t.get_text() for t in fig.legends[0].findobj(Text) if t not in fig.legends[0].get_texts()
    ]
    assert "+N ✓" in handle_texts  # the legend shows what the counts beside the bars mean


def test_the_nil_kind_is_configurable() -> None:
    """With another kind as 'nothing to report', that kind is counted aside and nil is a bar."""
    tally = team_only_tally()
    custom = Labels(TEXTS, FORMS, "en", 60, nil_kind="tip")
    tally.root.figures.by_kind = {"patrol": 3, "tip": 2, "nil": 4}
    fig = chart_figure(tally, custom)
    assert sum(p.get_width() for p in fig.axes[0].patches) == 3 + 4  # type: ignore[attr-defined]
    assert [t.get_text() for t in _texts(fig, 0)] == ["+2 ✓"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Nothing to report" in legend  # drawn as a bar of its own now
    assert "“Security tip” reports (not drawn as bars)" in legend


def test_no_nil_reports_no_count_and_no_legend_line() -> None:
    tally = team_only_tally()
    tally.root.figures.by_kind = {"patrol": 3}
    fig = chart_figure(tally, labels())
    assert _texts(fig, 0) == []
    assert not any("✓" in t.get_text() for t in fig.legends[0].get_texts())


def test_chart_percentages_round_down_like_the_chat() -> None:
    """99.6% under a 100% goal reads 99% beside an orange bar, never 100%."""
    tally = team_only_tally()
    team = tally.root
    team.figures.expected_days, team.figures.on_time_days = 1000, 996
    goal = TargetResult("compliance", 0.996, 1.0, False)
    team.targets = {**team.targets, "compliance": goal}
    fig = chart_figure(tally, labels())
    assert [t.get_text() for t in _texts(fig, 1)] == ["99%", "100%"]  # the share, the goal
    bar = fig.axes[1].patches[0]
    assert bar.get_facecolor()[:3] == pytest.approx((0xE6 / 255, 0x51 / 255, 0))


def test_labels_for_passes_the_configured_kinds() -> None:
    config = Config.model_validate(
        {"tally": {"sources": {"nil_kind": "nothing", "good_deed_kind": "kindness"}}}
    )
    made = labels_for(TEXTS, FORMS, config, "vi")
    assert (made.nil_kind, made.good_deed_kind) == ("nothing", "kindness")
    assert (labels().nil_kind, labels().good_deed_kind) == ("nil", "good_deed")


def test_importing_the_tally_files_does_not_load_matplotlib() -> None:
    """matplotlib (~0.4 s, ~30 MB) loads with the first chart, not at bot start."""
    code = (
        "import sys, bot.tally.files, bot.tally.render, handlers.tally\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib loaded at import'\n"
        "from bot.tally.render.chart import chart_png\n"
        "assert 'matplotlib' in sys.modules and callable(chart_png)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- raw sheet: team-mates


async def test_raw_sheet_names_the_team_mates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team-mates are stored as member ids; the workbook shows their names, looked up in one
    query for the whole batch ('#id' for an id no longer on file)."""
    path = "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng"
    now = "2026-11-03T21:40:00+07:00"
    db = await Database(tmp_path / "x.sqlite3").open()
    try:
        async with db.transaction() as tx:
            await units.upsert(tx, "Tỉnh Lạng Sơn", "province", None, now)
            await units.upsert(tx, "Tỉnh Lạng Sơn/Xã Bắc Sơn", "commune", None, now)
            team_id, _ = await units.upsert(tx, path, "village", 120, now)
            dung = await members.create(tx, team_id, "leader", "Hoàng Văn Dũng", "vi", now)
            hoa = await members.create(tx, team_id, "member", "Lý Thị Hoa", "vi", now)
            tu = await members.create(tx, team_id, "member", "Nông Văn Tú", "vi", now)
            for number, mates in (("BC-2026-000001", [hoa, tu, 999]), ("BC-2026-000002", [dung])):
                await reports.create(
                    tx, number=number, member_id=dung if mates != [dung] else hoa,
                    unit_id=team_id, kind="patrol", report_date="2026-11-03",
                    data={"date": "2026-11-03", "teammates": mates, "incidents": 0},
                    urgent=False, now_iso=now, edit_until_iso=now,
                )  # fmt: skip
        lookups: list[str] = []
        fetchall = SqliteTx.fetchall

        async def counting(self: SqliteTx, sql: str, params: Any = ()) -> Any:
            """Count the member-name lookups, then run the query."""
            if "FROM members WHERE id IN" in sql:
                lookups.append(sql)
            return await fetchall(self, sql, params)

        monkeypatch.setattr(SqliteTx, "fetchall", counting)
        team = _unit(team_id, None, path, "village", team=True)
        tally = Tally(team, [team], PERIOD, KINDS, date(2026, 11, 30), NOW)
        data = await tally_files.xlsx_bytes(db, tally, labels(), Config(), None)
    finally:
        await db.close()
    assert len(lookups) == 1
    ws = _open(data)["Báo cáo chi tiết"]
    first, second = str(_at(ws, 2, "Nội dung")), str(_at(ws, 3, "Nội dung"))
    assert "Tổ viên cùng tham gia: Lý Thị Hoa, Nông Văn Tú, #999" in first
    assert "Tổ viên cùng tham gia: Hoàng Văn Dũng" in second
    assert _at(ws, 2, "Người báo cáo") == "Hoàng Văn Dũng"


async def test_member_names_stay_under_sqlites_variable_limit() -> None:
    """2,000 ids go out in chunks of at most 999 bound variables."""

    class FakeTx:
        """Answers every id with a made-up name and records each query's parameters."""

        def __init__(self) -> None:
            """No query yet."""
            self.calls: list[list[int]] = []

        async def fetchall(self, sql: str, params: list[int]) -> list[dict[str, object]]:
            """One row per id asked for."""
            self.calls.append(list(params))
            assert sql.count("?") == len(params)
            return [{"id": i, "full_name": f"Người {i}"} for i in params]

    fake = FakeTx()
    names = await members.names_of(fake, [*range(1, 2001), 5, 5])  # type: ignore[arg-type]
    assert len(names) == 2000 and names[1234] == "Người 1234"
    assert len(fake.calls) == 3
    assert all(len(call) <= 999 for call in fake.calls)
