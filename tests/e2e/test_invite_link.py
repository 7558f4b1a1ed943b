"""`antt-bot invite create` asks Telegram for the bot's username when only the token is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_invite_prints_the_deep_link_from_get_me(emulator, bot_token: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{tmp_path / "db.sqlite3"}"\n'
        f'[telegram]\nbase_url = "{emulator.url}"\n',
        encoding="utf-8",
    )
    org = tmp_path / "org.csv"
    org.write_text("path,kind\nTỉnh A,province\nTỉnh A/Xã B,commune\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}

    def cli(*args: str, token: bool = False) -> subprocess.CompletedProcess[str]:
        run_env = {**env, "ANTT_TELEGRAM_TOKEN": bot_token} if token else env
        return subprocess.run(
            [sys.executable, "-m", "bot", "--config", str(config), *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=run_env,
        )

    assert cli("org", "import", str(org)).returncode == 0
    made = cli("invite", "create", "--unit", "Tỉnh A/Xã B", "--role", "officer", token=True)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.strip().splitlines()
    assert lines[-2].startswith("Link:    https://t.me/")
    assert lines[-2].endswith(f"?start={lines[-1]}")
    assert bot_token not in made.stdout + made.stderr
