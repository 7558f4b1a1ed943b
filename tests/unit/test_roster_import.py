"""`antt-bot roster import`: people created before they chat, each with a personal code; bad
rows each reported by line with nothing saved; re-imports adding only who is new."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.people.roster.importing import RosterError
from bot.units.orgimport import OrgImportError
from storage import members
from storage.db import Database
from tests.support.orgimport import xlsx
from tests.support.roster import COMMUNE as XA
from tests.support.roster import (
    GOOD,
    KHUON_PINH,
    NA_LENG,
    NOW,
    OTHER_NA_LENG,
    csv_file,
    rows,
    run,
    seed,
    snapshot,
)


@pytest.fixture
async def tree(db: Database) -> Database:
    await seed(db)
    return db


async def people(db: Database) -> list[dict[str, object]]:
    return await rows(
        db,
        "SELECT m.full_name, m.role, m.phone, m.active, u.path, s.start_date, s.end_date,"
        " i.uses_left, i.expires_at, i.unit_id = m.unit_id AS same_unit, i.role AS invite_role"
        " FROM members m JOIN units u ON u.id = m.unit_id"
        " JOIN memberships s ON s.member_id = m.id JOIN invites i ON i.member_id = m.id"
        " ORDER BY m.id",
    )


async def refused(db: Database, path: Path) -> list[str]:
    before = await snapshot(db)
    with pytest.raises(RosterError) as info:
        await run(db, path)
    assert await snapshot(db) == before  # nothing imported: members, stretches, invites, audit
    return info.value.problems


async def test_a_good_csv_creates_everyone_with_a_personal_code(
    tree: Database, tmp_path: Path
) -> None:
    result = await run(tree, csv_file(tmp_path, GOOD))
    assert [(p.line, p.name, p.unit_path, p.role) for p in result.created] == [
        (2, "Nguyễn Văn An", NA_LENG, "leader"),
        (3, "Lê Thị Hoa", KHUON_PINH, "member"),
        (4, "Trần Thị Bình", NA_LENG, "member"),
        (5, "Hoàng Văn Thụ", XA, "officer"),
    ]
    assert result.skipped == []
    assert result.common_path == XA
    expires = "2027-02-28T09:00:00+07:00"
    assert await people(tree) == [
        # joined 1/10, in a closed month: serves from the open month's first day
        dict(full_name="Nguyễn Văn An", role="leader", phone="0912 345 678", active=1,
             path=NA_LENG, start_date="2026-11-01", end_date=None, uses_left=1,
             expires_at=expires, same_unit=1, invite_role="leader"),
        dict(full_name="Lê Thị Hoa", role="member", phone=None, active=1, path=KHUON_PINH,
             start_date="2026-11-15", end_date=None, uses_left=1, expires_at=expires,
             same_unit=1, invite_role="member"),
        dict(full_name="Trần Thị Bình", role="member", phone=None, active=1, path=NA_LENG,
             start_date="2026-11-30", end_date=None, uses_left=1, expires_at=expires,
             same_unit=1, invite_role="member"),
        dict(full_name="Hoàng Văn Thụ", role="officer", phone=None, active=1, path=XA,
             start_date="2026-11-30", end_date=None, uses_left=1, expires_at=expires,
             same_unit=1, invite_role="officer"),
    ]  # fmt: skip
    codes = {p.code for p in result.created}
    assert len(codes) == 4 and all(len(c) == 8 for c in codes)
    assert await rows(tree, "SELECT COUNT(*) AS n FROM identities") == [{"n": 0}]


async def test_the_audit_keeps_the_date_as_written(tree: Database, tmp_path: Path) -> None:
    result = await run(tree, csv_file(tmp_path, GOOD[:1]))
    [entry] = await rows(tree, "SELECT * FROM audit_trail")
    assert entry["subject"] == "member" and entry["action"] == "roster"
    assert entry["actor_id"] is None and entry["actor"] == "command line (test)"
    assert entry["subject_id"] == str(result.created[0].member_id)
    assert entry["effective_on"] == "2026-11-01"
    assert json.loads(entry["detail"]) == {
        "file": "roster.csv",
        "line": 2,
        "unit_after": NA_LENG,
        "role_after": "leader",
        "joined": "2026-10-01",
        "joined_as_written": "1/10/2026",
        "invite": result.created[0].code,
    }


async def test_a_good_xlsx_with_a_title_english_headers_and_number_cells(
    tree: Database, tmp_path: Path
) -> None:
    book = xlsx(
        tmp_path,
        [
            ["DANH SÁCH TỔ BẢO VỆ ANTT XÃ BẮC SƠN"],  # a title above the header
            [],
            ["STT", "full_name", "unit", "role", "phone", "joined"],  # STT: ignored
            [1, "Nguyễn Văn An", NA_LENG, "leader", 912345678, date(2026, 11, 20)],
            [2, "Lê Thị Hoa", "Khuôn Pinh", "deputy", "113", None],
        ],
        name="roster.xlsx",
    )
    result = await run(tree, book)
    assert [(p.line, p.name, p.role, p.serves_from) for p in result.created] == [
        (4, "Nguyễn Văn An", "leader", date(2026, 11, 20)),
        (5, "Lê Thị Hoa", "deputy", date(2026, 11, 30)),
    ]
    # Excel dropped the leading 0 of a number typed in a number cell: it is put back
    assert [r["phone"] for r in await people(tree)] == ["0912345678", "113"]


async def test_a_file_with_no_header_among_its_first_rows_is_refused(
    tree: Database, tmp_path: Path
) -> None:
    book = xlsx(tmp_path, [["DANH SÁCH"], ["Nguyễn Văn An", NA_LENG]], name="r.xlsx")
    problems = await refused(tree, book)
    assert problems[0].startswith("r.xlsx, line 1: the header row lacks the column(s) name, unit")


async def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(
    tree: Database, tmp_path: Path
) -> None:
    bad = [
        GOOD[0],
        ["Lê Thị Hoa", "Nà Lẹng", "tổ viên", "", ""],  # two villages answer to it
        ["Trần Văn Bình", "khuon pin", "tổ viên", "", ""],  # a typo
        ["Bình", "Khuôn Pinh", "chủ tịch", "abc", "32/13"],  # four problems at once
        ["Đỗ Văn Cường", "Khuôn Pinh", "tổ viên", "", "5/12/2026"],  # in the future
        ["Phạm Văn Dũng", "Xã Bắc Sơn", "tổ viên", "", ""],  # a member above a team
        ["Vũ Thị Em", "Bắc Sơn/Thôn Nà Lẹng", "công an xã", "", ""],  # an officer in a team
        ["Nguyễn  văn an", "Xã Bắc Sơn/Nà Lẹng", "tổ viên", "", ""],  # line 2 again
        ["", "", "", "", ""],  # blank rows are skipped, not refused
        ["Ngô Văn Giáp", "Xã Không Có", "tổ viên", "", ""],  # no such unit, nothing close
        ["Lý Thị Hạnh", "", "tổ viên", "", ""],
    ]
    problems = await refused(tree, csv_file(tmp_path, bad))
    assert problems == [
        f"roster.csv, line 3: unit 'Nà Lẹng' answers to 2 units: {NA_LENG}; {OTHER_NA_LENG};"
        " write the full path",
        f"roster.csv, line 4: no unit 'khuon pin'; the closest: {KHUON_PINH}",
        "roster.csv, line 5: full name 'Bình' must be two words or more, letters only, at most"
        " 80 characters (e.g. Nguyễn Văn An); unknown role 'chủ tịch'; use one of: tổ viên,"
        " tổ trưởng, tổ phó, công an xã, cán bộ chỉ đạo (or member, leader, ...); 'abc' is not"
        " a phone number (3 to 15 digits, spaces, dots or a leading +); date joined '32/13' is"
        " not a date; write e.g. 1/10, 01/10/2026, 2026-10-01",
        "roster.csv, line 6: date joined 05/12/2026 is in the future",
        f"roster.csv, line 7: the role member belongs in a team (thôn, bản, tổ), not in '{XA}'",
        f"roster.csv, line 8: the role officer belongs in a commune or above, not in '{NA_LENG}'",
        f"roster.csv, line 9: Nguyễn văn an in '{NA_LENG}' is already on line 2; if they are"
        " two people, tell them apart in the name column",
        "roster.csv, line 11: no unit 'Xã Không Có', nor one close to it; check the spelling,"
        " or load the unit tree first with `antt-bot org import FILE`",
        "roster.csv, line 12: the unit is empty; write its path or its name (e.g. Thôn Nà Lẹng)",
    ]


async def test_one_bad_row_alone_is_said_on_one_line(tree: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, [GOOD[0], ["Lê Thị Hoa", "Khuôn Pinh", "trưởng thôn", "", ""]])
    with pytest.raises(RosterError) as info:
        await run(tree, path)
    assert str(info.value).startswith("roster.csv, line 3: unknown role 'trưởng thôn'")
    assert await rows(tree, "SELECT COUNT(*) AS n FROM members") == [{"n": 0}]


async def test_a_header_without_the_name_column_is_refused(tree: Database, tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("Tên đơn vị,Vai trò\nThôn Nà Lẹng,tổ viên\n", "utf-8")
    with pytest.raises(RosterError) as info:
        await run(tree, tmp_path / "r.csv")
    assert str(info.value).startswith("r.csv, line 1: the header row lacks the column(s) name,")


async def test_the_org_import_limits_hold(tree: Database, tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("x", "utf-8")
    with pytest.raises(OrgImportError, match="unsupported file type '.txt'; use .csv or .xlsx"):
        await run(tree, tmp_path / "r.txt")


async def test_reimporting_adds_only_who_is_new(tree: Database, tmp_path: Path) -> None:
    first = await run(tree, csv_file(tmp_path, GOOD[:2]))
    codes = await rows(tree, "SELECT code FROM invites ORDER BY code")
    again = await run(tree, csv_file(tmp_path, GOOD))
    assert [p.name for p in again.created] == ["Trần Thị Bình", "Hoàng Văn Thụ"]
    assert [(s.line, s.name, s.why) for s in again.skipped] == [
        (2, "Nguyễn Văn An", "already listed"),
        (3, "Lê Thị Hoa", "already listed"),
    ]
    assert await rows(tree, "SELECT COUNT(*) AS n FROM members") == [{"n": 4}]
    # the first import's codes still work: the sheet already handed out stays right
    kept = await rows(tree, "SELECT code FROM invites WHERE code IN (?, ?) ORDER BY code",
                      tuple(p.code for p in first.created))  # fmt: skip
    assert kept == codes
    third = await run(tree, csv_file(tmp_path, GOOD))
    assert third.created == [] and len(third.skipped) == 4


async def test_someone_listed_who_moved_or_left_is_not_listed_again(
    tree: Database, tmp_path: Path
) -> None:
    await run(tree, csv_file(tmp_path, GOOD[:3]))
    async with tree.transaction() as tx:
        await tx.execute("UPDATE memberships SET end_date = '2026-11-29' WHERE member_id = 2")
        await tx.execute("UPDATE members SET active = 0 WHERE id = 2")
        await tx.execute(
            "UPDATE members SET unit_id = (SELECT id FROM units WHERE path = ?) WHERE id = 3",
            (KHUON_PINH,),
        )
    again = await run(tree, csv_file(tmp_path, GOOD[:3]))
    assert again.created == []
    assert [s.why for s in again.skipped] == [
        "already listed",
        "already listed and has left since (bring them back with `antt-bot member return`)",
        f"already listed, moved since to '{KHUON_PINH}'",
    ]


async def test_a_member_who_joined_in_chat_is_already_listed(
    tree: Database, tmp_path: Path
) -> None:
    async with tree.transaction() as tx:
        unit = await tx.fetchone("SELECT id FROM units WHERE path = ?", (NA_LENG,))
        assert unit is not None
        await members.create(tx, int(unit["id"]), "member", "Nguyễn Văn An", "vi", NOW.isoformat())
    result = await run(tree, csv_file(tmp_path, GOOD[:1]))
    assert result.created == []
    assert [s.why for s in result.skipped] == [
        "already listed as member, not leader (change it with `antt-bot member role`)"
    ]
