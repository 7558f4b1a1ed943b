"""The /tally computation on a province-sized database, next to a bare SQL aggregate.

    python -m tests.bench.tally [--runs 5] [--month 2026-10] [--db PATH] [--rebuild] [--explain]

The database (tests/bench/tally_data.py: 5,000 teams, ~15,000 members, a year of reports,
about 5 million rows) is built once and cached; a build runs in a child process, so the
memory figures below are the benchmark's own.

Each run times, on one Database (aiosqlite, the bot's own pragmas and cache size):
  1. the monthly tally of the whole province (bot.tally.compute.compute),
  2. the monthly tally of one commune,
  3. the XLSX export of that commune as the bot sends it: its tally, then
     bot.tally.files.xlsx_bytes (raw reports up to the chat's row limit, workbook bytes),
  4. a bare aggregate over the same rows, through the same connection and Tx:
     SELECT unit_id, kind, COUNT(*) FROM reports WHERE status = 'active'
       AND report_date BETWEEN ? AND ? GROUP BY unit_id, kind
A warm-up run (also filling the OS page cache) comes first and is not counted. The goals are
checked: the province tally under 1 s and within 2x of the bare aggregate.

Peak Python heap (tracemalloc) is taken in one extra, untimed pass of the province tally and of
the XLSX export, so tracing does not slow the timed runs; the process's max RSS is printed
too. SQLite's own page cache lives outside the Python heap and shows only in the RSS.

An untimed profiling pass then times each SQL statement of the province tally (--explain also
prints their query plans), to show where the time goes.

Last (skip with --no-workbook), the province workbook over the 90 days ending with the month,
as `antt-bot tally --format xlsx` builds it, next to the bare province tally of those days
and one commune's file of reports (tests/bench/tally_workbook.py); goal under 30 s.

Not a test: it prints numbers and asserts nothing; a mismatch in the counted rows is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from bot.core.config import Config, load_config
from bot.core.i18n import Texts
from bot.reports.forms import Forms, load_forms
from bot.tally import compute as tally_mod
from bot.tally import files as tally_files
from bot.tally.labels import labels_for
from bot.tally.periods import Period, month_named
from storage import units
from storage.db import Database, Row, SqliteTx
from storage.units import Unit
from tests.bench import tally_workbook
from tests.bench.tally_data import (
    DEFAULT_DB,
    FIRST_DAY,
    LAST_DAY,
    PROVINCE,
    BuildInfo,
    describe,
    row_counts,
    stale_reason,
)

BARE_SQL = """SELECT unit_id, kind, COUNT(*) AS n FROM reports
WHERE status = 'active' AND report_date BETWEEN ? AND ?
GROUP BY unit_id, kind"""
GOAL_SECONDS = 1.0
GOAL_RATIO = 2.0


# ------------------------------------------------------------------ the operations measured


@dataclass
class Setup:
    """Everything the operations share: the open database, config, forms and the two units."""

    db: Database
    config: Config
    forms: Forms
    texts: Texts
    kinds: list[str]
    period: Period
    now: datetime
    province: Unit
    commune: Unit


async def province_tally(s: Setup) -> tally_mod.Tally:
    """The whole province's monthly tally, as /tally computes it."""
    async with s.db.read() as tx:
        return await tally_mod.compute(tx, s.province, s.period, s.config, s.kinds, s.now)


async def commune_tally(s: Setup) -> tally_mod.Tally:
    """One commune's monthly tally."""
    async with s.db.read() as tx:
        return await tally_mod.compute(tx, s.commune, s.period, s.config, s.kinds, s.now)


async def commune_export(s: Setup) -> bytes:
    """The commune's workbook as the bot sends it: its tally, then bot.tally.files.xlsx_bytes.

    That reads the raw reports (up to the chat's row limit) and renders in a worker thread.
    """
    async with s.db.read() as tx:
        result = await tally_mod.compute(tx, s.commune, s.period, s.config, s.kinds, s.now)
    labels = labels_for(s.texts, s.forms, s.config, s.config.bot.locale)
    return await tally_files.xlsx_bytes(
        s.db, result, labels, s.config, s.config.tally.raw_rows_limit
    )


async def bare_aggregate(s: Setup) -> list[Row]:
    """The floor: one GROUP BY over the same month's active reports, same connection and Tx."""
    async with s.db.read() as tx:
        return await tx.fetchall(BARE_SQL, (s.period.start.isoformat(), s.period.end.isoformat()))


# ------------------------------------------------------------------ measuring


@dataclass
class Series:
    """The timed runs of one operation."""

    label: str
    seconds: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


async def timed(fn: Callable[[Setup], Awaitable[Any]], s: Setup) -> tuple[float, Any]:
    """Run one operation once; wall time in seconds and its result."""
    started = time.perf_counter()
    result = await fn(s)
    return time.perf_counter() - started, result


async def traced(fn: Callable[[Setup], Awaitable[Any]], s: Setup) -> tuple[int, float]:
    """Peak Python heap (bytes) of one untimed run, and how long it took while traced."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        started = time.perf_counter()
        await fn(s)
        seconds = time.perf_counter() - started
        return tracemalloc.get_traced_memory()[1], seconds
    finally:
        tracemalloc.stop()


class RecordingTx(SqliteTx):
    """A Tx that times every statement, naming it after the repository function that ran it."""

    def __init__(self, conn: aiosqlite.Connection, kinds: Iterable[str]) -> None:
        super().__init__(conn)
        self.kinds = set(kinds)
        self.statements: list[tuple[str, str, tuple[Any, ...], float, int]] = []

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Run and time the statement, then keep (name, sql, params, seconds, rows)."""
        caller = sys._getframe(1).f_code.co_name
        values = tuple(params)
        kind = next((p for p in values if isinstance(p, str) and p in self.kinds), None)
        name = f"{caller}[{kind}]" if kind and caller.startswith("flagged") else caller
        started = time.perf_counter()
        rows = await super().fetchall(sql, values)
        self.statements.append((name, sql, values, time.perf_counter() - started, len(rows)))
        return rows


async def profile_province(s: Setup, explain: bool) -> list[str]:
    """Per-statement times of one untimed province tally (and their plans with --explain)."""
    lines = []
    async with s.db.read():
        tx = RecordingTx(s.db.conn, s.kinds)
        started = time.perf_counter()
        await tally_mod.compute(tx, s.province, s.period, s.config, s.kinds, s.now)
        total = time.perf_counter() - started
        sql_total = sum(st[3] for st in tx.statements)
        lines.append(
            f"  where the province tally's time goes (one untimed run, {total:.3f} s; "
            f"SQL {sql_total:.3f} s, Python {total - sql_total:.3f} s):"
        )
        for name, sql, values, seconds, rows in tx.statements:
            lines.append(f"    {name:<36} {seconds:>7.3f} s  {rows:>6} rows")
            if explain:
                async with s.db.conn.execute("EXPLAIN QUERY PLAN " + sql, values) as cur:
                    plan = list(await cur.fetchall())
                for row in plan:
                    lines.append(f"        {'  ' * _depth(plan, row)}{row[3]}")
        if explain:
            async with s.db.conn.execute(
                "EXPLAIN QUERY PLAN " + BARE_SQL,
                (s.period.start.isoformat(), s.period.end.isoformat()),
            ) as cur:
                plan = list(await cur.fetchall())
            lines.append("    bare aggregate")
            lines.extend(f"        {'  ' * _depth(plan, row)}{row[3]}" for row in plan)
    return lines


def _depth(plan: list[Any], row: Any) -> int:
    """Nesting depth of one EXPLAIN QUERY PLAN row (rows are id, parent, notused, detail)."""
    parents = {r[0]: r[1] for r in plan}
    depth, parent = 0, row[1]
    while parent:
        depth += 1
        parent = parents.get(parent, 0)
    return depth


# ------------------------------------------------------------------ report


def maxrss_mib() -> float:
    """The process's peak resident set so far, in MiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def mib(n: int) -> str:
    """Bytes as MiB with one decimal."""
    return f"{n / (1024 * 1024):.1f} MiB"


def met(ok: bool) -> str:
    """How a goal reads in the table."""
    return "met" if ok else "NOT MET"


async def pick_commune(db: Database) -> Unit:
    """The first commune of the province by path: a stable choice across builds."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT id, parent_id, name, kind, path, households, created_at FROM units"
            " WHERE kind = 'commune' ORDER BY path LIMIT 1"
        )
    if row is None:
        raise SystemExit("no commune in the benchmark database")
    return Unit.from_row(row)


async def bench(
    db_path: Path,
    info: BuildInfo,
    runs: int,
    month: tuple[int, int],
    explain: bool,
    workbook: bool = True,
) -> None:
    """Open the database, time every operation `runs` times after a warm-up, print the table."""
    rss_start = maxrss_mib()
    wall = time.perf_counter()
    config = load_config(None)
    forms = load_forms(config.reports.forms_file or None)
    kinds = [c.key for c in forms.categories]
    period = month_named(*month, starts_on=config.tally.month_starts_on)
    zone = ZoneInfo(config.bot.timezone)
    # The morning after the period: every report deadline of the month has passed.
    now = datetime.combine(period.end + timedelta(days=1), dtime(8, 0), tzinfo=zone)
    db = await Database(db_path).open()
    try:
        async with db.read() as tx:
            province = await units.get_by_path(tx, PROVINCE)
            teams_of = await tx.fetchall(
                "SELECT parent_id, COUNT(*) AS n FROM units WHERE kind = 'village'"
                " GROUP BY parent_id"
            )
        if province is None:
            raise SystemExit(f"no unit {PROVINCE!r} in {db_path}")
        commune = await pick_commune(db)
        teams = {int(r["parent_id"]): int(r["n"]) for r in teams_of}
        s = Setup(db, config, forms, Texts.load(), kinds, period, now, province, commune)

        print("antt-bot tally benchmark")
        print(
            f"  Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} "
            f"(aiosqlite {aiosqlite.__version__}), {os.cpu_count()} CPUs, {platform.machine()}, "
            f"load average {os.getloadavg()[0]:.2f} at start"
        )
        for line in describe(info):
            print("  " + line)
        print(
            f"  period {period.label('en')} [{period.code}], now {now.isoformat()}; "
            f"province {sum(teams.values())} teams, commune {commune.name} "
            f"({teams.get(commune.id, 0)} teams)"
        )
        if not (period.start >= FIRST_DAY and period.end <= LAST_DAY):
            print(f"  note: the data covers {FIRST_DAY} .. {LAST_DAY} only")
        print(
            f"  {runs} timed runs after 1 warm-up run (warm-up not counted; it also warms "
            f"the OS page cache)"
        )
        print()

        series = [
            Series("province tally", []),
            Series("commune tally", []),
            Series("commune XLSX export", []),
            Series("bare SQL aggregate", []),
        ]
        ops = (province_tally, commune_tally, commune_export, bare_aggregate)
        for run in range(runs + 1):
            for item, op in zip(series, ops, strict=True):
                seconds, result = await timed(op, s)
                item.result = result
                if run:
                    item.seconds.append(seconds)
        rss_timed = maxrss_mib()

        prov, comm, xlsx, bare = (x.result for x in series)
        bare_total = sum(int(r["n"]) for r in bare)
        limit = config.tally.raw_rows_limit
        async with db.read() as tx:
            raw, cut = await tally_files.raw_reports(tx, comm, config, limit)
        details = [
            f"{prov.root.figures.reports:,} reports, {len(prov.teams)} teams",
            f"{comm.root.figures.reports:,} reports, {len(comm.teams)} teams",
            f"{len(raw):,} raw rows{' (cut)' if cut else ''}, {len(xlsx) / 1024:.0f} KiB xlsx",
            f"{bare_total:,} reports in {len(bare):,} groups",
        ]
        print(f"  {'operation':<30} {'median':>8} {'min':>8} {'max':>8}   counted")
        for item, detail in zip(series, details, strict=True):
            print(
                f"  {item.label:<30} {item.median:>7.3f}s {min(item.seconds):>7.3f}s "
                f"{max(item.seconds):>7.3f}s   {detail}"
            )
        print()
        tally_s = series[0].median
        ratio = tally_s / series[3].median
        print(
            f"  province tally median {tally_s:.3f} s   goal < {GOAL_SECONDS:.0f} s: "
            f"{met(tally_s < GOAL_SECONDS)}"
        )
        print(
            f"  ratio province tally / bare aggregate {ratio:.2f}x   goal <= {GOAL_RATIO:.0f}x: "
            f"{met(ratio <= GOAL_RATIO)}"
        )
        same = prov.root.figures.reports == bare_total
        print(
            f"  reports in the month: tally {prov.root.figures.reports:,}, bare aggregate "
            f"{bare_total:,} -> {'equal' if same else 'DIFFERENT'}"
        )

        print()
        print("  peak memory (one extra untimed pass each, tracemalloc):")
        traced_ops = (("province tally", province_tally), ("commune XLSX export", commune_export))
        for label, op in traced_ops:
            peak, seconds = await traced(op, s)
            print(f"    {label:<30} Python heap peak {mib(peak):>10} ({seconds:.2f} s traced)")
        print(
            f"    process max RSS {rss_timed:.0f} MiB after the timed runs, {maxrss_mib():.0f} "
            f"MiB after the traced ones; {rss_start:.0f} MiB before opening the database"
        )
        print()
        for line in await profile_province(s, explain):
            print(line)
        if workbook:
            print()
            for line in await tally_workbook.measure(s, runs):
                print(line)
        print(f"  total wall time {time.perf_counter() - wall:.1f} s")
    finally:
        await db.close()


def obtain_database(path: Path, rebuild: bool) -> BuildInfo:
    """The cached database, or a fresh build in a child process (its memory is not ours)."""
    reason = "--rebuild" if rebuild else stale_reason(path)
    if reason is None:
        return BuildInfo(path, False, "cached", 0.0, row_counts(path), path.stat().st_size)
    print(f"building {path} ({reason}); about a minute...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tests.bench.tally_data", "--db", str(path), "--rebuild"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    return BuildInfo(path, True, reason, seconds, row_counts(path), path.stat().st_size)


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError("expected YYYY-MM, e.g. 2026-10")
    return int(match.group(1)), int(match.group(2))


def main(argv: list[str] | None = None) -> None:
    """Parse options, make sure the database exists, run the benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.tally",
        description="The /tally computation on a province-sized database vs. a bare aggregate.",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help=f"database file, built and cached when missing (default {DEFAULT_DB})",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--month",
        type=_month,
        default=(2026, 10),
        help="reporting month to tally, YYYY-MM (default 2026-10)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN QUERY PLAN of every statement of the province tally",
    )
    parser.add_argument(
        "--no-workbook",
        action="store_true",
        help="skip the province workbook over 90 days (tests/bench/tally_workbook.py)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("need at least 1 run")
    info = obtain_database(args.db, args.rebuild)
    asyncio.run(bench(args.db, info, args.runs, args.month, args.explain, not args.no_workbook))


if __name__ == "__main__":
    main()
