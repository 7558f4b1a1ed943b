"""The outbox at its default pace against a fake that enforces Telegram's caps, with a kill -9.

The real bot process (`antt-bot --config FILE run`, ANTT_TELEGRAM_TOKEN only) drains a
pre-filled SQLite outbox into `CappedBotAPI` on loopback. A watcher task, which knows nothing
about individual sends, polls the fake's count every `POLL_S` seconds; once half the messages
have been accepted (or at each of `kills` evenly spaced counts) it kills the process with
SIGKILL at a random moment within the next `KILL_JITTER_S` seconds (so the kill is as likely
to fall between two sends as just after one), waits a second and starts it again.
When every row has been accepted, or nothing was accepted for `stall_s` seconds, the process
gets SIGTERM and the figures are taken from the fake's record and from the SQLite file.
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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import load_config
from tests.bench.outbox_data import TOKEN, Workload, fill, key_of, status_counts, write_config
from tests.bench.outbox_fake import Accepted, CappedBotAPI

POLL_S = 0.02  # how often the watcher looks at the fake's count
KILL_JITTER_S = 1.0  # the kill comes at a random moment this long after the count is reached
RESTART_AFTER_S = 1.0  # pause between the kill and the new start
TERM_TIMEOUT_S = 30.0
PROGRESS_S = 30.0


@dataclass
class LimitedResult:
    """What the capped run measured; rates are over the active sending time."""

    messages: int
    rate_limit: float
    accepted: list[Accepted]
    too_many: int
    too_many_overall: int
    too_many_chat: int
    statuses: dict[str, int]
    elapsed: float
    kills: list[tuple[float, int]] = field(default_factory=list)  # (monotonic, accepted)
    recovered: int = 0  # rows the restarted senders put back in the queue (their logs)
    unknown_calls: dict[str, int] = field(default_factory=dict)
    cut_off: int = 0  # requests a kill interrupted before the fake had read them
    stalled: bool = False

    @property
    def keys(self) -> Counter[str]:
        """Accepted deliveries per dedupe key."""
        return Counter(key_of(a.text) or "?" for a in self.accepted)

    @property
    def duplicated(self) -> int:
        """Texts accepted more than once."""
        return sum(1 for n in self.keys.values() if n > 1)

    @property
    def extra(self) -> int:
        """Deliveries beyond the first of each text."""
        return sum(n - 1 for n in self.keys.values() if n > 1)

    @property
    def lost(self) -> int:
        """Rows never accepted."""
        return self.messages - len(self.keys)

    def gaps(self) -> list[tuple[float, float]]:
        """Each kill to the restarted process's first accepted message, as (start, end)."""
        found = []
        for killed_at, _ in self.kills:
            after = next((a.at for a in self.accepted if a.at > killed_at), None)
            if after is not None:
                found.append((killed_at, after))
        return found

    def spans(self) -> list[tuple[float, float]]:
        """The stretches of active sending: first to last acceptance, minus the kill gaps."""
        if not self.accepted:
            return []
        start, spans = self.accepted[0].at, []
        for gap_start, gap_end in self.gaps():
            spans.append((start, gap_start))
            start = gap_end
        return [*spans, (start, self.accepted[-1].at)]

    @property
    def active(self) -> float:
        """Sending time: first to last acceptance, without the kill-to-first-acceptance gaps."""
        return sum(end - start for start, end in self.spans())

    @property
    def rate(self) -> float:
        """Accepted messages per active second."""
        return len(self.accepted) / self.active if self.active else 0.0

    def steady_rate(self) -> float:
        """The rate between the 10th and the 90th percentile acceptance (kill gaps left out):
        the pace itself, without the start and the per-chat-limited end of the queue."""
        n = len(self.accepted)
        first, last = self.accepted[n // 10].at, self.accepted[n * 9 // 10].at
        paused = sum(b - a for a, b in self.gaps() if first <= a and b <= last)
        seconds = last - first - paused
        return (n * 9 // 10 - n // 10) / seconds if seconds > 0 else 0.0

    def per_second(self) -> list[int]:
        """Acceptances in each whole second of active sending (the kill gaps left out)."""
        counts: list[int] = []
        for start, end in self.spans():
            bins = [0] * (int(end - start) + 1)
            for a in self.accepted:
                if start <= a.at <= end:
                    bins[int(a.at - start)] += 1
            counts += bins[:-1]  # the last, partial second would look slow
        return counts

    def busiest_window(self) -> int:
        """Most acceptances in any sliding window of one second."""
        times = [a.at for a in self.accepted]
        best, first = 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - 1.0:
                first += 1
            best = max(best, last - first + 1)
        return best

    def closest_in_chat(self) -> float | None:
        """The shortest time between two acceptances in one chat."""
        last: dict[int, float] = {}
        best: float | None = None
        for a in self.accepted:
            if a.chat_id in last:
                gap = a.at - last[a.chat_id]
                best = gap if best is None else min(best, gap)
            last[a.chat_id] = a.at
        return best


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: SIGTERM the bot if the benchmark dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def bot_command(config: Path) -> list[str]:
    """`antt-bot --config FILE run` from this interpreter's environment."""
    script = Path(sys.executable).parent / "antt-bot"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    return [*head, "--config", str(config), "run"]


async def start_bot(config: Path, log_path: Path) -> asyncio.subprocess.Process:
    """Start the real bot with only the benchmark's Telegram token in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}
    env.update({"ANTT_TELEGRAM_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"})
    with open(log_path, "ab") as log:
        log.write(f"----- start at {time.time():.3f}\n".encode())
        log.flush()
        return await asyncio.create_subprocess_exec(
            *bot_command(config),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
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
    progress: Callable[[str], None] = print,
) -> LimitedResult:
    """Drain the workload through the real bot process into the capped fake; see the module."""
    items = workload.items
    total = len(items)
    with tempfile.TemporaryDirectory(prefix="antt-bench-outbox-") as tmp:
        folder = Path(tmp)
        db_path, config, log_path = (folder / n for n in ("outbox.sqlite3", "bot.toml", "bot.log"))
        await fill(db_path, items)
        fake = await CappedBotAPI(TOKEN).start()
        write_config(config, db_path, fake.url)
        limit = load_config(config, {}).telegram.send_rate
        wanted = {item.dedupe_key for item in items}
        seen: set[str] = set()
        kill_points = [total * (i + 1) // (kills + 1) for i in range(kills)]
        done_kills: list[tuple[float, int]] = []
        jitter = random.Random(seed)
        stalled = False
        started = time.monotonic()
        proc = await start_bot(config, log_path)
        try:
            looked, last_progress, told = 0, time.monotonic(), time.monotonic()
            while seen != wanted:
                await asyncio.sleep(POLL_S)
                now = time.monotonic()
                count = len(fake.accepted)
                if count > looked:
                    seen.update(key_of(a.text) or "?" for a in fake.accepted[looked:count])
                    looked, last_progress = count, now
                if now - told >= PROGRESS_S:
                    told = now
                    progress(f"    {count}/{total} accepted after {now - started:.0f} s")
                if kill_points and count >= kill_points[0]:
                    kill_points.pop(0)
                    # A random moment within the next second: as likely between two sends as
                    # right after one (the poll alone would strike soon after an acceptance).
                    await asyncio.sleep(jitter.uniform(0.0, KILL_JITTER_S))
                    proc.kill()  # SIGKILL: no handler, no cleanup, like a power cut
                    done_kills.append((time.monotonic(), len(fake.accepted)))
                    await proc.wait()
                    progress(f"    killed with SIGKILL after {done_kills[-1][1]} accepted messages")
                    await asyncio.sleep(RESTART_AFTER_S)
                    proc = await start_bot(config, log_path)
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
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await fake.close()
        elapsed = time.monotonic() - started
        return LimitedResult(
            messages=total,
            rate_limit=limit,
            accepted=list(fake.accepted),
            too_many=fake.too_many,
            too_many_overall=fake.too_many_overall,
            too_many_chat=fake.too_many_chat,
            statuses=status_counts(db_path),
            elapsed=elapsed,
            kills=done_kills,
            recovered=recovered_rows(log_path.read_text("utf-8", "replace")),
            unknown_calls=dict(fake.unknown),
            cut_off=fake.cut_off,
            stalled=stalled,
        )


def _tail(path: Path, lines: int = 30) -> str:
    """The end of the bot's log, to explain a failure."""
    return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:])
