"""Exact subtrees: unit names with `_`, `%` or another case never select a neighbour.

Each query that scopes by unit is run against a tree whose communes differ only by a
wildcard character or by case; every one must return its own commune's rows and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage import members, recipients, reports, tally, units
from storage.db import Database
from storage.subtree import in_scope, within, within_params

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T09:00:00+07:00"
PROVINCE = "Tỉnh T"
# Pairs that LIKE confuses: '_' matches any character, '%' any run, ASCII case is ignored.
COMMUNES = ["Xã A_1", "Xã AB1", "Xã A%", "Xã AXYZ", "Xã Bắc Sơn", "xã Bắc Sơn", "XÃ BẮC SƠN"]


@pytest.fixture
async def db(db: Database) -> Database:
    """The shared empty database with the communes that LIKE would confuse."""
    database = db
    async with database.transaction() as tx:
        await units.upsert(tx, PROVINCE, "province", None, NOW)
        for commune in COMMUNES:
            path = f"{PROVINCE}/{commune}"
            await units.upsert(tx, path, "commune", None, NOW)
            team_id, _ = await units.upsert(tx, f"{path}/Thôn 1", "village", None, NOW)
            commune_id = (await units.get_by_path(tx, path)).id  # type: ignore[union-attr]
            officer = await members.create(tx, commune_id, "officer", f"CA {commune}", "vi", NOW)
            await members.link_identity(tx, "telegram", str(officer), str(officer), officer, NOW)
            member = await members.create(tx, team_id, "member", f"TV {commune}", "vi", NOW)
            await members.link_identity(tx, "telegram", str(member), str(member), member, NOW)
            await reports.create(
                tx,
                number=f"BC-{commune}",
                member_id=member,
                unit_id=team_id,
                kind="tip",
                report_date="2026-11-23",
                data={},
                urgent=True,
                now_iso=NOW,
                edit_until_iso=NOW,
            )
    return database


def commune_path(name: str) -> str:
    return f"{PROVINCE}/{name}"


@pytest.mark.parametrize("commune", COMMUNES)
async def test_pending_tips_are_exactly_the_communes_own(db: Database, commune: str) -> None:
    async with db.read() as tx:
        rows = await reports.unacknowledged_in(tx, commune_path(commune), 50)
    assert [r.number for r in rows] == [f"BC-{commune}"]


@pytest.mark.parametrize("commune", COMMUNES)
async def test_every_subtree_query_keeps_to_the_commune(db: Database, commune: str) -> None:
    path = commune_path(commune)
    async with db.read() as tx:
        under = await units.named_under(tx, path)
        audience = await recipients.audience(tx, recipients.Audience(paths=[path]), None)
        scope = tally.Scope(path, "2026-11-01", "2026-11-30", "2026-11-23", "21:00:00")
        teams = await tally.units_in(tx, scope)
        per_unit = await tally.reports_per_unit(tx, scope, ["tip"])
        over_team = await members.officers_over(tx, f"{path}/Thôn 1", ("officer",))
    assert [u.path for u in under] == [path, f"{path}/Thôn 1"]
    assert sorted(r.full_name for r in audience) == [f"CA {commune}", f"TV {commune}"]
    assert [u["path"] for u in teams] == [path, f"{path}/Thôn 1"]
    assert [r["tip"] for r in per_unit] == [1]
    assert [str(r["full_name"]) for r in over_team] == [f"CA {commune}"]


async def test_the_province_sees_every_commune(db: Database) -> None:
    async with db.read() as tx:
        rows = await reports.unacknowledged_in(tx, PROVINCE, 50)
        under = await units.named_under(tx, PROVINCE)
    assert len(rows) == len(COMMUNES)
    assert len(under) == 1 + 2 * len(COMMUNES)


async def test_the_sql_and_python_rules_agree(db: Database) -> None:
    async with db.read() as tx:
        paths = [str(r["path"]) for r in await tx.fetchall("SELECT path FROM units")]
        for viewer in paths:
            found = await tx.fetchall(
                f"SELECT path FROM units WHERE {within('path')}", within_params(viewer)
            )
            assert {str(r["path"]) for r in found} == {p for p in paths if in_scope(viewer, p)}


def test_in_scope_is_exact() -> None:
    assert in_scope("T/Xã A_1", "T/Xã A_1/Thôn 1")
    assert not in_scope("T/Xã A_1", "T/Xã AB1/Thôn 1")
    assert not in_scope("T/Xã Bắc Sơn", "T/xã Bắc Sơn/Thôn 1")
    assert not in_scope("T/Xã A", "T/Xã AB")
    assert not in_scope("T/Xã A/Thôn 1", "T/Xã A")


def test_no_query_selects_units_with_like() -> None:
    """LIKE on a user-chosen name is a scope leak waiting to happen: storage/subtree.py only."""
    offenders = []
    for path in (ROOT / "storage").rglob("*.py"):
        if path.name == "subtree.py":  # where the reason is written down
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            sql = re.search(r"\bLIKE\b", line) and not line.lstrip().startswith("#")
            if sql and "dedupe_key" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, offenders
