"""A tally too big for one workbook: the summary workbook and one file per commune, zipped.

A province's quarter is over a million reports: one workbook would pass Excel's row limit
and take minutes to open. `antt-bot tally --format xlsx` then writes a zip instead: the
workbook with every summary sheet (teams, levels, members, targets, urgent reports) whose
detail sheet lists the commune files, and each commune's reports in a workbook of its own
(read commune by commune, so memory stays that of one commune).
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import replace
from zipfile import ZIP_STORED, ZipFile, ZipInfo

from bot.core.config import Config
from bot.core.parsing import fold
from bot.tally.compute import Tally, UnitTally
from bot.tally.files import file_stem, raw_reports, urgent_kinds
from bot.tally.labels import Labels
from bot.tally.members import member_lines
from bot.tally.names import communes, spans_communes
from bot.tally.render import stable
from bot.tally.render.xlsx import Elsewhere, detail_workbook, workbook
from bot.tally.urgent_list import urgent_reports
from storage.db import Store

BOOK_DETAIL_ROWS = 100_000  # reports one workbook lists itself; past it, commune files


def needs_archive(tally: Tally) -> bool:
    """Whether the reports go in commune files: a tally over several communes with more
    reports than one workbook should list."""
    return spans_communes(tally) and tally.root.figures.reports > BOOK_DETAIL_ROWS


def _communes(tally: Tally) -> list[UnitTally]:
    """The communes with teams, in the tally's order."""
    ids = {c.unit_id for c in communes(tally).values()}
    return [u for u in tally.units if u.unit_id in ids]


def commune_file(tally: Tally, commune: UnitTally, index: int) -> str:
    """An ASCII file name for one commune's reports, numbered so names never clash."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(commune.name)).strip("-") or "xa"
    return f"{file_stem(tally)}_{index:03d}_{slug}.xlsx"


def _entry(name: str, tally: Tally) -> ZipInfo:
    """A zip entry stamped like the workbooks inside it (render/stable.py)."""
    when = stable.stamp(tally.period, tally.generated_at)
    year = min(max(when.year, 1980), 2107)
    return ZipInfo(name, (year, when.month, when.day, when.hour, when.minute, when.second))


async def archive_bytes(
    db: Store, tally: Tally, labels: Labels, config: Config, *, role: str | None = None
) -> bytes:
    """The zip: the summary workbook, then each commune's reports in its own workbook
    (workbooks are compressed already, so entries are stored as they are); made for a reader
    of `role`, like `files.xlsx_bytes` (no answers of tips and visits without one)."""
    out = io.BytesIO()
    with ZipFile(out, "w", ZIP_STORED, allowZip64=True) as archive:
        book = await summary_workbook(db, tally, labels, config, role=role)
        archive.writestr(_entry(f"{file_stem(tally)}.xlsx", tally), book)
        for i, commune in enumerate(_communes(tally), 1):
            data = await commune_workbook(db, tally, commune, labels, config, role=role)
            archive.writestr(_entry(commune_file(tally, commune, i), tally), data)
    return out.getvalue()


async def summary_workbook(
    db: Store, tally: Tally, labels: Labels, config: Config, *, role: str | None = None
) -> bytes:
    """The archive's workbook: every sheet but the reports, whose sheet lists the commune
    files instead (the province workbook the benchmark times)."""
    forms = labels.forms
    places = _communes(tally)
    files = [
        (c.name, commune_file(tally, c, i), c.figures.reports) for i, c in enumerate(places, 1)
    ]
    async with db.read(replica=True) as tx:
        urgent, _ = await urgent_reports(tx, tally, config, forms, None, role=role)
        members = await member_lines(tx, tally, config, urgent_kinds(forms))
    elsewhere = Elsewhere(f"{file_stem(tally)}.zip", tally.root.figures.reports, files)
    return await asyncio.to_thread(
        workbook, tally, [], labels, urgent=urgent, members=members, elsewhere=elsewhere
    )


async def commune_workbook(
    db: Store,
    tally: Tally,
    commune: UnitTally,
    labels: Labels,
    config: Config,
    *,
    role: str | None = None,
) -> bytes:
    """One commune's reports of the tally's period, in a workbook of its own."""
    part = replace(tally, root=commune, current_path=commune.path, moved_paths=())
    async with db.read(replica=True) as tx:
        raw, _ = await raw_reports(tx, part, config, None, forms=labels.forms, role=role)
    return await asyncio.to_thread(detail_workbook, part, raw, labels, commune.name)
