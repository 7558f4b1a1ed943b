"""`antt-bot audit` (people's, invites' and reports' changes of a subtree, CSV and XLSX) and
`antt-bot tally` reading units and days as chat does."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tests.unit.test_member_cli import KHUON_PINH, NA_LENG, OTHER, query, run, world

__all__ = ["world"]  # the fixture, shared with the member commands' tests

HEADER = ["Thời điểm", "Hiệu lực từ", "Người thực hiện", "Thao tác", "Đối tượng", "Từ", "Thành",
          "Chi tiết"]  # fmt: skip


def _report(world: dict[str, object]) -> None:
    """A patrol report in Nà Lẹng edited once, and an urgent one acknowledged in Vũ Lễ."""
    with sqlite3.connect(Path(str(world["root"])) / "db.sqlite3") as conn:
        for number, unit_path in (("BC-2026-000001", NA_LENG), ("BC-2026-000002", OTHER)):
            conn.execute(
                "INSERT INTO reports (number, member_id, unit_id, kind, report_date, data,"
                " created_at, updated_at, edit_until) SELECT ?, ?, id, 'patrol', '2026-11-29',"
                " '{}', '2026-11-29T20:00:00+07:00', '2026-11-29T20:00:00+07:00',"
                " '2026-11-30T20:00:00+07:00' FROM units WHERE path = ?",
                (number, world["An"], unit_path),
            )
        ids = dict(conn.execute("SELECT number, id FROM reports"))
        conn.execute(
            "INSERT INTO report_audit (report_id, member_id, action, before, after, at)"
            " VALUES (?, ?, 'edit', ?, ?, '2026-11-29T21:00:00+07:00')",
            (ids["BC-2026-000001"], world["An"], json.dumps({"people": 2}),
             json.dumps({"people": 3})),
        )  # fmt: skip
        conn.execute(
            "INSERT INTO report_events (report_id, member_id, state, at)"
            " VALUES (?, NULL, 'acknowledged', '2026-11-29T22:00:00+07:00')",
            (ids["BC-2026-000002"],),
        )


def _changes(world: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(world, capsys, "member", "move", str(world["An"]), "--to", KHUON_PINH,
               "--on", "2026-11-15")[0] == 0  # fmt: skip
    assert run(world, capsys, "invite", "create", "--unit", OTHER, "--role", "officer")[0] == 0
    _report(world)


def test_csv_holds_every_change_of_the_subtree(world, capsys) -> None:
    _changes(world, capsys)
    out = Path(str(world["root"])) / "audit.csv"
    code, _, err = run(world, capsys, "audit", "--unit", "Xã Bắc Sơn", "--from", "1/11",
                       "--to", "30/11/2026", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "2 change(s)" in err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with its mark
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    edit, move = rows[1], rows[2]  # oldest first: the report was edited on 29/11
    assert edit[2] == "Nguyễn Văn An" and edit[3] == "Sửa báo cáo"
    assert edit[4] == f"Báo cáo BC-2026-000001 ({NA_LENG})"
    assert (edit[5], edit[6]) == ("people: 2", "people: 3")
    assert move[1] == "15/11/2026" and move[2].startswith("command line (")
    assert move[3] == "Chuyển đơn vị" and move[4] == f"Nguyễn Văn An (#{world['An']})"
    assert (move[5], move[6]) == (f"{NA_LENG} (Tổ viên)", f"{KHUON_PINH} (Tổ viên)")
    assert len(rows) == 3  # Vũ Lễ's invite and report are outside the subtree


def test_xlsx_of_the_province_opens_with_its_header(world, capsys) -> None:
    _changes(world, capsys)
    out = Path(str(world["root"])) / "audit.xlsx"
    code, _, err = run(world, capsys, "audit", "--unit", "Lạng Sơn", "--from", "2026-11-01",
                       "--to", "hôm nay", "--out", str(out))  # fmt: skip
    assert code == 0, err
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == HEADER
    labels = [r[3] for r in rows[1:]]
    assert labels == ["Sửa báo cáo", "Đã tiếp nhận", "Chuyển đơn vị", "Tạo mã mời"]
    assert rows[2][2] == "bot" and rows[4][4].startswith("Mã mời ")
    assert sheet.column_dimensions["E"].width > 20


def test_a_span_without_changes_and_bad_input(world, capsys) -> None:
    _changes(world, capsys)
    out = Path(str(world["root"])) / "empty.csv"
    code, _, err = run(world, capsys, "audit", "--unit", "Bắc Sơn", "--from", "1/10",
                       "--to", "31/10", "--out", str(out))  # fmt: skip
    assert code == 0 and "0 change(s)" in err
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1
    code, _, err = run(world, capsys, "audit", "--unit", "Bắc Sơn", "--from", "30/11",
                       "--to", "1/11", "--out", str(out))  # fmt: skip
    assert code == 2 and "--from is after --to" in err
    code, _, err = run(world, capsys, "audit", "--unit", "Bac Sonn", "--from", "1/11",
                       "--to", "30/11", "--out", str(out))  # fmt: skip
    assert code == 1 and "did you mean: " in err and "Xã Bắc Sơn" in err


def test_tally_takes_a_short_name_and_days_as_chat_does(world, capsys) -> None:
    code, out, err = run(world, capsys, "tally", "--unit", "bac son", "--from", "1/11",
                         "--to", "2026-11-30")  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[0] == "📊 Thống kê Xã Bắc Sơn · 01/11–30/11/2026"
    code, _, err = run(world, capsys, "tally", "--unit", "Bac Son", "--from", "1/11",
                       "--to", "hôm qua")  # fmt: skip
    assert code == 0, err
    code, _, err = run(world, capsys, "tally", "--unit", "Khuon Pin")
    assert code == 1 and f"did you mean: {KHUON_PINH}" in err
    assert query(world, "SELECT COUNT(*) FROM audit_trail") == [(0,)]
