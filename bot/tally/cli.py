"""`antt-bot tally`: the same tally as /thongke, from the command line, as text or a file.

A workbook over several communes with more reports than one file should list comes out as a
zip of the summary workbook and one workbook per commune (bot/tally/archive.py).

The operator at the server's shell has the database anyway, so no role check applies here
and the workbook holds every detail unless `--for-role` names the reader it is made for; the
unit is named as in chat (its path, or a unique short name) and days as chat reads them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.core import cli_support
from bot.core.cli_support import existing_database
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.reports.forms import load_forms
from bot.tally import periods
from bot.tally.archive import archive_bytes, needs_archive
from bot.tally.files import FORMATS, csv_bytes, file_stem, png_bytes, xlsx_bytes
from bot.tally.periods import Period, PeriodError
from bot.tally.prepared import prepare
from bot.tally.render.csv_file import CSV_STYLES, csv_name
from bot.units import cli_unit
from storage.stores import open_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare the sub-command's options on the main parser."""
    tally = sub.add_parser(
        "tally",
        help="per-team tally against the targets, as text, XLSX, CSV or PNG",
        description="Tally a unit and everything below it for a period (default: this month).",
    )
    tally.add_argument("--unit", required=True, help="unit path, e.g. 'Tỉnh A/Xã B', or a name")
    tally.add_argument(
        "--from", dest="start", metavar="DATE", help="first day, e.g. 1/10, 01/10/2026"
    )
    tally.add_argument("--to", dest="end", metavar="DATE", help="last day, e.g. 2026-10-31")
    tally.add_argument("--format", choices=FORMATS, default="text")
    tally.add_argument(
        "--csv-style",
        choices=CSV_STYLES,
        default=None,
        help="CSV for scripts (standard: ',' and 0.95) or for Excel on a Vietnamese Windows "
        "(excel-vi: ';' and 0,95); default: [tally] csv_style",
    )
    tally.add_argument(
        "--for-role",
        choices=("leader", "deputy", "officer", "supervisor", "admin"),
        default="admin",
        help="who the workbook is for: the answers of tips and reintegration visits only "
        "for the roles in [tally] details_roles (default: admin, everything)",
    )
    tally.add_argument("--out", metavar="FILE", help="where to write ('-' = standard output)")
    tally.add_argument("--locale", choices=("vi", "en"), default=None)
    tally.add_argument("--demo", action="store_true", help="read the terminal demo's database")


def _period(args: argparse.Namespace, config: Config, today: date) -> Period:
    if bool(args.start) != bool(args.end):
        raise ValueError("give both --from and --to, or neither (this month)")
    if args.start:
        try:
            first = cli_unit.read_day(args.start, today, "--from")
            last = cli_unit.read_day(args.end, today, "--to")
        except cli_unit.CliError as err:
            raise ValueError(str(err)) from err
        try:
            return periods.span(first, last)
        except PeriodError as err:
            reason = {
                "tally.range_reversed": "--from is after --to",
                "tally.range_too_long": "the range is longer than two years",
            }.get(err.key, err.key)
            raise ValueError(reason) from err
    return periods.month(today, config.tally.month_starts_on)


async def run(config: Config, args: argparse.Namespace) -> int:
    """Compute and write the tally; returns the process exit code."""
    clock = cli_support.clock_for(config)
    now = clock.now()
    try:
        period = _period(args, config, now.date())
    except ValueError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    style = args.csv_style or config.tally.csv_style
    forms = load_forms(config.reports.forms_file or None)
    texts = Texts.load()
    locale = args.locale or config.bot.locale
    path = existing_database(config, args.demo)
    if path is None:
        return 1
    db = await open_store(str(path))
    try:
        async with db.read(replica=True) as tx:
            try:
                unit = await cli_unit.resolve_unit(tx, args.unit, open_only=False)
            except cli_unit.CliError as err:
                print(f"antt-bot: {err}", file=sys.stderr)
                return err.code
            ready = await prepare(
                tx,
                unit,
                period,
                config=config,
                forms=forms,
                texts=texts,
                locale=locale,
                now=now,
            )
        tally, labels = ready.tally, ready.labels
        extension = args.format
        if args.format == "xlsx" and needs_archive(tally):
            data = await archive_bytes(db, tally, labels, config, role=args.for_role)
            extension = "zip"
        elif args.format == "text":
            text = ready.message(team_limit=10**6, max_chars=None)
            data = (text + "\n").encode()
        elif args.format == "xlsx":
            data = await xlsx_bytes(db, tally, labels, config, limit=None, role=args.for_role)
        elif args.format == "csv":
            data = await csv_bytes(tally, labels, style)
        else:
            data = await png_bytes(tally, labels)
    finally:
        await db.close()
    out = args.out
    if extension != args.format and out not in (None, "-"):
        out = str(Path(out).with_suffix("." + extension))  # a zip is never named .xlsx
        print(f"antt-bot: too many reports for one workbook, writing a zip: {out}", file=sys.stderr)
    stem = file_stem(tally)
    name = csv_name(stem, style) if args.format == "csv" else f"{stem}.{extension}"
    return _write(data, out, name, args.format)


def _write(data: bytes, out: str | None, default_name: str, fmt: str) -> int:
    """Write the file (text and CSV to standard output unless `out` names a file)."""
    if out == "-" or (out is None and fmt in {"text", "csv"}):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    target = Path(out or default_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"Wrote {target} ({len(data):,} bytes)", file=sys.stderr)
    return 0
