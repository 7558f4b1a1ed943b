"""`antt-bot targets show|set|clear --unit U [key=value ...]`: a unit's own goals from the shell.

The same rules as /chitieu (bot/tally/goal_edit.py): values checked with the config's bounds,
the nearest unit up the tree wins, a stored goal wins over the config's on the same unit,
and every change goes to the audit trail as made from the command line.
"""

from __future__ import annotations

import argparse
import sys

from bot.core import cli_support
from bot.core.cli_support import existing_database
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.tally import goal_edit
from bot.tally import goals as unit_goals
from bot.units import cli_unit
from storage.audit import COMMAND_LINE
from storage.stores import open_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the sub-command's options on the main parser."""
    targets = sub.add_parser(
        "targets",
        help="show, set or clear a unit's own targets (for it and the units below it)",
        description=(
            "Goals per unit subtree: `show` lists those in force and where each is set; "
            "`set key=value ...` (a share as 0.95 or 95%%, a count as a whole number); "
            "`clear [key ...]` drops the unit's stored goals (all of them without keys)."
        ),
    )
    targets.add_argument("action", choices=("show", "set", "clear"))
    targets.add_argument("goals", nargs="*", metavar="KEY=VALUE", help="e.g. residents_info=95%%")
    # KEY=VALUE words may also follow the unit (argparse gives a positional list that comes
    # after an option to nobody), as in `targets set --unit 'Xã B' residents_info=95%`.
    targets.add_argument(
        "--unit",
        required=True,
        nargs="+",
        metavar="UNIT",
        help="unit path, e.g. 'Tỉnh A/Xã B', or a name; KEY=VALUE words may follow it",
    )
    targets.add_argument("--locale", choices=("vi", "en"), default=None)
    targets.add_argument("--demo", action="store_true", help="use the terminal demo's database")


async def run(config: Config, args: argparse.Namespace) -> int:
    """Show, set or clear; returns the process exit code (2: bad input, 1: nothing found)."""
    texts = Texts.load()
    locale = args.locale or config.bot.locale
    unit_name, *after = args.unit
    args.goals = [*args.goals, *after]
    if args.action == "show" and args.goals:
        print("antt-bot: `show` takes no KEY=VALUE; use `set`", file=sys.stderr)
        return 2
    if args.action == "set" and not args.goals:
        print("antt-bot: `set` needs KEY=VALUE, e.g. residents_info=95%", file=sys.stderr)
        return 2
    try:
        goals = goal_edit.parse_assignments(args.goals) if args.action == "set" else {}
        keys = [goal_edit.goal_key(k) for k in args.goals] if args.action == "clear" else []
    except goal_edit.GoalError as err:
        print(f"antt-bot: {err.message(texts, locale)}", file=sys.stderr)
        return 2
    path = existing_database(config, args.demo)
    if path is None:
        return 1
    now = cli_support.clock_for(config).now()
    db = await open_store(str(path))
    try:
        async with db.transaction() as tx:
            try:
                unit = await cli_unit.resolve_unit(tx, unit_name)
            except cli_unit.CliError as err:
                print(f"antt-bot: {err}", file=sys.stderr)
                return err.code
            if args.action == "set":
                await goal_edit.set_goals(tx, unit, goals, None, COMMAND_LINE, now)
            elif args.action == "clear":
                count = await goal_edit.clear_goals(tx, unit, keys or None, None, COMMAND_LINE, now)
                print(f"Cleared {count} stored goal(s) of {unit.path}", file=sys.stderr)
            book = await unit_goals.load(tx, config.tally, unit.path)
            lines = goal_edit.describe(texts, locale, book, unit)
    finally:
        await db.close()
    print("\n".join(lines))
    return 0
