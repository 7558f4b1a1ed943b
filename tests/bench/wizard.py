"""Throughput of the whole Telegram pipeline on realistic patrol wizards, next to a PTB echo bot.

    python -m tests.bench.wizard [--members 150] [--runs 5]

Each run builds the real application exactly as the in-process tests do (Runtime +
TelegramChannel on the fake Bot API transport, a temporary SQLite database, a manual clock),
enrols N members in two teams and queues one complete patrol dialog per member as raw updates,
interleaved round-robin so that consecutive updates come from different chats. The real polling
path consumes them: Updater.start_polling -> getUpdates -> JSON -> Update.de_json ->
Application -> handler -> engine -> SQLite -> Bot API calls (JSON back through the fake). The
clock runs from the moment the updates are queued until the last one has been handled.

A minimal python-telegram-bot echo bot on the same transport class gets a stream of the same
length and the same update shapes in the same run; the ratio of the two rates is the cost of
the application on top of the library.

Beside the rate, the database's round trips (Database.round_trips: every call into SQLite's
thread, a statement or a batch of them, BEGIN, COMMIT, ROLLBACK, on the writing and the
reading connection) over the timed span, divided by the updates: the journal's writes and the
outbox sender's work on the team-mates' notices included.

Peak Python heap (tracemalloc, started after setup) is taken in one extra, untimed pass per
pipeline, so tracing does not slow the timed runs; the process's max RSS is printed too.

The only thing added to the real application is a counting TypeHandler in a later handler
group, to know when the last update has been handled. Updates are handled as in production:
different chats concurrently, one chat in order (bot/channels/telegram_pace.py); the echo bot
one at a time (python-telegram-bot's default).

Not a test: it prints numbers and only checks that every dialog ended in exactly one report.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import logging
import os
import platform
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
import telegram
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
from tests.support import backend
from tests.support.fakebot import FakeBotAPI, Sent, callback_update, text_update
from tests.support.harness import TEAM_A, TEAM_B, TOKEN, Harness, make_harness

PROBE_GROUP = 99  # after every real handler: sees each update once its handling has finished
WAIT_LIMIT = 600.0  # seconds; only reached if the pipeline hangs

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Nông",
    "Hoàng",
    "Lương",
    "Triệu",
    "Vi",
    "Lành",
    "Mã",
]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quốc", "Hữu", "Thanh", "Ngọc", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Quang",
    "Sơn",
    "Thắng",
    "Tuấn",
    "Vân",
    "Yến",
]
STARTS = ["19h", "19h30", "18:45", "20 giờ", "19:15"]
ENDS = ["21:30", "22h", "23h15", "21 giờ rưỡi", "22:40"]
ROUTES = [
    "Đường liên thôn Nà Lẹng",
    "Quốc lộ 1B, đoạn qua chợ Bắc Sơn",
    "Khu vực trường tiểu học và nhà văn hoá thôn",
    "Tuyến đường bê tông Khuôn Pinh - Nà Lẹng, cầu treo",
    "Bãi ngô ven suối, đường vào khu du lịch",
]
INCIDENTS = ["0", "0", "0", "1", "2"]


@dataclass
class Person:
    """One enrolled team member and the Telegram account they write from."""

    index: int
    user_id: int
    first: str
    last: str
    role: str
    team: str
    member_id: int = 0
    teammate_id: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


def make_people(n: int) -> list[Person]:
    """N people, alternately in TEAM_A and TEAM_B; each team's first two lead it."""
    people = []
    for i in range(n):
        surname = SURNAMES[i % len(SURNAMES)]
        middle = MIDDLES[(i // len(SURNAMES)) % len(MIDDLES)]
        given = GIVEN[(i * 7) % len(GIVEN)]
        team = TEAM_A if i % 2 == 0 else TEAM_B
        role = {0: "leader", 1: "leader", 2: "deputy", 3: "deputy"}.get(i, "member")
        people.append(Person(i, 5_100_000_000 + 7919 * i, surname, f"{middle} {given}", role, team))
    return people


def pick_teammates(people: list[Person]) -> None:
    """Everyone ticks the first team-mate of their roster (lowest member id but their own)."""
    for p in people:
        team = [q for q in people if q.team == p.team and q is not p]
        p.teammate_id = min(q.member_id for q in team) if team else 0


async def enrol(h: Harness, people: list[Person]) -> None:
    for p in people:
        p.member_id = await h.add_member(p.user_id, p.full_name, p.role, p.team)
    pick_teammates(people)


# ------------------------------------------------------------------ the dialog, recorded once

TypedText = Callable[[Person], str]
TEAMMATE = object()  # "press the button of my chosen team-mate"
MATE = "\x00mate\x00"  # in recorded callback data: the member id of the one who presses

# The patrol as the wizard asks it since issue 12: the date preset (the reporting day), the
# shift typed as one answer, the route, a team-mate ticked, the count, "helped with traffic"
# changed on the summary, sent. The clock stands late in the evening, after every shift.
DIALOG: list[tuple[str, Any]] = [
    ("send", "/baocao"),
    ("press", "Tuần tra"),
    ("send", lambda p: f"{STARTS[p.index % len(STARTS)]} - {ENDS[p.index % len(ENDS)]}"),
    ("send", lambda p: ROUTES[p.index % len(ROUTES)]),
    ("press", TEAMMATE),
    ("press", "Xong"),
    ("send", lambda p: INCIDENTS[p.index % len(INCIDENTS)]),
    ("press", "Có hỗ trợ giao thông"),
    ("press", "Gửi báo cáo"),
]
EVENING = datetime(2026, 11, 23, 23, 45)  # every typed shift (the latest ends 23:15) is over


@dataclass
class Step:
    """One update of the dialog: typed text, or a button press on a message like the one shown."""

    kind: str  # "send" | "press"
    typed: TypedText | None = None
    data: str = ""  # callback_data of the pressed button; MATE stands for a team-mate's id
    shown_text: str = ""  # the message the button was on, as the bot sent it
    shown_buttons: list[list[dict[str, str]]] = field(default_factory=list)


def _always(text: str) -> TypedText:
    return lambda _person: text


async def record_dialog(people: list[Person]) -> list[Step]:
    """Drive the first person through the dialog on a throw-away app and keep what was pressed.

    The callback data (today e.g. k:patrol, date=d:0, teammates=t:m<id>, nav:done, nav:submit)
    and the messages carrying the buttons come from the real bot, so the replayed stream keeps
    matching it when the forms or the callback format change.
    """
    with tempfile.TemporaryDirectory(prefix="antt-bench-rec-") as tmp:
        h = await make_harness(Path(tmp), clock=ManualClock(EVENING))
        try:
            await enrol(h, people)
            me = people[0]
            mate = next(q for q in people if q.member_id == me.teammate_id)
            user = h.user(me.user_id, me.first, me.last)
            steps: list[Step] = []
            for action, arg in DIALOG:
                if action == "send":
                    typed: TypedText = arg if callable(arg) else _always(str(arg))
                    await user.send(typed(me))
                    steps.append(Step("send", typed=typed))
                    continue
                label = mate.full_name if arg is TEAMMATE else str(arg)
                shown = user.last_with_buttons()
                data = next(
                    b["callback_data"] for row in shown.buttons for b in row if label in b["text"]
                )
                if arg is TEAMMATE:  # e.g. "teammates=t:m3": each person ticks their own mate
                    data, found = re.subn(rf"(?<!\d){mate.member_id}(?!\d)", MATE, data)
                    if found != 1:
                        raise SystemExit(f"cannot find member id {mate.member_id} in {data!r}")
                steps.append(
                    Step(
                        "press",
                        data=data,
                        shown_text=shown.text,
                        shown_buttons=copy.deepcopy(shown.buttons),
                    )
                )
                await user.press(label)
            saved = await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'patrol'")
            if saved != 1:
                raise SystemExit(
                    f"recording the dialog failed: {saved} reports; last reply: {user.last_text!r}"
                )
            return steps
        finally:
            await h.close()


def build_stream(people: list[Person], steps: list[Step], api: FakeBotAPI) -> list[dict[str, Any]]:
    """Every person's dialog as raw updates, round-robin: step 1 of all chats, then step 2...

    A press carries the message it was made on; that message is registered in the fake so the
    bot's editMessageText finds it, as it would on Telegram.
    """
    message_ids = iter(range(50_000_000, 60_000_000))
    stream = []
    for step in steps:
        for p in people:
            if step.kind == "send":
                assert step.typed is not None
                stream.append(text_update(p.user_id, step.typed(p), p.first, p.last))
                continue
            data = step.data.replace(MATE, str(p.teammate_id))
            # The keyboard is shared, not copied: the fake replaces a message's buttons on
            # edit and never changes them in place.
            shown = Sent(p.user_id, next(message_ids), step.shown_text, step.shown_buttons)
            api.messages[(p.user_id, shown.message_id)] = shown
            stream.append(callback_update(p.user_id, shown, data, p.first))
    return stream


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


@dataclass
class Result:
    pipeline: str
    updates: int
    seconds: float
    api_calls: int
    peak_bytes: int | None = None
    round_trips: int | None = None  # calls into the database during the timed run
    cpu_seconds: float = 0.0  # the process's CPU time (all threads) over the same span

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def trips_per_update(self) -> float | None:
        return None if self.round_trips is None else self.round_trips / self.updates


async def pump(
    app: Application,
    api: FakeBotAPI,
    stream: list[dict[str, Any]],
    name: str,
    trace: bool,
    trips: Callable[[], int] | None = None,
) -> Result:
    """Start the real polling loop, queue the stream, wait until the last update is handled;
    `trips` reads the database's round-trip counter, taken around the same span."""
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
    return Result(name, len(stream), seconds, calls, peak, round_trips, cpu)


async def run_antt(
    people: list[Person], steps: list[Step], trace: bool = False, database: str = "sqlite"
) -> Result:
    """The real application: N patrol dialogs, then check that N reports were saved;
    `database` "postgresql" runs it on a fresh database of the session's own server."""
    backend.current = database
    name = "antt" if database == "sqlite" else "antt-pg"
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
            app = h.channel.application
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await h.close()
            await backend.drop_made()
            backend.current = "sqlite"


async def verify(h: Harness, people: list[Person]) -> None:
    n = len(people)
    reports = await h.count("SELECT COUNT(*) FROM reports WHERE kind = 'patrol'")
    members = await h.count("SELECT COUNT(DISTINCT member_id) FROM reports")
    mates = await h.count("SELECT COUNT(*) FROM report_participants")
    internal = h.runtime.services.texts.t("vi", "error.internal")
    errors = sum(1 for m in h.api.sent if m.text == internal)
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


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / (1024 * 1024):.1f} MiB"


async def bench(members: int, runs: int, databases: tuple[str, ...] = ("sqlite",)) -> None:
    people = make_people(members)
    rss_start = maxrss_mib()
    wall = time.perf_counter()
    steps = await record_dialog(people)
    presses = sum(1 for s in steps if s.kind == "press")
    total = members * len(steps)

    print("antt-bot wizard benchmark")
    print(
        f"  Python {platform.python_version()} ({platform.python_implementation()}), "
        f"python-telegram-bot {telegram.__version__}, SQLite {sqlite3.sqlite_version} "
        f"(aiosqlite {aiosqlite.__version__}), {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(
        f"  stream: {members} members x {len(steps)} updates = {total} updates per run "
        f"({len(steps) - presses} typed, {presses} button presses per patrol dialog), "
        f"round-robin over {members} chats"
    )
    shown = (s.data.replace(MATE, "<id>") if s.kind == "press" else "<text>" for s in steps)
    print("  dialog: " + " | ".join(shown))
    print()
    print(
        f"  {'run':>3}  {'pipeline':<8} {'updates':>7} {'seconds':>8} {'updates/s':>10} "
        f"{'ms/update':>9} {'CPU ms/upd':>10} {'API calls':>9} {'DB trips/update':>15}"
    )

    antts = ["antt" if d == "sqlite" else "antt-pg" for d in databases]
    results: dict[str, list[Result]] = {**{a: [] for a in antts}, "echo": []}
    runners = [partial(run_antt, database=d) for d in databases]
    for run in range(1, runs + 1):
        for runner in (*runners, run_echo):
            r = await runner(people, steps)
            results[r.pipeline].append(r)
            per = r.trips_per_update
            print(
                f"  {run:>3}  {r.pipeline:<8} {r.updates:>7} {r.seconds:>8.3f} "
                f"{r.rate:>10.0f} {1000 / r.rate:>9.3f} {1000 * r.cpu_seconds / r.updates:>10.3f} "
                f"{r.api_calls:>9} "
                f"{'-' if per is None else f'{per:.2f}':>15}",
                flush=True,
            )

    med = {k: statistics.median(r.rate for r in v) for k, v in results.items()}
    print()
    labels = {"antt": "antt on SQLite", "antt-pg": "antt on PostgreSQL", "echo": "echo (PTB only)"}
    for name in (*antts, "echo"):
        rates = [r.rate for r in results[name]]
        spread = f"min {min(rates):.0f}, max {max(rates):.0f}"
        print(
            f"  median {labels[name]:<22} {med[name]:>8.0f} updates/s  "
            f"({1000 / med[name]:.3f} ms/update; {spread})"
        )
    cpu = {
        k: statistics.median(1000 * r.cpu_seconds / r.updates for r in v)
        for k, v in results.items()
    }
    for name in antts:
        ratio = med[name] / med["echo"]
        app_ms = 1000 / med[name] - 1000 / med["echo"]
        trips = statistics.median(r.trips_per_update or 0.0 for r in results[name])
        print(f"  {labels[name]}:")
        print(
            f"    CPU ms/update              {cpu[name]:>8.3f} (echo {cpu['echo']:.3f}; ratio "
            f"{cpu['echo'] / cpu[name]:.3f}, less sensitive than updates/s to a busy machine)"
        )
        print(
            f"    ratio to echo              {ratio:>8.3f}  "
            f"(echo is {1 / ratio:.1f}x faster; the application adds {app_ms:.3f} ms/update)"
        )
        print(
            f"    database round trips       {trips:>8.2f} per update (median; every statement, "
            f"BEGIN, COMMIT and ROLLBACK, journal and outbox included)"
        )
        print(
            f"    per patrol report          {1000 * len(steps) / med[name]:>8.3f} ms "
            f"({len(steps)} updates: the figure to compare across dialog shapes)"
        )

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
    args = parser.parse_args(argv)
    if args.members < 4 or args.runs < 1:
        parser.error("need at least 4 members (two per team, to tick a team-mate) and 1 run")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    if "postgresql" in databases:
        backend.server()
    try:
        asyncio.run(bench(args.members, args.runs, databases))
    finally:
        backend.stop_server()


if __name__ == "__main__":
    main()
