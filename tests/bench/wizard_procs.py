"""The wizard benchmark on several bot processes sharing one database (`--processes 2`).

The parent makes the database (a SQLite file in a temporary folder, or a fresh database of the
benchmark's PostgreSQL server), enrols the members and builds the whole stream once, so every
update id is unique as Telegram's are. Then it starts the child processes (`python -m
tests.bench.wizard_procs --child`, a job on stdin). Each builds the real application on that
database (tests/support/harness.py with `database=`) with a fake Bot API of its own, joins the
processes sharing the database as `antt-bot run` does (its row in `processes`, a heartbeat,
each bot's rate shared: bot/cluster/presence.py), starts its outbox sender and takes the
updates of its own chats. Chats are dealt to the processes in the order of a hash of their
id: a chat stays on one process, as behind a load balancer keeping each chat on one process,
and every process gets as many chats, of both teams.

The process that joins second waits two heartbeats before it sends anything (every other one
must have seen it first); the children wait that out before they say they are ready, so the
timed span is the steady state. Every child polls, says it is ready and waits; the parent
releases them together. Each reports when it started and finished (time.perf_counter, which
is CLOCK_MONOTONIC on Linux: one clock for every process of the machine), its CPU seconds,
database round trips and updates handled; the combined rate is all the updates over the span
from the first start to the last finish.

Afterwards the parent checks that every dialog ended in exactly one report (wizard.verify),
that each child saw every process alive when released (no heartbeat took another for dead)
and that each process left the `processes` table when it stopped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

from bot.cluster.presence import living
from bot.core.clock import ManualClock
from tests.bench.wizard import WAIT_LIMIT, close, internal_errors, pump, verify
from tests.bench.wizard_data import EVENING, Person, Step, build_stream, enrol
from tests.bench.wizard_report import Result, pipeline_name
from tests.support import backend
from tests.support.fakebot import FakeBotAPI, Sent
from tests.support.harness import Harness, make_harness

ROOT = Path(__file__).resolve().parents[2]
READY, GO, RESULT = "ready", "go", "result "

# ------------------------------------------------------------------ the parent


def deal(people: list[Person], processes: int) -> list[list[Person]]:
    """Each process's chats: dealt in the order of a hash of the chat id, each share kept in
    the people's order (so its stream stays round-robin over its chats)."""
    order = sorted(people, key=lambda p: zlib.crc32(str(p.user_id).encode()))
    return [sorted(order[k::processes], key=lambda p: p.index) for k in range(processes)]


async def run_procs(
    people: list[Person], steps: list[Step], database: str = "sqlite", processes: int = 2
) -> Result:
    """N patrol dialogs through `processes` bot processes on one database (a fresh one of the
    session's server for "postgresql"); checks the reports and the processes' table after."""
    backend.current = database
    with tempfile.TemporaryDirectory(prefix="antt-bench-") as tmp:
        h = await make_harness(Path(tmp), clock=ManualClock(EVENING))
        try:
            await enrol(h, people)
            streams = [build_stream(s, steps, FakeBotAPI()) for s in deal(people, processes)]
            children = [await start_child(h.location, tmp, stream) for stream in streams]
            try:
                reports = await release(children)
            finally:
                for child in children:
                    if child.returncode is None:
                        child.kill()
                    await child.wait()
            await verify(h, people, errors=sum(int(r["errors"]) for r in reports))
            await check_cluster(h, reports)
            return combine(pipeline_name(database, processes), reports)
        finally:
            await h.close()
            await backend.drop_made()
            backend.current = "sqlite"


async def start_child(
    database: str, tmp: str, stream: list[dict[str, Any]]
) -> asyncio.subprocess.Process:
    """A bot process of its own, given the database and its updates."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bench.wizard_procs",
        "--child",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert child.stdin is not None
    job = {"database": database, "tmp": tmp, "stream": stream}
    child.stdin.write((json.dumps(job) + "\n").encode())
    await child.stdin.drain()
    return child


async def expect(child: asyncio.subprocess.Process, prefix: str) -> str:
    """The rest of the child's next line starting with `prefix` (others are passed over)."""
    assert child.stdout is not None
    while True:
        line = await asyncio.wait_for(child.stdout.readline(), WAIT_LIMIT)
        if not line:
            raise SystemExit(f"a bot process ended before saying {prefix.strip()!r}; see above")
        text = line.decode().rstrip("\n")
        if text.startswith(prefix):
            return text[len(prefix) :]


async def release(children: list[asyncio.subprocess.Process]) -> list[dict[str, Any]]:
    """Wait until every child polls, start them together, collect what each measured."""
    for child in children:
        await expect(child, READY)
    for child in children:
        assert child.stdin is not None
        child.stdin.write(f"{GO}\n".encode())
    await asyncio.gather(*(c.stdin.drain() for c in children if c.stdin is not None))
    reports = [json.loads(await expect(child, RESULT)) for child in children]
    for child in children:
        if await asyncio.wait_for(child.wait(), WAIT_LIMIT) != 0:
            raise SystemExit(f"a bot process ended with status {child.returncode}")
    return reports


async def check_cluster(h: Harness, reports: list[dict[str, Any]]) -> None:
    """Every process saw all the others alive when released, and left the table when done."""
    seen = [int(r["alive"]) for r in reports]
    left = await h.count("SELECT COUNT(*) FROM processes")
    if any(n != len(reports) for n in seen) or left:
        raise SystemExit(
            f"processes: each of {len(reports)} should see {len(reports)} alive and leave the "
            f"table; they saw {seen}, {left} rows left"
        )


def combine(name: str, reports: list[dict[str, Any]]) -> Result:
    """The processes' figures as one run: all updates over first start to last finish."""
    first = min(float(r["started"]) for r in reports)
    last = max(float(r["started"]) + float(r["seconds"]) for r in reports)
    each = ", ".join(f"{r['updates']} in {float(r['seconds']):.3f} s" for r in reports)
    skew = max(float(r["started"]) for r in reports) - first
    return Result(
        name,
        updates=sum(int(r["updates"]) for r in reports),
        seconds=last - first,
        api_calls=sum(int(r["calls"]) for r in reports),
        round_trips=sum(int(r["trips"]) for r in reports),
        cpu_seconds=sum(float(r["cpu"]) for r in reports),
        started_at=first,
        detail=f"(processes: {each}; started {1000 * skew:.1f} ms apart)",
    )


# ------------------------------------------------------------------ a child


def say(line: str) -> None:
    """A line to the parent (stdout carries nothing else; logs go to stderr)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def show_pressed(api: FakeBotAPI, stream: list[dict[str, Any]]) -> None:
    """Register the messages the stream's buttons are on, so the bot's edits find them."""
    for update in stream:
        press = update.get("callback_query")
        if press is None:
            continue
        shown = press["message"]
        chat, message_id = int(shown["chat"]["id"]), int(shown["message_id"])
        keyboard = shown.get("reply_markup", {}).get("inline_keyboard", [])
        api.messages[(chat, message_id)] = Sent(chat, message_id, shown["text"], keyboard)


async def child(job: dict[str, Any]) -> dict[str, Any]:
    """One bot process: the real application on the shared database, its updates timed."""
    stream: list[dict[str, Any]] = job["stream"]
    clock = ManualClock(EVENING)
    h = await make_harness(Path(job["tmp"]), clock=clock, database=job["database"])
    try:
        show_pressed(h.api, stream)
        await h.runtime.join()  # as `antt-bot run` does: a row in `processes`, a heartbeat
        h.runtime.start_senders()
        # A newcomer among processes sending through the bot waits before its first send.
        await asyncio.sleep(max(s.limiter.paused_for for s in h.runtime.senders))
        services = h.runtime.services
        alive: list[int] = []

        async def gate() -> None:
            say(READY)
            if (await asyncio.to_thread(sys.stdin.readline)).strip() != GO:
                raise SystemExit("the benchmark went away")
            alive.append(len(await living(services) or []))

        db = h.db
        app = h.channel.application
        r = await pump(app, h.api, stream, "child", False, lambda: db.round_trips, gate)
        return {
            "updates": r.updates,
            "started": r.started_at,
            "seconds": r.seconds,
            "cpu": r.cpu_seconds,
            "trips": r.round_trips,
            "calls": r.api_calls,
            "errors": internal_errors(h),
            "alive": alive[0],
        }
    finally:
        await close(h)


def main() -> None:
    """`--child`: read the job, run it, print the figures (started by `run_procs` only)."""
    if sys.argv[1:] != ["--child"]:
        raise SystemExit("started by tests.bench.wizard (--processes 2), not by hand")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    job = json.loads(sys.stdin.readline())
    say(RESULT + json.dumps(asyncio.run(child(job))))


if __name__ == "__main__":
    main()
