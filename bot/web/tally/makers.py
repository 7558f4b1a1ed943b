"""The files the downloads page makes, each the same bytes the chat would send the viewer.

The tally's workbook, its CSV in either style and its chart (bot/tally/files.py, the workbook
made for the viewer's role so `[tally] details_roles` withholds the same answers as in chat);
the phase report and its annex (bot/phasereport/files.py) and the commendation list
(bot/commend/files.py), which chat offers to every role that opens these pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commend import occasions, shortlist
from bot.commend.export import file_stem as commend_stem
from bot.commend.files import proposal_bytes
from bot.core.engine import Services
from bot.phasereport import photos
from bot.phasereport.content import NoPhase, choose, gather
from bot.phasereport.files import annex_xlsx, report_docx
from bot.phasereport.files import file_stem as phase_stem
from bot.tally.files import csv_bytes, file_stem, png_bytes, xlsx_bytes
from bot.tally.render.csv_file import CsvStyle, csv_name
from bot.web.tally.cache import LOCALE, Computed
from storage.members import Member
from storage.units import Unit

TALLY_FILES = ("xlsx", "csv", "csv-standard", "csv-excel-vi", "png")
PHASE_FILES = ("docx", "annex")
COMMEND_FILES = ("commend-xlsx", "commend-docx")


class CannotMake(ValueError):
    """A file that cannot be made as asked; `text` says what to choose instead."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Made:
    """A file's name and bytes, ready to store behind a link."""

    filename: str
    data: bytes


async def tally_file(services: Services, computed: Computed, kind: str, member: Member) -> Made:
    """One of the tally's files: the workbook for the member's role, a CSV, the chart."""
    tally, labels, config = computed.tally, computed.labels, services.config
    stem = file_stem(tally)
    if kind == "xlsx":
        limit = config.tally.raw_rows_limit
        data = await xlsx_bytes(services.db, tally, labels, config, limit, role=member.role)
        return Made(f"{stem}.xlsx", data)
    if kind == "png":
        if computed.chart is None:
            computed.chart = await png_bytes(tally, labels)
        return Made(f"{stem}.png", computed.chart)
    style = kind.removeprefix("csv-") if kind != "csv" else config.tally.csv_style
    chosen: CsvStyle = "excel-vi" if style == "excel-vi" else "standard"
    return Made(csv_name(stem, chosen), await csv_bytes(tally, labels, chosen))


async def phase_file(
    services: Services, unit: Unit, code: str, kind: str, fetch: photos.Fetch | None
) -> Made:
    """The phase report of /baocaodot (DOCX) or its annex (the phase's workbook)."""
    config = services.config
    now = services.clock.now()
    whole = services.texts.t(LOCALE, "phase_report.whole_movement")
    try:
        chosen = choose(config.tally.phases, code, now.date(), whole)
    except NoPhase as err:
        raise CannotMake(
            "Đợt này chưa bắt đầu hoặc không có trong cấu hình. Chọn một đợt đã bắt đầu."
        ) from err
    async with services.db.read(replica=True) as tx:
        report = await gather(
            tx,
            unit,
            chosen,
            config=config,
            forms=services.forms,
            texts=services.texts,
            locale=LOCALE,
            now=now,
        )
    stem = phase_stem(report)
    if kind == "docx":
        return Made(f"{stem}.docx", await report_docx(report, fetch))
    return Made(
        f"{stem}_phuluc.xlsx", await annex_xlsx(services.db, report, config.tally.raw_rows_limit)
    )


async def commend_file(services: Services, unit: Unit, code: str, kind: str) -> Made:
    """The commendation list of /khenthuong as XLSX or DOCX, from what is ticked now."""
    config = services.config
    occasion = occasions.decode(code, config.tally.phases)
    if occasion is None:
        raise CannotMake("Dịp khen thưởng không đúng. Chọn lại một dịp trong danh sách.")
    now = services.clock.now()
    async with services.db.read(replica=True) as tx:
        listed = await shortlist.build(tx, unit, occasion, config, services.forms, now)
    if not listed.ticked:
        raise CannotMake(
            "Chưa có ai được đánh dấu đề nghị khen thưởng cho dịp này. Gõ /khenthuong trong"
            " chat để chọn, rồi tạo lại tệp."
        )
    fmt = kind.removeprefix("commend-")
    data = await proposal_bytes(
        services.db,
        unit.id,
        occasion,
        fmt,
        config=config,
        forms=services.forms,
        texts=services.texts,
        locale=LOCALE,
        now=now,
    )
    return Made(f"{commend_stem(listed)}.{fmt}", data)
