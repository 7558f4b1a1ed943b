"""`antt-bot updates`: the updates whose handling failed, for the operator.

An update that raises is counted; after `[inbound] max_attempts` it is set aside (kept,
never run again) and its sender has already been told once that something went wrong. The
operator finds them here by channel and update id, with the type of the error, to match
them with the "update failed" lines of the log. No chat ids, names or texts are printed.
"""

from __future__ import annotations

import argparse

from bot.core import dates
from bot.core.cli_support import existing_database, local_time
from bot.core.clock import SystemClock
from bot.core.config import Config
from storage import failures
from storage.db import Row
from storage.stores import open_store

_COLUMNS = ("channel", "update", "attempts", "error", "first failure", "last failure")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `updates` on the main parser."""
    parser = sub.add_parser(
        "updates",
        help="updates whose handling failed: set aside, or to be retried at the next start",
        description=(
            "List received updates whose handling raised an error: those set aside after "
            "[inbound] max_attempts failures (never run again), and those that failed fewer "
            "times (replayed at the next start)."
        ),
    )
    parser.add_argument(
        "--limit", type=int, default=50, metavar="N", help="at most N rows per section"
    )
    parser.add_argument("--demo", action="store_true", help="use the terminal demo's database")


async def run(config: Config, args: argparse.Namespace) -> int:
    """Print both sections; exit code 0 (1 when there is no database)."""
    path = existing_database(config, args.demo)
    if path is None:
        return 1
    clock = SystemClock(config.bot.timezone)
    limit = max(1, int(args.limit))
    db = await open_store(str(path))
    try:
        async with db.read() as tx:
            aside, aside_total = await failures.listing(tx, set_aside=True, limit=limit)
            failing, failing_total = await failures.listing(tx, set_aside=False, limit=limit)
    finally:
        await db.close()
    now = clock.now()
    lines = [f"Failed updates in {path}, at {dates.shell_stamp(now)} ({clock.tz})", ""]
    max_attempts = config.inbound.max_attempts
    lines += _section(
        f"Set aside after {max_attempts} failures, never run again (newest first)",
        aside,
        aside_total,
        clock,
    )
    lines.append("")
    lines += _section(
        "Failing, run again at the next start (newest first)", failing, failing_total, clock
    )
    if aside_total:
        days = config.inbound.keep_failed_days
        lines += ["", f"Updates set aside are deleted after {days} days ([inbound])."]
    print("\n".join(lines))
    return 0


def _section(title: str, rows: list[Row], total: int, clock: SystemClock) -> list[str]:
    """One titled table, or a line saying there is nothing."""
    shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
    lines = [f"{title}: {shown}"]
    if not rows:
        return lines
    table = [_COLUMNS] + [
        (
            str(r["channel"]),
            str(r["update_key"]) + ("" if r["journaled"] else " (not journaled)"),
            str(r["attempts"]),
            str(r["error"]),
            local_time(r["first_at"], clock.tz),
            local_time(r["last_at"], clock.tz),
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
    for row in table:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    return lines
