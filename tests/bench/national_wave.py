"""The evening reminder to the whole force, over one bot per province, against capped fakes.

    python -m tests.bench.national --no-tally [--wave-members 20400] [--bots 34] [--rate 30]

A fresh SQLite database holds `--wave-members` team members in 34 provinces, each member
linked through their province's bot: identities on channels "telegram:p01" .. "telegram:p34"
(the outbox channel of each bot). The real planner of the 19:00 reminder
(bot.schedule.planners.daily.remind, through recipients.audience) plans the wave, and
storage.outbox.enqueue_many queues it in one transaction, as the scheduler does; both timed.

Then 34 real OutboxSenders (one per bot, each with its own rate limiter at `--rate` messages
per second and one per chat per second, as [telegram] send_rate sets) drain the queue at once
through 34 real TelegramChannels (python-telegram-bot over HTTP), each with its own token, to
a fake Bot API in a child process (tests/bench/outbox_fake.CappedBotAPI per token) that
refuses with 429 whatever would break that bot's cap (30 messages in any second). Printed:
time to drain, the achieved aggregate rate against the ideal (bots x rate), the extrapolated
time for the full 276,000, and per bot the messages accepted, the 429s (a cap the sender
tried to exceed) and the most accepted in any one second.

The whole wave at 34 x 30/s takes about 4.5 minutes: `--wave-members 276000`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import Runtime, build_services
from bot.channels.telegram import TelegramChannel
from bot.core.clock import iso
from bot.core.config import load_config
from bot.core.model import Outbound
from bot.outbox.sender import SendPolicy
from bot.schedule.planners.daily import remind
from bot.schedule.scheduler import Plan
from storage import outbox
from storage.db import Database
from tests.bench.outbox_data import write_config
from tests.bench.outbox_fake import CappedBotAPI

FULL_WAVE = 276_000
DAY = datetime(2026, 10, 15).date()


def add_options(parser: argparse.ArgumentParser) -> None:
    """The wave's options, on the national benchmark's command line."""
    parser.add_argument("--no-wave", action="store_true", help="skip the reminder wave")
    parser.add_argument(
        "--wave-members", type=int, default=20_400, help="members reminded (default 20,400)"
    )
    parser.add_argument("--bots", type=int, default=34, help="bots, one per province (34)")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="senders' pace per bot (default [telegram] send_rate)",
    )
    parser.add_argument("--cap", type=int, default=30, help="the fakes' cap per bot (30/s)")
    parser.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)


def run_from(args: argparse.Namespace) -> None:
    """Run the wave unless skipped (or serve the fakes, in the child process)."""
    if args.serve:
        asyncio.run(_serve(args.serve, args.cap))
    elif not args.no_wave:
        asyncio.run(wave(args.wave_members, args.bots, args.rate, args.cap))


def tokens(bots: int) -> list[str]:
    """One token per bot."""
    return [f"{700000 + i}:national-bench-p{i:02d}" for i in range(1, bots + 1)]


# ------------------------------------------------------------------ the child: 34 capped fakes


async def _serve(bots: int, cap: int) -> None:
    """One loopback server answering for every bot's token, each with its own cap; prints the
    port, and every bot's figures as JSON when its stdin closes.

    The garbage collector is off here: the fakes are the measuring instrument, and a full
    pass over their 276,000 records would hold every request it reads meanwhile, then
    stamp them all at once, as if they had arrived together (the records hold no cycles;
    the process ends with the wave)."""
    gc.disable()
    fakes = {t: CappedBotAPI(t, overall=cap) for t in tokens(bots)}

    async def route(request: web.Request) -> web.StreamResponse:
        fake = fakes.get(request.match_info["token"])
        if fake is None:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        return await fake._api(request)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", route)
    app.router.add_get("/bot{token}/{method}", route)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    result = {}
    for token, fake in fakes.items():
        times = [a.at for a in fake.accepted]
        result[token] = {
            "accepted": len(times),
            "chats": len({a.chat_id for a in fake.accepted}),
            "too_many": fake.too_many,
            "too_many_overall": fake.too_many_overall,
            "too_many_chat": fake.too_many_chat,
            "max_per_second": _max_in_window(times, 1.0),
            "first": min(times) if times else 0.0,
            "last": max(times) if times else 0.0,
        }
    print(json.dumps(result), flush=True)
    await runner.cleanup()


def _max_in_window(times: list[float], window: float) -> int:
    """The most accepted messages in any `window` seconds."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


# ------------------------------------------------------------------ the parent


def _fill(path: Path, members: int, bots: int) -> None:
    """Provinces with teams of three or four, every member linked through their province's bot."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        created = "2026-01-01T08:00:00+07:00"
        unit = (
            "INSERT INTO units (parent_id, name, kind, path, households, created_at)"
            " VALUES (?, ?, ?, ?, NULL, ?)"
        )
        per_province = -(-members // bots)
        teams: list[list[int]] = []  # per province, its teams' unit ids
        for p in range(1, bots + 1):
            name = f"Tỉnh {p:02d}"
            pid = conn.execute(unit, (None, name, "province", name, created)).lastrowid
            ids = []
            for v in range(-(-per_province // 3)):
                v_name = f"Thôn {v:05d}"
                path = f"{name}/{v_name}"
                ids.append(
                    int(conn.execute(unit, (pid, v_name, "village", path, created)).lastrowid or 0)
                )
            teams.append(ids)
        rows = []
        for i in range(members):
            p, slot = i % bots, i // bots  # evenly over the provinces, three to a team
            role = "leader" if slot % 3 == 0 else "member"
            rows.append((i + 1, teams[p][slot // 3], role, f"Thành viên {i + 1}", p + 1))
        conn.executemany(
            "INSERT INTO members (id, unit_id, role, full_name, locale, active, joined_at)"
            f" VALUES (?, ?, ?, ?, 'vi', 1, '{created}')",
            [r[:4] for r in rows],
        )
        conn.executemany(
            "INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)"
            f" VALUES (?, ?, ?, '2026-01-01', NULL, '{created}')",
            [r[:3] for r in rows],
        )
        conn.executemany(
            "INSERT INTO identities (channel, user_id, chat_id, member_id, linked_at)"
            f" VALUES (?, ?, ?, ?, '{created}')",
            [
                (f"telegram:p{r[4]:02d}", str(9_000_000 + r[0]), str(9_000_000 + r[0]), r[0])
                for r in rows
            ],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


class BotChannel:
    """A province's bot as the outbox sees it: the real Telegram channel under its own name."""

    numbered = False
    files = True
    locations = True

    def __init__(self, inner: TelegramChannel, name: str) -> None:
        self.inner = inner
        self.name = name

    async def deliver(self, chat_id: str, message: Outbound, *, urgent: bool = False) -> str | None:
        """Through the bot's own Telegram application."""
        return await self.inner.deliver(chat_id, message, urgent=urgent)

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)


def _child(bots: int, cap: int) -> tuple[subprocess.Popen[str], int]:
    """Start the fakes in their own process (their work must not slow the senders')."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.national", "--serve", str(bots), "--cap", str(cap)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit(f"the fake Bot API did not start: {line!r}")
    return child, int(line.split()[1])


async def wave(members: int, bots: int, rate: float, cap: int) -> None:
    """Plan and drain one reminder wave; print the figures."""
    child, port = _child(bots, cap)
    logging.getLogger("bot.outbox.sender").setLevel(logging.ERROR)  # 429s: counted by the fakes
    with tempfile.TemporaryDirectory(prefix="antt-bench-wave-") as tmp:
        db_path, config_path = Path(tmp) / "wave.sqlite3", Path(tmp) / "bot.toml"
        write_config(config_path, db_path, f"http://127.0.0.1:{port}")
        db = await Database(db_path).open()
        await db.close()
        started = time.perf_counter()
        _fill(db_path, members, bots)
        print(f"  roster written in {time.perf_counter() - started:.1f} s")
        configs = [load_config(config_path, {"ANTT_TELEGRAM_TOKEN": t}) for t in tokens(bots)]
        rate = rate or configs[0].telegram.send_rate
        print()
        print(
            f"reminder wave: {members:,} members over {bots} bots, senders at {rate:g} msg/s "
            f"each, fakes capped at {cap}/s each"
        )
        services = await build_services(configs[0])
        runtime = Runtime(services)
        apps = []
        senders = []
        for i, config in enumerate(configs, start=1):
            channel = TelegramChannel(config, runtime.engine)
            policy = SendPolicy(rate=rate, per_chat=1.0, max_in_flight=config.outbox.max_in_flight)
            senders.append(runtime.add_channel(BotChannel(channel, f"telegram:p{i:02d}"), policy))
            apps.append(channel.application)
        try:
            for app in apps:
                await app.initialize()
            zone = services.clock.now().tzinfo
            slot = datetime.combine(DAY, dtime(19, 0), tzinfo=zone)
            started = time.perf_counter()
            async with services.db.transaction() as tx:
                planned = await remind(Plan(services, tx, slot, slot))
                queued = await outbox.enqueue_many(tx, planned, slot.isoformat())
            plan_s = time.perf_counter() - started
            # Gone once queued, as in the scheduler: kept, the 276,000 planned messages made
            # every full pass of the garbage collector long enough to stall the senders, and
            # the requests granted before a stall reached the fakes bunched (429s).
            del planned
            # Due now, whatever the hour the benchmark runs at (the slot is a fixed day).
            with sqlite3.connect(db_path) as conn:
                conn.execute(
                    "UPDATE outbox SET not_before = ?, expires_at = NULL",
                    (iso(services.clock.now() - timedelta(seconds=1)),),
                )
            print(
                f"  planned and queued {queued:,} reminders in {plan_s:.2f} s "
                f"(extrapolated to {FULL_WAVE:,}: {plan_s * FULL_WAVE / max(1, queued):.1f} s)"
            )
            started = time.perf_counter()
            sent = sum(await asyncio.gather(*(s.drain_once() for s in senders)))
            drain_s = time.perf_counter() - started
        finally:
            for app in apps:
                await app.shutdown()
            await runtime.stop()
    assert child.stdin is not None and child.stdout is not None
    child.stdin.close()
    figures: dict[str, dict[str, Any]] = json.loads(child.stdout.readline())
    child.wait()
    for line in _report(figures, sent, drain_s, bots, rate, cap, queued):
        print(line)


def _report(
    figures: dict[str, dict[str, Any]],
    sent: int,
    seconds: float,
    bots: int,
    rate: float,
    cap: int,
    queued: int,
) -> Iterator[str]:
    """The wave's lines."""
    accepted = sum(f["accepted"] for f in figures.values())
    refused = sum(f["too_many"] for f in figures.values())
    achieved = accepted / seconds if seconds else 0.0
    ideal = bots * rate
    floor = FULL_WAVE / (bots * cap) / 60
    yield (
        f"  drained {sent:,} rows ({accepted:,} accepted by the fakes of {queued:,} queued) in "
        f"{seconds:.1f} s: {achieved:.0f} msg/s aggregate, ideal {ideal:.0f} msg/s "
        f"({achieved / ideal:.0%})"
    )
    full = FULL_WAVE / achieved if achieved else float("inf")
    yield (
        f"  extrapolated full wave of {FULL_WAVE:,}: {full / 60:.1f} min at this rate "
        f"(at the senders' pace {FULL_WAVE / ideal / 60:.1f} min, at the caps "
        f"{floor:.1f} min; one bot alone at its cap {FULL_WAVE / cap / 3600:.1f} h)"
    )
    chats = sum(f["chats"] for f in figures.values())
    yield (
        f"  members reached: {chats:,} distinct chats of {queued:,} queued"
        f" ({'each once' if chats == accepted == queued else 'NOT each once'})"
    )
    busiest = max(f["max_per_second"] for f in figures.values())
    over = [t.split("-")[-1] for t, f in figures.items() if f["too_many"]]
    yield (
        f"  per bot: accepted {min(f['accepted'] for f in figures.values()):,} .. "
        f"{max(f['accepted'] for f in figures.values()):,}; most in any second {busiest} "
        f"(cap {cap}); 429s {refused}"
        + (f" from {', '.join(over)}" if over else "")
        + (
            f" ({sum(f['too_many_overall'] for f in figures.values())} over the bot's cap,"
            f" {sum(f['too_many_chat'] for f in figures.values())} to a chat within a second)"
            if refused
            else ""
        )
        + f" -> cap {'EXCEEDED (tried)' if refused else 'never exceeded'}"
    )


if __name__ == "__main__":
    sys.exit("run it through python -m tests.bench.national")
