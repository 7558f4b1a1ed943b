"""Throughput of the whole Telegram pipeline on realistic patrol wizards, next to a PTB echo bot.

    python -m tests.bench.wizard [--members 150] [--runs 5] [--database sqlite|postgresql|both]
                                 [--processes 1|2|1,2]

Each run builds the real application exactly as the in-process tests do (Runtime +
TelegramChannel on the fake Bot API transport, a temporary SQLite database or a fresh one of
the benchmark's own PostgreSQL server, a manual clock),
enrols N members in two teams and queues one complete patrol dialog per member as raw updates,
interleaved round-robin so that consecutive updates come from different chats. The real polling
path consumes them: Updater.start_polling -> getUpdates -> JSON -> Update.de_json ->
Application -> handler -> engine -> SQLite -> Bot API calls (JSON back through the fake). The
clock runs from the moment the updates are queued until the last one has been handled.

With `--processes 2` (the default runs 1 and 2) two bot processes share the database, each
taking the updates of half of the chats (tests/bench/wizard_procs.py); their rate is all the
updates over the span from the first start to the last finish.

A minimal python-telegram-bot echo bot on the same transport class gets a stream of the same
length and the same update shapes in the same run; the ratio of the two rates is the cost of
the application on top of the library.

Beside the rate, the database's round trips (Database.round_trips: every call into SQLite,
a statement or a batch of them, BEGIN, COMMIT, ROLLBACK, on the writing and the reading
connection, whether it ran on SQLite's worker thread or, in a brief transaction, on the event
loop's own: storage/tx.py's OnLoop) over the timed span, divided by the updates: the
journal's writes and the outbox sender's work on the team-mates' notices included.

Peak Python heap (tracemalloc, started after setup) is taken in one extra, untimed pass of
the one-process SQLite pipeline and the echo bot, so tracing does not slow the timed runs;
the process's max RSS is printed too.

The only thing added to the real application is a counting TypeHandler in a later handler
group, to know when the last update has been handled. Updates are handled as in production:
different chats concurrently, one chat in order (bot/channels/telegram_pace.py); the echo bot
one at a time (python-telegram-bot's default).

Not a test: it prints numbers and only checks that every dialog ended in exactly one report.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.clock import ManualClock
from tests.bench.wizard_data import (
    EVENING,
    Person,
    Step,
    build_stream,
    enrol,
    make_people,
    record_dialog,
)
from tests.bench.wizard_report import (
    Result,
    maxrss_mib,
    mib,
    pipeline_name,
    print_header,
    print_run,
    print_summary,
)
from tests.support import backend
from tests.support.fakebot import FakeBotAPI
from tests.support.harness import TOKEN, Harness, make_harness

PROBE_GROUP = 99  # after every real handler: sees each update once its handling has finished
WAIT_LIMIT = 600.0  # seconds; only reached if the pipeline hangs

# ------------------------------------------------------------------ measuring one pipeline


class Probe:
    """Counts fully handled updates; notes the time the last one finished."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.seen = 0
        self.finished_at = 0.0
        self.done = asyncio.Event()

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.seen += 1
        if self.seen == self.expected:
            self.finished_at = time.perf_counter()
            self.done.set()


async def pump(
    app: Application,
    api: FakeBotAPI,
    stream: list[dict[str, Any]],
    name: str,
    trace: bool,
    trips: Callable[[], int] | None = None,
    gate: Callable[[], Awaitable[None]] | None = None,
) -> Result:
    """Start the real polling loop, queue the stream, wait until the last update is handled;
    `trips` reads the database's round-trip counter, taken around the same span; `gate`, if
    given, is awaited once polling runs, just before the clock starts (a common start)."""
    probe = Probe(len(stream))
    app.add_handler(TypeHandler(Update, probe.on_update), group=PROBE_GROUP)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    calls_before = len(api.calls)
    gc.collect()
    if trace:
        tracemalloc.start()
    try:
        if gate is not None:
            await gate()
        trips_before = trips() if trips is not None else 0
        cpu_before = time.process_time()
        started = time.perf_counter()
        api.updates.extend(stream)
        try:
            await asyncio.wait_for(probe.done.wait(), WAIT_LIMIT)
        except TimeoutError:
            raise SystemExit(
                f"{name}: only {probe.seen}/{len(stream)} updates handled in {WAIT_LIMIT:.0f}s"
            ) from None
        seconds = probe.finished_at - started
        cpu = time.process_time() - cpu_before
        round_trips = trips() - trips_before if trips is not None else None
        peak = tracemalloc.get_traced_memory()[1] if trace else None
    finally:
        if trace:
            tracemalloc.stop()
        await app.updater.stop()
        await app.stop()
    calls = sum(1 for method, _ in api.calls[calls_before:] if method != "getUpdates")
    return Result(name, len(stream), seconds, calls, peak, round_trips, cpu, started)


async def run_antt(
    people: list[Person], steps: list[Step], trace: bool = False, database: str = "sqlite"
) -> Result:
    """The real application: N patrol dialogs, then check that N reports were saved;
    `database` "postgresql" runs it on a fresh database of the session's own server."""
    backend.current = database
    name = pipeline_name(database, 1)
    with tempfile.TemporaryDirectory(prefix="antt-bench-") as tmp:
        h = await make_harness(Path(tmp), clock=ManualClock(EVENING))
        try:
            await enrol(h, people)
            stream = build_stream(people, steps, h.api)
            h.runtime.start_senders()  # as `antt-bot run` does (it sends the team-mate notices)
            db = h.db
            app = h.channel.application
            result = await pump(app, h.api, stream, name, trace, lambda: db.round_trips)
            await verify(h, people)
            return result
        finally:
            await close(h)
            await backend.drop_made()
            backend.current = "sqlite"


async def close(h: Harness) -> None:
    """Stop polling and the application if a failure left them running, then the harness."""
    app = h.channel.application
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await h.close()


def internal_errors(h: Harness) -> int:
    """Replies saying something went wrong inside the bot (none expected)."""
    internal = h.runtime.services.texts.t("vi", "error.internal")
    return sum(1 for m in h.api.sent if m.text == internal)


async def verify(h: Harness, people: list[Person], errors: int | None = None) -> None:
    """Every dialog ended in exactly one report with its team-mate, and no internal error
    (`errors`: counted by the processes that handled the updates, else in `h`)."""
    n = len(people)
    reports = await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'patrol'")
    members = await h.count("SELECT COUNT(DISTINCT member_id) FROM reports")
    mates = await h.count("SELECT COUNT(*) FROM report_participants")
    errors = internal_errors(h) if errors is None else errors
    if (reports, members, mates, errors) != (n, n, n, 0):
        raise SystemExit(
            f"antt: expected {n} patrol reports from {n} members with {n} team-mates and no "
            f"errors; got {reports} reports, {members} members, {mates} team-mates, "
            f"{errors} internal errors"
        )


async def _echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def _echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await context.bot.send_message(query.message.chat.id, f"Bạn đã bấm: {query.data}")


async def run_echo(people: list[Person], steps: list[Step], trace: bool = False) -> Result:
    """A minimal PTB bot on the same transport and the same stream shapes."""
    api = FakeBotAPI()
    app = Application.builder().token(TOKEN).request(api).get_updates_request(api).build()
    app.add_handler(MessageHandler(filters.TEXT, _echo_text))
    app.add_handler(CallbackQueryHandler(_echo_press))
    await app.initialize()
    try:
        stream = build_stream(people, steps, api)
        result = await pump(app, api, stream, "echo", trace)
        if len(api.sent) != len(stream):
            raise SystemExit(f"echo: {len(api.sent)} replies to {len(stream)} updates")
        return result
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


# ------------------------------------------------------------------ report


async def print_memory(people: list[Person], steps: list[Step], rss_start: float) -> None:
    """Peak Python heap in one extra, untimed pass per pipeline (one process, SQLite)."""
    rss_timed = maxrss_mib()
    print()
    print("  peak memory (one extra untimed pass each, tracemalloc started after setup):")
    for runner in (run_antt, run_echo):
        r = await runner(people, steps, trace=True)
        print(
            f"    {r.pipeline:<5} Python heap peak {mib(r.peak_bytes):>10} "
            f"for {r.updates} updates ({r.rate:.0f} updates/s while traced)"
        )
    print(
        f"    process max RSS {rss_timed:.1f} MiB after the timed runs, {maxrss_mib():.1f} MiB "
        f"after the traced ones (tracemalloc's own tables count here); "
        f"{rss_start:.1f} MiB after imports"
    )


async def bench(
    members: int,
    runs: int,
    databases: tuple[str, ...] = ("sqlite",),
    processes: tuple[int, ...] = (1, 2),
) -> None:
    """Every pipeline `runs` times in turn (so a busy spell of the machine hits them alike)."""
    from tests.bench.wizard_procs import run_procs  # it builds on this module

    people = make_people(members)
    rss_start = maxrss_mib()
    wall = time.perf_counter()
    steps = await record_dialog(people)
    print_header(members, steps)
    runners: list[Callable[[list[Person], list[Step]], Awaitable[Result]]] = [
        partial(run_antt, database=d) if n == 1 else partial(run_procs, database=d, processes=n)
        for d in databases
        for n in processes
    ]
    results: dict[str, list[Result]] = {}
    for run in range(1, runs + 1):
        for runner in [*runners, run_echo]:
            r = await runner(people, steps)
            results.setdefault(r.pipeline, []).append(r)
            print_run(run, r)
    print_summary(results, steps)
    await print_memory(people, steps, rss_start)
    print(f"  total wall time {time.perf_counter() - wall:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.wizard",
        description="Updates/second of the real bot on patrol wizards vs. a PTB echo bot.",
    )
    # Two teams, so the team-mate question shows N/2 + 3 buttons; Telegram refuses inline
    # keyboards of more than 100 buttons, so N above ~190 is no longer a realistic dialog.
    parser.add_argument(
        "--members",
        type=int,
        default=150,
        help="members enrolled in two teams, one patrol dialog each (default 150)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per pipeline (default 5)")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="the real bot on SQLite, on PostgreSQL (a server of the benchmark's own, from the "
        "machine's initdb/pg_ctl), or both in the same run (default both)",
    )
    parser.add_argument(
        "--processes",
        default="1,2",
        help="bot processes sharing the database: 1, 2, or 1,2 for both in the same run "
        "(default 1,2)",
    )
    args = parser.parse_args(argv)
    if args.members < 4 or args.runs < 1:
        parser.error("need at least 4 members (two per team, to tick a team-mate) and 1 run")
    processes = tuple(sorted({int(n) for n in args.processes.split(",") if n.strip()}))
    if not processes or not set(processes) <= {1, 2}:
        parser.error("--processes takes 1, 2 or 1,2")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    if "postgresql" in databases:
        backend.server()
    try:
        asyncio.run(bench(args.members, args.runs, databases, processes))
    finally:
        backend.stop_server()


if __name__ == "__main__":
    main()
