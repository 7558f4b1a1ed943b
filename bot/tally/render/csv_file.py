"""The team lines of a tally as CSV, for other software and for people who prefer a flat file.

Numbers stay numbers: shares are decimals (0.95, not "95%") and counts are integers, so the
file feeds a spreadsheet formula or a script without parsing; an empty cell means the target
does not apply to that team.

Two styles (`[tally] csv_style`, `--csv-style`): "standard" is RFC 4180 (comma, decimal
point); "excel-vi" is what Excel on a Windows set to Vietnamese reads into columns by a
double-click: its list separator is ";" and its decimal separator ",", so that file is
semicolon-separated with decimal commas (0,95). Both are UTF-8 with a BOM.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Literal

from bot.tally.compute import Tally
from bot.tally.render.xlsx import team_columns

if TYPE_CHECKING:
    from bot.tally.labels import Labels

CsvStyle = Literal["standard", "excel-vi"]
CSV_STYLES: tuple[CsvStyle, ...] = ("standard", "excel-vi")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object, fmt: str, decimal: str = ".") -> str:
    """One value as CSV text: decimals without trailing zeros, user text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return (text or "0").replace(".", decimal)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # A name starting with "=" would run as a formula when the file is opened in a spreadsheet.
    return "'" + text if fmt == "text" and text.startswith(_FORMULA_START) else text


def team_csv(tally: Tally, labels: Labels, style: CsvStyle = "standard") -> bytes:
    """One row per team, the team sheet's columns, as UTF-8 with a BOM.

    The BOM is what makes Excel read the file as UTF-8, so Vietnamese names keep their
    diacritics when the file is double-clicked. Quoted where needed, CRLF line ends (RFC
    4180); shares as decimals 0..1 and counts as integers. "standard" separates with commas
    and writes 0.95; "excel-vi" separates with semicolons and writes 0,95, because a comma
    file lands in one column on a Vietnamese Windows (no "sep=" line: Excel then ignores the
    BOM and garbles the diacritics).
    """
    delimiter, decimal = (";", ",") if style == "excel-vi" else (",", ".")
    columns = team_columns(tally, labels)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([c.header for c in columns])
    for team in tally.teams:
        writer.writerow([_cell(c.value(team), c.fmt, decimal) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def csv_name(stem: str, style: CsvStyle) -> str:
    """The file name of a tally's CSV: the standard one plain, the Excel one marked."""
    return f"{stem}.csv" if style == "standard" else f"{stem}_excel-vi.csv"
