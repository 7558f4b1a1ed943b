"""Reading an org file into rows of text, within limits checked before memory is spent.

An administrator may be handed any file: a CSV of a few gigabytes, or an XLSX whose sheet
inflates from a few kilobytes to gigabytes (a zip bomb). The file's size is checked before
it is opened, an XLSX's zip directory before openpyxl reads a byte of it (zipfile never
inflates a part beyond the size its directory declares), and cells are counted while rows
are read, so an oversized file stops early with the limit and the key that raises it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from pathlib import Path

from bot.core.config import OrgImportSection
from bot.units.orgimport.model import refusal

Table = list[tuple[int, list[str]]]  # (line number, cells as stripped NFC text), blank rows out

MB = 1024 * 1024
# Deflate shrinks real sheets 5 to 20 times (13 for a 100,000-row export); a zip bomb shrinks
# hundreds of megabytes of repeated bytes about 1,000 times. Small parts are not judged.
MAX_ZIP_RATIO = 100
_RATIO_FROM_BYTES = MB


def read_table(path: Path, limits: OrgImportSection) -> Table:
    """Every non-blank row of a CSV or XLSX file as (line number, cells), or a refusal.

    Raises OrgImportError for an unsupported type, a missing or unreadable file, or one past
    a limit of the [org_import] config section.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise refusal(
            path, None, f"unsupported file type {path.suffix or '(none)'!r}; use .csv or .xlsx"
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise refusal(path, None, "file not found") from exc
    except OSError as exc:
        raise refusal(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    if size > limits.max_file_mb * MB:
        raise refusal(
            path,
            None,
            f"the file is {size / MB:.1f} MB, over the limit of {limits.max_file_mb:g} MB;"
            " split it into smaller files, or raise [org_import] max_file_mb in the config",
        )
    if suffix == ".csv":
        return _read_csv(path, limits.max_cells)
    _check_zip(path, limits.max_sheet_mb)
    return _read_xlsx(path, limits.max_cells)


class _Rows:
    """Collects rows, dropping blank ones and counting cells against the cap as it goes."""

    def __init__(self, path: Path, max_cells: int) -> None:
        self.path = path
        self.max_cells = max_cells
        self.cells = 0
        self.table: Table = []

    def add(self, line: int, cells: list[str]) -> None:
        """Count the row's cells first, so the cap stops a huge file before it is kept."""
        # A row counts at least one cell, so a sheet of endless empty rows is capped too.
        self.cells += max(1, len(cells))
        if self.cells > self.max_cells:
            raise refusal(
                self.path,
                line,
                f"the file has more than {self.max_cells:,} cells (blank cells up to the last"
                " used column count too); split it into smaller files, or raise"
                " [org_import] max_cells in the config",
            )
        stripped = [unicodedata.normalize("NFC", cell).strip() for cell in cells]
        if any(stripped):
            self.table.append((line, stripped))


def _read_csv(path: Path, max_cells: int) -> Table:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refusal(path, None, "file is not UTF-8 text; save it as 'CSV UTF-8'") from exc
    except OSError as exc:
        raise refusal(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows = _Rows(path, max_cells)
    start = 1
    try:
        for cells in reader:
            rows.add(start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise refusal(path, start, f"malformed CSV: {exc}") from exc
    return rows.table


def _sniff_delimiter(text: str) -> str:
    """Comma or semicolon, whichever the header line uses more (Excel in vi-VN writes ';')."""
    header = next((line for line in text[:65536].splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _check_zip(path: Path, max_part_mb: float) -> None:
    """Refuse a workbook with a part that would inflate past the limit, before it is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise refusal(path, None, f"not a readable XLSX workbook: {exc}") from exc
    for part in parts:
        if part.file_size > max_part_mb * MB:
            raise refusal(
                path,
                None,
                f"{part.filename} unzips to {part.file_size / MB:.1f} MB, over the limit of"
                f" {max_part_mb:g} MB for one sheet; split the workbook into smaller files, or"
                " raise [org_import] max_sheet_mb in the config",
            )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FROM_BYTES and ratio > MAX_ZIP_RATIO:
            raise refusal(
                path,
                None,
                f"{part.filename} is compressed {ratio:,.0f} times, which no real spreadsheet"
                " is (this looks like a zip bomb); open the file in Excel and save it again,"
                " or save it as 'CSV UTF-8'",
            )


def _read_xlsx(path: Path, max_cells: int) -> Table:
    import openpyxl  # imported lazily: only XLSX imports pay for it

    # What a damaged workbook raises (ElementTree's ParseError is a SyntaxError).
    unreadable = (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, SyntaxError)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except unreadable as exc:
        raise refusal(path, None, f"not a readable XLSX workbook: {exc}") from exc
    rows = _Rows(path, max_cells)
    try:
        if not workbook.worksheets:
            raise refusal(path, None, "the workbook has no sheets")
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.add(line, [_cell_text(value) for value in values])
    except unreadable as exc:
        raise refusal(path, None, f"not a readable XLSX workbook: {exc}") from exc
    finally:
        workbook.close()
    return rows.table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
