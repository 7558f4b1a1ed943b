"""The national tallies on a national database, next to bare aggregates, and a reminder wave.

    python -m tests.bench.national [--runs 5] [--db PATH] [--rebuild] [--explain] [--pg URL]
        [--wave-members 20000] [--no-wave]

The database (tests/bench/national_data.py: 34 provinces, 3,321 communes, 86,000 teams,
276,000 members, 2026-09-01 .. 2026-11-30) is built once and cached, in a child process.

First the communes' lines of the month are computed and kept where missing (all of them
the first time: what the bot's refill job does once a month has closed; bot/tally/snapshots.py).
Then each run times, on one Database (aiosqlite, the bot's pragmas):
  1. the monthly tally of the whole country (2026-10; a supervisor at the root "Toàn quốc")
     as /thongke makes it: the communes' kept lines added up, and its message,
  2. the same month counting and judging every team (the CSV's and the web's way), for reference,
  2b. the month still running (2026-11, seen on 30 November at 09:00) as /thongke makes it:
     up to its last closed day (29 November), from the communes' lines of those days, and
     the same month as it stands counting every team (what /thongke did before),
  3. the phase tally of one province (the three months 2026-09-01 .. 2026-11-30),
  4. the XLSX of one commune for the month, as the bot sends it,
  5. the bare references: SELECT unit_id, kind, COUNT(*) ... GROUP BY unit_id, kind over the
     month's reports of the country and over the province's reports of the phase.
A warm-up run comes first and is not counted; medians are printed with the goal (< 2 s).
No result outlives its operation and the collector runs (untimed) before each one, as in a
bot, which drops a tally once shown: a country's tally counting every team is a million
objects, and holding the last one made the next operations' collections walk them.
An untimed profiling pass shows where counting every team's time goes (--explain: plans).
With --pg URL the same operations run on a PostgreSQL copy of the database (made with
`antt-bot db copy --from data/bench/national.sqlite3 --to URL --in-chunks`), without the
profile, which reads SQLite's statements.

Then the reminder wave (tests/bench/national_wave.py; --no-wave skips it).

Not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.config import load_config
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally import compute as tally_mod
from bot.tally import snapshots
from bot.tally.periods import month_named, span
from bot.tally.prepared import levels_limit, prepare
from storage import units
from storage.db import Database, Row
from storage.stores import open_store
from tests.bench import national_wave
from tests.bench.national_data import DEFAULT_DB, FIRST_DAY, LAST_DAY, NATION, Built
from tests.bench.tally import RecordingTx, Series, Setup, _depth, commune_export, maxrss_mib, met

GOAL_SECONDS = 2.0
BARE_SQL = """SELECT r.unit_id, r.kind, COUNT(*) AS n FROM reports r
WHERE r.status = 'active' AND r.report_date BETWEEN ? AND ?
GROUP BY r.unit_id, r.kind"""
BARE_PROVINCE_SQL = """SELECT r.unit_id, r.kind, COUNT(*) AS n
FROM units u JOIN reports r ON r.unit_id = u.id
WHERE u.path >= ? AND u.path < ? AND r.status = 'active' AND r.report_date BETWEEN ? AND ?
GROUP BY r.unit_id, r.kind"""


class National(Setup):
    """The province benchmark's set-up plus the root, the phase and the province of the phase,
    and the month still running with the moment it is seen at."""

    nation: units.Unit
    phase: Any
    running: Any
    running_now: datetime


async def national_tally(s: National) -> tally_mod.Tally:
    """The whole country's monthly tally, as /thongke computes it for a supervisor at the root:
    the communes' kept months added up (bot/tally/levels.py), and its message."""
    return await _as_thongke(s, s.period, s.now)


async def national_running(s: National) -> tally_mod.Tally:
    """The country's month still running as /thongke computes it: up to its last closed day,
    from the communes' lines of those days, and its message."""
    return await _as_thongke(s, s.running, s.running_now)


async def _as_thongke(s: National, period: Any, now: datetime) -> tally_mod.Tally:
    """The root's tally of `period` seen at `now`, prepared and written as /thongke does."""
    async with s.db.read() as tx:
        ready = await prepare(
            tx,
            s.nation,
            period,
            config=s.config,
            forms=s.forms,
            texts=s.texts,
            locale="vi",
            now=now,
            levels_over=levels_limit(s.config),
            closed_days=True,
        )
    ready.message(s.config.tally.phone_team_limit)
    return ready.tally


async def running_every_team(s: National) -> tally_mod.Tally:
    """The month still running as it stands, counting and judging every team."""
    async with s.db.read() as tx:
        urgent = [c.key for c in s.forms.categories if c.urgent]
        return await tally_mod.compute(
            tx, s.nation, s.running, s.config, s.kinds, s.running_now, urgent
        )


async def every_team(s: National) -> tally_mod.Tally:
    """The same month counting and judging every team (what /thongke did before the communes'
    months were kept; the CSV and the web still do)."""
    async with s.db.read() as tx:
        urgent = [c.key for c in s.forms.categories if c.urgent]
        return await tally_mod.compute(tx, s.nation, s.period, s.config, s.kinds, s.now, urgent)


async def keep_month(s: National, period: Any, now: datetime) -> tuple[int, float]:
    """Keep the communes' lines of `period` that are missing (all of them on a fresh
    database: what the bot's refill job does once a month, or a day of the running month,
    has closed); returns how many were computed and the seconds it took."""
    urgent = [c.key for c in s.forms.categories if c.urgent]
    started = time.perf_counter()
    kept = await snapshots.refill_month(s.db, s.config, s.kinds, urgent, now, period)
    return kept, time.perf_counter() - started


async def province_phase(s: National) -> tally_mod.Tally:
    """One province's tally over the phase."""
    async with s.db.read() as tx:
        return await tally_mod.compute(tx, s.province, s.phase, s.config, s.kinds, s.now)


async def bare_month(s: National) -> list[Row]:
    """The floor of the national month: one GROUP BY over the month's active reports."""
    async with s.db.read() as tx:
        return await tx.fetchall(BARE_SQL, (s.period.start.isoformat(), s.period.end.isoformat()))


async def bare_phase(s: National) -> list[Row]:
    """The floor of the province phase: the province's reports of the phase, grouped."""
    path = s.province.path
    params = (path + "/", path + "0", s.phase.start.isoformat(), s.phase.end.isoformat())
    async with s.db.read() as tx:
        return await tx.fetchall(BARE_PROVINCE_SQL, params)


def _levels_detail(tally: tally_mod.Tally) -> str:
    """What a tally from the communes' lines counted (or every team, when it fell back)."""
    how = f"{len(tally.units):,} units above them" if tally.levels_only else "every team counted"
    return (
        f"{tally.period.code}: {tally.root.figures.reports:,} reports, "
        f"{tally.team_count:,} teams, {how}"
    )


def _teams_detail(tally: tally_mod.Tally) -> str:
    """What a tally counting every team counted."""
    counted = f"{tally.root.figures.reports:,} reports, {len(tally.teams):,} teams"
    return f"{tally.period.code}: {counted}"


def _groups_detail(rows: list[Row]) -> str:
    """What a bare aggregate counted."""
    return f"{sum(int(r[2]) for r in rows):,} reports in {len(rows):,} groups"


async def _first(db: Database, kind: str) -> units.Unit:
    """The first unit of a kind by path: a stable choice across builds."""
    async with db.read() as tx:
        row = await tx.fetchone(
            "SELECT id, parent_id, name, kind, path, households, created_at FROM units"
            " WHERE kind = ? ORDER BY path LIMIT 1",
            (kind,),
        )
    if row is None:
        raise SystemExit(f"no {kind} in the benchmark database")
    return units.Unit.from_row(row)


async def _setup(db: Database) -> National:
    """Config, forms, the month 2026-10, the phase, the morning after the phase."""
    config = load_config(None)
    forms = load_forms(config.reports.forms_file or None)
    period = month_named(2026, 10, starts_on=config.tally.month_starts_on)
    phase = span(FIRST_DAY, LAST_DAY)
    zone = ZoneInfo(config.bot.timezone)
    now = datetime.combine(LAST_DAY + timedelta(days=1), dtime(8, 0), tzinfo=zone)
    async with db.read() as tx:
        nation = await units.get_by_path(tx, NATION)
    if nation is None:
        raise SystemExit(f"no unit {NATION!r}")
    province, commune = await _first(db, "province"), await _first(db, "commune")
    kinds = [c.key for c in forms.categories]
    s = National(db, config, forms, Texts.load(), kinds, period, now, province, commune)
    s.nation, s.phase = nation, phase
    s.running = month_named(2026, 11, starts_on=config.tally.month_starts_on)
    s.running_now = datetime.combine(LAST_DAY, dtime(9, 0), tzinfo=zone)
    return s


async def _profile(s: National, explain: bool) -> list[str]:
    """Per-statement times of one untimed national tally (and their plans with --explain)."""
    async with s.db.read():
        tx = RecordingTx(s.db.conn, s.kinds)
        started = time.perf_counter()
        await tally_mod.compute(tx, s.nation, s.period, s.config, s.kinds, s.now)
        total = time.perf_counter() - started
    sql_total = sum(st[3] for st in tx.statements)
    lines = [
        f"  where counting every team's time goes (one untimed run, {total:.3f} s; "
        f"SQL {sql_total:.3f} s, Python {total - sql_total:.3f} s):"
    ]
    for name, sql, values, seconds, rows in tx.statements:
        lines.append(f"    {name:<36} {seconds:>7.3f} s  {rows:>6} rows")
        if explain:
            async with s.db.conn.execute("EXPLAIN QUERY PLAN " + sql, values) as cur:
                plan = list(await cur.fetchall())
            lines.extend(f"        {'  ' * _depth(plan, row)}{row[3]}" for row in plan)
    return lines


async def bench(
    db_path: Path, built: Built | None, runs: int, explain: bool, url: str = ""
) -> None:
    """Time every operation `runs` times after a warm-up and print the table; on the
    PostgreSQL database `url` instead of the SQLite file when given."""
    wall = time.perf_counter()
    db: Any = await (open_store(url) if url else Database(db_path).open())
    try:
        s = await _setup(db)
        print("antt-bot national benchmark")
        engine = "PostgreSQL" if url else f"SQLite {sqlite3.sqlite_version}"
        print(
            f"  Python {platform.python_version()}, {engine}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
        )
        if built is None:
            print(f"  database {url.rsplit('@', 1)[-1]} (a copy of the national database)")
        else:
            print(
                f"  database {db_path} ({built.size_bytes / 2**30:.2f} GiB), {built.how}"
                + (f" in {built.seconds:.0f} s" if built.seconds else "")
            )
        async with db.read() as tx:
            counts = {
                str(r[0]): int(r[1])
                for r in await tx.fetchall("SELECT kind, COUNT(*) FROM units GROUP BY kind")
            }
            members = await tx.fetchone(
                "SELECT COUNT(*) FROM members WHERE role IN ('leader', 'deputy', 'member')"
            )
            reports = await tx.fetchone("SELECT MAX(id) FROM reports")
        print(
            f"  {counts.get('province', 0)} provinces, {counts.get('commune', 0):,} communes, "
            f"{counts.get('village', 0):,} teams, {int(members[0] if members else 0):,} team "
            f"members, {int(reports[0] if reports else 0):,} reports {FIRST_DAY} .. {LAST_DAY}"
        )
        print(
            f"  month {s.period.code}, phase {s.phase.start} .. {s.phase.end} of "
            f"{s.province.name}, commune {s.commune.name}; {runs} timed runs after 1 warm-up"
        )
        kept, took = await keep_month(s, s.period, s.now)
        print(
            f"  communes' lines of {s.period.code} computed and kept: {kept:,} missing, "
            f"in {took:.1f} s (the refill job's work once a month has closed)"
        )
        cut = snapshots.closed_part(s.running, s.running_now, s.config)
        if cut is None:
            raise SystemExit("the running month has no closed day at the benchmark's moment")
        kept, took = await keep_month(s, cut, s.running_now)
        print(
            f"  communes' lines of {cut.code} computed and kept: {kept:,} missing, "
            f"in {took:.1f} s (the refill job's work after each day's deadline)"
        )
        print()
        ops: list[tuple[str, Callable[[Any], Awaitable[Any]], Callable[[Any], str]]] = [
            ("national month tally", national_tally, _levels_detail),
            ("the same, every team counted", every_team, _teams_detail),
            ("national running month tally", national_running, _levels_detail),
            ("running month, every team", running_every_team, _teams_detail),
            ("bare national month aggregate", bare_month, _groups_detail),
            ("province phase tally", province_phase, _teams_detail),
            ("bare province phase aggregate", bare_phase, _groups_detail),
            ("commune month XLSX", commune_export, lambda data: f"{len(data) / 1024:.0f} KiB"),
        ]
        series = [Series(label) for label, _, _ in ops]
        details = [""] * len(ops)
        for run in range(runs + 1):
            for index, (item, (_, op, describe)) in enumerate(zip(series, ops, strict=True)):
                gc.collect()  # untimed: each operation starts on a heap a bot would have
                started = time.perf_counter()
                result = await op(s)
                if run:
                    item.seconds.append(time.perf_counter() - started)
                details[index] = describe(result)
                del result  # a bot holds no tally once it is shown
        print(f"  {'operation':<32} {'median':>8} {'min':>8} {'max':>8}   counted")
        for item, detail in zip(series, details, strict=True):
            print(
                f"  {item.label:<32} {item.median:>7.3f}s {min(item.seconds):>7.3f}s "
                f"{max(item.seconds):>7.3f}s   {detail}"
            )
        print()
        print(
            f"  national month tally: {series[1].median / series[0].median:.1f}x quicker than "
            "counting every team"
        )
        print(
            f"  national running month tally: {series[3].median / series[2].median:.1f}x "
            "quicker than counting every team as it stands"
        )
        for label, item, bare in (
            ("national month tally", series[0], series[4]),
            ("national running month tally", series[2], series[4]),
            ("province phase tally", series[5], series[6]),
        ):
            print(
                f"  {label} median {item.median:.3f} s ({item.median / bare.median:.2f}x the "
                f"bare aggregate)   goal < {GOAL_SECONDS:.0f} s: {met(item.median < GOAL_SECONDS)}"
            )
        print(f"  process max RSS {maxrss_mib():.0f} MiB")
        print()
        for line in [] if url else await _profile(s, explain):  # SQLite's statements only
            print(line)
        print(f"  tallies' wall time {time.perf_counter() - wall:.1f} s")
    finally:
        await db.close()


def obtain_database(path: Path, rebuild: bool) -> Built:
    """The cached database, or a fresh build (or migration) in a child process."""
    started = time.perf_counter()
    args = [sys.executable, "-m", "tests.bench.national_data", "--db", str(path)]
    out = subprocess.run(
        [*args, *(["--rebuild"] if rebuild else [])], check=True, capture_output=True, text=True
    ).stdout.strip()
    seconds = time.perf_counter() - started
    how = out.split(": ", 1)[1].split(" in ", 1)[0] if ": " in out else out
    return Built(path, how, seconds if "reused" not in how else 0.0, path.stat().st_size)


def main(argv: list[str] | None = None) -> None:
    """Parse options, make sure the database exists, run the tallies and the wave."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.national", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--explain", action="store_true", help="query plans of the tally")
    parser.add_argument("--no-tally", action="store_true", help="only the reminder wave")
    parser.add_argument(
        "--pg",
        default="",
        metavar="URL",
        help="time the tallies on this PostgreSQL database instead: a copy of the national"
        " one (antt-bot db copy --from data/bench/national.sqlite3 --to URL --in-chunks)",
    )
    national_wave.add_options(parser)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("need at least 1 run")
    if not args.no_tally and not args.serve and args.pg:
        asyncio.run(bench(args.db, None, args.runs, args.explain, args.pg))
    elif not args.no_tally and not args.serve:
        print("obtaining the national database (a build takes several minutes)...", flush=True)
        built = obtain_database(args.db, args.rebuild)
        asyncio.run(bench(args.db, built, args.runs, args.explain))
    national_wave.run_from(args)


if __name__ == "__main__":
    main()
