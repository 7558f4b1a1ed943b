"""`antt-bot db migrate|status`: say where the configured database stands, and bring it up
to date without starting the bot (a deployment of several processes migrates once, first).

Prints the backend and the address without any password, then each migration with when it
was applied, or "pending".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.core.config import Config
from bot.database import copy_cli
from storage.stores import is_postgres, make_store, shown, sqlite_path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `db` and its actions on the main parser."""
    parser = sub.add_parser(
        "db",
        help="the database: status, migrate, copy",
        description=(
            "Where the configured database ([database] url, or path; ANTT_DATABASE_URL) "
            "stands: `status` lists every migration with when it was applied or 'pending'; "
            "`migrate` applies the pending ones."
        ),
    )
    actions = parser.add_subparsers(dest="db_action", required=True)
    actions.add_parser("status", help="list migrations: applied (when) or pending")
    actions.add_parser("migrate", help="apply pending migrations")
    copy_cli.add_arguments(
        actions.add_parser(
            "copy",
            help="copy another database (a province's) into this one; run again: only what is new",
        )
    )


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run one action; exit code 0, or 1 when the database cannot be reached or is missing."""
    if args.db_action == "copy":
        return await copy_cli.run(config, args)
    location = config.database.location
    backend = "PostgreSQL" if is_postgres(location) else "SQLite"
    missing = not is_postgres(location) and not Path(sqlite_path(location)).exists()
    if args.db_action == "status" and missing:
        print(
            f"antt-bot: no database at {location} (`antt-bot db migrate` creates it)",
            file=sys.stderr,
        )
        return 1
    store = make_store(location)
    try:
        await store.open(migrate=False)
    except Exception as exc:  # a refused connection, a missing database, bad credentials
        print(f"antt-bot: cannot reach {shown(location)}: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"{backend}: {shown(location)}")
        if args.db_action == "migrate":
            applied = await store.migrate()
            print(
                f"applied {len(applied)} migration(s)"
                + (": " + ", ".join(applied) if applied else "")
            )
            return 0
        status = await store.migration_status()
        for name, at in status:
            print(f"  {name:32} {at or 'pending'}")
        pending = sum(1 for _, at in status if at is None)
        print(f"{len(status) - pending} applied, {pending} pending")
        return 0
    finally:
        await store.close()
