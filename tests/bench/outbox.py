"""The durable outbox, measured: pipeline capacity, the default pace under Telegram's caps,
what a kill -9 does to it, and how long a delivered message stays unmarked.

    python -m tests.bench.outbox [--messages 20000] [--chats N] [--runs 5] [--skip-limited]
        [--kills 1] [--crash-runs 2] [--bursts 8] [--crash-kills 0] [--fsync-ms 0]

1. Capacity. In-process: the real OutboxSender and TelegramChannel (python-telegram-bot with
   rate_limit=False) over `FastBotRequest`, an in-memory Bot API transport, with no pace
   (SendPolicy(rate=None, per_chat=None), max_in_flight from [outbox]). Each run fills a
   fresh temporary SQLite database with --messages pending rows, then times drain_once()
   until every row is sent. In the same run, the same sendMessage calls (same texts and
   buttons) go straight through the same PTB Bot and transport with the same number in
   flight and no database: the ratio of the two rates is the outbox's own cost.
2. Default pace under the caps, with a kill -9 (tests/bench/outbox_kill.py): the real bot
   process at [telegram] send_rate = 25/s and 1/s per chat against a loopback fake that
   answers 429 to more than 30 messages in any second or two messages to a chat less than a
   second apart; killed with SIGKILL when half the messages have been accepted (--kills N:
   N times, evenly spaced), restarted a second later. Goals: at least 95% of the configured
   rate, no 429, no duplicate, no loss.
   At 25/s, 20,000 messages take about 14 minutes; `--messages 2000` is a quick run.
   Each kill is examined (rows left delivered but unmarked), and every message's time from
   acceptance to mark is printed (tests/bench/outbox_window.py).
3. The duplicate window (tests/bench/outbox_crash.py): announcement bursts to 60 members
   while others write to the bot, drained by the real bot process as shipped and with the
   database as it was before (the reference), alternating --crash-runs times; optionally
   killed --crash-kills times per run at random moments, on an emulated slow disk
   (--fsync-ms). About 2 minutes by default.

Not a test: it prints numbers and asserts nothing (a lost or unsent row is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
import telegram
from telegram import Bot, InlineKeyboardMarkup

from bot.app import Runtime, build_services
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_messages import keyboard
from bot.core.config import load_config
from bot.core.model import Outbound
from bot.outbox.sender import SendPolicy
from tests.bench.outbox_burst import Bursts
from tests.bench.outbox_crash import crash_phase, crash_summary
from tests.bench.outbox_data import TOKEN, Workload, fill, make_workload, status_counts
from tests.bench.outbox_data import write_config as write_bench_config
from tests.bench.outbox_fake import FastBotRequest
from tests.bench.outbox_kill import run_limited
from tests.bench.outbox_result import LimitedResult
from tests.bench.outbox_slowsync import slow_sync_env
from tests.bench.outbox_window import describe

GOAL_SHARE = 0.95


@dataclass(frozen=True)
class Capacity:
    """One capacity run: the outbox and the bare PTB reference, on the same calls."""

    messages: int
    outbox_s: float
    bare_s: float

    @property
    def outbox_rate(self) -> float:
        """Messages per second through the whole outbox."""
        return self.messages / self.outbox_s

    @property
    def bare_rate(self) -> float:
        """Messages per second through PTB and the transport alone."""
        return self.messages / self.bare_s


async def bare_sends(
    bot: Bot, calls: list[tuple[int, str, InlineKeyboardMarkup | None]], in_flight: int
) -> float:
    """The reference: every sendMessage straight through the Bot, `in_flight` at a time, as the
    sender starts them (a task per message once a slot is free); returns the seconds taken."""
    slots = asyncio.Semaphore(in_flight)
    tasks: set[asyncio.Task[object]] = set()

    def release(task: asyncio.Task[object]) -> None:
        """Free the slot and forget the task."""
        tasks.discard(task)
        slots.release()

    started = time.perf_counter()
    for chat_id, text, markup in calls:
        await slots.acquire()
        send = bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        task: asyncio.Task[object] = asyncio.create_task(send)
        tasks.add(task)
        task.add_done_callback(release)
    while tasks:
        await asyncio.wait(list(tasks))
    return time.perf_counter() - started


async def capacity_run(workload: Workload) -> Capacity:
    """Fill a fresh database, drain it through the real sender, then time the reference."""
    items = workload.items
    with tempfile.TemporaryDirectory(prefix="antt-bench-outbox-") as tmp:
        db_path, config_path = Path(tmp) / "outbox.sqlite3", Path(tmp) / "bot.toml"
        write_bench_config(config_path, db_path, "http://127.0.0.1:9")  # never contacted
        config = load_config(config_path, {"ANTT_TELEGRAM_TOKEN": TOKEN})
        await fill(db_path, items)
        services = await build_services(config)
        runtime = Runtime(services)
        fake = FastBotRequest()
        channel = TelegramChannel(
            config, runtime.engine, request=fake, updates_request=fake, rate_limit=False
        )
        in_flight = config.outbox.max_in_flight
        policy = SendPolicy(rate=None, per_chat=None, max_in_flight=in_flight)
        sender = runtime.add_channel(channel, policy)
        app = channel.application
        await app.initialize()
        try:
            gc.collect()
            started = time.perf_counter()
            sent = await sender.drain_once()
            outbox_s = time.perf_counter() - started
            statuses = status_counts(db_path)
            texts = set(fake.texts)
            if sent != len(items) or statuses != {"sent": len(items)} or len(texts) != len(items):
                raise SystemExit(
                    f"capacity: {sent} sent of {len(items)}, statuses {statuses}, "
                    f"{len(fake.texts)} sendMessage calls for {len(texts)} distinct texts"
                )
            calls = []
            for item in items:
                message = Outbound.from_payload(item.payload)
                calls.append((int(item.chat_id), message.text, keyboard(message)))
            fake.texts.clear()
            gc.collect()
            bare_s = await bare_sends(app.bot, calls, in_flight)
            if len(fake.texts) != len(items):
                raise SystemExit(f"reference: {len(fake.texts)} calls for {len(items)}")
            return Capacity(len(items), outbox_s, bare_s)
        finally:
            await app.shutdown()
            await runtime.stop()


def spread(values: list[float]) -> str:
    """'median (min–max)' of a list of rates."""
    return f"{statistics.median(values):.0f} msgs/s ({min(values):.0f}-{max(values):.0f})"


async def capacity_phase(workload: Workload, runs: int) -> list[Capacity]:
    """Run and print the capacity measurement `runs` times."""
    print("  1. capacity: no pace, in-process transport (max_in_flight from [outbox])")
    print(f"  {'run':>5} {'outbox s':>9} {'outbox/s':>9} {'bare s':>8} {'bare/s':>8} {'ratio':>6}")
    results = []
    for run in range(1, runs + 1):
        r = await capacity_run(workload)
        results.append(r)
        print(
            f"  {run:>5} {r.outbox_s:>9.2f} {r.outbox_rate:>9.0f} {r.bare_s:>8.2f} "
            f"{r.bare_rate:>8.0f} {r.outbox_rate / r.bare_rate:>6.2f}",
            flush=True,
        )
    print()
    return results


def limited_report(r: LimitedResult) -> list[str]:
    """The lines describing the capped run (kill, pace, 429s, duplicates, losses)."""
    per_s = sorted(r.per_second())
    lines = [
        f"    accepted {len(r.accepted)} sendMessage for {r.messages} rows in {r.elapsed:.1f} s "
        f"(elapsed, bot start to last acceptance and stop)",
    ]
    gaps = [end - start for start, end in r.gaps()]
    if len(r.kills) == 1 and gaps:
        lines.append(
            f"    SIGKILL after {r.kills[0].accepted} accepted; the restarted bot's first "
            f"acceptance {gaps[0]:.2f} s after the kill"
        )
    elif gaps:
        lines.append(
            f"    {len(r.kills)} SIGKILLs; the restarted bot's first acceptance a median "
            f"{statistics.median(gaps):.2f} s after each (max {max(gaps):.2f} s)"
        )
    if r.kills:
        lines.append(
            f"    claimed rows put back in the queue at restarts: {r.recovered}; requests cut "
            f"off mid-way by a kill: {r.cut_off}"
        )
        lines += kill_report(r)
    lines += [
        f"    per message, fake accepted -> mark committed: {describe(r.delays.accepted_ms)}",
        f"    per message, answer written -> mark committed: {describe(r.delays.answered_ms)}",
    ]
    if per_s:
        lines.append(
            f"    accepted per whole second: min {per_s[0]}, 10th percentile "
            f"{per_s[len(per_s) // 10]}, median {statistics.median(per_s):.0f}, max {per_s[-1]}; "
            f"busiest sliding second {r.busiest_window()}; closest two in one chat "
            f"{r.closest_in_chat() or 0:.3f} s"
        )
    lines.append(
        f"    429 answered {r.too_many} (overall cap {r.too_many_overall}, per chat "
        f"{r.too_many_chat}); outbox statuses {dict(sorted(r.statuses.items()))}"
    )
    if r.unknown_calls:
        lines.append(f"    unexpected Bot API calls: {r.unknown_calls}")
    if r.stalled:
        lines.append("    the run stopped on a stall: see the lost count")
    return lines


def kill_report(r: LimitedResult) -> list[str]:
    """Per kill: rows left claimed but unmarked, which of them the fake had accepted (the
    duplicates), how long before the kill, and whether their answer had left the fake."""
    per_kill = r.duplicates()
    dups = [d for found in per_kill for d in found]
    counts = [len(found) for found in per_kill]
    claimed = [len(k.claimed) for k in r.kills]
    lines = [
        f"    per kill: rows claimed but not marked mean {statistics.mean(claimed):.1f} "
        f"(max {max(claimed)}); of them accepted by the fake (the duplicates) mean "
        f"{statistics.mean(counts):.2f} (max {max(counts)}), {sum(counts)} in all"
    ]
    if dups:
        ms = sorted(d.before_kill_ms for d in dups)
        held = sum(1 for d in dups if d.answered_before_kill)
        shown = ", ".join(f"{v:.1f}" for v in ms[:40]) + (" ..." if len(ms) > 40 else "")
        lines.append(
            f"    duplicates accepted this long before the kill (ms): median "
            f"{statistics.median(ms):.1f}, max {ms[-1]:.1f}: {shown}"
        )
        lines.append(
            f"    of them, answer already out of the fake at the kill (the bot held it, "
            f"unmarked): {held}; answer still on the wire: {len(dups) - held}"
        )
    return lines


def summary(
    caps: list[Capacity], limited: LimitedResult | None, crash: list[tuple[str, str, str]]
) -> list[str]:
    """The final table: each figure, what was measured, and its goal where it has one."""
    rows: list[tuple[str, str, str]] = []
    if caps:
        outbox = [c.outbox_rate for c in caps]
        bare = [c.bare_rate for c in caps]
        ratio = statistics.median(outbox) / statistics.median(bare)
        ms = 1000 / statistics.median(outbox) - 1000 / statistics.median(bare)
        rows += [
            ("capacity: outbox, median (min-max)", spread(outbox), ""),
            ("capacity: bare PTB + transport, same calls", spread(bare), ""),
            ("capacity: ratio outbox / bare", f"{ratio:.2f}", f"(+{ms:.2f} ms per message)"),
        ]
    if limited is not None:
        r = limited
        share = r.rate / r.rate_limit
        verdict = "met" if share >= GOAL_SHARE else "NOT met"
        rows += [
            ("default pace: achieved rate", f"{r.rate:.2f} msgs/s", f"limit {r.rate_limit:g}/s"),
            ("default pace: share of the limit", f"{share:.1%}", f">= {GOAL_SHARE:.0%}: {verdict}"),
            (
                "steady pace (10th to 90th percentile msg)",
                f"{r.steady_rate():.2f} msgs/s",
                f"{r.steady_rate() / r.rate_limit:.1%} of the limit",
            ),
            ("429 answers", str(r.too_many), "0"),
            ("duplicates (texts accepted twice or more)", str(r.duplicated), "0"),
            ("lost (rows never accepted)", str(r.lost), "0"),
            ("outbox rows still queued at the end", str(r.unfinished), "0"),
            ("active sending time / elapsed", f"{r.active:.1f} s / {r.elapsed:.1f} s", ""),
        ]
    rows += crash
    wide = max(len(label) for label, _, _ in rows) if rows else 0
    value = max(len(measured) for _, measured, _ in rows) if rows else 0
    lines = [f"  {'figure':<{wide}}  {'measured':>{value}}  goal"]
    lines += [f"  {a:<{wide}}  {b:>{value}}  {c}".rstrip() for a, b, c in rows]
    return lines


async def bench(args: argparse.Namespace) -> None:
    """Print the header, run the phases asked for, print the summary."""
    wall = time.perf_counter()
    workload = make_workload(args.messages, args.chats or max(1, args.messages // 4))
    print("antt-bot outbox benchmark")
    print(
        f"  Python {platform.python_version()} ({platform.python_implementation()}), "
        f"python-telegram-bot {telegram.__version__}, SQLite {sqlite3.sqlite_version} "
        f"(aiosqlite {aiosqlite.__version__}), {os.cpu_count()} CPUs, {platform.machine()}"
    )
    if args.runs or not args.skip_limited:
        print(f"  workload: {workload.describe()}")
    print()
    caps = await capacity_phase(workload, args.runs) if args.runs else []
    limited = None
    if not args.skip_limited:
        print(
            f"  2. default pace: real bot process, capped fake on loopback, {args.kills} "
            f"kill -9 (evenly spaced; 1 = half-way)"
        )
        limited = await run_limited(workload, kills=args.kills, stall_s=args.stall)
        for line in limited_report(limited):
            print(line)
        print()
    crash = []
    if args.crash_runs:
        shape = Bursts(args.bursts, inbound=args.inbound)
        slow = f"; every fsync {args.fsync_ms:g} ms slower" if args.fsync_ms else ""
        print(
            f"  3. duplicate window, shipped vs reference, {args.crash_runs} runs each: "
            f"{shape.describe()}; {args.crash_kills} kill -9 per run{slow}"
        )
        with tempfile.TemporaryDirectory(prefix="antt-bench-sync-") as tmp:
            env = slow_sync_env(args.fsync_ms, Path(tmp)) if args.fsync_ms else {}
            found = await crash_phase(shape, args.crash_runs, args.crash_kills, args.stall, env)
        crash = crash_summary(found)
        print()
    for line in summary(caps, limited, crash):
        print(line)
    print(f"  total wall time {time.perf_counter() - wall:.1f} s")


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.outbox",
        description="Outbox capacity, default pace against Telegram's caps, and a kill -9.",
    )
    parser.add_argument("--messages", type=int, default=20000, help="rows (default 20000)")
    parser.add_argument("--chats", type=int, default=0, help="chats (default messages / 4)")
    parser.add_argument("--runs", type=int, default=5, help="capacity runs; 0 skips (default 5)")
    parser.add_argument("--skip-limited", action="store_true", help="only the capacity phase")
    parser.add_argument(
        "--kills", type=int, default=1, help="kill -9 this many times, evenly spaced (default 1)"
    )
    parser.add_argument(
        "--stall", type=float, default=30.0, help="stop after this many seconds without progress"
    )
    parser.add_argument(
        "--crash-runs", type=int, default=2, help="phase 3 runs per mode; 0 skips (default 2)"
    )
    parser.add_argument(
        "--bursts", type=int, default=8, help="phase 3 announcements of 60 per run (default 8)"
    )
    parser.add_argument(
        "--crash-kills", type=int, default=0, help="phase 3 kill -9 per run (default 0)"
    )
    parser.add_argument(
        "--inbound", type=float, default=2.0, help="phase 3 updates/s from members (default 2)"
    )
    parser.add_argument(
        "--fsync-ms",
        type=float,
        default=0.0,
        help="phase 3: every fsync of the bot takes this much longer, a slow disk (default 0)",
    )
    args = parser.parse_args(argv)
    counts = (args.runs, args.chats, args.kills, args.crash_runs, args.crash_kills, args.fsync_ms)
    if args.messages < 10 or min(counts) < 0 or args.bursts < 1 or args.inbound <= 0:
        parser.error("need at least 10 messages, and no negative counts")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
