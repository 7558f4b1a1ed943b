"""`antt-bot org import` of a province-sized file, and what it does to a running bot.

    python -m tests.bench.orgimport [--rows 100000] [--runs 3] [--rate 50] [--batch-rows N]

A CSV of --rows units is generated once (1 province, one commune per 100 rows, villages for
the rest: 100,000 rows are 1 province, 1,000 communes, 98,999 villages). Each run copies a
fresh database that already holds a small bot (one team, 20 members on the terminal
channel), then, in this process, plays the bot: the real Engine (bot.app.build_services +
Runtime(...).engine.handle(Inbound(...))) handles an update every 1/--rate seconds, members
alternately opening the report wizard (/baocao) and cancelling it (/huy), each a real
transaction on the same SQLite file. Every update's latency is recorded, with failures (an
update the engine could not handle, e.g. "database is locked" after the 5-second busy
timeout).

1. Reference: the load alone for --reference-seconds (default 5), after half a second of
   warm-up that is not measured.
2. Import: the real command line, `python -m bot --config FILE org import org.csv`, in a
   subprocess, timed from start to exit (Python start-up included), with the load going on
   until it exits.

Printed: the import time (median of --runs, range), and the bot's update latency (median,
p99, max, failures) without and during the import, with their ratios. Updates are handled
one at a time, as python-telegram-bot does by default.

Not a test: it prints numbers and asserts nothing (a failed import is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import Runtime, build_services
from bot.channels.console import ConsoleChannel
from bot.core.clock import SystemClock, iso
from bot.core.config import load_config
from bot.core.model import Inbound
from storage import members, units
from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
PROVINCE = "Tỉnh Lạng Sơn"
LOAD_TEAM = "Tỉnh Bench/Xã Tải/Thôn Tải"
MEMBERS = 20


def write_csv(target: Path, rows: int) -> tuple[int, int]:
    """The org file: one province, a commune per 100 rows, villages spread over them."""
    communes = max(1, rows // 100)
    villages = max(0, rows - 1 - communes)
    lines = ["path,kind,households", f"{PROVINCE},province,"]
    per = -(-villages // communes) if villages else 0
    made = 0
    for c in range(communes):
        commune = f"{PROVINCE}/Xã Số {c + 1}"
        lines.append(f"{commune},commune,")
        for v in range(min(per, villages - made)):
            lines.append(f"{commune}/Thôn {v + 1},village,{80 + (made % 170)}")
            made += 1
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return communes, made


async def make_template(target: Path) -> None:
    """A database with the bot's own small world: one team and its members."""
    db = await Database(target).open()
    now = iso(SystemClock().now())
    async with db.transaction() as tx:
        path = ""
        unit_id = 0
        for name, kind in zip(
            LOAD_TEAM.split("/"), ("province", "commune", "village"), strict=True
        ):
            path = f"{path}/{name}" if path else name
            unit_id, _ = await units.upsert(tx, path, kind, None, now)
        for i in range(MEMBERS):
            member_id = await members.create(tx, unit_id, "member", f"Thành viên {i}", "vi", now)
            await members.link_identity(tx, "console", f"u{i}", f"u{i}", member_id, now)
    await db.close()


@dataclass
class Load:
    """The bot's side: latencies (seconds) of the updates it handled, and its failures."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class FailureLog(logging.Handler):
    """The engine logs 'update failed' with the exception; keep its message."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.load: Load | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.load is not None and record.exc_info and record.exc_info[1] is not None:
            self.load.failures.append(str(record.exc_info[1]) or type(record.exc_info[1]).__name__)


async def play_bot(runtime: Runtime, rate: float, until: asyncio.Event, load: Load) -> None:
    """Updates at a fixed pace, one at a time; a late one starts as soon as the last ends."""
    engine = runtime.engine
    step = 1 / rate
    due = time.perf_counter()
    n = 0
    while not until.is_set():
        member = n % MEMBERS
        text = "/baocao" if (n // MEMBERS) % 2 == 0 else "/huy"
        inbound = Inbound(
            channel="console",
            chat_id=f"u{member}",
            user_id=f"u{member}",
            update_key=f"bench-{os.getpid()}-{time.time_ns()}-{n}",
            text=text,
        )
        began = time.perf_counter()
        await engine.handle(inbound)
        load.latencies.append(time.perf_counter() - began)
        n += 1
        due += step
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            due = time.perf_counter()


@dataclass(frozen=True)
class Run:
    seconds: float
    reference: Load
    during: Load
    output: str


async def one_run(
    workdir: Path, template: Path, csv_file: Path, args: argparse.Namespace, failures: FailureLog
) -> Run:
    db_path = workdir / "run.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, db_path)
    config_file = workdir / "config.toml"
    batch = f"\n[org_import]\nbatch_rows = {args.batch_rows}\n" if args.batch_rows else ""
    config_file.write_text(f'[database]\npath = "{db_path}"\n{batch}', encoding="utf-8")
    config = load_config(config_file, {})
    services = await build_services(config, SystemClock(config.bot.timezone), str(db_path))
    runtime = Runtime(services)
    runtime.add_channel(ConsoleChannel(io.StringIO(), files_dir=workdir / "files"))

    warm = asyncio.Event()  # first updates load forms and caches: not measured
    asyncio.get_running_loop().call_later(0.5, warm.set)
    await play_bot(runtime, args.rate, warm, Load())
    reference = Load()
    failures.load = reference
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(args.reference_seconds, stop.set)
    await play_bot(runtime, args.rate, stop, reference)

    during = Load()
    failures.load = during
    stop = asyncio.Event()
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config_file),
        "org",
        "import",
        str(csv_file),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    player = asyncio.create_task(play_bot(runtime, args.rate, stop, during))
    out, err = await process.communicate()
    seconds = time.perf_counter() - began
    stop.set()
    await player
    failures.load = None
    await runtime.stop()
    text = out.decode().strip()
    if process.returncode != 0:
        text = f"exit {process.returncode}: {err.decode().strip()[-500:]}"
    return Run(seconds, reference, during, text)


def stats(load: Load) -> tuple[float, float, float]:
    """Median, p99 and max latency in milliseconds."""
    ordered = sorted(load.latencies)
    if not ordered:
        return (0.0, 0.0, 0.0)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000)


def pooled(loads: list[Load]) -> Load:
    return Load(
        latencies=[x for load in loads for x in load.latencies],
        failures=[f for load in loads for f in load.failures],
    )


def describe(name: str, load: Load) -> str:
    median, p99, worst = stats(load)
    kinds = sorted(set(load.failures))
    failed = f"{len(load.failures)} failed" + (f" ({'; '.join(kinds)[:200]})" if kinds else "")
    return (
        f"  {name:<16} {len(load.latencies):>6} updates   median {median:7.1f} ms   "
        f"p99 {p99:7.1f} ms   max {worst:7.1f} ms   {failed}"
    )


async def bench(args: argparse.Namespace) -> None:
    """Generate the file and the template once, run, print."""
    wall = time.perf_counter()
    failures = FailureLog()
    engine_log = logging.getLogger("bot.core.engine")
    engine_log.setLevel(logging.ERROR)
    engine_log.propagate = False
    engine_log.addHandler(failures)
    print("antt-bot org import benchmark")
    print(
        f"  Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    with tempfile.TemporaryDirectory(prefix="antt-bench-import-") as tmp:
        workdir = Path(tmp)
        csv_file = workdir / "org.csv"
        communes, villages = write_csv(csv_file, args.rows)
        template = workdir / "template.sqlite3"
        await make_template(template)
        size = csv_file.stat().st_size / 1024 / 1024
        print(
            f"  file: {args.rows:,} rows (1 province, {communes:,} communes, {villages:,} "
            f"villages), {size:.1f} MB; batch_rows {args.batch_rows or 'default'}; "
            f"bot load {args.rate:g} updates/s from {MEMBERS} members"
        )
        print()
        runs: list[Run] = []
        for i in range(args.runs):
            run = await one_run(workdir, template, csv_file, args, failures)
            runs.append(run)
            print(
                f"  run {i + 1}: import {run.seconds:.2f} s ({run.output}); "
                f"bot median {stats(run.reference)[0]:.1f} ms alone, "
                f"{stats(run.during)[0]:.1f} ms during"
            )
    times = sorted(r.seconds for r in runs)
    median_time = statistics.median(times)
    print()
    print(
        f"  import: median {median_time:.2f} s over {len(runs)} runs "
        f"({times[0]:.2f}-{times[-1]:.2f} s), {args.rows / median_time:,.0f} rows/s"
    )
    alone = pooled([r.reference for r in runs])
    during = pooled([r.during for r in runs])
    print(describe("bot alone", alone))
    print(describe("during import", during))
    a, d = stats(alone), stats(during)
    if a[0] and a[1]:
        print(f"  ratio during/alone: median {d[0] / a[0]:.2f}x, p99 {d[1] / a[1]:.2f}x")
    print(f"  total wall time {time.perf_counter() - wall:.1f} s")


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.orgimport",
        description="Org import time, and a running bot's update latency during the import.",
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows (default 100000)")
    parser.add_argument("--runs", type=int, default=3, help="import runs (default 3)")
    parser.add_argument("--rate", type=float, default=50.0, help="bot updates/s (default 50)")
    parser.add_argument(
        "--reference-seconds", type=float, default=5.0, help="load alone per run (default 5)"
    )
    parser.add_argument(
        "--batch-rows", type=int, default=0, help="[org_import] batch_rows (default: config's)"
    )
    args = parser.parse_args(argv)
    if args.rows < 2 or args.runs < 1 or args.rate <= 0 or args.reference_seconds <= 0:
        parser.error("need at least 2 rows, 1 run, and positive rate and reference seconds")
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)  # the engine's failures
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
