"""`antt-bot org import FILE`: load the unit tree, with progress on standard error.

A province's file can hold 100,000 units; the operator sees each stage (reading, checked,
what will be written, how far the writing is) and, when something goes wrong, that what was
written has been rolled back. The last line on standard output says what was imported.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.core import cli_support
from bot.core.config import Config
from bot.core.typed_dates import FORMS, read_day
from bot.units.orgimport import ImportObserver, Interrupted, OrgImportError, import_org
from storage.stores import open_store

USAGE = "usage: antt-bot org import FILE [--apply-changes] [--on DATE]"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `org import FILE` on the main parser."""
    org = sub.add_parser("org", help="the unit tree").add_subparsers(dest="org_command")
    imp = org.add_parser(
        "import",
        help="load units from CSV or XLSX (columns: path, kind, optionally households, phone)",
        description="Create or update units from a file; all or nothing, safe to re-run, "
        "and the running bot keeps answering meanwhile. Limits: [org_import] in the config.",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--apply-changes",
        action="store_true",
        help="make the changes refused without it: a unit with units below becoming a team,"
        " a rename (renamed_from column), dropping a unit that has members, units below it,"
        " reports or open invites (it is closed, its members stop serving)",
    )
    imp.add_argument(
        "--on",
        metavar="DATE",
        help=f"the day the tree changes hold from (default today; e.g. {FORMS}); not in the"
        " future nor in a tally month already closed",
    )


class Progress(ImportObserver):
    """Prints the import's stages, and writing or rollback progress in steps of 10%."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.wrote = False
        self._shown: dict[str, int] = {}

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def reading(self, file: Path) -> None:
        """Say which file is read: a large XLSX takes a while before anything else shows."""
        self._say(f"Reading {file} ...")

    async def checked(self, rows: int) -> None:
        """Say every row passed the checks that need no database."""
        self._say(f"Checked {rows:,} rows.")

    async def recovering(self, interrupted: Interrupted) -> None:
        """Explain why this import starts by undoing another one."""
        self._say(
            f"An earlier import (#{interrupted.import_id}, {interrupted.file}, started"
            f" {interrupted.started_at}) was interrupted; first rolling back the"
            f" {interrupted.pending:,} change(s) it wrote."
        )

    async def recovered(self, interrupted: Interrupted, kept: int) -> None:
        """Say the interrupted import is gone, and what it had to leave."""
        note = (
            f" {kept} unit(s) it created were kept: members, invites or reports refer to them."
            if kept
            else ""
        )
        self._say(f"Rolled back the interrupted import #{interrupted.import_id}.{note}")

    async def planned(self, created: int, updated: int, unchanged: int) -> None:
        """Say what will be written, before the writing starts."""
        self._say(
            f"To write: {created:,} new units, {updated:,} updates ({unchanged:,} unchanged)."
        )

    async def written(self, done: int, total: int) -> None:
        """Show writing progress every 10%."""
        self.wrote = True
        self._step("Written", done, total)

    async def undone(self, done: int, total: int) -> None:
        """Show rollback progress every 10%."""
        self._step("Rolled back", done, total)

    def _step(self, verb: str, done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if done == total or tenth > self._shown.get(verb, 0):
            self._shown[verb] = tenth
            self._say(f"{verb} {done:,}/{total:,} ({done * 100 // max(total, 1)}%).")


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run `org import`; exit 0 when imported, 1 when refused or rolled back."""
    if args.org_command != "import":
        print(USAGE, file=sys.stderr)
        return 2
    progress = Progress(sys.stderr)
    clock = cli_support.clock_for(config)
    on = None
    if getattr(args, "on", None):
        on = read_day(args.on, clock.now().date())
        if on is None:
            print(f"antt-bot: --on {args.on!r} is not a date; write e.g. {FORMS}", file=sys.stderr)
            return 2
    db = await open_store(config.database.location, read_url=config.database.read_url)
    try:
        result = await import_org(
            db,
            args.file,
            clock,
            config.org_import,
            progress,
            apply_changes=bool(getattr(args, "apply_changes", False)),
            on=on,
            month_starts_on=config.tally.month_starts_on,
        )
    except OrgImportError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        if not err.kept:
            print("Nothing was imported from this file.", file=sys.stderr)
        return 1
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels us, then raises KeyboardInterrupt
        done = "what it wrote has been rolled back" if progress.wrote else "nothing was written"
        print(f"Import interrupted: {done}.", file=sys.stderr)
        raise
    finally:
        await db.close()
    for old, new in result.renamed:
        print(f"Renamed: {old} -> {new}")
    for reopened in result.reopened:
        print(f"Reopened: {reopened}")
    for closed in result.closed:
        print(f"Closed (no longer in the file): {closed}")
    if result.left:
        print(f"Members whose service ended (told by the bot): {result.left}")
    extra = "".join(
        f", {count} {what}"
        for count, what in (
            (len(result.renamed), "renamed"),
            (len(result.reopened), "reopened"),
            (len(result.closed), "closed"),
        )
        if count
    )
    print(
        f"Imported {args.file}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged{extra}."
    )
    return 0
