"""`antt-bot targets show|set|clear`: a unit's own goals from the shell, with the config's
overrides shown where they apply, bad values refused before anything is written, and every
change in the audit trail as made from the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.unit.test_cli import ORG, cli, write_config

PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = "Tỉnh Lạng Sơn/Xã Bắc Sơn"
TEAM = "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng"
CONFIG = f"""
[[tally.overrides]]
unit = "{PROVINCE}"
households_checked = 0.8  # the old name still works
good_deeds_per_month = 2
"""


def _world(tmp_path: Path) -> None:
    write_config(tmp_path, CONFIG)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    assert cli(tmp_path, "org", "import", "org.csv").returncode == 0


def _stored(tmp_path: Path) -> list[tuple[str, float, str]]:
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        return list(
            conn.execute("SELECT key, value, set_by_name FROM target_overrides ORDER BY key")
        )


def test_show_set_clear_with_the_nearest_unit_winning(tmp_path: Path) -> None:
    _world(tmp_path)
    shown = cli(tmp_path, "targets", "show", "--unit", TEAM)
    assert shown.returncode == 0, shown.stderr
    assert "(residents_info): trên 80%. Nguồn: tệp cấu hình, đặt cho Tỉnh Lạng Sơn" in shown.stdout
    assert "(good_deeds_per_month): từ 2 trở lên. Nguồn: tệp cấu hình" in shown.stdout
    assert "(patrol_participation): từ 100% trở lên. Nguồn: mặc định" in shown.stdout

    done = cli(tmp_path, "targets", "set", "--unit", "Xã Bắc Sơn", "residents_info=0,95")
    assert done.returncode == 0, done.stderr
    assert _stored(tmp_path) == [("residents_info", 0.95, "command line")]
    shown = cli(tmp_path, "targets", "show", "--unit", TEAM)
    assert "(residents_info): trên 95%. Nguồn: đặt bằng lệnh cho Tỉnh Lạng Sơn/Xã Bắc Sơn" in (
        shown.stdout
    )
    assert "(good_deeds_per_month): từ 2 trở lên. Nguồn: tệp cấu hình" in shown.stdout
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        trail = list(conn.execute("SELECT actor, action FROM audit_trail WHERE subject = 'unit'"))
    assert ("command line", "targets_set") in trail

    cleared = cli(tmp_path, "targets", "clear", "--unit", COMMUNE)
    assert cleared.returncode == 0 and "Cleared 1 stored goal(s)" in cleared.stderr
    assert _stored(tmp_path) == []


def test_bad_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    _world(tmp_path)
    for args, message in (
        (["residents_info=120%"], "tỷ lệ phải từ 0% đến 100%"),
        (["models=-1"], "phải là số nguyên từ 0 trở lên"),
        (["nonsense=1"], "Không có chỉ tiêu “nonsense”"),
        ([], "`set` needs KEY=VALUE"),
    ):
        result = cli(tmp_path, "targets", "set", "--unit", COMMUNE, *args)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    unknown = cli(tmp_path, "targets", "set", "--unit", "Xã Không Có", "models=2")
    assert unknown.returncode == 1 and "no unit" in unknown.stderr
    assert _stored(tmp_path) == []


def test_a_bad_override_in_the_config_is_refused(tmp_path: Path) -> None:
    write_config(tmp_path, f'[[tally.overrides]]\nunit = "{COMMUNE}"\nresidents_info = 1.5\n')
    result = cli(tmp_path, "targets", "show", "--unit", COMMUNE)
    assert result.returncode == 2
    assert "residents_info" in result.stderr and "less than or equal to 1" in result.stderr
