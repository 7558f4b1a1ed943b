"""`antt-bot db copy --from A [--to B]`: the command line of bot/database/copy.py, printing
what happened to every table so the operator can trust nothing was lost."""

from __future__ import annotations

import argparse
import sys
import time

from bot.core import cli_support
from bot.core.clock import iso
from bot.core.config import Config
from bot.database.copy import CopyRefused, copy_database
from bot.reports.forms import load_forms
from storage.stores import is_postgres, make_store, shown, sqlite_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the copy's options."""
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        help="the database to copy: sqlite:///province.sqlite3, a path, or postgresql://...",
    )
    parser.add_argument(
        "--to",
        dest="target",
        default="",
        help="the database to copy into (default: the configured one)",
    )
    parser.add_argument(
        "--in-chunks",
        action="store_true",
        help="commit every few thousand rows instead of once at the end, so the bots writing"
        " to the target are not held up by a long copy (a copy stopped half-way is finished"
        " by running it again)",
    )


async def run(config: Config, args: argparse.Namespace) -> int:
    """Copy and print the summary; 1 (with what to do) when the copy cannot be made."""
    source_at, target_at = args.source, args.target or config.database.location
    if not is_postgres(source_at):
        from pathlib import Path

        if not Path(sqlite_path(source_at)).exists():
            print(f"antt-bot: no database at {source_at}: check the --from path", file=sys.stderr)
            return 1
    source, target = make_store(source_at), make_store(target_at)
    try:
        await source.open(migrate=False)
        await target.open(migrate=False)
    except Exception as exc:  # a refused connection, a missing database, bad credentials
        print(f"antt-bot: cannot reach a database: {exc}", file=sys.stderr)
        await source.close()
        return 1
    try:
        print(f"copying {shown(source_at)} into {shown(target_at)}")
        started = time.monotonic()
        now = iso(cli_support.clock_for(config).now().replace(microsecond=0))
        forms = load_forms(config.reports.forms_file or None)
        summary = await copy_database(source, target, forms, now, in_chunks=args.in_chunks)
    except CopyRefused as exc:
        print(f"antt-bot: {exc}", file=sys.stderr)
        return 1
    finally:
        await source.close()
        await target.close()
    for line in summary.lines():
        print(line)
    print(f"{summary.copied} row(s) copied in {time.monotonic() - started:.1f} s")
    return 0
