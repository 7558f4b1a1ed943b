"""The one reading of a typed unit: path, name, name without its level word, path tail."""

from __future__ import annotations

import pytest

from bot.units import lookup
from storage import units
from storage.db import Database

NOW = "2026-11-23T09:00:00+07:00"
PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
OTHER = f"{PROVINCE}/Xã Hữu Vĩnh"
TREE = [
    (PROVINCE, "province"),
    (COMMUNE, "commune"),
    (f"{COMMUNE}/Thôn Nà Lẹng", "village"),
    (f"{COMMUNE}/Ấp Mới", "village"),
    (f"{COMMUNE}/Thị trấn Đồng Mỏ", "town"),
    (f"{COMMUNE}/Thị trấn Đồng Mỏ/Tổ dân phố 5", "village"),
    (f"{COMMUNE}/Bản Khuôn Pinh", "village"),
    (OTHER, "commune"),
    (f"{OTHER}/Thôn Làng Mới", "village"),
    (f"{OTHER}/Thôn Nà Lẹng", "village"),
]


@pytest.fixture
async def db(db: Database) -> Database:
    """The shared empty database with two communes whose teams share a name."""
    async with db.transaction() as tx:
        for path, kind in TREE:
            await units.upsert(tx, path, kind, None, NOW)
    return db


async def find(
    db: Database, typed: str, scope: str | None = COMMUNE, teams_only: bool = False
) -> lookup.Lookup:
    async with db.read() as tx:
        return await lookup.find_unit(tx, typed, scope, teams_only=teams_only)


def path_of(result: lookup.Lookup) -> str:
    assert isinstance(result, lookup.Found), result
    return result.unit.path


@pytest.mark.parametrize(
    ("typed", "path"),
    [
        ("Thôn Nà Lẹng", f"{COMMUNE}/Thôn Nà Lẹng"),
        ("na leng", f"{COMMUNE}/Thôn Nà Lẹng"),
        ("  NÀ   LẸNG ", f"{COMMUNE}/Thôn Nà Lẹng"),
        ("Mới", f"{COMMUNE}/Ấp Mới"),
        ("ap moi", f"{COMMUNE}/Ấp Mới"),
        ("Đồng Mỏ", f"{COMMUNE}/Thị trấn Đồng Mỏ"),
        ("5", f"{COMMUNE}/Thị trấn Đồng Mỏ/Tổ dân phố 5"),
        ("khuon pinh", f"{COMMUNE}/Bản Khuôn Pinh"),
        ("bac son", COMMUNE),
        (COMMUNE, COMMUNE),
        ("Xã Bắc Sơn/Thôn Nà Lẹng", f"{COMMUNE}/Thôn Nà Lẹng"),
        ("xa bac son / thon na leng", f"{COMMUNE}/Thôn Nà Lẹng"),
        ("Lẹng", f"{COMMUNE}/Thôn Nà Lẹng"),  # the last words, when no whole name answers
        ("pinh", f"{COMMUNE}/Bản Khuôn Pinh"),
    ],
)
async def test_a_unit_is_found_however_it_is_typed(db: Database, typed: str, path: str) -> None:
    assert path_of(await find(db, typed)) == path


async def test_outside_the_scope_is_told_apart_from_unknown(db: Database) -> None:
    assert isinstance(await find(db, "Làng Mới"), lookup.OutOfScope)
    assert isinstance(await find(db, OTHER), lookup.OutOfScope)
    assert isinstance(await find(db, "xa huu vinh"), lookup.OutOfScope)
    assert isinstance(await find(db, "Thôn Không Có"), lookup.Unknown)
    assert isinstance(await find(db, "Xã Bắc Sơn/Thôn Làng Mới"), lookup.Unknown)


async def test_a_name_in_two_units_is_ambiguous_with_its_candidates(db: Database) -> None:
    result = await find(db, "Nà Lẹng", scope=PROVINCE)
    assert isinstance(result, lookup.Ambiguous)
    assert sorted(u.path for u in result.candidates) == [
        f"{COMMUNE}/Thôn Nà Lẹng",
        f"{OTHER}/Thôn Nà Lẹng",
    ]
    assert path_of(await find(db, "Hữu Vĩnh/Nà Lẹng", scope=PROVINCE)) == f"{OTHER}/Thôn Nà Lẹng"


async def test_the_whole_tree_without_a_scope(db: Database) -> None:
    assert path_of(await find(db, "Làng Mới", scope=None)) == f"{OTHER}/Thôn Làng Mới"
    assert isinstance(await find(db, "Nà Lẹng", scope=None), lookup.Ambiguous)
    assert isinstance(await find(db, "Không Có", scope=None), lookup.Unknown)


async def test_a_whole_name_wins_over_the_last_words_of_another(db: Database) -> None:
    # "Mới" is all of "Ấp Mới" but only the end of "Thôn Làng Mới".
    assert path_of(await find(db, "Mới", scope=PROVINCE)) == f"{COMMUNE}/Ấp Mới"
    assert path_of(await find(db, "lang moi", scope=PROVINCE)) == f"{OTHER}/Thôn Làng Mới"
    assert isinstance(await find(db, "leng", scope=PROVINCE), lookup.Ambiguous)


async def test_teams_only_skips_the_units_with_units_below(db: Database) -> None:
    assert path_of(await find(db, "5", teams_only=True)).endswith("Tổ dân phố 5")
    assert isinstance(await find(db, "Đồng Mỏ", teams_only=True), lookup.Unknown)
    assert isinstance(await find(db, COMMUNE, teams_only=True), lookup.Unknown)
    found = await find(db, f"{COMMUNE}/Ấp Mới", teams_only=True)
    assert path_of(found) == f"{COMMUNE}/Ấp Mới"
