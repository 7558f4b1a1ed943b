"""Starting the real bot: the command menu is set at every start, an unreachable Bot API is
one line (and exit status 1 when nothing else can be served), and a messenger unreachable
at start-up is retried while the other one serves, then served once it answers."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.fakezalo import FakeZalo

from .client import EmulatorUser, next_user_id
from .harness import BotProcess, Emulator

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(**tokens: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}
    env.update(tokens)
    return env


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n'
        "[reminders]\nenabled = false\n"
        "[bot]\nreconnect_first_seconds = 0.5\nreconnect_max_seconds = 1\n" + body,
        encoding="utf-8",
    )
    return path


def _lines(output: str) -> list[str]:
    """What the bot said, without the migrations a fresh database applies."""
    return [
        line
        for line in output.splitlines()
        if '"applying migration"' not in line and not line.startswith("-----")  # harness notes
    ]


@pytest.fixture
def late_emulator(emulator: Emulator, tmp_path: Path) -> Iterator[Emulator]:
    """A second emulator on a port nothing listens on yet: a Bot API that answers later."""
    late = Emulator(emulator.node_cmd, emulator.install_dir, tmp_path / "late.log", _free_port())
    yield late
    late.stop()


async def test_the_command_menu_is_set_at_every_start(
    emulator: Emulator, bot_token: str, bot_process: Callable[..., BotProcess], tmp_path: Path
) -> None:
    config = _config(tmp_path, f'[telegram]\nbase_url = "{emulator.url}"\n')
    bot = bot_process(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        env=_env(ANTT_TELEGRAM_TOKEN=bot_token),
    ).start()
    await emulator.wait_polling(bot_token, bot=bot)
    calls = await emulator.calls(bot_token, "setMyCommands")
    assert len(calls) == 1
    commands = calls[0]["params"]["commands"]
    commands = json.loads(commands) if isinstance(commands, str) else commands
    names = [c["command"] for c in commands]
    assert names[:3] == ["baocao", "khongcovuviec", "baocaocuatoi"] and "thongke" in names
    bot.restart()
    await emulator.wait_polling(bot_token, bot=bot)
    assert len(await emulator.calls(bot_token, "setMyCommands")) == 2
    assert bot.stop() == 0


async def test_an_unreachable_bot_api_is_one_line_and_exit_status_1(
    bot_process: Callable[..., BotProcess], tmp_path: Path
) -> None:
    port = _free_port()  # nothing listens there
    config = _config(tmp_path, f'[telegram]\nbase_url = "http://127.0.0.1:{port}"\n')
    bot = bot_process(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        env=_env(ANTT_TELEGRAM_TOKEN="123456:E2E-UNREACHABLE"),
    ).start()
    assert bot.wait(30) == 1
    lines = _lines(bot.output())
    assert len(lines) == 1, lines
    assert f"Telegram could not be reached at http://127.0.0.1:{port} (ConnectError)" in lines[0]
    assert "[telegram] base_url" in lines[0] and "Traceback" not in bot.output()
    assert "E2E-UNREACHABLE" not in bot.output()


async def test_a_rejected_token_is_one_line(
    fake: FakeZalo, bot_process: Callable[..., BotProcess], tmp_path: Path
) -> None:
    config = _config(tmp_path, f'[zalo]\nbase_url = "{fake.url}"\n')
    bot = bot_process(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        env=_env(ANTT_ZALO_TOKEN="999:never-issued"),  # the fake answers 401 to it
    ).start()
    assert bot.wait(30) == 1
    lines = _lines(bot.output())
    assert len(lines) == 1, lines
    assert "Zalo refused to start: the token was rejected: check ANTT_ZALO_TOKEN" in lines[0]
    assert "never-issued" not in bot.output() and "Traceback" not in bot.output()


async def test_zalo_serves_while_telegram_is_tried_again_until_it_answers(
    bot_token: str,
    fake: FakeZalo,
    late_emulator: Emulator,
    bot_process: Callable[..., BotProcess],
    tmp_path: Path,
) -> None:
    zalo_token = fake.new_token()
    config = _config(
        tmp_path,
        f'[telegram]\nbase_url = "{late_emulator.url}"\n'
        f'[zalo]\nbase_url = "{fake.url}"\nmedia_dir = "{tmp_path / "media"}"\n',
    )
    bot = bot_process(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        env=_env(ANTT_TELEGRAM_TOKEN=bot_token, ANTT_ZALO_TOKEN=zalo_token),
    ).start()
    await fake.wait_polling(zalo_token)
    lan = fake.user(zalo_token, "Vi Thị Lan")
    await lan.send("/start")
    await lan.wait_reply("Bạn chưa tham gia")  # Zalo serves while Telegram is down
    await bot.wait_for_output("Telegram still cannot be reached")
    assert bot.running
    late_emulator.start()  # the Bot API answers at last
    await late_emulator.wait_polling(bot_token, bot=bot, timeout=30)
    assert len(await late_emulator.calls(bot_token, "setMyCommands")) == 1
    minh = EmulatorUser(late_emulator.url, bot_token, first_name="Minh", user_id=next_user_id())
    try:
        await minh.send("/start")
        assert "Bạn chưa tham gia" in (await minh.wait_reply()).text
    finally:
        await minh.aclose()
    output = bot.output()
    assert output.count("Telegram could not be reached") == 1
    assert "Telegram reached at last" in output and "Traceback" not in output
    assert bot.stop() == 0
