"""The admin command line: org import, invite create, config errors (run as a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ORG = """path,kind,households
Tỉnh Lạng Sơn,province,
Tỉnh Lạng Sơn/Xã Bắc Sơn,commune,
Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng,village,120
"""


def cli(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(tmp_path / "config.toml"), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
    )


def write_config(tmp_path: Path, extra: str = "") -> None:
    (tmp_path / "config.toml").write_text(
        f'[database]\npath = "{tmp_path / "db.sqlite3"}"\n{extra}', encoding="utf-8"
    )


def test_import_then_invite_prints_code_last_and_deep_link_above(tmp_path: Path) -> None:
    write_config(tmp_path, '[telegram]\nbot_username = "antt_bacson_bot"\n')
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    first = cli(tmp_path, "org", "import", "org.csv")
    assert first.returncode == 0, first.stderr
    assert "3 created" in first.stdout
    again = cli(tmp_path, "org", "import", "org.csv")
    assert "0 created, 0 updated, 3 unchanged" in again.stdout
    made = cli(
        tmp_path,
        "invite",
        "create",
        "--unit",
        "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn Nà Lẹng",
        "--role",
        "member",
        "--uses",
        "3",
        "--days",
        "7",
    )
    assert made.returncode == 0, made.stderr
    lines = made.stdout.strip().splitlines()
    code = lines[-1]
    assert len(code) == 8 and code.isalnum() and code.upper() == code
    assert f"https://t.me/antt_bacson_bot?start={code}" in lines[-2]


def test_without_a_bot_username_the_invite_says_how_to_get_the_link(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG, encoding="utf-8")
    cli(tmp_path, "org", "import", "org.csv")
    made = cli(tmp_path, "invite", "create", "--unit", "Tỉnh Lạng Sơn", "--role", "supervisor")
    lines = made.stdout.strip().splitlines()
    assert "set [telegram] bot_username" in lines[-2]
    assert len(lines[-1]) == 8


def test_bad_row_names_its_line_and_imports_nothing(tmp_path: Path) -> None:
    write_config(tmp_path)
    (tmp_path / "org.csv").write_text(ORG + "Tỉnh Lạng Sơn/Xã Bắc Sơn/Thôn X,,\n", encoding="utf-8")
    result = cli(tmp_path, "org", "import", "org.csv")
    assert result.returncode == 1
    assert "line 5" in result.stderr
    assert "Nothing was imported" in result.stderr
    invite = cli(tmp_path, "invite", "create", "--unit", "Tỉnh Lạng Sơn", "--role", "admin")
    assert invite.returncode == 1
    assert "no unit 'Tỉnh Lạng Sơn'; load the unit tree with `antt-bot org import" in invite.stderr


def test_invalid_config_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[reports]\ndeadline = "25:99"\n', encoding="utf-8")
    result = cli(tmp_path, "org", "import", "x.csv")
    assert result.returncode == 2
    assert "reports.deadline" in result.stderr


def test_unknown_role_is_refused(tmp_path: Path) -> None:
    write_config(tmp_path)
    result = cli(tmp_path, "invite", "create", "--unit", "X", "--role", "chief")
    assert result.returncode == 2 and "unknown role" in result.stderr


def test_demo_starts_without_token_and_quits_on_end_of_input(tmp_path: Path) -> None:
    write_config(tmp_path, f'[demo]\ndatabase_path = "{tmp_path / "demo.sqlite3"}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(tmp_path / "config.toml")],
        cwd=tmp_path,
        input="/baocao\n:la dung\n/tinbao\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("ANTT_")},
    )
    assert result.returncode == 0, result.stderr
    assert "ANTT_TELEGRAM_TOKEN is not set" in result.stderr
    assert "Bạn muốn báo cáo việc gì?" in result.stdout
    # the demo's past tip and fire were resolved and handled: nothing is waiting
    assert "Không có tin báo khẩn nào đang chờ tiếp nhận." in result.stdout
