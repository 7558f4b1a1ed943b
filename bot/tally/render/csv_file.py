"""The team lines of a tally as CSV, for other software and for people who prefer a flat file.

Numbers stay numbers: shares are decimals (0.95, not "95%") and counts are integers, so the
file feeds a spreadsheet formula or a script without parsing; an empty cell means the target
does not apply to that team.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from bot.tally.compute import Tally
from bot.tally.render.xlsx import team_columns

if TYPE_CHECKING:
    from bot.tally.labels import Labels

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object, fmt: str) -> str:
    """One value as CSV text: decimals without trailing zeros, user text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text or "0"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    # A name starting with "=" would run as a formula when the file is opened in a spreadsheet.
    return "'" + text if fmt == "text" and text.startswith(_FORMULA_START) else text


def team_csv(tally: Tally, labels: Labels) -> bytes:
    """One row per team, the team sheet's columns, as UTF-8 with a BOM.

    The BOM is what makes Excel read the file as UTF-8, so Vietnamese names keep their
    diacritics when the file is double-clicked. Comma-separated, quoted where needed, CRLF
    line ends (RFC 4180); shares as decimals 0..1 and counts as integers for machine use.
    """
    columns = team_columns(tally, labels)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in columns])
    for team in tally.teams:
        writer.writerow([_cell(c.value(team), c.fmt) for c in columns])
    return out.getvalue().encode("utf-8-sig")
