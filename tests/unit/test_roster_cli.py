"""`antt-bot roster import` and `roster sheet` as real processes: what the operator reads on
standard output and standard error, and the exit codes."""

from __future__ import annotations

from pathlib import Path

from tests.support.roster import GOOD, csv_file
from tests.unit.test_cli import cli, write_config

ORG = """path,kind
Tỉnh Lạng Sơn,province
Tỉnh Lạng Sơn/Xã Bắc Sơn,commune
Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng,village
Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Khuôn Pinh,village
"""


def setup(tmp_path: Path, extra: str = "") -> None:
    write_config(tmp_path, extra)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv").returncode == 0


def test_import_then_again_then_print(tmp_path: Path) -> None:
    setup(tmp_path, '[telegram]\nbot_username = "antt_bacson_bot"\n[roster]\ninvite_days = 30\n')
    csv_file(tmp_path, GOOD[:2])
    first = cli(tmp_path, "roster", "import", "roster.csv")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == "Imported roster.csv: 2 member(s) created, 0 already listed (skipped)."
    assert lines[1].startswith("Personal codes work until ")
    assert lines[2:] == [
        "  antt-bot roster sheet --unit 'Tỉnh Lạng Sơn/Xã Bắc Sơn' --out roster.pdf"
    ]
    csv_file(tmp_path, GOOD[:3])
    again = cli(tmp_path, "roster", "import", "roster.csv")
    assert again.stdout.splitlines()[:3] == [
        "Imported roster.csv: 1 member(s) created, 2 already listed (skipped).",
        "  line 2: Nguyễn Văn An in Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng: already listed",
        "  line 3: Lê Thị Hoa in Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Khuôn Pinh: already listed",
    ]
    sheet = cli(tmp_path, "roster", "sheet", "--unit", "Bắc Sơn", "--out", "codes.pdf")
    assert sheet.returncode == 0, sheet.stderr
    assert sheet.stdout == "Wrote codes.pdf: 2 page(s), 3 personal code(s).\n"
    assert (tmp_path / "codes.pdf").read_bytes().startswith(b"%PDF-")


def test_bad_rows_are_all_listed_and_nothing_is_imported(tmp_path: Path) -> None:
    setup(tmp_path)
    csv_file(tmp_path, [GOOD[0], ["Hoa", "Khuôn Pinh", "", "", ""], GOOD[0]])
    result = cli(tmp_path, "roster", "import", "roster.csv")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "antt-bot: roster.csv: 2 row(s) cannot be imported:",
        "  roster.csv, line 3: full name 'Hoa' must be two words or more, letters only, at most"
        " 80 characters (e.g. Nguyễn Văn An)",
        "  roster.csv, line 4: Nguyễn Văn An in 'Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng' is"
        " already on line 2; if they are two people, tell them apart in the name column",
        "Nothing was imported from this file.",
    ]


def test_the_sheet_needs_the_bot_name_and_someone_to_print(tmp_path: Path) -> None:
    setup(tmp_path)
    result = cli(tmp_path, "roster", "sheet", "--unit", "Bắc Sơn", "--out", "x.pdf")
    assert result.returncode == 1
    assert "set [telegram] bot_username, or ANTT_TELEGRAM_TOKEN" in result.stderr
    write_config(tmp_path, '[telegram]\nbot_username = "antt_bacson_bot"\n')
    empty = cli(tmp_path, "roster", "sheet", "--unit", "Bắc Sơn", "--out", "x.pdf")
    assert empty.returncode == 1
    assert empty.stderr == (
        "antt-bot: nobody to print under Tỉnh Lạng Sơn/Xã Bắc Sơn (everyone there has joined;"
        " add --all to list them too)\n"
    )
    assert not (tmp_path / "x.pdf").exists()


def test_without_a_database_nothing_is_created(tmp_path: Path) -> None:
    write_config(tmp_path)
    csv_file(tmp_path, GOOD)
    result = cli(tmp_path, "roster", "import", "roster.csv")
    assert result.returncode == 1
    assert "no database at" in result.stderr
    assert not (tmp_path / "db.sqlite3").exists()
