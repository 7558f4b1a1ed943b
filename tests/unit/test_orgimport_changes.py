"""The org import that cannot hurt: Vietnamese kinds, harmful changes refused with their line
unless --apply-changes, and each applied change dated, recorded, told and rolled back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import ManualClock, iso
from bot.core.roles import Role
from bot.people.invites import InviteError, create_invite
from bot.units import lookup
from bot.units.orgimport import ImportObserver, OrgImportError, import_org
from storage import members, tally_tree, units
from storage.db import Database
from tests.support.orgimport import COMMUNE, PROVINCE, VILLAGE, write

OTHER = f"{COMMUNE}/Thôn Khuổi Khe"
TREE = f"path,kind\n{PROVINCE},tỉnh\n{COMMUNE},Xã\n{VILLAGE},THÔN\n{OTHER},thon\n"
TABLES = ("units", "unit_history", "audit_trail", "memberships", "members", "outbox", "invites")


async def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table an import may touch: 'nothing written' means this is equal."""
    async with db.read() as tx:
        return {
            t: [tuple(r) for r in await tx.fetchall(f"SELECT * FROM {t} ORDER BY rowid")]
            for t in TABLES
        }


async def unit(db: Database, path: str) -> Any:
    async with db.read() as tx:
        return await tx.fetchone("SELECT * FROM units WHERE path = ?", (path,))


async def seeded(db: Database, clock: ManualClock, tmp_path: Path) -> int:
    """The tree, with one member serving in VILLAGE since 05/11 and reachable on Telegram."""
    await import_org(db, write(tmp_path, "tree.csv", TREE), clock)
    now = iso(clock.now())
    async with db.transaction() as tx:
        village = await units.get_by_path(tx, VILLAGE)
        assert village is not None
        member = await members.create(
            tx, village.id, "member", "Nguyễn Văn An", "vi", now, serves_from=date(2025, 11, 5)
        )
        await members.link_identity(tx, "telegram", "701", "701", member, now)
    return member


async def refused(db: Database, path: Path, clock: ManualClock, **kw: Any) -> OrgImportError:
    with pytest.raises(OrgImportError) as info:
        await import_org(db, path, clock, **kw)
    return info.value


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Tỉnh", "province"),
        ("tinh", "province"),
        ("THÀNH PHỐ", "city"),
        ("Huyện", "district"),
        ("quan", "urban_district"),
        ("thị xã", "district_town"),
        ("xa", "commune"),
        ("Phường", "ward"),
        ("thi tran", "town"),
        ("Thôn", "village"),
        ("bản", "village"),
        ("Làng", "village"),
        ("buon", "village"),
        ("sóc", "village"),
        ("ấp", "hamlet"),
        ("Tổ dân phố", "group"),
        ("to dan pho", "group"),
        ("khu phố", "quarter"),
        ("commune", "commune"),
        ("residential_group", "group"),
        ("team", "team"),
    ],
)
async def test_vietnamese_kinds_are_stored_in_english(
    db: Database, clock: ManualClock, tmp_path: Path, written: str, stored: str
) -> None:
    await import_org(db, write(tmp_path, "k.csv", f"path,kind\n{PROVINCE},{written}\n"), clock)
    assert (await unit(db, PROVINCE))["kind"] == stored


async def test_a_bad_kind_lists_the_words_accepted(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    error = await refused(
        db, write(tmp_path, "k.csv", f"path,kind\n{PROVINCE},khu dân cư\n"), clock
    )
    assert error.line == 2
    assert str(error).startswith("k.csv, line 2: kind 'khu dân cư' is not valid; write a level")
    assert "tổ dân phố" in str(error) and "thị trấn" in str(error) and "commune" in str(error)


async def test_the_alert_ladder_finds_a_commune_imported_as_xa(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await import_org(db, write(tmp_path, "t.csv", TREE), clock)
    async with db.read() as tx:
        line = await units.line_above(tx, VILLAGE)
    assert [a.kind for a in line] == ["village", "commune", "province"]


async def test_a_unit_with_units_below_becoming_a_team_is_refused(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    before = await dump(db)
    changed = TREE.replace(f"{COMMUNE},Xã", f"{COMMUNE},thôn")
    error = await refused(db, write(tmp_path, "v2.csv", changed), clock)
    assert error.line == 3
    assert str(error) == (
        f"v2.csv, line 3: would make {COMMUNE!r} a team (kind commune → village) while 2 open"
        " unit(s) are below it; write its old kind, or re-run with --apply-changes to change"
        " it from 23/11/2025"
    )
    assert await dump(db) == before


async def test_dropping_a_unit_with_members_is_refused_with_a_rename_hint(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    before = await dump(db)
    renamed = TREE.replace(f"{VILLAGE},THÔN", f"{COMMUNE}/Thôn Nà Lẹng Mới,thôn")
    error = await refused(db, write(tmp_path, "v2.csv", renamed), clock)
    assert error.line == 3  # the commune's line: it lists its units
    assert str(error) == (
        f"v2.csv, line 3: would drop {VILLAGE!r}, which the file no longer lists below"
        f" {COMMUNE!r} (listed here with its units), and it holds 1 member(s) serving; add a"
        " row for it to keep it, or re-run with --apply-changes to close it from 23/11/2025"
        f" (its members stop serving that day); if '{COMMUNE}/Thôn Nà Lẹng Mới' is its new"
        f" name, write {VILLAGE!r} in a renamed_from column on that row instead"
    )
    assert await dump(db) == before


async def test_a_rename_is_refused_without_apply_changes(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    before = await dump(db)
    text = "path,kind,renamed_from\n" + TREE.split("\n", 1)[1].replace(
        f"{VILLAGE},THÔN", f"{COMMUNE}/Thôn Nà Lẹng Mới,thôn,{VILLAGE}"
    )
    error = await refused(db, write(tmp_path, "v2.csv", text), clock)
    assert str(error) == (
        f"v2.csv, line 4: would rename {VILLAGE!r} to '{COMMUNE}/Thôn Nà Lẹng Mới' (1"
        " member(s) serve there, 0 unit(s) below it move with it); re-run with --apply-changes"
        " to rename it from 23/11/2025 (tallies before keep the old name)"
    )
    assert await dump(db) == before


async def test_several_harmful_changes_are_all_named(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    before = await dump(db)
    text = f"path,kind\n{PROVINCE},province\n{COMMUNE},thôn\n{OTHER},thôn\n"
    error = await refused(db, write(tmp_path, "v2.csv", text), clock)
    lines = str(error).splitlines()
    assert error.line == 3 and len(lines) == 2
    assert lines[0].startswith(f"v2.csv, line 3: would make {COMMUNE!r} a team")
    assert lines[1].startswith(f"v2.csv, line 3: would drop {VILLAGE!r}")
    assert await dump(db) == before


async def test_an_empty_unit_the_file_drops_is_closed_and_listed(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    text = TREE.replace(f"{OTHER},thon\n", "")
    result = await import_org(db, write(tmp_path, "v2.csv", text), clock)
    assert result.closed == (OTHER,)
    assert (await unit(db, OTHER))["closed_on"] == "2025-11-23"
    async with db.read() as tx:
        entry = await tx.fetchone("SELECT * FROM audit_trail WHERE action = 'close'")
        assert await lookup.find_unit(tx, "Khuổi Khe", None) == lookup.Unknown()
        assert isinstance(
            await lookup.find_unit(tx, "Khuổi Khe", None, open_only=False), lookup.Found
        )
        assert [u.path for u in await units.children(tx, int(entry["unit_id"]))] == []
    assert entry["subject"] == "unit" and entry["effective_on"] == "2025-11-23"
    with pytest.raises(InviteError, match="closed"):
        await create_invite(db, clock, OTHER, Role.MEMBER, 5, 7)
    # The same file again changes nothing.
    again = await import_org(db, write(tmp_path, "v2.csv", text), clock)
    assert (again.created, again.updated, again.closed) == (0, 0, ())


async def test_a_file_with_only_a_new_village_drops_nothing(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    result = await import_org(
        db, write(tmp_path, "new.csv", f"path,kind\n{COMMUNE}/Thôn Mới,thôn\n"), clock
    )
    assert result.created == 1 and result.closed == ()
    new = await unit(db, f"{COMMUNE}/Thôn Mới")
    assert new["opened_on"] == "2025-11-23"  # added to a tree that had units
    assert (await unit(db, VILLAGE))["opened_on"] is None  # the first import: always there
    async with db.read() as tx:
        opened = await tx.fetchall("SELECT unit_id FROM audit_trail WHERE action = 'open'")
    assert [r["unit_id"] for r in opened] == [new["id"]]


async def test_apply_changes_closes_the_unit_and_ends_its_members_service(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    member = await seeded(db, clock, tmp_path)
    text = TREE.replace(f"{VILLAGE},THÔN\n", "")
    file = write(tmp_path, "v2.csv", text)
    result = await import_org(db, file, clock, apply_changes=True, on=date(2025, 11, 20))
    assert result.closed == (VILLAGE,) and result.left == 1
    assert (await unit(db, VILLAGE))["closed_on"] == "2025-11-20"
    async with db.read() as tx:
        stretch = await tx.fetchone("SELECT * FROM memberships WHERE member_id = ?", (member,))
        active = await tx.fetchone("SELECT active FROM members WHERE id = ?", (member,))
        trail = await tx.fetchall("SELECT subject, action, effective_on FROM audit_trail")
        queued = await tx.fetchall("SELECT chat_id, payload FROM outbox")
    assert stretch["end_date"] == "2025-11-19" and active["active"] == 0
    assert sorted(tuple(r) for r in trail) == [
        ("member", "leave", "2025-11-20"),
        ("unit", "close", "2025-11-20"),
    ]
    assert len(queued) == 1 and queued[0]["chat_id"] == "701"
    assert "20/11/2025" in queued[0]["payload"]
    before = await dump(db)
    again = await import_org(db, file, clock, apply_changes=True, on=date(2025, 11, 20))
    assert (again.created, again.updated, again.closed, again.left) == (0, 0, (), 0)
    assert await dump(db) == before


async def test_apply_changes_renames_and_keeps_the_old_names(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    village_id = (await unit(db, VILLAGE))["id"]
    text = "path,kind,old_path\n" + (
        f"{PROVINCE},tỉnh,\n{PROVINCE}/Xã Bắc Sơn Mới,phường,{COMMUNE}\n"
    )
    file = write(tmp_path, "v2.csv", text)
    result = await import_org(db, file, clock, apply_changes=True)
    assert result.renamed == ((COMMUNE, f"{PROVINCE}/Xã Bắc Sơn Mới"),)
    assert result.closed == () and result.left == 0
    moved = await unit(db, f"{PROVINCE}/Xã Bắc Sơn Mới/Thôn Nà Lẹng")
    assert moved["id"] == village_id and moved["name"] == "Thôn Nà Lẹng"
    async with db.read() as tx:
        history = await tx.fetchall("SELECT path, kind, changed_on FROM unit_history ORDER BY path")
        actions = await tx.fetchall("SELECT action, detail FROM audit_trail ORDER BY id")
    assert [tuple(r) for r in history] == [
        (COMMUNE, "commune", "2025-11-23"),
        (OTHER, "village", "2025-11-23"),
        (VILLAGE, "village", "2025-11-23"),
    ]
    assert [r["action"] for r in actions] == ["rename", "kind"]
    before = await dump(db)
    again = await import_org(
        db,
        write(
            tmp_path,
            "v3.csv",
            "path,kind\n" + (f"{PROVINCE},tỉnh\n{PROVINCE}/Xã Bắc Sơn Mới,phường\n"),
        ),
        clock,
    )
    assert (again.created, again.updated, again.renamed) == (0, 0, ())
    assert await dump(db) == before


async def test_apply_changes_makes_a_commune_a_team(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await import_org(db, write(tmp_path, "t.csv", TREE), clock)
    changed = TREE.replace(f"{COMMUNE},Xã", f"{COMMUNE},ấp")
    result = await import_org(db, write(tmp_path, "v2.csv", changed), clock, apply_changes=True)
    assert result.updated == 1
    async with db.read() as tx:
        history = await tx.fetchall("SELECT path, kind FROM unit_history")
        entry = await tx.fetchone("SELECT action, detail FROM audit_trail")
    assert [tuple(r) for r in history] == [(COMMUNE, "commune")]
    assert entry["action"] == "kind" and '"kind_after": "hamlet"' in entry["detail"]


async def test_a_dropped_unit_listed_again_is_reopened(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    await import_org(db, write(tmp_path, "v2.csv", TREE.replace(f"{OTHER},thon\n", "")), clock)
    clock.advance(days=1)
    result = await import_org(db, write(tmp_path, "v3.csv", TREE), clock)
    assert result.reopened == (OTHER,) and result.created == 0
    assert (await unit(db, OTHER))["closed_on"] is None
    async with db.read() as tx:
        actions = await tx.fetchall("SELECT action FROM audit_trail ORDER BY id")
    assert [r["action"] for r in actions] == ["close", "reopen"]


@pytest.mark.parametrize(
    ("on", "fragment"),
    [
        (date(2025, 11, 24), "--on 24/11/2025 is in the future"),
        (date(2025, 10, 31), "--on 31/10/2025 is in a tally month already closed; give 01/11/2025"),
        (date(2025, 11, 4), "a member there, Nguyễn Văn An, began serving on 05/11/2025"),
    ],
)
async def test_a_bad_closing_day_is_refused(
    db: Database, clock: ManualClock, tmp_path: Path, on: date, fragment: str
) -> None:
    await seeded(db, clock, tmp_path)
    before = await dump(db)
    file = write(tmp_path, "v2.csv", TREE.replace(f"{VILLAGE},THÔN\n", ""))
    error = await refused(db, file, clock, apply_changes=True, on=on)
    assert fragment in str(error)
    assert await dump(db) == before


class _FailLate(ImportObserver):
    async def written(self, done: int, total: int) -> None:
        if done == total:
            raise RuntimeError("disk full")


async def test_a_failed_apply_is_rolled_back_entirely(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await seeded(db, clock, tmp_path)
    async with db.transaction() as tx:  # a message waiting for the member: withdrawn, then back
        await tx.execute(
            "INSERT INTO outbox (dedupe_key, channel, chat_id, member_id, payload, not_before,"
            " created_at, status) SELECT 'k1', 'telegram', '701', id, '{}', '2025-11-23',"
            " '2025-11-23', 'pending' FROM members"
        )
    before = await dump(db)
    text = "path,kind,renamed_from\n" + (
        f"{PROVINCE},tỉnh,\n{PROVINCE}/Xã Mới,ấp,{COMMUNE}\n"
        f"{PROVINCE}/Xã Mới/Thôn Khuổi Khe,thôn,\n"
        f"{PROVINCE}/Xã Thêm,xã,\n{PROVINCE}/Xã Thêm/Thôn 1,thôn,\n"
    )
    file = write(tmp_path, "v2.csv", text)
    with pytest.raises(OrgImportError, match="rolled back"):
        await import_org(
            db, file, clock, observer=_FailLate(), apply_changes=True, on=date(2025, 11, 10)
        )
    assert await dump(db) == before


async def test_a_new_subtree_is_one_opening_in_the_audit_trail(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    """A new commune with its villages is one entry saying how many units came with it."""
    await seeded(db, clock, tmp_path)
    text = f"path,kind\n{PROVINCE}/Xã Mới,xã\n{PROVINCE}/Xã Mới/Thôn 1,thôn\n"
    text += f"{PROVINCE}/Xã Mới/Thôn 2,thôn\n"
    result = await import_org(db, write(tmp_path, "sub.csv", text), clock)
    assert result.created == 3
    async with db.read() as tx:
        opened = await tx.fetchall("SELECT detail FROM audit_trail WHERE action = 'open'")
    assert [json.loads(r["detail"]) for r in opened] == [
        {"kind": "commune", "path": f"{PROVINCE}/Xã Mới", "units_below": 2}
    ]


async def test_a_new_household_count_leaves_closed_periods_as_they_were(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    """November's households target keeps November's count after a December import changes
    it, and the change is in the audit trail."""
    first = f"path,kind,households\n{PROVINCE},tỉnh,\n{COMMUNE},xã,\n{VILLAGE},thôn,120\n"
    await import_org(db, write(tmp_path, "h1.csv", first), clock)
    clock.set(clock.now().replace(year=2025, month=12, day=2))
    second = first.replace(",120", ",135")
    result = await import_org(db, write(tmp_path, "h2.csv", second), clock)
    assert result.updated == 1
    async with db.read() as tx:
        village = await units.get_by_path(tx, VILLAGE)
        assert village is not None
        november = await tally_tree.tree_in_period(
            tx, village.id, date(2025, 11, 1), date(2025, 11, 30)
        )
        december = await tally_tree.tree_in_period(
            tx, village.id, date(2025, 12, 1), date(2025, 12, 31)
        )
        trail = await tx.fetchall("SELECT action, detail FROM audit_trail ORDER BY id")
    assert [u.households for u in november] == [120]
    assert [u.households for u in december] == [135]
    assert [(r["action"], json.loads(r["detail"])) for r in trail] == [
        ("households", {"after": 135, "before": 120})
    ]
