"""`antt-bot commend`: the commendation shortlist, ticks and the list from the command line.

The same shortlist as /khenthuong: `shortlist` prints it numbered, `tick` / `untick` take
those numbers (`--line "1 3 5"`), `export` writes the XLSX or DOCX. The operator at the
server's shell has the database anyway, so no role check applies; every tick is audited as
made from the command line.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from bot.commend import files, occasions, shortlist, ticking
from bot.commend.export import file_stem
from bot.commend.occasions import Occasion
from bot.commend.shortlist import Shortlist
from bot.commend.text import shortlist_text
from bot.core import cli_support
from bot.core.cli_support import existing_database
from bot.core.clock import iso
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.parsing import split_list
from bot.people.membership import Actor
from bot.reports.forms import Forms, load_forms
from bot.units import cli_unit
from storage.db import Store, Tx
from storage.stores import open_store

ACTIONS = ("shortlist", "tick", "untick", "export")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the sub-command's options on the main parser."""
    commend = sub.add_parser(
        "commend",
        help="commendation shortlist, ticks and the list of proposals (XLSX, DOCX)",
        description="The ranked shortlist of teams and members for a phase's end or the 19/8"
        " festival, with report numbers as evidence; tick whom to propose; export the list.",
    )
    commend.add_argument("action", choices=ACTIONS)
    commend.add_argument("--unit", required=True, help="a commune or above: path or name")
    commend.add_argument(
        "--occasion",
        help="a phase's name or code, or the festival as 'f2025' / '19/8/2025';"
        " without it, the occasions on offer are listed",
    )
    commend.add_argument("--line", default="", help="tick/untick: shortlist numbers, e.g. '1 3'")
    commend.add_argument("--reason", default="", help="tick: the reason line of the proposal")
    commend.add_argument("--format", choices=files.FILE_FORMATS, default="xlsx")
    commend.add_argument("--out", metavar="FILE", help="where to write the list")
    commend.add_argument("--locale", choices=("vi", "en"), default=None)
    commend.add_argument("--demo", action="store_true", help="read the terminal demo's database")


def _fail(message: str, code: int = 2) -> int:
    print(f"antt-bot: {message}", file=sys.stderr)
    return code


def _lines(text: str, count: int) -> list[int] | str:
    """The numbers of `--line`, or what is wrong with them."""
    items = split_list(text)
    if not items or not all(i.isdigit() for i in items):
        return "give --line with shortlist numbers, e.g. --line '1 3'"
    numbers = list(dict.fromkeys(int(i) for i in items))
    wrong = [n for n in numbers if not 1 <= n <= count]
    if wrong:
        return f"no line {wrong[0]}: the shortlist has {count} lines"
    return numbers


def _occasion(config: Config, typed: str | None, texts: Texts, locale: str) -> Occasion | int:
    """The occasion named, or the exit code after listing those on offer."""
    today = cli_support.clock_for(config).now().date()
    found = occasions.find(typed, config.tally.phases) if typed else None
    if found is not None:
        return found
    if typed:
        print(f"antt-bot: no occasion {typed!r}; use one of:", file=sys.stderr)
    for o in occasions.offered(config.tally.phases, today):
        title = o.title(texts.t(locale, "commend.festival", year=o.end.year))
        print(f"  {o.code}  {title}", file=sys.stderr if typed else sys.stdout)
    return 2 if typed else 0


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run one action; returns the process exit code."""
    texts = Texts.load()
    locale = args.locale or config.bot.locale
    occasion = _occasion(config, args.occasion, texts, locale)
    if not isinstance(occasion, Occasion):
        return occasion
    path = existing_database(config, args.demo)
    if path is None:
        return 1
    forms = load_forms(config.reports.forms_file or None)
    now = cli_support.clock_for(config).now()

    def t(key: str, **params: object) -> str:
        """A text in the chosen language."""
        return texts.t(locale, key, **params)

    db = await open_store(str(path))
    try:
        async with db.transaction() as tx:
            try:
                unit = await cli_unit.resolve_unit(tx, args.unit, open_only=False)
            except cli_unit.CliError as err:
                return _fail(str(err), err.code)
            listed = await shortlist.build(tx, unit, occasion, config, forms, now)
            if args.action in ("tick", "untick"):
                failed = await _change(tx, listed, args, iso(now))
                if failed:
                    return _fail(failed)
        if args.action == "export":
            return await _export(db, listed, args, config, forms, texts, locale, now)
        print(shortlist_text(listed, t, locale, ""))
    finally:
        await db.close()
    return 0


async def _change(tx: Tx, listed: Shortlist, args: argparse.Namespace, at: str) -> str:
    """Tick or untick the lines named by `--line`; what is wrong with them, or ''."""
    numbers = _lines(args.line, len(listed.entries))
    if isinstance(numbers, str):
        return numbers
    name = Actor.command_line().name
    for n in numbers:
        line = listed.entries[n - 1]
        if args.action == "tick":
            await ticking.tick(
                tx, listed.occasion, line, args.reason, by_id=None, by_name=name, at=at
            )
        else:
            await ticking.untick(tx, listed.occasion, line, by_id=None, by_name=name, at=at)
    return ""


async def _export(
    db: Store,
    listed: Shortlist,
    args: argparse.Namespace,
    config: Config,
    forms: Forms,
    texts: Texts,
    locale: str,
    now: datetime,
) -> int:
    """Write the list of what is ticked as XLSX or DOCX."""
    if not listed.ticked:
        return _fail("nothing is ticked for this occasion: tick lines first", 1)
    data = await files.proposal_bytes(
        db,
        listed.unit.id,
        listed.occasion,
        args.format,
        config=config,
        forms=forms,
        texts=texts,
        locale=locale,
        now=now,
    )
    target = Path(args.out or f"{file_stem(listed)}.{args.format}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    lines = len(listed.ticked)
    print(f"Wrote {target} ({len(data):,} bytes, {lines} lines)", file=sys.stderr)
    return 0
