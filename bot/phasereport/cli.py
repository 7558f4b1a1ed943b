"""`antt-bot phase`: draft a phase report (DOCX + XLSX annex), mark it sent, list who has.

  antt-bot phase report --unit U --phase NAME|--all [--out FILE.docx]
  antt-bot phase submitted --unit U --milestone NAME [--on DATE]
  antt-bot phase status [--milestone NAME] [--unit U]

The operator at the server's shell has the database anyway, so no role check applies here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.core import cli_support, dates
from bot.core.cli_support import existing_database
from bot.core.config import Config, Milestone
from bot.core.i18n import Texts
from bot.phasereport import milestones
from bot.phasereport.content import ALL, NoPhase, choose, code_for_name, gather
from bot.phasereport.files import annex_xlsx, file_stem, report_docx
from bot.phasereport.photos import telegram_fetcher
from bot.reports.forms import load_forms
from bot.units import cli_unit
from storage import audit, units
from storage.db import Store
from storage.stores import open_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the sub-command's options on the main parser."""
    phase = sub.add_parser(
        "phase",
        help="phase reports (sơ kết / tổng kết): draft one, mark it submitted, list who has",
        description="Closing reports of the emulation phases configured in [tally] phases.",
    )
    actions = phase.add_subparsers(dest="phase_action", required=True)
    report = actions.add_parser("report", help="draft the DOCX report and its XLSX annex")
    report.add_argument("--unit", required=True, help="unit path or unique name (a commune…)")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--phase", metavar="NAME", help="one phase (sơ kết), by its name")
    which.add_argument("--all", action="store_true", help="every phase (tổng kết)")
    report.add_argument("--out", metavar="FILE.docx", help="where to write the report")
    report.add_argument("--locale", choices=("vi", "en"), default=None)
    report.add_argument("--demo", action="store_true", help="read the terminal demo's database")
    marked = actions.add_parser("submitted", help="mark a phase report sent up for a unit")
    marked.add_argument("--unit", required=True, help="unit path or unique name")
    marked.add_argument("--milestone", required=True, metavar="NAME", help="milestone name")
    marked.add_argument("--on", metavar="DATE", help="the day it was sent (default: today)")
    status = actions.add_parser("status", help="which communes have sent each phase report")
    status.add_argument("--milestone", metavar="NAME", help="one milestone (default: all)")
    status.add_argument("--unit", help="only communes under this unit")


def _fail(message: str, code: int = 2) -> int:
    print(f"antt-bot: {message}", file=sys.stderr)
    return code


def _milestone(config: Config, name: str) -> Milestone | None:
    found = milestones.by_name(config, name)
    if found is None:
        known = ", ".join(repr(m.name) for m in milestones.reports(config)) or "none"
        print(
            f'antt-bot: no phase-report milestone {name!r} (report = "so_ket" or "tong_ket"'
            f" in [[reminders.milestones]]); configured: {known}",
            file=sys.stderr,
        )
    return found


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run one `phase` action; returns the process exit code."""
    demo = bool(getattr(args, "demo", False))
    path = existing_database(config, demo)
    if path is None:
        return 1
    db = await open_store(str(path))
    try:
        if args.phase_action == "report":
            return await _report(db, config, args)
        if args.phase_action == "submitted":
            return await _submitted(db, config, args)
        return await _status(db, config, args)
    finally:
        await db.close()


async def _report(db: Store, config: Config, args: argparse.Namespace) -> int:
    """Write FILE.docx and FILE_phuluc.xlsx beside it."""
    now = cli_support.clock_for(config).now()
    phases = config.tally.phases
    if not phases:
        return _fail("no phases configured: add [[tally.phases]] to the config first")
    code = ALL if args.all else code_for_name(phases, args.phase)
    if code is None:
        names = ", ".join(repr(p.name) for p in phases)
        return _fail(f"no phase {args.phase!r}; configured: {names}")
    texts = Texts.load()
    locale = args.locale or config.bot.locale
    try:
        chosen = choose(phases, code, now.date(), texts.t(locale, "phase_report.whole_movement"))
    except NoPhase:
        return _fail("that phase has not started yet: a report covers a phase begun or ended")
    forms = load_forms(config.reports.forms_file or None)
    async with db.read() as tx:
        try:
            unit = await cli_unit.resolve_unit(tx, args.unit, open_only=False)
        except cli_unit.CliError as err:
            return _fail(str(err), err.code)
        if not await units.has_open_children(tx, unit.id):
            return _fail(f"{unit.path} is a team: a phase report is for a commune or above")
        report = await gather(
            tx, unit, chosen, config=config, forms=forms, texts=texts, locale=locale, now=now
        )
    docx = await report_docx(report, telegram_fetcher(config))
    xlsx = await annex_xlsx(db, report, None)
    target = Path(args.out or f"{file_stem(report)}.docx")
    if target.suffix.lower() != ".docx":
        target = target.with_name(target.name + ".docx")
    annex = target.with_name(target.stem + "_phuluc.xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(docx)
    annex.write_bytes(xlsx)
    print(
        f"Wrote {target} ({len(docx):,} bytes) and {annex} ({len(xlsx):,} bytes)", file=sys.stderr
    )
    return 0


async def _submitted(db: Store, config: Config, args: argparse.Namespace) -> int:
    """Mark the unit's report sent (idempotent: the first mark and its day stand)."""
    milestone = _milestone(config, args.milestone)
    if milestone is None:
        return 2
    now = cli_support.clock_for(config).now()
    try:
        on = cli_unit.read_day(args.on, now.date(), "--on") if args.on else now.date()
    except cli_unit.CliError as err:
        return _fail(str(err), err.code)
    if on > now.date():
        return _fail("--on is in the future: mark a report once it has been sent")
    async with db.transaction() as tx:
        try:
            unit = await cli_unit.resolve_unit(tx, args.unit)
        except cli_unit.CliError as err:
            return _fail(str(err), err.code)
        new = await milestones.mark(
            tx, milestone, unit, on, actor_id=None, actor=audit.COMMAND_LINE, now=now
        )
    if new:
        print(f"{unit.path}: {milestone.name!r} marked submitted on {dates.day(on)}")
    else:
        print(f"{unit.path}: {milestone.name!r} was marked submitted already; nothing changed")
    return 0


async def _status(db: Store, config: Config, args: argparse.Namespace) -> int:
    """Per milestone, each commune with the day it sent the report, or 'not yet'."""
    if args.milestone:
        one = _milestone(config, args.milestone)
        if one is None:
            return 2
        chosen = [one]
    else:
        chosen = milestones.reports(config)
        if not chosen:
            return _fail('no phase-report milestones: set report = "so_ket" or "tong_ket"', 1)
    async with db.read() as tx:
        root = ""
        if args.unit:
            try:
                root = (await cli_unit.resolve_unit(tx, args.unit)).path
            except cli_unit.CliError as err:
                return _fail(str(err), err.code)
        for milestone in chosen:
            rows = await milestones.status(tx, milestone, root)
            done = sum(1 for _, s in rows if s is not None)
            print(
                f"{milestone.name} (due {dates.day(milestone.due)}): {done}/{len(rows)} submitted"
            )
            body = [
                [unit.path, dates.stored_day(s.submitted_on) if s else "not yet"]
                for unit, s in rows
            ]
            for line in cli_support.table(["commune", "submitted"], body):
                print("  " + line)
    return 0
