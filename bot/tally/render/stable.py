"""Files that render the same bytes whatever day they are made: the stamps in a workbook.

A tally sent to the district must be the same file when it is made again later. openpyxl
stamps the document properties and every zip entry with the time of saving; both are set
here from the period instead (`stamp`), so only the figures decide the bytes.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime, time, timedelta
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from bot.tally.periods import Period

_LOCAL = b"PK\x03\x04"
_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"


def stamp(period: Period, generated_at: datetime) -> datetime:
    """The time a tally's files carry: the start of the day after the period (so every
    run once it has ended carries the same), or the moment of making for a period still
    running (its figures change anyway); in `generated_at`'s time zone."""
    after = datetime.combine(period.end + timedelta(days=1), time(0, 0), generated_at.tzinfo)
    return min(generated_at, after)


def save(wb: Workbook, when: datetime) -> bytes:
    """The workbook's bytes stamped `when` throughout: its properties keep what the caller
    set (openpyxl's own `save` would set `modified` to now) and every zip entry carries
    `when` in local wall-clock time."""
    if wb.write_only and not wb.worksheets:
        wb.create_sheet()
    out = io.BytesIO()
    ExcelWriter(wb, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return fixed_zip_times(out.getvalue(), when.replace(tzinfo=None))


def _dos(when: datetime) -> tuple[int, int]:
    """A zip entry's (time, date) fields: two-second steps, years from 1980."""
    year = min(max(when.year, 1980), 2107)
    packed_time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    packed_date = ((year - 1980) << 9) | (when.month << 5) | when.day
    return packed_time, packed_date


def fixed_zip_times(data: bytes, when: datetime) -> bytes:
    """The same zip with every entry's modification time set to `when`, in place: only the
    two time fields of each local header and central directory entry change, so nothing is
    compressed again (a big workbook costs a scan of its directory)."""
    out = bytearray(data)
    end = out.rfind(_END)
    if end < 0:
        return data
    count, _size, offset = struct.unpack_from("<HII", out, end + 10)
    fields = struct.pack("<HH", *_dos(when))
    at = offset
    for _ in range(count):
        if out[at : at + 4] != _CENTRAL:
            return data  # not a layout we know (zip64 and the like): leave it as it is
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", out, at + 28)
        (local,) = struct.unpack_from("<I", out, at + 42)
        out[at + 12 : at + 16] = fields
        if out[local : local + 4] == _LOCAL:
            out[local + 10 : local + 14] = fields
        at += 46 + name_len + extra_len + comment_len
    return bytes(out)
