"""Unit tests for the org import: CSV and XLSX, any order, all-or-nothing, idempotent re-runs."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock
from bot.units.orgimport import ImportResult, import_org
from storage import units
from storage.db import Database
from tests.support.orgimport import (
    COMMUNE,
    PROVINCE,
    TEAM,
    VILLAGE,
    all_units,
    import_error,
    write,
    xlsx,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_csv_depth_four_in_any_order(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    # Children listed before their parents: the import must sort them out.
    csv_file = write(
        tmp_path,
        "org.csv",
        "path,kind,households\n"
        f"{TEAM},team,45\n"
        f"{VILLAGE},village,120\n"
        f"{PROVINCE},province,\n"
        f"{COMMUNE},commune,\n",
    )
    result = await import_org(db, csv_file, clock)
    assert result == ImportResult(created=4, updated=0, unchanged=0)
    assert await all_units(db) == [
        (PROVINCE, PROVINCE, "province", None, None),
        (COMMUNE, "Xã Bắc Sơn", "commune", None, PROVINCE),
        (VILLAGE, "Thôn Nà Lẹng", "village", 120, COMMUNE),
        (TEAM, "Tổ ANTT số 1", "team", 45, VILLAGE),
    ]
    async with db.read() as tx:
        village = await units.get_by_path(tx, VILLAGE)
        assert village is not None
        assert village.created_at == "2025-11-23T08:00:00+07:00"
        commune = await units.get_by_path(tx, COMMUNE)
        assert commune is not None
        kids = await units.children(tx, commune.id)
        assert [k.path for k in kids] == [VILLAGE]
        same = await units.get(tx, village.id)
        assert same is not None and same.path == VILLAGE


async def test_bom_semicolons_header_case_and_spaces(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    csv_file = write(
        tmp_path,
        "org.csv",
        " Path ; KIND ;Households\r\n"
        f"{PROVINCE};Province;\r\n"
        "\r\n"
        f" {PROVINCE} /  Xã Bắc Sơn ; commune ; 300 \r\n"
        ";;\r\n",
        bom=True,
    )
    result = await import_org(db, csv_file, clock)
    assert result == ImportResult(created=2, updated=0, unchanged=0)
    assert await all_units(db) == [
        (PROVINCE, PROVINCE, "province", None, None),
        (COMMUNE, "Xã Bắc Sơn", "commune", 300, PROVINCE),
    ]


async def test_xlsx(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    target = xlsx(
        tmp_path,
        [
            ["path", "kind", "households", "note"],
            [VILLAGE, "village", 120, "thôn vùng cao"],
            [PROVINCE, "province", None, None],
            [],
            [COMMUNE, "commune", 850.0, None],
        ],
    )

    result = await import_org(db, target, clock)
    assert result == ImportResult(created=3, updated=0, unchanged=0)
    assert await all_units(db) == [
        (PROVINCE, PROVINCE, "province", None, None),
        (COMMUNE, "Xã Bắc Sơn", "commune", 850, PROVINCE),
        (VILLAGE, "Thôn Nà Lẹng", "village", 120, COMMUNE),
    ]


async def test_xlsx_bad_row_reports_sheet_row(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    target = xlsx(tmp_path, [["path", "kind"], [PROVINCE, "province"], [], [COMMUNE, "xã phường"]])

    error = await import_error(db, target, clock)
    assert error.line == 4
    assert "line 4" in str(error) and "kind" in str(error)
    assert await all_units(db) == []


async def test_reimport_is_idempotent(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    csv_file = write(
        tmp_path,
        "org.csv",
        f"path,kind,households\n{PROVINCE},province,\n{COMMUNE},commune,\n{VILLAGE},village,120\n",
    )
    await import_org(db, csv_file, clock)
    before = await all_units(db)
    clock.advance(days=1)
    result = await import_org(db, csv_file, clock)
    assert result == ImportResult(created=0, updated=0, unchanged=3)
    assert await all_units(db) == before


async def test_changed_kind_and_households_are_updated(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    first = write(
        tmp_path,
        "v1.csv",
        f"path,kind,households\n{PROVINCE},province,\n{COMMUNE},commune,\n{VILLAGE},village,120\n",
    )
    await import_org(db, first, clock)
    second = write(
        tmp_path,
        "v2.csv",
        "path,kind,households\n"
        f"{PROVINCE},province,\n"
        f"{COMMUNE},ward,\n"
        f"{VILLAGE},village,130\n"
        f"{TEAM},team,\n",
    )
    result = await import_org(db, second, clock)
    assert result == ImportResult(created=1, updated=2, unchanged=1)
    assert await all_units(db) == [
        (PROVINCE, PROVINCE, "province", None, None),
        (COMMUNE, "Xã Bắc Sơn", "ward", None, PROVINCE),
        (VILLAGE, "Thôn Nà Lẹng", "village", 130, COMMUNE),
        (TEAM, "Tổ ANTT số 1", "team", None, VILLAGE),
    ]


async def test_without_households_column_keeps_stored_values(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    first = write(tmp_path, "v1.csv", f"path,kind,households\n{PROVINCE},province,900\n")
    await import_org(db, first, clock)
    second = write(tmp_path, "v2.csv", f"path,kind\n{PROVINCE},province\n")
    result = await import_org(db, second, clock)
    assert result == ImportResult(created=0, updated=0, unchanged=1)
    assert await all_units(db) == [(PROVINCE, PROVINCE, "province", 900, None)]


async def test_parent_already_in_database(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    await import_org(db, write(tmp_path, "p.csv", f"path,kind\n{PROVINCE},province\n"), clock)
    result = await import_org(
        db, write(tmp_path, "c.csv", f"path;kind\n{COMMUNE};commune\n"), clock
    )
    assert result == ImportResult(created=1, updated=0, unchanged=0)


async def test_bad_row_reports_line_and_saves_nothing(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    csv_file = write(
        tmp_path,
        "org.csv",
        f"path,kind\n{PROVINCE},province\n\n{COMMUNE},commune\n{VILLAGE},\n",
    )
    error = await import_error(db, csv_file, clock)
    assert error.line == 5
    assert "org.csv, line 5" in str(error)
    assert "kind is empty" in str(error)
    assert await all_units(db) == []


async def test_failed_import_leaves_existing_units_unchanged(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await import_org(
        db, write(tmp_path, "a.csv", f"path,kind\n{PROVINCE},province\n{COMMUNE},commune\n"), clock
    )
    before = await all_units(db)
    # A valid update and a valid new unit, then a missing parent: none of it may stick.
    bad = write(
        tmp_path,
        "b.csv",
        f"path,kind\n{COMMUNE},ward\n{VILLAGE},village\n{PROVINCE}/Xã Khác/Thôn A,village\n",
    )
    error = await import_error(db, bad, clock)
    assert error.line == 4
    assert f"'{PROVINCE}/Xã Khác'" in str(error)
    assert await all_units(db) == before


async def test_missing_parent_is_named(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    csv_file = write(tmp_path, "org.csv", f"path,kind\n{PROVINCE},province\n{VILLAGE},village\n")
    error = await import_error(db, csv_file, clock)
    assert error.line == 3
    assert "parent" in str(error) and repr(COMMUNE) in str(error)
    assert await all_units(db) == []


async def test_missing_header_columns(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    csv_file = write(tmp_path, "org.csv", f"path,loai\n{PROVINCE},province\n")
    error = await import_error(db, csv_file, clock)
    assert error.line == 1
    assert "line 1" in str(error) and "kind" in str(error)
    assert await all_units(db) == []


@pytest.mark.parametrize("value", ["-3", "12.5", "nhiều", "1e3"])
async def test_bad_households(db: Database, clock: ManualClock, tmp_path: Path, value: str) -> None:
    csv_file = write(
        tmp_path,
        "org.csv",
        f"path,kind,households\n{PROVINCE},province,\n{COMMUNE},commune,{value}\n",
    )
    error = await import_error(db, csv_file, clock)
    assert error.line == 3
    assert "households" in str(error) and value in str(error)
    assert await all_units(db) == []


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (f"{PROVINCE}//Xã A,commune", "empty name"),
        (",commune", "path is empty"),
        (f"{PROVINCE}/Xã A,commune xã", "kind"),
        (f"{PROVINCE},province", "already listed on line 2"),
    ],
)
async def test_other_bad_rows(
    db: Database, clock: ManualClock, tmp_path: Path, row: str, fragment: str
) -> None:
    csv_file = write(tmp_path, "org.csv", f"path,kind\n{PROVINCE},province\n{row}\n")
    error = await import_error(db, csv_file, clock)
    assert error.line == 3
    assert fragment in str(error)
    assert await all_units(db) == []


async def test_unsupported_extension(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    target = write(tmp_path, "org.txt", f"path,kind\n{PROVINCE},province\n")
    error = await import_error(db, target, clock)
    assert error.line is None
    assert ".txt" in str(error) and ".csv" in str(error) and ".xlsx" in str(error)
    assert await all_units(db) == []


async def test_not_utf8_and_empty_file(db: Database, clock: ManualClock, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("path,kind\nTỉnh,province\n".encode("cp1258", errors="replace") + b"\xff")
    assert "UTF-8" in str(await import_error(db, latin, clock))
    empty = write(tmp_path, "empty.csv", "\n\n")
    assert "empty" in str(await import_error(db, empty, clock))


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("\x00", "U+0000 (a control character)"),
        ("\t", "U+0009 (a control character)"),
        ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
        ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    ],
)
async def test_hidden_characters_in_names_are_refused(
    db: Database, clock: ManualClock, tmp_path: Path, char: str, described: str
) -> None:
    name = f"Xã{char}Bắc Sơn"
    csv_file = write(
        tmp_path, "org.csv", f"path,kind\n{PROVINCE},province\n{PROVINCE}/{name},commune\n"
    )
    error = await import_error(db, csv_file, clock)
    assert str(error) == (
        f"org.csv, line 3: unit name {name!r} contains the invisible character {described};"
        " delete it (retype the name) and save the file again"
    )
    assert error.line == 3
    assert await all_units(db) == []


async def test_hidden_character_in_an_xlsx_parent_segment(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    hidden = f"{PROVINCE}/Xã \u202enơS cắB/Thôn A"
    target = xlsx(tmp_path, [["path", "kind"], [PROVINCE, "province"], [hidden, "village"]])
    error = await import_error(db, target, clock)
    assert str(error) == (
        "org.xlsx, line 3: unit name 'Xã \\u202enơS cắB' contains the invisible character"
        " U+202E (RIGHT-TO-LEFT OVERRIDE); delete it (retype the name) and save the file again"
    )
    assert await all_units(db) == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            f"{COMMUNE},commune\u200b,",
            "org.csv, line 3: kind 'commune\\u200b' contains the invisible character"
            " U+200B (ZERO WIDTH SPACE); delete it and save the file again",
        ),
        (
            f"{COMMUNE},commune,1\u202e20",
            "org.csv, line 3: households '1\\u202e20' contains the invisible character"
            " U+202E (RIGHT-TO-LEFT OVERRIDE); delete it and save the file again",
        ),
    ],
)
async def test_hidden_characters_in_kind_and_households(
    db: Database, clock: ManualClock, tmp_path: Path, row: str, message: str
) -> None:
    csv_file = write(tmp_path, "org.csv", f"path,kind,households\n{PROVINCE},province,\n{row}\n")
    error = await import_error(db, csv_file, clock)
    assert str(error) == message
    assert await all_units(db) == []


async def test_emoji_joined_by_zwj_and_spaces_around_names_pass(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    csv_file = write(
        tmp_path,
        "org.csv",
        f"path,kind\n{PROVINCE},province\n{PROVINCE}/\tĐội {family} \t,team\n",
    )
    result = await import_org(db, csv_file, clock)
    assert result == ImportResult(created=2, updated=0, unchanged=0)
    assert await all_units(db) == [
        (PROVINCE, PROVINCE, "province", None, None),
        (f"{PROVINCE}/Đội {family}", f"Đội {family}", "team", None, PROVINCE),
    ]
