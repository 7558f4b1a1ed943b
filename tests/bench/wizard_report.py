"""The wizard benchmark's results and how they are printed: each run as it ends, then the
medians of every pipeline next to the echo bot measured in the same runs."""

from __future__ import annotations

import os
import platform
import resource
import sqlite3
import statistics
import sys
from dataclasses import dataclass

import aiosqlite
import telegram

from tests.bench.wizard_data import MATE, Step


@dataclass
class Result:
    """One timed run of one pipeline (of all its processes together, for several)."""

    pipeline: str
    updates: int
    seconds: float
    api_calls: int
    peak_bytes: int | None = None
    round_trips: int | None = None  # calls into the database during the timed run
    cpu_seconds: float = 0.0  # the process's CPU time (all threads) over the same span
    started_at: float = 0.0  # time.perf_counter(): CLOCK_MONOTONIC, one clock for every process
    detail: str = ""  # several processes: what each handled, and when

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def trips_per_update(self) -> float | None:
        return None if self.round_trips is None else self.round_trips / self.updates


def pipeline_name(database: str, processes: int) -> str:
    """antt, antt-pg, antt-2p, antt-pg-2p: the rows of the results."""
    return ("antt" if database == "sqlite" else "antt-pg") + (
        "" if processes == 1 else f"-{processes}p"
    )


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / (1024 * 1024):.1f} MiB"


LABELS = {
    "antt": "SQLite, 1 process",
    "antt-2p": "SQLite, 2 processes",
    "antt-pg": "PostgreSQL, 1 process",
    "antt-pg-2p": "PostgreSQL, 2 processes",
    "echo": "echo (PTB only)",
}


def print_header(members: int, steps: list[Step]) -> None:
    """Versions, machine and stream, above the runs."""
    presses = sum(1 for s in steps if s.kind == "press")
    print("antt-bot wizard benchmark")
    print(
        f"  Python {platform.python_version()} ({platform.python_implementation()}), "
        f"python-telegram-bot {telegram.__version__}, SQLite {sqlite3.sqlite_version} "
        f"(aiosqlite {aiosqlite.__version__}), {os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(
        f"  stream: {members} members x {len(steps)} updates = {members * len(steps)} updates "
        f"per run ({len(steps) - presses} typed, {presses} button presses per patrol dialog), "
        f"round-robin over {members} chats; with 2 processes each takes the updates of half "
        f"the chats (a chat stays on one process)"
    )
    shown = (s.data.replace(MATE, "<id>") if s.kind == "press" else "<text>" for s in steps)
    print("  dialog: " + " | ".join(shown))
    print()
    print(
        f"  {'run':>3}  {'pipeline':<10} {'updates':>7} {'seconds':>8} {'updates/s':>10} "
        f"{'ms/update':>9} {'CPU ms/upd':>10} {'API calls':>9} {'DB trips/update':>15}"
    )


def print_run(run: int, r: Result) -> None:
    """One timed run, as it ends."""
    per = r.trips_per_update
    print(
        f"  {run:>3}  {r.pipeline:<10} {r.updates:>7} {r.seconds:>8.3f} "
        f"{r.rate:>10.0f} {1000 / r.rate:>9.3f} {1000 * r.cpu_seconds / r.updates:>10.3f} "
        f"{r.api_calls:>9} {'-' if per is None else f'{per:.2f}':>15}  {r.detail}".rstrip(),
        flush=True,
    )


def print_summary(results: dict[str, list[Result]], steps: list[Step]) -> None:
    """Medians per pipeline, each next to the echo bot of the same run."""
    runs = len(results["echo"])
    med = {k: statistics.median(r.rate for r in v) for k, v in results.items()}
    cpu = {
        k: statistics.median(1000 * r.cpu_seconds / r.updates for r in v)
        for k, v in results.items()
    }
    print()
    server = ", and with PostgreSQL's server" if any("pg" in k for k in results) else ""
    print(
        f"  medians of {runs} runs; this machine has {os.cpu_count()} CPUs: 2 processes compete "
        f"for them with each other, with the fake Bot API inside each{server}"
    )
    print(
        f"  {'pipeline':<24} {'updates/s':>9} {'min-max':>11} {'ms/update':>9} {'CPU ms/upd':>10} "
        f"{'ratio to echo':>13} {'DB trips/upd':>12} {'ms/report':>9}"
    )
    for name, rows in results.items():
        rates = [r.rate for r in rows]
        trips = [r.trips_per_update for r in rows if r.trips_per_update is not None]
        print(
            f"  {LABELS[name]:<24} {med[name]:>9.0f} {f'{min(rates):.0f}-{max(rates):.0f}':>11} "
            f"{1000 / med[name]:>9.3f} {cpu[name]:>10.3f} {med[name] / med['echo']:>13.3f} "
            f"{f'{statistics.median(trips):.2f}' if trips else '-':>12} "
            f"{1000 * len(steps) / med[name]:>9.3f}"
        )
    for one, two in (("antt", "antt-2p"), ("antt-pg", "antt-pg-2p")):
        if one in med and two in med:
            print(
                f"  {LABELS[two]}: {med[two] / med[one]:.2f}x the updates/s of one process, "
                f"{cpu[two] / cpu[one]:.2f}x its CPU per update (all processes' CPU together)"
            )
    print(
        "  ratio to echo: updates/s over the echo bot's in the same runs; CPU ms/update is less "
        "sensitive to a busy machine; DB trips: every statement, BEGIN, COMMIT and ROLLBACK, "
        "journal, heartbeats and outbox included; ms/report: one patrol dialog's updates"
    )
