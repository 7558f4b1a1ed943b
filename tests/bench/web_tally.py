"""The province tally page (/thong-ke) on the tally benchmark's database, next to the bare
computation it shows.

    python -m tests.bench.web_tally [--runs 20] [--month 2026-10] [--db PATH]

The database is the tally benchmark's (tests/bench/tally_data.py: 5,000 teams, ~5 million
reports; built once and cached in data/bench/). The real application (bot/web/server.py
`build_app`) is served in-process by aiohttp's test server; a supervisor of the province
signs in the real way (a one-time link, then "Đăng nhập"; the benchmark adds that
supervisor to the database the first time, which changes no figure: supervisors do not
report). Each request is timed from the client, over loopback: what the page costs the
server, without the network.

Measured, each `--runs` times:
  cold  the page with the page cache emptied first (bot/web/tally/cache.py): it computes,
  warm  the page again with nothing changed in the database: the kept tally is shown,
  bare  the computation alone (bot/tally/prepared.py `prepare`, as /thongke runs it),
and for both page series p50 and p95, the cold page's ratio to the bare computation, and the
drill-down to the first commune (cold). One untimed warm-up request comes first. The cache
is filed under the tally data's version (storage/data_version.py): in a running bot any
change a tally reads (a report, a leave, a role, a goal) makes the next page cold again, an
outbox mark or a sign-in does not; so the cold figures are the ones a supervisor meets at a
busy hour, the warm ones when they come back to a page with nothing new.

Not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient, TestServer

from bot.core.clock import ManualClock, iso
from bot.core.config import Config, load_config
from bot.core.engine import Services
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally.periods import month_named
from bot.tally.prepared import prepare
from bot.web import links
from bot.web.server import build_app
from bot.web.tally.page import TALLIES
from storage import members, units
from storage.db import Database
from tests.bench.tally import _month, obtain_database, pick_commune
from tests.bench.tally_data import DEFAULT_DB, PROVINCE, describe

PUBLIC_URL = "http://antt.bench"
SUPERVISOR = "Cán bộ chỉ đạo (benchmark)"
GOAL_SECONDS = 1.0


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the runs fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def supervisor(db: Database, province_id: int, now: datetime) -> int:
    """The province's benchmark supervisor, added the first time (supervisors do not report,
    so no figure changes)."""
    async with db.transaction() as tx:
        row = await tx.fetchone(
            "SELECT id FROM members WHERE unit_id = ? AND role = 'supervisor' AND full_name = ?"
            " AND active = 1",
            (province_id, SUPERVISOR),
        )
        if row is not None:
            return int(row["id"])
        return await members.create(tx, province_id, "supervisor", SUPERVISOR, "vi", iso(now))


async def signed_in(client: TestClient, services: Services, member_id: int) -> None:
    """Sign in as a supervisor would: a one-time link, then "Đăng nhập"."""
    async with services.db.transaction() as tx:
        made = await links.signin(tx, services.config, member_id, services.clock.now())
    path = urlsplit(made.url).path
    got = await client.post(path, headers={"Origin": PUBLIC_URL})
    if got.status != 200:
        raise SystemExit(f"sign-in failed: {got.status}")


async def timed(fn: Callable[[], Awaitable[object]]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


def line(label: str, seconds: list[float]) -> str:
    """One series: p50, p95, min, max."""
    return (
        f"  {label:<34} p50 {statistics.median(seconds):7.3f} s   p95 "
        f"{percentile(seconds, 0.95):7.3f} s   min {min(seconds):7.3f} s   max "
        f"{max(seconds):7.3f} s"
    )


async def bench(db_path: Path, runs: int, month: tuple[int, int], config: Config) -> None:
    """Open the database and the app, time cold and warm pages and the bare computation."""
    forms = load_forms(config.reports.forms_file or None)
    period = month_named(*month, starts_on=config.tally.month_starts_on)
    zone = config.bot.timezone
    # The morning after the period, as the tally benchmark: every deadline of it has passed.
    now = datetime.combine(period.end + timedelta(days=1), dtime(8, 0))
    clock = ManualClock(now, zone)
    db = await Database(db_path).open()
    texts = Texts.load()
    services = Services(config=config, forms=forms, texts=texts, clock=clock, db=db)
    try:
        async with db.read() as tx:
            province = await units.get_by_path(tx, PROVINCE)
        if province is None:
            raise SystemExit(f"no unit {PROVINCE!r} in {db_path}")
        commune = await pick_commune(db)
        member_id = await supervisor(db, province.id, clock.now())
        app = build_app(services)
        client = TestClient(TestServer(app))
        await client.start_server()
        try:
            await signed_in(client, services, member_id)
            page = f"/thong-ke?don-vi={province.id}&ky={period.code}"
            down = f"/thong-ke?don-vi={commune.id}&ky={period.code}"
            cache = app[TALLIES]

            async def get(path: str) -> None:
                """One page, read to the end; anything but 200 stops the benchmark."""
                got = await client.get(path)
                body = await got.read()
                if got.status != 200:
                    raise SystemExit(f"{path}: {got.status} {body[:300]!r}")

            async def cold() -> None:
                cache.clear()
                await get(page)

            async def bare() -> None:
                async with db.read() as tx:
                    await prepare(
                        tx,
                        province,
                        period,
                        config=config,
                        forms=forms,
                        texts=texts,
                        locale="vi",
                        now=clock.now(),
                    )

            async def drill() -> None:
                cache.clear()
                await get(down)

            await cold()  # warm-up: imports, templates, the OS page cache
            series: dict[str, list[float]] = {"cold": [], "warm": [], "bare": [], "drill": []}
            for _ in range(runs):
                series["bare"].append(await timed(bare))
                series["cold"].append(await timed(cold))
                series["warm"].append(await timed(lambda: get(page)))
                series["drill"].append(await timed(drill))
        finally:
            await client.close()
    finally:
        await db.close()

    print("antt-bot web tally page benchmark")
    print(
        f"  Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    print(f"  period {period.label('en')} [{period.code}], now {clock.now().isoformat()}")
    print(f"  {runs} runs of each after 1 warm-up page; times from the client over loopback")
    print()
    print(line("province page, cold (computes)", series["cold"]))
    print(line("province page, warm (kept tally)", series["warm"]))
    print(line("bare computation (prepare)", series["bare"]))
    print(line(f"commune page, cold ({commune.name})", series["drill"]))
    print()
    cold_p50 = statistics.median(series["cold"])
    warm_p50 = statistics.median(series["warm"])
    bare_p50 = statistics.median(series["bare"])
    print(f"  cold page / bare computation (p50): {cold_p50 / bare_p50:.2f}x")
    for label, value in (("cold", cold_p50), ("warm", warm_p50)):
        verdict = "met" if value < GOAL_SECONDS else "NOT MET"
        print(f"  {label} page p50 {value:.3f} s   goal < {GOAL_SECONDS:.0f} s: {verdict}")


def main(argv: list[str] | None = None) -> None:
    """Parse options, make sure the database exists, run the benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.web_tally",
        description="The province tally page on the tally benchmark's database.",
    )
    parser.add_argument("--runs", type=int, default=20, help="runs of each (default 20)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    parser.add_argument(
        "--month", type=_month, default=(2026, 10), help="month to show, YYYY-MM (default 2026-10)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("need at least 1 run")
    info = obtain_database(args.db, False)
    for text in describe(info):
        print("  " + text, file=sys.stderr)
    with tempfile.TemporaryDirectory() as files:
        config = load_config(None).model_copy(deep=True)
        config.web = config.web.model_copy(update={"public_url": PUBLIC_URL, "files_dir": files})
        asyncio.run(bench(args.db, args.runs, args.month, config))


if __name__ == "__main__":
    main()
