"""The real bot process against a fake that enforces Telegram's caps, killed with kill -9.

The real bot process (`antt-bot --config FILE run` through tests/bench/outbox_bot.py,
ANTT_TELEGRAM_TOKEN only) drains a pre-filled SQLite outbox into `CappedBotAPI` on loopback.
A watcher task, which knows nothing about individual sends, polls the fake's record every
`POLL_S` seconds; at each of `kills` evenly spaced counts of deliveries (1 = half-way) it
kills the process with SIGKILL at a random moment within the next `KILL_JITTER_S` seconds
(so the kill is as likely to fall between two sends as just after one), reads from the
SQLite file which rows the dead process left claimed but unmarked, waits a second and starts
it again. When every delivery has been accepted, or nothing was accepted for `stall_s`
seconds, the process gets SIGTERM and the figures are taken from the fake's record, the
SQLite file and the bot's log (tests/bench/outbox_window.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.core.config import load_config
from tests.bench.outbox_data import TOKEN, Workload, fill, ident, status_counts, write_config
from tests.bench.outbox_fake import CappedBotAPI
from tests.bench.outbox_result import LimitedResult
from tests.bench.outbox_window import (
    Kill,
    claimed_idents,
    id_idents,
    mark_delays,
    marks_logged,
)

# Fills the database at the given path; returns the deliveries ("tag@chat") to wait for.
Prepare = Callable[[Path], Awaitable[set[str]]]
# Runs beside the bot for the whole run (e.g. members writing to it); cancelled at the end.
Beside = Callable[[CappedBotAPI], Awaitable[None]]

ROOT = Path(__file__).resolve().parents[2]

POLL_S = 0.02  # how often the watcher looks at the fake's count
KILL_JITTER_S = 1.0  # the kill comes at a random moment this long after the count is reached
RESTART_AFTER_S = 1.0  # pause between the kill and the new start
TERM_TIMEOUT_S = 30.0
PROGRESS_S = 30.0


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: SIGTERM the bot if the benchmark dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def bot_command(config: Path) -> list[str]:
    """`antt-bot --config FILE run` through tests/bench/outbox_bot.py (precise mark times)."""
    return [sys.executable, "-m", "tests.bench.outbox_bot", "--config", str(config), "run"]


async def start_bot(
    config: Path, log_path: Path, settings: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """Start the real bot with only the benchmark's Telegram token in its environment, plus
    `settings` (OUTBOX_BENCH_*: see tests/bench/outbox_bot.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTT_", "OUTBOX_BENCH_"))}
    env.update({"ANTT_TELEGRAM_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1", **(settings or {})})
    with open(log_path, "ab") as log:
        log.write(f"----- start at {time.time():.3f}\n".encode())
        log.flush()
        return await asyncio.create_subprocess_exec(
            *bot_command(config),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )


async def stop_bot(proc: asyncio.subprocess.Process) -> int:
    """SIGTERM, then SIGKILL if it has not stopped in TERM_TIMEOUT_S; returns the exit code."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), TERM_TIMEOUT_S)
        except TimeoutError:
            proc.kill()
    return await proc.wait()


def recovered_rows(log_text: str) -> int:
    """Rows the sender put back in the queue at start-up, from its JSON log lines."""
    total = 0
    for line in log_text.splitlines():
        if '"outbox rows recovered after interruption"' in line and '"count": ' in line:
            total += int(line.split('"count": ', 1)[1].split("}", 1)[0].split(",", 1)[0])
    return total


async def run_limited(
    workload: Workload,
    *,
    kills: int = 1,
    stall_s: float = 30.0,
    seed: int = 1,
    settings: dict[str, str] | None = None,
    progress: Callable[[str], None] = print,
) -> LimitedResult:
    """Drain a pre-filled workload through the real bot process into the capped fake."""

    async def prepare(db_path: Path) -> set[str]:
        await fill(db_path, workload.items)
        texts = ((str(i.payload.get("text", "")), i.chat_id) for i in workload.items)
        return {key for text, chat in texts if (key := ident(text, chat))}

    return await run_bot(
        prepare, kills=kills, stall_s=stall_s, seed=seed, settings=settings, progress=progress
    )


async def run_bot(
    prepare: Prepare,
    *,
    kills: int = 1,
    stall_s: float = 30.0,
    seed: int = 1,
    settings: dict[str, str] | None = None,
    beside: Beside | None = None,
    progress: Callable[[str], None] = print,
) -> LimitedResult:
    """Run the real bot process until every wanted delivery was accepted; see the module."""
    with tempfile.TemporaryDirectory(prefix="antt-bench-outbox-") as tmp:
        folder = Path(tmp)
        db_path, config, log_path = (folder / n for n in ("outbox.sqlite3", "bot.toml", "bot.log"))
        wanted = await prepare(db_path)
        total = len(wanted)
        fake = await CappedBotAPI(TOKEN).start()
        write_config(config, db_path, fake.url)
        limit = load_config(config, {}).telegram.send_rate
        seen: set[str] = set()
        kill_points = [total * (i + 1) // (kills + 1) for i in range(kills)]
        done_kills: list[Kill] = []
        jitter = random.Random(seed)
        stalled = False
        started = time.monotonic()
        proc = await start_bot(config, log_path, settings)
        proc_started = started
        side = asyncio.create_task(beside(fake)) if beside is not None else None
        try:
            looked, last_progress, told = 0, time.monotonic(), time.monotonic()
            while not wanted <= seen:
                await asyncio.sleep(POLL_S)
                now = time.monotonic()
                count = len(fake.accepted)
                if count > looked:
                    fresh = fake.accepted[looked:count]
                    seen.update(k for a in fresh if (k := ident(a.text, a.chat_id)))
                    looked, last_progress = count, now
                if now - told >= PROGRESS_S:
                    told = now
                    progress(f"    {len(seen)}/{total} delivered after {now - started:.0f} s")
                if kill_points and len(seen) >= kill_points[0]:
                    kill_points.pop(0)
                    # A random moment within the next second: as likely between two sends as
                    # right after one (the poll alone would strike soon after an acceptance).
                    await asyncio.sleep(jitter.uniform(0.0, KILL_JITTER_S))
                    kill = Kill(time.monotonic(), len(fake.accepted), proc_started)
                    proc.kill()  # SIGKILL: no handler, no cleanup, like a power cut
                    await proc.wait()
                    kill.claimed = claimed_idents(db_path)
                    done_kills.append(kill)
                    if kills <= 10 or len(done_kills) % 10 == 0:
                        progress(f"    kill {len(done_kills)} after {len(seen)} delivered")
                    await asyncio.sleep(RESTART_AFTER_S)
                    kill.restarted = proc_started = time.monotonic()
                    proc = await start_bot(config, log_path, settings)
                    last_progress = time.monotonic()
                elif proc.returncode is not None:
                    raise SystemExit(f"the bot exited ({proc.returncode}):\n{_tail(log_path)}")
                elif now - last_progress > stall_s:
                    stalled = True
                    progress(f"    no message accepted for {stall_s:.0f} s: stopping")
                    break
            code = await stop_bot(proc)
            if code not in (0, -signal.SIGTERM):
                progress(f"    the bot exited with {code} after SIGTERM:\n{_tail(log_path)}")
        finally:
            if side is not None:
                side.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await side
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await fake.close()
        elapsed = time.monotonic() - started
        log_text = log_path.read_text("utf-8", "replace")
        accepted = list(fake.accepted)
        return LimitedResult(
            messages=total,
            rate_limit=limit,
            accepted=accepted,
            too_many=fake.too_many,
            too_many_overall=fake.too_many_overall,
            too_many_chat=fake.too_many_chat,
            too_many_untagged=sum(1 for text in fake.refused if ident(text, 0) is None),
            statuses=status_counts(db_path),
            elapsed=elapsed,
            kills=done_kills,
            delays=mark_delays(accepted, marks_logged(log_text), id_idents(db_path)),
            recovered=recovered_rows(log_text),
            unknown_calls=dict(fake.unknown),
            cut_off=fake.cut_off,
            stalled=stalled,
        )


def _tail(path: Path, lines: int = 30) -> str:
    """The end of the bot's log, to explain a failure."""
    return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
