"""`antt-bot roster import FILE` and `antt-bot roster sheet --unit U --out FILE.pdf`.

The commune's list of people is imported once (or again when it grows), then printed as
code sheets to hand out; the result goes to standard output, refusals to standard error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.core import cli_support, dates
from bot.core.cli_support import bot_username, existing_database
from bot.core.config import Config
from bot.core.typed_dates import FORMS
from bot.people.membership import Actor
from bot.people.roster.importing import RosterError, RosterResult, Settings, import_roster
from bot.people.roster.sheet import SheetError, Wanted, collect
from bot.units.orgimport import OrgImportError
from storage.stores import open_store

USAGE = "usage: antt-bot roster import FILE | roster sheet --unit UNIT --out FILE.pdf"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `roster import` and `roster sheet` on the main parser."""
    roster = sub.add_parser("roster", help="the force listed in advance, with personal codes")
    commands = roster.add_subparsers(dest="roster_command")
    imp = commands.add_parser(
        "import",
        help="create members from CSV or XLSX (full name, unit, role, phone, date joined)",
        description="Create the people a file lists, each with a personal one-time code; all "
        "or nothing. People already listed in their unit are skipped, so the same file can be "
        f"imported again. Dates as {FORMS}. Limits: [org_import]; code expiry: [roster].",
    )
    imp.add_argument("file", type=Path)
    sheet = commands.add_parser(
        "sheet",
        help="print a PDF of personal codes and QR codes, one page per team",
        description="Per unit under UNIT, the members who have not joined yet, with their "
        "personal code and the QR code of the Telegram link.",
    )
    sheet.add_argument("--unit", required=True, help="a path, or a unique name ('Bắc Sơn')")
    sheet.add_argument("--out", required=True, type=Path, help="the PDF file to write")
    sheet.add_argument("--all", action="store_true", help="list members who joined too")
    sheet.add_argument(
        "--renew",
        action="store_true",
        help="issue new codes to members whose code is used, expired or missing",
    )


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run `roster import` or `roster sheet`; exit 0 when done, 1 when refused."""
    if args.roster_command == "import":
        return await _import(config, args.file)
    if args.roster_command == "sheet":
        return await _sheet(config, args)
    print(USAGE, file=sys.stderr)
    return 2


async def _import(config: Config, file: Path) -> int:
    settings = Settings(
        limits=config.org_import,
        invite_days=config.roster.invite_days,
        locale=config.bot.locale,
        month_starts_on=config.tally.month_starts_on,
        actor=Actor.command_line(),
    )
    path = existing_database(config, demo=False)
    if path is None:
        return 1
    db = await open_store(str(path))
    try:
        result = await import_roster(db, file, cli_support.clock_for(config), settings)
    except (RosterError, OrgImportError) as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        print("Nothing was imported from this file.", file=sys.stderr)
        return 1
    finally:
        await db.close()
    _summary(file, result)
    return 0


def _summary(file: Path, result: RosterResult) -> None:
    """Who was created, who was skipped and why, and how to print the codes."""
    print(
        f"Imported {file.name}: {len(result.created)} member(s) created,"
        f" {len(result.skipped)} already listed (skipped)."
    )
    for skipped in result.skipped:
        print(f"  line {skipped.line}: {skipped.name} in {skipped.unit_path}: {skipped.why}")
    if result.created:
        print(f"Personal codes work until {dates.shell_stamp(result.expires_at)}. Print them:")
        print(f"  antt-bot roster sheet --unit '{result.common_path}' --out roster.pdf")


async def _sheet(config: Config, args: argparse.Namespace) -> int:
    from bot.people.roster import pdf  # reportlab is loaded only to print

    listed = tuple(
        [(b.subtree, await bot_username(config, b.subtree)) for b in config.telegram.bots]
    )
    username = await bot_username(config) if config.telegram_token or not listed else ""
    if not (username or listed) or not all(name for _, name in listed):
        print(
            "antt-bot: the QR codes need the bot's Telegram name: set [telegram] bot_username,"
            " or ANTT_TELEGRAM_TOKEN (and bot_username in each [[telegram.bots]])",
            file=sys.stderr,
        )
        return 1
    clock = cli_support.clock_for(config)
    wanted = Wanted(
        unit=args.unit,
        include_joined=args.all,
        renew=args.renew,
        invite_days=config.roster.invite_days,
        bot_username=username,
        actor=Actor.command_line(),
        listed_bots=listed,
    )
    path = existing_database(config, demo=False)
    if path is None:
        return 1
    db = await open_store(str(path))
    try:
        sheet = await collect(db, clock, wanted)
    except SheetError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    if not sheet.pages:
        hint = "" if args.all else " (everyone there has joined; add --all to list them too)"
        print(f"antt-bot: nobody to print under {sheet.unit_path}{hint}", file=sys.stderr)
        return 1
    pages = pdf.render(sheet, args.out, config.roster.zalo_name, clock.now().date())
    print(f"Wrote {args.out}: {pages} page(s), {sheet.codes} personal code(s).")
    if sheet.renewed:
        print(f"Issued {sheet.renewed} new code(s); the old ones no longer work.")
    if sheet.without_code:
        print(
            f"{sheet.without_code} member(s) have no usable code (used, expired or never"
            " issued); run again with --renew to issue new ones."
        )
    return 0
