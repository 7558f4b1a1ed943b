"""The two files of a phase report, the DOCX and its XLSX annex, named and built on demand."""

from __future__ import annotations

import asyncio
import re

from bot.core.model import Attachment
from bot.core.parsing import fold
from bot.phasereport import photos
from bot.phasereport.content import PhaseReport
from bot.phasereport.docx_file import docx_bytes
from bot.tally.files import xlsx_bytes
from storage.db import Store


def file_stem(report: PhaseReport) -> str:
    """An ASCII name for the unit and span, e.g. 'baocao-so-ket_xa-bac-son_p1'."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(report.unit.name)).strip("-") or "don-vi"
    kind = report.chosen.kind.replace("_", "-")
    return f"baocao-{kind}_{name}_{report.chosen.code}"


def photo_refs(report: PhaseReport) -> list[str]:
    """Every good deed's photo references, in the report's order."""
    return [ref for deed in report.good_deeds for ref in deed.photos]


async def report_docx(report: PhaseReport, telegram: photos.Fetch | None) -> bytes:
    """Fetch what photos can be had, then write the DOCX in a worker thread."""
    found = await photos.load(photo_refs(report), report.ready.config, telegram)
    return await asyncio.to_thread(docx_bytes, report, found)


async def annex_xlsx(db: Store, report: PhaseReport, limit: int | None) -> bytes:
    """The phase's tally workbook, the same file /thongke sends, as the report's annex."""
    ready = report.ready
    return await xlsx_bytes(db, ready.tally, ready.labels, ready.config, limit)


def attachments(
    db: Store, report: PhaseReport, telegram: photos.Fetch | None, failed_text: str
) -> list[Attachment]:
    """The DOCX and the XLSX annex of a chat reply, built after the update commits."""
    stem = file_stem(report)
    limit = report.ready.config.tally.raw_rows_limit

    async def docx() -> bytes:
        """The report to edit."""
        return await report_docx(report, telegram)

    async def xlsx() -> bytes:
        """The annex."""
        return await annex_xlsx(db, report, limit)

    return [
        Attachment(f"{stem}.docx", "document", docx, failed_text=failed_text),
        Attachment(f"{stem}_phuluc.xlsx", "document", xlsx, failed_text=failed_text),
    ]
