"""The 'DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG' as an XLSX and a DOCX officers edit and sign.

One content (`Proposal`), two writers: the same heading, table and signature block in both.
The form of award ("hình thức đề nghị") is left blank for the officer: deciding it is theirs.
Built in a worker thread (openpyxl and python-docx are pure Python).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.commend.shortlist import Shortlist, Translate, summary
from bot.core.parsing import fold
from bot.core.roles import role_label

COLUMNS = ("stt", "name", "role", "unit", "achievements", "award", "note")
WIDTHS = (6, 26, 22, 22, 60, 18, 24)


@dataclass(frozen=True)
class Proposal:
    """Everything the list says, already in the reader's language."""

    issuer: str  # the unit making the list, as the top-left heading
    place_date: str  # '<unit>, ngày 30 tháng 11 năm 2026'
    title: str
    occasion: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    signatures: tuple[tuple[str, str], tuple[str, str]]  # (title, hint) left and right
    source: str
    nation: tuple[str, str]


def proposal(shortlist: Shortlist, t: Translate, locale: str, today: date) -> Proposal:
    """The list of the ticked lines of a shortlist, worded with `t`."""
    unit = shortlist.unit.name
    rows: list[tuple[str, ...]] = []
    for i, c in enumerate(shortlist.ticked, 1):
        if c.member_id is None:
            name, role = t("commend.collective", name=c.name), ""
        else:
            name, role = c.name, f"{role_label(c.role, locale)}, {c.team_name}"
        where = shortlist.above.get(c.team_id, unit)
        rows.append((str(i), name, role, where, summary(c, t), "", c.reason))
    festival = t("commend.festival", year=shortlist.occasion.end.year)
    return Proposal(
        issuer=unit.upper(),
        place_date=t(
            "commend.place_date", place=unit, day=today.day, month=today.month, year=today.year
        ),
        title=t("commend.file_title"),
        occasion=shortlist.occasion.title(festival),
        header=tuple(t(f"commend.col_{c}") for c in COLUMNS),
        rows=rows,
        signatures=(
            (t("commend.sign_maker"), t("commend.sign_hint")),
            (t("commend.sign_head"), t("commend.sign_seal")),
        ),
        source=t("commend.file_source"),
        nation=(t("commend.nation"), t("commend.motto")),
    )


def file_stem(shortlist: Shortlist) -> str:
    """An ASCII file name: 'khenthuong_xa-bac-son_f2025'."""
    name = re.sub(r"[^a-z0-9]+", "-", fold(shortlist.unit.name)).strip("-") or "don-vi"
    return f"khenthuong_{name}_{shortlist.occasion.code}"


def xlsx(p: Proposal) -> bytes:
    """The list as a workbook: heading, table (header row repeated on each printed page),
    signature block; landscape, fitted to the page width."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "De nghi khen thuong"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    last = len(COLUMNS)

    def put(row: int, values: list[object], font: Font | None = None) -> None:
        """Write one row at a fixed row number (blank rows stay blank)."""
        for col, value in enumerate(values, 1):
            if value is None:
                continue
            cell = sheet.cell(row=row, column=col, value=value)
            if font is not None:
                cell.font = font

    put(1, [p.issuer, None, None, None, p.nation[0]], bold)
    put(2, [None, None, None, None, p.nation[1]], bold)
    put(3, [None, None, None, None, p.place_date])
    put(4, [p.title], bold)
    put(5, [p.occasion])
    header_row = 7
    put(header_row, list(p.header), bold)
    for cell in sheet[header_row]:
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for i, values in enumerate(p.rows, header_row + 1):
        put(i, [int(values[0]), *values[1:]])
        for cell in sheet[i]:
            cell.alignment = wrap
    sign_row = header_row + len(p.rows) + 2
    (left, left_hint), (right, right_hint) = p.signatures
    put(sign_row, [None, left, None, None, right], bold)
    put(sign_row + 1, [None, left_hint, None, None, right_hint])
    put(sign_row + 6, [p.source])  # room to sign above it
    for i, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[chr(64 + i)].width = width
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=last)
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=last)
    sheet["A4"].alignment = Alignment(horizontal="center")
    sheet["A5"].alignment = Alignment(horizontal="center")
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(p: Proposal) -> bytes:
    """The list as a Word document (landscape A4) in the usual administrative layout."""
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    _pair(document, (p.issuer, p.nation[0]), ("", p.nation[1]), bold=(True, True))
    _para(document, p.place_date, align=WD_ALIGN_PARAGRAPH.RIGHT, italic=True)
    _para(document, p.title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14)
    _para(document, p.occasion, align=WD_ALIGN_PARAGRAPH.CENTER, italic=True)
    table = document.add_table(rows=1, cols=len(p.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, p.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in p.rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    for i, width in enumerate(WIDTHS):
        for cell in table.columns[i].cells:
            cell.width = Cm(width * 0.24)
    document.add_paragraph()
    (left, left_hint), (right, right_hint) = p.signatures
    _pair(document, (left, right), (left_hint, right_hint), bold=(True, False))
    _para(document, p.source, italic=True, size=9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pair(
    document: docx.document.Document,
    top: tuple[str, str],
    bottom: tuple[str, str],
    *,
    bold: tuple[bool, bool],
) -> None:
    """Two centred columns of two lines, borderless: the heading, the signature block."""
    table = document.add_table(rows=2, cols=2)
    for r, texts in enumerate((top, bottom)):
        for col, text in enumerate(texts):
            para = table.rows[r].cells[col].paragraphs[0]
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(text)
            run.bold, run.italic = bold[r], not bold[r]


def _para(
    document: docx.document.Document,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    italic: bool = False,
    size: int | None = None,
) -> None:
    """One paragraph of a single run in the given style."""
    para = document.add_paragraph()
    if align is not None:
        para.alignment = align
    run = para.add_run(text)
    run.bold, run.italic = bold, italic
    if size is not None:
        run.font.size = Pt(size)
