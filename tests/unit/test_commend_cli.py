"""`antt-bot commend` as an operator runs it on the demo's database: the shortlist, ticks by
line number (audited as the command line), the list as XLSX and DOCX, and bad input."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.unit.test_cli import cli, write_config

COMMUNE = "Tỉnh Lạng Sơn/Xã Bắc Sơn"
PHASE = """
[[tally.phases]]
name = "Đợt thử"
start = 2026-01-01
end = 2026-12-31
"""
CODE = "p20260101-20261231"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config with one phase over the year, whose demo database holds sample reports."""
    root = tmp_path_factory.mktemp("commend-cli")
    write_config(root, f'[demo]\ndatabase_path = "{root / "demo.sqlite3"}"\n{PHASE}')
    started = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(root / "config.toml"), "demo"],
        cwd=root,
        input=":thoat\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    return root


def commend(demo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(demo, "commend", *args, "--demo", "--unit", COMMUNE)


def test_shortlist_tick_untick_and_export(demo: Path) -> None:
    shown = commend(demo, "shortlist", "--occasion", "Dot thu")  # typed without diacritics
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[:2] == ["🏅 Gợi ý khen thưởng — Xã Bắc Sơn", "Đợt thử (01/01–31/12/2026)"]
    assert lines[2] == "Tập thể (tổ) tiêu biểu, xếp theo chỉ tiêu đạt:"
    assert lines[3].startswith("▫️ 1. ") and lines[4].startswith("▫️ 2. ")
    assert "Cá nhân tiêu biểu, xếp theo thành tích:" in lines
    assert any("BC-2026-" in line for line in lines)

    ticked = commend(demo, "tick", "--occasion", CODE, "--line", "1 3", "--reason", "Xuất sắc")
    assert ticked.returncode == 0, ticked.stderr
    assert ticked.stdout.splitlines()[3].startswith("✅ 1. ")
    assert "Đã đánh dấu 2 đề nghị." in ticked.stdout
    again = commend(demo, "tick", "--occasion", CODE, "--line", "1")  # already: no second row
    assert again.returncode == 0 and "Đã đánh dấu 2 đề nghị." in again.stdout
    untick = commend(demo, "untick", "--occasion", CODE, "--line", "3")
    assert "Đã đánh dấu 1 đề nghị." in untick.stdout

    for fmt in ("xlsx", "docx"):
        out = demo / f"list.{fmt}"
        made = commend(demo, "export", "--occasion", CODE, "--format", fmt, "--out", str(out))
        assert made.returncode == 0, made.stderr
        assert f"Wrote {out}" in made.stderr and "1 lines" in made.stderr
    sheet = openpyxl.load_workbook(demo / "list.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[7][0] == 1 and str(rows[7][1]).startswith("Tập thể Thôn ")
    assert rows[7][6] == "Xuất sắc"
    document = docx.Document(str(demo / "list.docx"))
    assert document.tables[1].rows[1].cells[6].text == "Xuất sắc"

    with sqlite3.connect(demo / "demo.sqlite3") as conn:
        audit = conn.execute(
            "SELECT action, actor FROM audit_trail WHERE subject = 'commendation' ORDER BY id"
        ).fetchall()
    assert [a for a, _ in audit] == ["tick", "tick", "untick"]
    assert all(actor.startswith("command line (") for _, actor in audit)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tick", "--occasion", CODE, "--line", "99"], "no line 99: the shortlist has"),
        (["tick", "--occasion", CODE], "give --line with shortlist numbers"),
        (["shortlist", "--occasion", "Đợt không có"], "no occasion 'Đợt không có'; use one of:"),
    ],
)
def test_bad_input_is_refused_with_the_reason(demo: Path, args: list[str], message: str) -> None:
    result = commend(demo, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_without_an_occasion_the_offers_are_listed(demo: Path) -> None:
    result = commend(demo, "shortlist")
    assert result.returncode == 0
    assert f"  {CODE}  Đợt thử (01/01–31/12/2026)" in result.stdout.splitlines()
    assert any(line.startswith("  f2026  Ngày hội") for line in result.stdout.splitlines())
