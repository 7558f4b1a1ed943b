"""`antt-bot supervised list|add|end|reoffence|withdraw|import`: the register from the shell.

The operator changes a team's register of people under management (content 4.5) through
the same checks as /quanly (bot/people/supervised.py), named in the audit trail by their
login. Refusals go to standard error in English, exit code 1; malformed input exits with 2.
`list` shows full names: the server's operator is an administrator.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.core import cli_support, dates
from bot.core.cli_support import existing_database, table
from bot.core.clock import iso
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.people import supervised as register
from bot.people.membership import Actor, is_team
from bot.people.supervised import Editor, RegisterRefused
from bot.people.supervised_import import RegisterImportError, import_file
from bot.units.cli_unit import CliError, read_day, resolve_unit
from storage import supervised
from storage.db import Tx
from storage.stores import open_store
from storage.supervised import Person
from storage.units import Unit

CLI_LOCALE = "en"
COMMANDS = ("list", "add", "end", "reoffence", "withdraw", "import")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `supervised list|add|end|reoffence|withdraw|import` on the main parser."""
    top = sub.add_parser(
        "supervised", help="the register of people under post-sentence management (4.5)"
    ).add_subparsers(dest="supervised_command")
    unit_help = "the team: its path or unique short name"
    day_help = "e.g. 1/10, 01/10/2026, 2026-10-01, 'hôm nay' (default today)"
    listing = top.add_parser("list", help="people under management in a unit and below it")
    listing.add_argument("--unit", required=True, help="unit path or unique short name")
    add = top.add_parser("add", help="put a person on a team's register")
    add.add_argument("code", metavar="CODE", help="a short code or initials (members see it)")
    add.add_argument("--unit", required=True, help=unit_help)
    add.add_argument("--name", help="the full name (only leaders and commune police see it)")
    add.add_argument("--since", metavar="DATE", help=f"under management from; {day_help}")
    add.add_argument("--every", type=int, metavar="DAYS", help="their own visit rhythm in days")
    end = top.add_parser("end", help="end a person's management")
    reoffence = top.add_parser("reoffence", help="record a reoffence (not mere signs)")
    withdraw = top.add_parser("withdraw", help="withdraw a reoffence entered by mistake")
    for command in (end, reoffence, withdraw):
        command.add_argument("code", metavar="CODE", help="the person's code on the register")
        command.add_argument("--unit", required=True, help=unit_help)
        command.add_argument("--on", metavar="DATE", help=day_help)
    importing = top.add_parser("import", help="add people from a CSV or XLSX file")
    importing.add_argument("file", metavar="FILE", help="columns: Thôn/Tổ, Mã, Họ tên, Từ ngày")


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run one `supervised` sub-command; returns the process exit code."""
    command = args.supervised_command
    if command not in COMMANDS:
        print(f"usage: antt-bot supervised {'|'.join(COMMANDS)} ...", file=sys.stderr)
        return 2
    path = existing_database(config, False)
    if path is None:
        return 1
    now = cli_support.clock_for(config).now().replace(microsecond=0)
    editor = _operator()
    db = await open_store(str(path))
    try:
        if command == "list":
            async with db.read() as tx:
                return await _list(tx, config, args, now.date())
        if command == "import":
            added = await import_file(db, config, Path(args.file), editor, now)
            print(f"Added {added} people to the register.")
            return 0
        async with db.transaction() as tx:
            print(await _change(tx, args, editor, iso(now), now.date()))
        return 0
    except CliError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return err.code
    except RegisterImportError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 1
    except RegisterRefused as refused:
        print(f"antt-bot: {refusal(refused)}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return 1
    finally:
        await db.close()


def _operator() -> Editor:
    """The operator, named as the rest of the command line names them in the audit trail."""
    return Editor(None, Actor.command_line().name)


def refusal(refused: RegisterRefused) -> str:
    """The text chat shows for a refusal, in English, without its emoji."""
    text = Texts.load().t(CLI_LOCALE, refused.key, **refused.params)
    return text.split(" ", 1)[1] if text[:1] in {"⚠", "⛔"} else text


async def _list(tx: Tx, config: Config, args: argparse.Namespace, today: date) -> int:
    unit = await resolve_unit(tx, args.unit, open_only=False)
    kind = config.tally.sources.reintegration_kind
    found = await supervised.under(tx, unit.path, kind)
    if not found:
        print(f"Nobody under management in {unit.path}.", file=sys.stderr)
        return 0
    every = config.supervised.visit_every_days
    headers = ["team", "code", "name", "since", "last visit", "visit due", "reoffences"]
    body = []
    for team, p in found:
        due = register.next_due(p, every)
        body.append(
            [
                team,
                p.code,
                p.full_name or "-",
                dates.day(p.since),
                dates.day(p.last_visit) if p.last_visit else "-",
                dates.day(due) + (" (overdue)" if due < today else ""),
                str(p.reoffences),
            ]
        )
    print("\n".join(table(headers, body)))
    return 0


async def _team(tx: Tx, typed: str) -> Unit:
    """The team `--unit` names: a unit with no open unit below it."""
    unit = await resolve_unit(tx, typed)
    if not await is_team(tx, unit):
        raise CliError(f"{unit.path} is not a team; a register belongs to a thôn/tổ's team")
    return unit


async def _person(tx: Tx, team: Unit, code: str) -> Person:
    person = await supervised.by_code(tx, team.id, register.clean_code(code))
    if person is None:
        raise CliError(
            f"no {code!r} under management in {team.path};"
            f" see `antt-bot supervised list --unit {team.name!r}`"
        )
    return person


async def _change(
    tx: Tx, args: argparse.Namespace, editor: Editor, now_iso: str, today: date
) -> str:
    """Make one change; the line saying what was done."""
    team = await _team(tx, args.unit)
    command = args.supervised_command
    if command == "add":
        since = read_day(args.since, today, "--since") if args.since else today
        if args.every is not None and not 1 <= args.every <= 366:
            raise CliError("--every: give a number of days from 1 to 366", code=2)
        person = await register.add(
            tx, editor, now_iso, team, args.code, args.name, since, today, args.every
        )
        return f"Added {person.code} to {team.path}, under management since {dates.day(since)}."
    person = await _person(tx, team, args.code)
    on = read_day(args.on, today, "--on") if args.on else today
    if command == "end":
        await register.end(tx, editor, now_iso, person, on, today)
        return f"Management of {person.code} ended on {dates.day(on)}."
    if command == "reoffence":
        await register.reoffence(tx, editor, now_iso, person, on, today)
        return f"Reoffence of {person.code} recorded on {dates.day(on)}."
    standing = await supervised.reoffences(tx, person.id)
    wanted = [r for r in standing if r.on == on] if args.on else standing[:1]
    if not wanted:
        raise RegisterRefused("supervised.no_reoffence", code=person.code)
    await register.withdraw(tx, editor, now_iso, person, wanted[0].id)
    return f"Reoffence of {person.code} on {dates.day(wanted[0].on)} withdrawn."
