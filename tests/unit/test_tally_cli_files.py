"""`antt-bot tally` files for someone else: the CSV for a Vietnamese Excel, and a workbook
made for a reader who may not see the answers of tips and reintegration visits."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from tests.unit.test_cli import cli
from tests.unit.test_tally_cli import COMMUNE, demo

__all__ = ["demo"]  # the module-scoped demo database, shared with test_tally_cli
SPAN = ("--from", "01/10/2026", "--to", "30/11/2026")
TIP_WORDS = ("Hai nhóm thanh niên cãi nhau", "Đã hòa giải tại nhà văn hóa thôn")  # the demo tip's


def test_csv_style_excel_vi_is_semicolons_and_decimal_commas(demo: Path) -> None:
    out = demo / "vi.csv"
    result = cli(demo, "tally", "--demo", "--unit", COMMUNE, "--format", "csv",
                 "--csv-style", "excel-vi", "--out", str(out), *SPAN)  # fmt: skip
    assert result.returncode == 0, result.stderr
    excel = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    result = cli(demo, "tally", "--demo", "--unit", COMMUNE, "--format", "csv", *SPAN)
    standard = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [r[0] for r in excel[1:]] == ["Thôn Khuôn Pinh", "Thôn Nà Lẹng"]
    assert [len(r) for r in excel] == [len(r) for r in standard]
    decimals = [c for r in excel[1:] for c in r if c.replace(",", "", 1).isdigit() and "," in c]
    assert decimals, excel  # some share is a decimal, written with a comma
    assert all("." not in c for c in decimals)


def test_an_unknown_csv_style_is_refused(demo: Path) -> None:
    result = cli(demo, "tally", "--demo", "--unit", COMMUNE, "--format", "csv",
                 "--csv-style", "semicolon")  # fmt: skip
    assert result.returncode == 2
    assert "invalid choice: 'semicolon'" in result.stderr


def cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if v is not None]  # fmt: skip


def test_a_workbook_for_a_leader_holds_no_tip_details(demo: Path) -> None:
    full, leader = demo / "full.xlsx", demo / "leader.xlsx"
    for out, extra in ((full, ()), (leader, ("--for-role", "leader"))):
        result = cli(demo, "tally", "--demo", "--unit", COMMUNE, "--format", "xlsx",
                     "--out", str(out), *SPAN, *extra)  # fmt: skip
        assert result.returncode == 0, result.stderr
    everything = cells(full)
    assert all(any(w in c for c in everything) for w in TIP_WORDS)  # the operator's: all
    listed = cells(leader)
    assert not any(w in c for c in listed for w in TIP_WORDS)
    assert "(chi tiết chỉ dành cho Công an xã trở lên)" in listed
