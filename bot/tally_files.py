"""The files a tally is handed on as (XLSX, CSV, PNG), built off the event loop.

Chat replies attach them lazily (bot.model.Attachment), so they are built after the update's
transaction has committed; the CLI calls the same functions directly.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, datetime
from typing import Any

from bot.config import Config
from bot.forms import Forms
from bot.i18n import Texts
from bot.model import Attachment
from bot.parsing import fold
from bot.render import Labels
from bot.render.chart import chart_png
from bot.render.csv_file import team_csv
from bot.render.xlsx import workbook
from bot.tally import RawReport, Tally, make_scope
from storage import tally as queries
from storage.db import Database, Row, Tx

FORMATS = ("text", "xlsx", "csv", "png")


def labels_for(texts: Texts, forms: Forms, config: Config, locale: str) -> Labels:
    """Column headers and kind / target names in the reader's language."""
    return Labels(texts, forms, locale, config.tally.targets.tip_ack_minutes)


def file_stem(tally: Tally) -> str:
    """An ASCII file name naming the unit and the period, e.g. 'thongke_xa-bac-son_m2026-11'."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(tally.root.name)).strip("-") or "don-vi"
    return f"thongke_{name}_{tally.period.code}"


def _local(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=None)


def raw_report(row: Row) -> RawReport:
    """One stored report as the raw sheet lists it, times in local time without offset."""
    filed = _local(str(row["created_at"]))
    assert filed is not None
    data: dict[str, Any] = json.loads(str(row["data"]))
    return RawReport(
        number=str(row["number"]),
        report_date=date.fromisoformat(str(row["report_date"])),
        filed_at=filed,
        unit_name=str(row["unit_name"]),
        unit_path=str(row["unit_path"]),
        reporter=str(row["reporter"]),
        kind=str(row["kind"]),
        late=bool(row["late"]),
        acknowledged_at=_local(row["ack_at"]),
        data=data,
    )


async def raw_reports(
    tx: Tx, tally: Tally, config: Config, limit: int | None
) -> tuple[list[RawReport], bool]:
    """The period's reports under the tally's unit; True when `limit` cut the list short."""
    scope = make_scope(tally.root.path, tally.period, tally.generated_at, config.reports.deadline)
    rows = await queries.raw_reports(tx, scope, None if limit is None else limit + 1)
    truncated = limit is not None and len(rows) > limit
    return [raw_report(r) for r in rows[:limit]], truncated


async def xlsx_bytes(
    db: Database, tally: Tally, labels: Labels, config: Config, limit: int | None
) -> bytes:
    """The workbook: a sheet per level and the raw reports, built in a worker thread."""
    async with db.read() as tx:
        raw, truncated = await raw_reports(tx, tally, config, limit)
    return await asyncio.to_thread(workbook, tally, raw, labels, raw_truncated=truncated)


async def csv_bytes(tally: Tally, labels: Labels) -> bytes:
    """The team rows as CSV."""
    return team_csv(tally, labels)


async def png_bytes(tally: Tally, labels: Labels) -> bytes:
    """The chart, drawn in a worker thread (matplotlib takes a moment)."""
    return await asyncio.to_thread(chart_png, tally, labels)


def attachments(
    db: Database, tally: Tally, labels: Labels, config: Config, failed_text: str
) -> list[Attachment]:
    """The three files of a chat reply, built only when the channel sends them."""
    stem = file_stem(tally)
    limit = config.tally.raw_rows_limit

    async def xlsx() -> bytes:
        """The workbook, with at most the configured number of raw rows."""
        return await xlsx_bytes(db, tally, labels, config, limit)

    async def csv() -> bytes:
        """The team rows."""
        return await csv_bytes(tally, labels)

    async def png() -> bytes:
        """The chart."""
        return await png_bytes(tally, labels)

    return [
        Attachment(f"{stem}.png", "photo", png, failed_text=failed_text),
        Attachment(f"{stem}.xlsx", "document", xlsx, failed_text=failed_text),
        Attachment(f"{stem}.csv", "document", csv, failed_text=failed_text),
    ]
