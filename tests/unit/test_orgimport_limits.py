"""The org import's [org_import] limits: files too large, zip bombs, too many cells.

Each refusal comes before the file is read into memory (size, zip directory) or as soon as
the cap is passed (cells), names the limit and the config key, and saves nothing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from bot.core.clock import ManualClock
from bot.core.config import ConfigError, OrgImportSection, load_config
from storage.db import Database
from tests.support.orgimport import PROVINCE, all_units, import_error, write, xlsx

MB = 1024 * 1024


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal 'before reading' must not get as far as openpyxl."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl was asked to read the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def bomb(tmp_path: Path, sheet_bytes: int) -> Path:
    """A workbook-shaped zip whose only sheet is `sheet_bytes` of repeated XML: a few KB on
    disk, as large as asked once inflated."""
    target = tmp_path / "org.xlsx"
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    body = row * (sheet_bytes // len(row))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + body)
    return target


async def test_file_over_max_file_mb_is_refused_unread(
    db: Database, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = write(tmp_path, "org.csv", "path,kind\n" + f"{PROVINCE},province\n" * 45_000)
    assert 1.2 * MB < big.stat().st_size < 1.25 * MB
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    error = await import_error(db, big, clock, OrgImportSection(max_file_mb=1))
    assert str(error) == (
        "org.csv: the file is 1.2 MB, over the limit of 1 MB; split it into smaller files,"
        " or raise [org_import] max_file_mb in the config"
    )
    assert error.line is None
    assert await all_units(db) == []


async def test_xlsx_bomb_is_refused_from_its_zip_directory(
    db: Database, clock: ManualClock, tmp_path: Path, no_openpyxl: None
) -> None:
    target = bomb(tmp_path, 3 * MB)
    assert target.stat().st_size < 50_000
    error = await import_error(db, target, clock, OrgImportSection(max_sheet_mb=1))
    assert str(error) == (
        "org.xlsx: xl/worksheets/sheet1.xml unzips to 3.0 MB, over the limit of 1 MB for one"
        " sheet; split the workbook into smaller files, or raise [org_import] max_sheet_mb in"
        " the config"
    )
    assert await all_units(db) == []


async def test_absurd_compression_ratio_is_refused_within_the_size_limit(
    db: Database, clock: ManualClock, tmp_path: Path, no_openpyxl: None
) -> None:
    target = bomb(tmp_path, 3 * MB)
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    ratio = info.file_size / info.compress_size
    assert ratio > 100
    error = await import_error(db, target, clock)  # default limit: 200 MB per sheet
    assert str(error) == (
        f"org.xlsx: xl/worksheets/sheet1.xml is compressed {ratio:,.0f} times, which no real"
        " spreadsheet is (this looks like a zip bomb); open the file in Excel and save it"
        " again, or save it as 'CSV UTF-8'"
    )
    assert await all_units(db) == []


async def test_a_zip_directory_that_understates_a_sheet_cannot_inflate_it(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    # The size checks trust the zip directory; zipfile stops inflating at the size declared
    # there, so a directory that lies yields a damaged sheet, never a larger one.
    communes = [[f"{PROVINCE}/Xã {index}", "commune"] for index in range(2000)]
    target = xlsx(tmp_path, [["path", "kind"], *communes])
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(target.read_bytes())
    name = info.filename.encode()
    entry = data.index(b"PK\x01\x02")  # central directory entries, one per part
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # its uncompressed size
    target.write_bytes(bytes(data))
    error = await import_error(db, target, clock)
    assert str(error) == (
        "org.xlsx: not a readable XLSX workbook: Bad CRC-32 for file 'xl/worksheets/sheet1.xml'"
    )
    assert await all_units(db) == []


async def test_csv_cell_cap_stops_at_the_line_that_passes_it(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    rows = "".join(f"{PROVINCE}/Xã {i},commune,\n" for i in range(5))
    csv_file = write(tmp_path, "org.csv", f"path,kind,households\n{PROVINCE},province,\n{rows}")
    # 3 cells a line: lines 1-3 hold 9, line 4 brings 12 > 10.
    error = await import_error(db, csv_file, clock, OrgImportSection(max_cells=10))
    assert str(error) == (
        "org.csv, line 4: the file has more than 10 cells (blank cells up to the last used"
        " column count too); split it into smaller files, or raise [org_import] max_cells in"
        " the config"
    )
    assert error.line == 4
    assert await all_units(db) == []


async def test_xlsx_blank_cells_up_to_a_far_column_count(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    rows = [["path", "kind"], [PROVINCE, "province"]]
    target = xlsx(tmp_path, rows, {(2, 16384): "ghi chú"})  # column XFD: every row that wide
    error = await import_error(db, target, clock, OrgImportSection(max_cells=10_000))
    assert str(error) == (
        "org.xlsx, line 1: the file has more than 10,000 cells (blank cells up to the last"
        " used column count too); split it into smaller files, or raise [org_import]"
        " max_cells in the config"
    )
    assert await all_units(db) == []


async def test_xlsx_endless_blank_rows_stop_at_the_cap(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    target = xlsx(tmp_path, [["path", "kind"]], {(1_048_576, 1): "x"})  # a million rows
    error = await import_error(db, target, clock, OrgImportSection(max_cells=1000))
    assert error.line == 501  # two cells a row, blank ones included
    assert str(error).startswith("org.xlsx, line 501: the file has more than 1,000 cells")
    assert await all_units(db) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("max_file_mb", 0), ("max_sheet_mb", -1), ("max_cells", 0), ("batch_rows", 0)],
)
def test_limits_must_be_positive(tmp_path: Path, key: str, value: int) -> None:
    config = write(tmp_path, "config.toml", f"[org_import]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(config, {})
    assert f"org_import.{key}: Input should be greater than" in str(info.value)
