"""Fixtures for end-to-end tests: the real bot process against the telegram-test-api emulator.

    @pytest.mark.e2e
    async def test_join(emulator, bot_token, bot_process, make_user):
        env = {"ANTT_TELEGRAM_TOKEN": bot_token}
        bot = bot_process([sys.executable, "-m", "bot", "run"], env=env).start()
        await emulator.wait_polling(bot_token, bot=bot)
        lan = make_user("Lan")
        await lan.send("/start")
        assert "Xin chào" in await lan.wait_reply()

- ``emulator`` (session): installs telegram-test-api@4.2.1 into tests/e2e/.emulator on first use
  (``npm ci``; a failure FAILS the tests with npm's message), starts it on a free loopback port,
  stops it at the end. ``emulator.url`` / ``.bot_api_url`` / ``.file_url``.
- ``bot_token`` (function): a fresh token per test, so tests sharing the emulator never see each
  other's updates.
- ``make_user(first_name, **kw)``: an ``EmulatorUser`` in a private chat with that bot.
- ``fake`` (module): the fake Zalo Bot API server on loopback, for tests of the Zalo side.
- ``bot_process(args, env=..., cwd=..., name=...)``: a ``BotProcess`` (not started yet), stopped
  at teardown; its output (and the emulator's complaints) appear in a failing test's report.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.fakezalo import FakeZalo

from .client import EmulatorUser, next_user_id
from .harness import (
    PROJECT_ROOT,
    BotProcess,
    Emulator,
    HarnessError,
    install_emulator,
    new_bot_token,
    node_and_npm,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an e2e test (deselect with -m 'not e2e')."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    problem = None
    try:
        node_cmd, npm_cmd = node_and_npm()
        install_dir = install_emulator(npm_cmd, node_cmd)
        log = tmp_path_factory.mktemp("emulator") / "emulator.log"
        running = Emulator(node_cmd, install_dir, log).start()
    except HarnessError as exc:
        problem = str(exc)
    if problem is not None:  # fail (never skip): e2e tests that cannot run must be noticed
        pytest.fail(f"e2e harness: {problem}", pytrace=False)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZalo]:
    """The fake Zalo Bot API server, one per test module; it downloads every sendPhoto URL,
    as Zalo does."""
    server = FakeZalo(fetch_photos=True).start()
    yield server
    server.stop()


@pytest.fixture
def bot_token() -> str:
    """A token in Telegram's shape ("<bot id>:<secret>"), new for each test."""
    return new_bot_token()


@pytest.fixture
async def make_user(
    emulator: Emulator, bot_token: str
) -> AsyncIterator[Callable[..., EmulatorUser]]:
    users: list[EmulatorUser] = []

    def make(first_name: str = "Lan", **kwargs: Any) -> EmulatorUser:
        kwargs.setdefault("user_id", next_user_id())
        user = EmulatorUser(emulator.url, bot_token, first_name=first_name, **kwargs)
        users.append(user)
        return user

    yield make
    for user in users:
        await user.aclose()


@pytest.fixture
def bot_process(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BotProcess]]:
    processes: list[BotProcess] = []
    request.node.e2e_processes = processes  # shown in the report of a failing test

    def make(
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = PROJECT_ROOT,
        name: str = "bot",
    ) -> BotProcess:
        log = tmp_path / f"{name}-{len(processes)}.log"
        process = BotProcess(args, env=env, cwd=cwd, log_path=log, name=name)
        processes.append(process)
        return process

    yield make
    for process in processes:
        process.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    emulator = getattr(item, "funcargs", {}).get("emulator")
    if isinstance(emulator, Emulator):
        item.e2e_emulator_log_start = len(emulator.log_text())  # type: ignore[attr-defined]
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing e2e test's report shows each bot's output and what the emulator complained of."""
    report = yield
    if report.when == "call" and report.failed:
        for process in getattr(item, "e2e_processes", ()):
            report.sections.append(
                (f"{process.name} output ({process.log_path})", process.tail(200))
            )
        emulator = getattr(item, "funcargs", {}).get("emulator")
        start = getattr(item, "e2e_emulator_log_start", None)
        if isinstance(emulator, Emulator) and start is not None:
            said = emulator.log_text()[start:].strip()
            if said:
                report.sections.append((f"emulator ({emulator.log_path})", said[-6000:]))
    return report
