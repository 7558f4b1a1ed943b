"""Time from an urgent report's submission to the officer's alert, under the wizard's load.

    python -m tests.bench.alert_latency [--members 150] [--urgent-every 20] [--runs 3]

Each run builds the real application as `antt-bot run` does (Runtime + TelegramChannel with
its Telegram pace limiter, the outbox sender started with the configured rate limits: 25/s
overall, 1/s per chat) on a fake Bot API that enforces Telegram's 30 messages/s with 429s
(tests/bench/rush.py's CappedAPI), a temporary SQLite database and a clock that moves in real
time from 21:05 (after the evening shift, before quiet hours).

The org: `--communes` communes, each with two officers and village teams of `--team-size`.
Loaded phase: `--members` members (the wizard benchmark's 150) all start at once and walk the
report wizard through the real polling path, each sending its next answer as soon as the
previous one has been handled (`--think` adds seconds of thought per step; 0 is the wizard
benchmark's pace). Every `--urgent-every`-th member files a tip marked "Khẩn cấp" or a fire
(alternately) instead of a patrol; the others file the wizard benchmark's patrol.

Measured per urgent report and officer: from the moment the fake hands the member's "Gửi
báo cáo" update to the bot (getUpdates: the update enters the application) to the moment the
fake accepts the sendMessage carrying that officer's FIRST alert for the report (outbox row
`alert:<report id>:<officer id>`; its text holds the report number). Later alerts
(escalation steps), photos and voice notes after the alert are not counted.

Reference, in the same run on a fresh database: the same urgent members file the same
reports one after another with no other member active; the ratio of the two medians is the
cost of the load. Printed: p50, p95, max and count per run, the median of the runs and all
runs' samples pooled. `--no-pace` drops the 30/s (the bot's limiter and the fake's cap), as
the wizard benchmark runs: what is left is the CPU's share. Not a test: nothing here is
asserted; it fails only if a report or an alert never arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import Runtime, build_services
from bot.channels.telegram import TelegramChannel
from bot.core.clock import iso
from bot.core.config import Config
from storage import members, units
from tests.bench.alert_latency_data import PROVINCE, Person, Step, make_people
from tests.bench.rush import CAP, CappedAPI, EveningClock
from tests.support.fakebot import Sent, callback_update, text_update

PROBE_GROUP = 99  # after the bot's own handler: the update has been handled
WAIT_LIMIT = 300.0  # seconds for one answer or the last alert; only reached if something hangs
ALERT_KEY = re.compile(r"alert:(\d+):(\d+)")  # the first alert; escalation steps differ
SAVED = "Đã lưu báo cáo"


class AlertAPI(CappedAPI):
    """The capped fake, noting when each watched update is handed to the bot and when each
    message to an officer is accepted."""

    def __init__(self, latency: float, officers: set[int], capped: bool = True) -> None:
        super().__init__(latency)
        self.capped = capped
        self.officers = officers
        self.watched: set[int] = set()
        self.handed: dict[int, float] = {}  # update_id -> perf_counter when fetched
        self.to_officers: dict[int, list[tuple[float, str]]] = {c: [] for c in officers}
        self.news = asyncio.Event()  # set on each message accepted for an officer

    async def do_request(self, url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
        """The capped fake's answer, with the two moments this benchmark measures."""
        if not self.capped:
            self.tokens = CAP  # a full bucket at every call: no 429s
        status, body = await super().do_request(url, method, request_data, **kw)
        api_method = url.rsplit("/", 1)[-1]
        now = time.perf_counter()
        if api_method == "getUpdates" and status == 200 and self.watched:
            for update in json.loads(body)["result"]:
                if update["update_id"] in self.watched:
                    self.handed.setdefault(update["update_id"], now)
        elif api_method == "sendMessage" and status == 200:
            chat = int(dict(request_data.parameters)["chat_id"])
            if chat in self.to_officers:
                self.to_officers[chat].append((now, str(dict(request_data.parameters)["text"])))
                self.news.set()
        return status, body


class Done:
    """Tells a member the moment the bot has finished handling their update."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[None]] = {}
        self.handled_at: dict[int, float] = {}  # update_id -> perf_counter once handled

    def expect(self, update_id: int) -> asyncio.Future[None]:
        """A future that completes once this update has been handled."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting[update_id] = future
        return future

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The probe handler, in a group after the bot's."""
        if isinstance(update, Update):
            self.handled_at[update.update_id] = time.perf_counter()
            future = self.waiting.pop(update.update_id, None)
            if future is not None and not future.done():
                future.set_result(None)


@dataclass
class App:
    """One run's application, fake and probe."""

    runtime: Runtime
    channel: TelegramChannel
    api: AlertAPI
    done: Done
    officers_of: dict[str, list[int]]  # commune path -> officer chat ids


async def build(args: argparse.Namespace, people: list[Person], tmp: Path) -> App:
    """The real application with production pace, its org and the members enrolled."""
    config = Config()
    config.telegram.token = SecretStr("123456:ALERT-BENCH")
    services = await build_services(config, EveningClock(config.bot.timezone), str(tmp / "b.db"))
    runtime = Runtime(services)
    _, communes = make_people(args)
    officers_of = {c: [7_000_000 + 10 * n, 7_000_001 + 10 * n] for n, c in enumerate(communes)}
    chats = {chat for pair in officers_of.values() for chat in pair}
    api = AlertAPI(args.latency_ms / 1000, chats, capped=args.pace)
    channel = TelegramChannel(
        config, runtime.engine, request=api, updates_request=api, rate_limit=args.pace
    )
    runtime.add_channel(channel)  # the configured send policy, as `antt-bot run` does
    await channel.application.initialize()
    now = iso(services.clock.now())
    async with services.db.transaction() as tx:
        await units.upsert(tx, PROVINCE, "province", None, now)
        for commune in communes:
            await units.upsert(tx, commune, "commune", None, now)
        for team in sorted({p.team for p in people}):
            await units.upsert(tx, team, "village", None, now)
        enrol = [(p.user_id, p.name, "member", p.team) for p in people]
        for commune, pair in officers_of.items():
            enrol += [(chat, f"Cán bộ {chat}", "officer", commune) for chat in pair]
        for user_id, name, role, path in enrol:
            unit = await units.get_by_path(tx, path)
            assert unit is not None
            member_id = await members.create(tx, unit.id, role, name, "vi", now)
            await members.link_identity(tx, "telegram", str(user_id), str(user_id), member_id, now)
            for p in people:
                if p.user_id == user_id:
                    p.member_id = member_id
    for p in people:
        api.arrived[p.user_id] = asyncio.Event()  # the fake keeps their chat's timeline
    done = Done()
    channel.application.add_handler(TypeHandler(Update, done.on_update), group=PROBE_GROUP)
    return App(runtime, channel, api, done, officers_of)


def _update(app: App, person: Person, step: Step) -> dict[str, Any]:
    """The raw update for one step, pressing a button on the latest message that has one."""
    action, arg = step
    value = arg(person) if callable(arg) else str(arg)
    if action == "send":
        return text_update(person.user_id, value)
    shown: Sent | None = next(
        (m for m in reversed(app.api.timeline[person.user_id]) if m.buttons), None
    )
    for row in shown.buttons if shown else []:
        for button in row:
            if value in button["text"]:
                assert shown is not None
                return callback_update(person.user_id, shown, button["callback_data"])
    last = app.api.timeline[person.user_id][-1].text if app.api.timeline[person.user_id] else ""
    raise SystemExit(f"no button {value!r} for {person.name}; the bot said: {last[:300]!r}")


async def walk(app: App, person: Person, think: float, submits: dict[int, int]) -> None:
    """One member's dialog, each answer sent once the bot has handled the previous one."""
    for number, step in enumerate(person.dialog):
        update = _update(app, person, step)
        if person.urgent and number == len(person.dialog) - 1:
            app.api.watched.add(update["update_id"])
            submits[person.member_id] = update["update_id"]
        handled = app.done.expect(update["update_id"])
        app.api.updates.append(update)
        await asyncio.wait_for(handled, WAIT_LIMIT)
        if think:
            await asyncio.sleep(think)  # pace of the load only; the latency is stamped by the fake
    timeline = app.api.timeline[person.user_id]
    if not any(SAVED in m.text for m in timeline[-3:]):
        raise SystemExit(f"{person.name} did not file; the bot said: {timeline[-1].text[:300]!r}")


async def until_alerted(
    app: App, filers: list[Person], submits: dict[int, int], handling: list[float] | None = None
) -> list[float]:
    """Wait for every officer's first alert about these members' reports; the seconds from
    each submit entering the bot to each of those alerts (and, into `handling`, the seconds
    the submit itself took to be handled: the share of the latency before the outbox)."""
    async with app.runtime.services.db.read() as tx:
        keys = await tx.fetchall("SELECT dedupe_key, chat_id FROM outbox")
        filed = await tx.fetchall("SELECT id, number, member_id FROM reports")
    reports = {int(r["id"]): (str(r["number"]), int(r["member_id"])) for r in filed}
    wanted = {p.member_id for p in filers}
    alerts = []  # (officer chat, report number, reporter's member id)
    for row in keys:
        key = ALERT_KEY.fullmatch(str(row["dedupe_key"]))
        if key and reports[int(key[1])][1] in wanted:
            alerts.append((int(row["chat_id"]), *reports[int(key[1])]))
    expected = sum(len(app.officers_of[commune(p)]) for p in filers)
    if len(alerts) != expected:
        raise SystemExit(f"{len(alerts)} alerts queued, {expected} expected (2 per report)")
    out = []
    for chat, number, member_id in alerts:
        while not (times := [t for t, text in app.api.to_officers[chat] if number in text]):
            app.api.news.clear()
            await asyncio.wait_for(app.api.news.wait(), WAIT_LIMIT)
        handed = app.api.handed[submits[member_id]]
        out.append(times[0] - handed)
        if handling is not None:
            handling.append(app.done.handled_at[submits[member_id]] - handed)
    return out


def commune(person: Person) -> str:
    """The commune over a member's village team."""
    return person.team.rsplit("/", 1)[0]


async def run(
    args: argparse.Namespace, loaded: bool, handling: list[float] | None = None
) -> tuple[list[float], dict[str, float]]:
    """One phase in a fresh database: everyone at once (loaded) or the urgent members alone,
    each waiting until the previous report's alerts are out (reference)."""
    people, _ = make_people(args)
    urgent = [p for p in people if p.urgent]
    with tempfile.TemporaryDirectory(prefix="antt-bench-alerts-") as tmp:
        app = await build(args, people, Path(tmp))
        ptb = app.channel.application
        app.runtime.start_senders()
        await ptb.start()
        assert ptb.updater is not None
        await ptb.updater.start_polling(poll_interval=0.0)
        submits: dict[int, int] = {}
        samples: list[float] = []
        started = time.perf_counter()
        try:
            if loaded:
                await asyncio.gather(*(walk(app, p, args.think, submits) for p in people))
                seconds = time.perf_counter() - started
                samples = await until_alerted(app, urgent, submits, handling)
            else:
                limiter = app.runtime.senders[0].limiter
                for p in urgent:
                    while limiter.cooling():  # a lone report: no officer chat in its 1 s gap
                        await asyncio.sleep(limiter.ready_in() or 0.01)
                    await walk(app, p, 0.0, submits)
                    samples += await until_alerted(app, [p], submits)
                seconds = time.perf_counter() - started
        finally:
            await ptb.updater.stop()
            await app.channel.settle()
            await ptb.stop()
            await ptb.shutdown()
            await app.runtime.stop()
        load = {"seconds": seconds, "messages": app.api.messages_sent, "429": app.api.too_many}
        return samples, load


def figures(samples: list[float]) -> dict[str, float]:
    """p50, p95, max and count of a list of latencies."""
    ordered = sorted(samples)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1], "n": len(ordered)}


def med(runs: list[dict[str, float]], key: str) -> float:
    """The median of one figure over the runs."""
    return statistics.median(r[key] for r in runs)


def show(label: str, f: dict[str, float]) -> str:
    """One line of figures in seconds."""
    return (
        f"{label:<10} p50 {f['p50']:7.3f}  p95 {f['p95']:7.3f}  max {f['max']:7.3f}  "
        f"n {f['n']:3.0f}"
    )


async def bench(args: argparse.Namespace) -> None:
    """Reference and loaded phase per run; the medians and the pooled samples."""
    people, communes = make_people(args)
    urgent = sum(p.urgent for p in people)
    print("antt-bot alert latency benchmark (submission to the officer's first alert, seconds)")
    print(
        f"  Python {platform.python_version()}, {os.cpu_count()} CPUs; fake Bot API "
        f"{f'{CAP:.0f} msgs/s with 429s' if args.pace else 'UNCAPPED'}, {args.latency_ms:.0f} "
        f"ms per call; bot pace limiter {'on' if args.pace else 'OFF'}; outbox sender at the "
        "configured rate"
    )
    print(
        f"  load: {args.members} members at once, {args.think:g} s thought per step, teams of "
        f"{args.team_size} in {len(communes)} communes (2 officers each); {urgent} urgent "
        f"(every {args.urgent_every}th: tips marked Khẩn cấp and fires alternately)"
    )
    loaded_runs, reference_runs = [], []
    pooled: dict[str, list[float]] = {"loaded": [], "reference": []}
    for n in range(1, args.runs + 1):
        ref, _ = await run(args, loaded=False)
        handling: list[float] = []
        samples, load = await run(args, loaded=True, handling=handling)
        pooled["reference"] += ref
        pooled["loaded"] += samples
        reference_runs.append(figures(ref))
        loaded_runs.append(figures(samples))
        print(
            f"  run {n}: load {load['seconds']:.1f} s, {load['messages']:.0f} messages, "
            f"{load['429']:.0f} 429s"
        )
        print(f"    {show('loaded', loaded_runs[-1])}")
        print(f"    {show('handled', figures(handling))}  (the submit itself, under the load)")
        print(f"    {show('reference', reference_runs[-1])}", flush=True)
    print(f"\n  median of {args.runs} run(s):")
    for label, rs in (("loaded", loaded_runs), ("reference", reference_runs)):
        print("    " + show(label, {k: med(rs, k) for k in ("p50", "p95", "max", "n")}))
    ratio = med(loaded_runs, "p50") / med(reference_runs, "p50")
    print(f"    ratio loaded/reference p50 {ratio:.1f}x")
    print("  all runs pooled:")
    for label in ("loaded", "reference"):
        print("    " + show(label, figures(pooled[label])))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The options, checked."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.alert_latency", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--members", type=int, default=150, help="members at once (150)")
    parser.add_argument("--urgent-every", type=int, default=20, help="1 in N files urgent (20)")
    parser.add_argument("--communes", type=int, default=3, help="communes, 2 officers each (3)")
    parser.add_argument("--team-size", type=int, default=10, help="members per village (10)")
    parser.add_argument("--think", type=float, default=0.0, help="seconds per step (0)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="fake's answer delay (0)")
    parser.add_argument("--runs", type=int, default=3, help="runs; medians printed (3)")
    parser.add_argument(
        "--no-pace",
        dest="pace",
        action="store_false",
        help="no 30/s: neither the bot's pace limiter nor the fake's cap (as in bench-wizard)",
    )
    args = parser.parse_args(argv)
    if args.members < 2 or args.runs < 1 or args.team_size < 2 or args.urgent_every < 1:
        parser.error("need 2+ members, 1+ run, teams of 2+ and --urgent-every 1+")
    if not any(i % args.urgent_every == args.urgent_every - 1 for i in range(args.members)):
        parser.error("no member files an urgent report: lower --urgent-every")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark with the command line's options."""
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
