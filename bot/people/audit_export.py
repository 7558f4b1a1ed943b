"""`antt-bot audit`: every change in a subtree over a span, as one CSV or XLSX file.

People (moves, roles, departures, returns), invites (made, revoked) and units from the audit
trail, and reports (edits, withdrawals, the urgent life cycle) from their own logs, one row
per change, oldest first, with Vietnamese labels: what a commune hands an inspector.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.core import cli_support, dates
from bot.core.cli_support import existing_database, local_time
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.roles import role_label
from bot.tally.render.excel import cell_text, formula_like, text_width
from bot.units.cli_unit import CliError, read_day, resolve_unit
from storage import audit, members, report_history
from storage.audit import Entry
from storage.db import Row, Tx
from storage.stores import open_store

FORMATS = ("csv", "xlsx")
LOCALE = "vi"
HEADERS = (
    "Thời điểm",
    "Hiệu lực từ",
    "Người thực hiện",
    "Thao tác",
    "Đối tượng",
    "Từ",
    "Thành",
    "Chi tiết",
)


@dataclass(frozen=True)
class Line:
    """One change as the file shows it; `at` (stored ISO) orders people's and reports' lines."""

    at: str
    cells: tuple[str, ...]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `audit --unit U --from DATE --to DATE --out FILE` on the main parser."""
    cmd = sub.add_parser(
        "audit",
        help="export every change (people, invites, reports) of a unit's subtree as CSV/XLSX",
    )
    cmd.add_argument("--unit", required=True, help="unit path or unique short name")
    cmd.add_argument("--from", dest="start", required=True, metavar="DATE", help="e.g. 1/10")
    cmd.add_argument("--to", dest="end", required=True, metavar="DATE", help="e.g. 2026-10-31")
    cmd.add_argument("--format", choices=FORMATS, default=None, help="default: from --out")
    cmd.add_argument("--out", required=True, metavar="FILE", help="where to write")


async def run(config: Config, args: argparse.Namespace) -> int:
    """Export the changes; returns the process exit code."""
    fmt = args.format or ("xlsx" if str(args.out).lower().endswith(".xlsx") else "csv")
    path = existing_database(config, False)
    if path is None:
        return 1
    clock = cli_support.clock_for(config)
    today = clock.now().date()
    db = await open_store(str(path))
    try:
        first = read_day(args.start, today, "--from")
        last = read_day(args.end, today, "--to")
        if last < first:
            raise CliError("--from is after --to", code=2)
        async with db.read(replica=True) as tx:
            unit = await resolve_unit(tx, args.unit, open_only=False)
            lines = await collect(tx, unit.path, first, last, Texts.load(), clock.tz)
    except CliError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return err.code
    finally:
        await db.close()
    data = xlsx_bytes(lines) if fmt == "xlsx" else csv_bytes(lines)
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"Wrote {target}: {len(lines):,} change(s) in {unit.path}, {dates.day(first)}"
          f"–{dates.day(last)}.", file=sys.stderr)  # fmt: skip
    return 0


async def collect(tx: Tx, path: str, first: date, last: date, texts: Texts, tz: Any) -> list[Line]:
    """Every change of the subtree recorded from `first` to `last` (local days, included)."""
    first_at, before_at = first.isoformat(), (last + timedelta(days=1)).isoformat()
    entries = await audit.under(tx, path, first_at, before_at)
    people = await members.names_of(
        tx, {int(e.subject_id) for e in entries if e.subject == "member"}
    )
    lines = [_entry(e, people, texts, tz) for e in entries]
    for row in await report_history.under(tx, path, first_at, before_at):
        lines.append(_report(row, texts, tz))
    lines.sort(key=lambda line: line.at)
    return lines


def action_label(texts: Texts, subject: str, action: str, locale: str = LOCALE) -> str:
    """The name of an action in words (Vietnamese in the file), so it reads without a legend."""
    known = texts.catalogues.get(locale, {})
    key = f"history.{subject}_{action}"
    if subject == "supervised":  # the register of 4.5 keeps its words in its own table
        key = f"supervised.audit_{action}"
    if key in known:
        return texts.t(locale, key)
    state = f"case.state_{action}"
    if subject == "report" and state in known:
        return texts.t(locale, state)
    return action


def placed(path: object, role: object) -> str:
    """Where and as what someone served, as one cell (empty when nowhere)."""
    if not path:
        return ""
    return f"{path} ({role_label(str(role), LOCALE)})" if role else str(path)


def _entry(entry: Entry, people: dict[int, str], texts: Texts, tz: Any) -> Line:
    detail = dict(entry.detail)
    if entry.subject == "member":
        who = people.get(int(entry.subject_id), "?")
        subject = f"{who} (#{entry.subject_id})"
        before = placed(detail.pop("unit_before", ""), detail.pop("role_before", ""))
        after = placed(detail.pop("unit_after", ""), detail.pop("role_after", ""))
    elif entry.subject == "supervised":  # by code, never a name
        code = detail.pop("code", "")
        subject, before, after = f"Người được quản lý {code} (#{entry.subject_id})", "", ""
    else:
        label = {"invite": "Mã mời", "commendation": "Đề nghị khen thưởng"}.get(
            entry.subject, "Đơn vị"
        )
        subject, before, after = f"{label} {entry.subject_id}", "", ""
    effective = dates.day(date.fromisoformat(entry.effective_on)) if entry.effective_on else ""
    cells = (
        local_time(entry.at, tz),
        effective,
        entry.actor,
        action_label(texts, entry.subject, entry.action),
        subject,
        before,
        after,
        _details(detail),
    )
    return Line(entry.at, cells)


def _report(row: Row, texts: Texts, tz: Any) -> Line:
    before = values_text(row["before"]) if row["source"] == "audit" else ""
    after = values_text(row["after"])
    cells = (
        local_time(row["at"], tz),
        "",
        str(row["actor"] or "bot"),
        action_label(texts, "report", str(row["action"])),
        f"Báo cáo {row['number']} ({row['unit_path']})",
        before,
        after,
        str(row["note"] or ""),
    )
    return Line(str(row["at"]), cells)


def values_text(value: object) -> str:
    """Stored JSON values (a report's answers before or after) as one readable line."""
    if value is None or value == "":
        return ""
    try:
        loaded = json.loads(str(value))
    except ValueError:
        return str(value)
    return _details(loaded) if isinstance(loaded, dict) else str(loaded)


def _details(detail: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in sorted(detail.items()) if v not in ("", None))


def csv_bytes(lines: list[Line]) -> bytes:
    """UTF-8 with a byte-order mark, which is what makes Excel read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for line in lines:
        writer.writerow(line.cells)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(lines: list[Line]) -> bytes:
    """One sheet, a bold header row, columns as wide as their text (capped)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Lịch sử thay đổi"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [text_width(h) for h in HEADERS]
    for line in lines:
        values = [cell_text(v) for v in line.cells]
        sheet.append(values)
        for i, value in enumerate(values):
            widths[i] = max(widths[i], text_width(value))
            if formula_like(value):
                sheet.cell(row=sheet.max_row, column=i + 1).data_type = "s"
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
