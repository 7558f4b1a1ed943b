"""`antt-bot org import` as a real process: progress on stderr, the result on stdout, exit
codes, and the report of an interrupted import it rolls back first."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.unit.test_cli import ORG, cli, write_config


def test_progress_goes_to_stderr_and_the_result_to_stdout(tmp_path: Path) -> None:
    write_config(tmp_path, "[org_import]\nbatch_rows = 1\n")
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    first = cli(tmp_path, "org", "import", "org.csv")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Imported org.csv: 3 created, 0 updated, 0 unchanged.\n"
    assert first.stderr.splitlines() == [
        "Reading org.csv ...",
        "Checked 3 rows.",
        "To write: 3 new units, 0 updates (0 unchanged).",
        "Written 1/3 (33%).",
        "Written 2/3 (66%).",
        "Written 3/3 (100%).",
    ]
    again = cli(tmp_path, "org", "import", "org.csv")
    assert again.returncode == 0
    assert again.stdout == "Imported org.csv: 0 created, 0 updated, 3 unchanged.\n"
    assert again.stderr.splitlines()[-1] == "To write: 0 new units, 0 updates (3 unchanged)."


def test_a_hidden_character_is_refused_with_exit_1(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG + "Tỉnh Lạng Sơn/Xã\u202eA,commune,\n", "utf-8")
    result = cli(tmp_path, "org", "import", "org.csv")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Reading org.csv ...",
        "antt-bot: org.csv, line 5: unit name 'Xã\\u202eA' contains the invisible character"
        " U+202E (RIGHT-TO-LEFT OVERRIDE); delete it (retype the name) and save the file again",
        "Nothing was imported from this file.",
    ]


def test_a_file_over_the_limit_names_the_key(tmp_path: Path) -> None:
    write_config(tmp_path, "[org_import]\nmax_cells = 5\n")
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    result = cli(tmp_path, "org", "import", "org.csv")
    assert result.returncode == 1
    assert result.stderr.splitlines()[1:] == [
        "antt-bot: org.csv, line 2: the file has more than 5 cells (blank cells up to the last"
        " used column count too); split it into smaller files, or raise [org_import] max_cells"
        " in the config",
        "Nothing was imported from this file.",
    ]


def _leave_running_import(tmp_path: Path, heartbeat: str) -> None:
    """What an import on another machine leaves behind: one created unit, still running."""
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        conn.execute(
            "INSERT INTO org_imports (id, file, status, host, pid, started_at, heartbeat_at)"
            " VALUES (7, 'old.csv', 'running', 'other-host', 4242, ?, ?)",
            ("2000-01-01T00:00:00+07:00", heartbeat),
        )
        conn.execute(
            "INSERT INTO units (id, name, kind, path, created_at)"
            " VALUES (70, 'Tỉnh Cũ', 'province', 'Tỉnh Cũ', '2000-01-01')"
        )
        conn.execute(
            "INSERT INTO org_import_changes (import_id, seq, unit_id, action)"
            " VALUES (7, 0, 70, 'created')"
        )


def test_an_interrupted_import_is_rolled_back_and_reported_first(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv").returncode == 0  # creates the database
    _leave_running_import(tmp_path, "2000-01-01T00:00:00+07:00")  # silent for years
    result = cli(tmp_path, "org", "import", "org.csv")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Reading org.csv ...",
        "Checked 3 rows.",
        "An earlier import (#7, old.csv, started 2000-01-01T00:00:00+07:00) was interrupted;"
        " first rolling back the 1 change(s) it wrote.",
        "Rolled back 1/1 (100%).",
        "Rolled back the interrupted import #7.",
        "To write: 0 new units, 0 updates (3 unchanged).",
    ]
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM units WHERE path = 'Tỉnh Cũ'").fetchone() == (0,)


def test_a_live_import_elsewhere_is_waited_for(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv").returncode == 0
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).isoformat(timespec="seconds")
    _leave_running_import(tmp_path, now)
    result = cli(tmp_path, "org", "import", "org.csv")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[2].startswith(
        "antt-bot: org.csv: another org import is running (#7, old.csv, started"
        " 2000-01-01T00:00:00+07:00, process 4242 on other-host); wait for it to finish,"
        " then run this import again. If that process was stopped, this one can go ahead after "
    )
    assert lines[3:] == ["Nothing was imported from this file."]


def test_org_without_a_sub_command_shows_usage(tmp_path: Path) -> None:
    write_config(tmp_path)
    result = cli(tmp_path, "org")
    assert result.returncode == 2
    assert result.stderr == "usage: antt-bot org import FILE [--apply-changes] [--on DATE]\n"


def test_drops_renames_and_apply_changes_on_the_command_line(tmp_path: Path) -> None:
    write_config(tmp_path)
    extra = "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn B,thôn,\n"
    (tmp_path / "org.csv").write_text(ORG + extra, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv").returncode == 0
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    dropped = cli(tmp_path, "org", "import", "org.csv")
    assert dropped.returncode == 0, dropped.stderr
    assert dropped.stdout.splitlines() == [
        "Closed (no longer in the file): Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn B",
        "Imported org.csv: 0 created, 0 updated, 3 unchanged, 1 closed.",
    ]
    renamed = ORG.replace("path,kind,households", "path,kind,households,renamed_from").replace(
        "Thôn Nà Lẹng,village,120",
        "Thôn Nà Lẹng Mới,village,120,Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng",
    )
    (tmp_path / "rename.csv").write_text(renamed, encoding="utf-8")
    refused = cli(tmp_path, "org", "import", "rename.csv")
    assert refused.returncode == 1
    assert "rename.csv, line 4: would rename" in refused.stderr
    assert refused.stderr.splitlines()[-1] == "Nothing was imported from this file."
    bad_day = cli(tmp_path, "org", "import", "rename.csv", "--apply-changes", "--on", "31/2")
    assert bad_day.returncode == 2
    assert "--on '31/2' is not a date; write e.g. 1/10, 01/10/2026, 2026-10-01" in bad_day.stderr
    applied = cli(tmp_path, "org", "import", "rename.csv", "--apply-changes", "--on", "hôm nay")
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.splitlines() == [
        "Renamed: Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng"
        " -> Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng Mới",
        "Imported rename.csv: 0 created, 0 updated, 2 unchanged, 1 renamed.",
    ]
