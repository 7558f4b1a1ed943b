"""`antt-bot tally` as an operator runs it: every format from one database, and bad input."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from tests.unit.test_cli import ORG, cli, write_config

COMMUNE = "Tỉnh Lạng Sơn/Xã Bắc Sơn"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose demo database holds the demo's six weeks of sample reports."""
    root = tmp_path_factory.mktemp("tally-cli")
    write_config(root, f'[demo]\ndatabase_path = "{root / "demo.sqlite3"}"\n')
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


def test_text_goes_to_standard_output(demo: Path) -> None:
    result = cli(demo, "tally", "--demo", "--unit", COMMUNE, "--from", "01/11/2026",
                 "--to", "30/11/2026")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "📊 Thống kê Xã Bắc Sơn · 01/11–30/11/2026"
    assert any(line.startswith("Tổng: 2 tổ · ") for line in lines)
    assert any(line.startswith("▪️ Thôn Nà Lẹng") or line.startswith("✅ Thôn Nà Lẹng")
               for line in lines)  # fmt: skip


def test_xlsx_csv_and_png_files(demo: Path) -> None:
    for fmt in ("xlsx", "csv", "png"):
        out = demo / f"out.{fmt}"
        result = cli(demo, "tally", "--demo", "--unit", COMMUNE, "--format", fmt, "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert f"Wrote {out}" in result.stderr
    book = openpyxl.load_workbook(demo / "out.xlsx")
    assert book.sheetnames[-1] == "Báo cáo chi tiết"
    rows = list(csv.reader(io.StringIO((demo / "out.csv").read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Thôn Khuôn Pinh", "Thôn Nà Lẹng"]
    assert Image.open(demo / "out.png").format == "PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "01/11/2026"], "give both --from and --to, or neither (this month)"),
        (["--from", "32/10/2026", "--to", "31/10/2026"], "not a date: '32/10/2026'"),
        (["--from", "31/10/2026", "--to", "01/10/2026"], "--from is after --to"),
        (["--from", "01/01/2020", "--to", "31/12/2026"], "the range is longer than two years"),
    ],
)
def test_bad_dates_are_refused_with_the_reason(demo: Path, args: list[str], message: str) -> None:
    result = cli(demo, "tally", "--demo", "--unit", COMMUNE, *args)
    assert result.returncode == 2
    assert message in result.stderr and result.stdout == ""


def test_an_unknown_unit_is_named(demo: Path) -> None:
    result = cli(demo, "tally", "--demo", "--unit", "Tỉnh Lạng Sơn/Xã Không Có")
    assert result.returncode == 1
    assert "no unit 'Tỉnh Lạng Sơn/Xã Không Có'; did you mean: Tỉnh Lạng Sơn/Xã" in result.stderr


def test_a_unit_may_be_named_as_in_chat(demo: Path) -> None:
    """The same lookup as /thongke: a name without diacritics or level word is enough."""
    result = cli(demo, "tally", "--demo", "--unit", "bac son", "--from", "01/11/2026",
                 "--to", "30/11/2026")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "📊 Thống kê Xã Bắc Sơn · 01/11–30/11/2026"


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    write_config(tmp_path)
    result = cli(tmp_path, "tally", "--unit", COMMUNE)
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()


def test_an_empty_unit_tallies_zeros(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv").returncode == 0
    result = cli(tmp_path, "tally", "--unit", COMMUNE, "--from", "01/10/2026", "--to",
                 "31/10/2026")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Tổng: 1 tổ · 0/0 tổ viên đã báo cáo · đúng hạn — · muộn 0" in result.stdout
