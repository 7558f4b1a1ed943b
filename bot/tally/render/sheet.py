"""One sheet of a tally workbook as it is handed on: title block, table, signature, print setup.

Every sheet has the same frame, so a printed page can be signed and filed: rows 1-3 name the
unit, the period, when the file was made and what the figures come from; row 4 carries the
sheet's own note (a cut list, how ✓/✗ count); the table's header is row `HEADER_ROW`, frozen,
filtered and repeated on every printed page; the signature block follows the last row.

Excel's limits are kept here, each with a note in the file saying where the rest is: rows
past `MAX_ROWS` go on to further sheets ('Báo cáo chi tiết (2)'), columns past `MAX_COLS`
are left out, text past `MAX_CELL` characters is cut with a marker. The limits are module
constants read at write time, so tests can make them small.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties

from bot.tally.render.excel import ILLEGAL, SheetNames, formula_like, text_width

MAX_ROWS = 1_048_576  # Excel's rows per sheet
MAX_COLS = 16_384  # Excel's columns per sheet
MAX_CELL = 32_767  # Excel's characters per cell
HEADER_ROW = 5  # title block in rows 1-3, the sheet's note in row 4
SIGNATURE_ROWS = 4  # a blank row, place and date, the two titles, "(Ký, ghi rõ họ tên)"
MET, MISSED = "✓", "✗"
# A target met is 1 and missed 0, shown as ✓ / ✗: SUM or COUNTIF(...;1) counts the teams.
MARK_FORMAT = '"✓";"✗";"✗"'
MAX_WIDTH = 50
WIDTH_SAMPLE = 5000  # rows read for the column widths: a long list is not scanned whole

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_NOTE = Font(bold=True, color="C00000")
_ITALIC = Font(italic=True)
_WRAP = Alignment(wrap_text=True, vertical="top")  # "lines": one step of a history a line
_CENTRE = Alignment(horizontal="center")
_FORMATS = {"pct": "0.0%", "date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}
_STYLED = {*_FORMATS, "lines", "mark"}
_FIXED_WIDTHS = {"pct": 6, "date": 10, "datetime": 16, "mark": 6}


@dataclass(frozen=True)
class Frame:
    """What every sheet of one file says around its table, already in the reader's words."""

    title: str  # "Thống kê Xã Bắc Sơn · Tháng 11/2026"
    unit_line: str  # "Đơn vị: Xã Bắc Sơn (Tỉnh A/Xã Bắc Sơn) · Kỳ: 01/11/2026 - 30/11/2026"
    made_line: str  # "Ngày lập: … · Nguồn: Hệ thống báo cáo ANTT cơ sở, số liệu đến …"
    place_date: str  # "Ngày … tháng … năm …", over the head's signature
    maker: str  # "Người lập biểu"
    head: str  # "Thủ trưởng đơn vị"
    sign: str  # "(Ký, ghi rõ họ tên)"
    cut_cell: str  # "… [{count} more characters: ...]", ends text cut at MAX_CELL
    mark_note: str  # how to count the ✓/✗ columns
    part_note: str  # "Part {part}/{parts} ... continues on sheet «{next}»"
    part_last: str  # "Part {part}/{parts}, the last ..."
    columns_note: str  # "Only the first {shown} of {total} columns ..."


def fit_text(value: str, frame: Frame) -> str:
    """Text a cell accepts: no control characters, and past Excel's limit cut with a marker
    that says how much is missing and where to read it whole."""
    text = ILLEGAL.sub("", value)
    limit = MAX_CELL
    if len(text) <= limit:
        return text
    marker = frame.cut_cell.format(count=len(text) - limit)
    keep = max(0, limit - len(marker))
    return text[:keep] + marker[: limit - keep]


class Sheet:
    """Rows of one sheet kept as values until the column widths are known.

    `formats` per column: "text", "int", "pct", "date", "datetime", "lines" (wrapped text,
    one item a line) or "mark" (✓ / ✗ written as 1 / 0 with a format showing ✓ / ✗); only
    the styled ones need a cell object, everything else goes out as a bare value (the fast
    path). `widths` fixes the column widths (a big list is not scanned for them).
    """

    def __init__(
        self,
        headers: list[str],
        formats: list[str],
        widths: list[float] | None = None,
    ) -> None:
        """An empty sheet with its headers and column formats."""
        self.headers = headers
        self.formats = formats
        self.fixed_widths = widths
        self.rows: list[list[object]] = []
        self.notes: list[str] = []

    def add(self, values: Sequence[object]) -> None:
        """Keep a row as it is; text is made fit for Excel when written."""
        self.rows.append(list(values))

    def widths(self, rows: Sequence[Sequence[object]]) -> list[float]:
        """Characters per column from the longest value, header included, capped."""
        if self.fixed_widths is not None:
            return self.fixed_widths
        rows = rows[:WIDTH_SAMPLE]
        widths: list[float] = []
        for i, (header, fmt) in enumerate(zip(self.headers, self.formats, strict=True)):
            longest = _FIXED_WIDTHS.get(fmt)
            if longest is None:
                longest = max((text_width(row[i]) for row in rows), default=0)
            widths.append(min(max(longest, len(header)) + 2, MAX_WIDTH))
        return widths

    def write(
        self,
        wb: Workbook,
        names: SheetNames,
        wanted: str,
        frame: Frame,
        filter_rows: int | None = None,
    ) -> list[str]:
        """Stream the sheet out, over as many sheets as Excel's row limit needs; returns the
        sheet names used. `filter_rows` keeps a totals line out of the autofilter."""
        notes = list(self.notes)
        columns = len(self.headers)
        if columns > MAX_COLS:
            notes.append(frame.columns_note.format(shown=MAX_COLS, total=columns))
            columns = MAX_COLS
        if "mark" in self.formats[:columns]:
            notes.append(frame.mark_note)
        room = max(1, MAX_ROWS - HEADER_ROW - SIGNATURE_ROWS)
        chunks = [self.rows[i : i + room] for i in range(0, len(self.rows), room)] or [[]]
        titles = [names.take(wanted)]
        for part in range(2, len(chunks) + 1):
            titles.append(names.take(f"{wanted} ({part})"))
        for part, (title, rows) in enumerate(zip(titles, chunks, strict=True), 1):
            sheet_notes = list(notes)
            if len(chunks) > 1:
                note = frame.part_note if part < len(chunks) else frame.part_last
                following = titles[part] if part < len(chunks) else ""
                sheet_notes.append(
                    note.format(part=part, parts=len(chunks), rows=len(rows), next=following)
                )
            shown = len(rows) if filter_rows is None or len(chunks) > 1 else filter_rows
            # The title row names the sheet in full: a tab's name may be cut at 31 characters.
            heading = wanted if len(chunks) == 1 else f"{wanted} ({part}/{len(chunks)})"
            self._write_one(wb, (title, heading), frame, rows, columns, sheet_notes, shown)
        return titles

    def _write_one(
        self,
        wb: Workbook,
        names: tuple[str, str],
        frame: Frame,
        rows: Sequence[Sequence[object]],
        columns: int,
        notes: list[str],
        filter_rows: int,
    ) -> None:
        """One sheet (`names`: its tab's name, its full name): frame, header, rows (cut to
        `columns`), signature, print setup."""
        title, heading = names
        ws = wb.create_sheet(title)
        assert isinstance(ws, WriteOnlyWorksheet)
        last_col = get_column_letter(max(columns, 1))
        _print_setup(ws)
        # Write-only: panes, widths and print titles before the first row.
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        for i, width in enumerate(self.widths(rows)[:columns], 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.append([_cell(ws, f"{frame.title} — {heading}", "text", frame, _TITLE)])
        ws.append([_cell(ws, frame.unit_line, "text", frame)])
        ws.append([_cell(ws, frame.made_line, "text", frame, _ITALIC)])
        ws.append([_cell(ws, " ".join(notes), "text", frame, _NOTE)] if notes else [])
        ws.append([_cell(ws, h, "text", frame, _BOLD) for h in self.headers[:columns]])
        formats = [f if f in _STYLED else None for f in self.formats[:columns]]
        styles: dict[tuple[str, bool], StyleArray] = {}
        for row in rows:
            ws.append(
                [_value(ws, v, formats[i], frame, styles) for i, v in enumerate(row[:columns])]
            )
        _signature(ws, frame, columns)
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + filter_rows}"


def _value(
    ws: WriteOnlyWorksheet,
    value: object,
    fmt: str | None,
    frame: Frame,
    styles: dict[tuple[str, bool], StyleArray],
) -> object:
    """One table value: bare where no style is needed (the fast path), else a cell; empty
    text as no value. `styles` keeps each column format's style once worked out: looking a
    style up in the workbook's tables for every cell is most of a big sheet's time."""
    if isinstance(value, str):
        value = fit_text(value, frame)
        if not value:
            return None
        if fmt is None and value[0] != "=":
            return value
        fmt = fmt or "text"
    elif value is None or fmt is None:
        return value
    key = (fmt, fmt == "mark" and value in (MET, MISSED))
    style = styles.get(key)
    if style is None:
        cell = _cell(ws, value, fmt, frame)
        styles[key] = copy(cell._style)  # type: ignore[attr-defined]
        return cell
    if key[1]:
        value = 1 if value == MET else 0
    cell = WriteOnlyCell(ws, value=value)
    if formula_like(value):
        cell.data_type = "s"
    cell._style = copy(style)
    return cell


def _print_setup(ws: WriteOnlyWorksheet) -> None:
    """A4 landscape, every column on one page's width, as many pages down as it takes."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _signature(ws: WriteOnlyWorksheet, frame: Frame, columns: int) -> None:
    """'Người lập biểu' on the left and 'Thủ trưởng đơn vị' on the right, each with
    '(Ký, ghi rõ họ tên)' under it, and the place and date over the head's title."""
    right = max(3, columns - 2)
    gap: list[object] = [None] * (right - 2)
    ws.append([])
    ws.append([None, *gap, _cell(ws, frame.place_date, "text", frame, _ITALIC)])
    ws.append(
        [
            _cell(ws, frame.maker, "text", frame, _BOLD),
            None,
            *gap[1:],
            _cell(ws, frame.head, "text", frame, _BOLD),
        ]
    )
    ws.append(
        [
            _cell(ws, frame.sign, "text", frame, _ITALIC),
            None,
            *gap[1:],
            _cell(ws, frame.sign, "text", frame, _ITALIC),
        ]
    )


def _cell(
    ws: WriteOnlyWorksheet, value: object, fmt: str, frame: Frame, font: Font | None = None
) -> object:
    """A cell: text made fit for Excel (and user text starting with '=' kept as text, never
    a formula); ✓ / ✗ in a "mark" column as 1 / 0; the column's number format or wrap."""
    if isinstance(value, str):
        if fmt == "mark" and value in (MET, MISSED):
            value = 1 if value == MET else 0
        else:
            value = fit_text(value, frame)
    cell = WriteOnlyCell(ws, value=value)
    if formula_like(value):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fmt == "mark" and isinstance(value, int):
        cell.number_format = MARK_FORMAT
        cell.alignment = _CENTRE
    number_format = _FORMATS.get(fmt)
    if number_format:
        cell.number_format = number_format
    elif fmt == "lines":
        cell.alignment = _WRAP
    return cell
