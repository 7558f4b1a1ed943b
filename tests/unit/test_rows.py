"""Typed rows: each column lands in its field with its type, NULL columns stay None."""

from __future__ import annotations

from storage import members, reports, units
from storage.db import Database
from storage.members import Member
from storage.reports import NamedReport, Report
from storage.units import Unit
from tests.unit.conftest import RowOf

NOW = "2026-11-23T09:00:00+07:00"
LATER = "2026-11-23T10:00:00+07:00"

MEMBER_SQL = """SELECT 7 AS id, 3 AS unit_id, 'leader' AS role, 'Lò Văn Pó' AS full_name,
    'vi' AS locale, {active} AS active, 'Thôn Nà Lẹng' AS unit_name,
    'Xã A/Thôn Nà Lẹng' AS unit_path, 'village' AS unit_kind"""

REPORT_SQL = """SELECT 11 AS id, 'BC-2026-000011' AS number, 7 AS member_id, 3 AS unit_id,
    'tip' AS kind, '2026-11-23' AS report_date,
    '{{"date": "2026-11-23", "mates": [1, 2], "note": "Cháy"}}' AS data,
    'active' AS status, 1 AS urgent, 'c' AS created_at, 'u' AS updated_at, 'e' AS edit_until,
    {ack_by} AS ack_by, {ack_at} AS ack_at, 'received' AS state, NULL AS duplicate_of,
    NULL AS confirmed_at,
    'Xã A/Thôn Nà Lẹng' AS unit_path, 'Thôn Nà Lẹng' AS unit_name, 'Lò Văn Pó' AS reporter_name"""

UNIT_SQL = """SELECT 3 AS id, {parent_id} AS parent_id, 'Thôn Nà Lẹng' AS name,
    'village' AS kind, 'Xã A/Thôn Nà Lẹng' AS path, {households} AS households,
    'c' AS created_at"""


def test_a_member_row_becomes_typed_fields(row_of: RowOf) -> None:
    member = Member.from_row(row_of(MEMBER_SQL.format(active=1)))
    assert member == Member(
        id=7,
        unit_id=3,
        role="leader",
        full_name="Lò Văn Pó",
        locale="vi",
        active=True,
        unit_name="Thôn Nà Lẹng",
        unit_path="Xã A/Thôn Nà Lẹng",
        unit_kind="village",
    )
    assert Member.from_row(row_of(MEMBER_SQL.format(active=0))).active is False


def test_a_unit_row_becomes_typed_fields(row_of: RowOf) -> None:
    unit = Unit.from_row(row_of(UNIT_SQL.format(parent_id=1, households=120)))
    assert unit == Unit(
        id=3,
        parent_id=1,
        name="Thôn Nà Lẹng",
        kind="village",
        path="Xã A/Thôn Nà Lẹng",
        households=120,
        created_at="c",
    )
    assert type(unit.parent_id) is int and type(unit.households) is int


def test_a_root_unit_without_households_keeps_none(row_of: RowOf) -> None:
    unit = Unit.from_row(row_of(UNIT_SQL.format(parent_id="NULL", households="NULL")))
    assert unit.parent_id is None and unit.households is None
    assert (unit.id, unit.path) == (3, "Xã A/Thôn Nà Lẹng")


def test_an_unacknowledged_report_keeps_none_and_decodes_its_answers(
    row_of: RowOf,
) -> None:
    report = Report.from_row(row_of(REPORT_SQL.format(ack_by="NULL", ack_at="NULL")))
    assert type(report) is Report
    assert (report.id, report.member_id, report.unit_id) == (11, 7, 3)
    assert report.urgent is True
    assert report.ack_by is None and report.ack_at is None
    assert report.answers == {"date": "2026-11-23", "mates": [1, 2], "note": "Cháy"}


def test_an_acknowledged_report_with_names(row_of: RowOf) -> None:
    report = NamedReport.from_row(row_of(REPORT_SQL.format(ack_by=5, ack_at=f"'{LATER}'")))
    assert (report.ack_by, report.ack_at) == (5, LATER)
    assert (report.unit_path, report.unit_name, report.reporter_name) == (
        "Xã A/Thôn Nà Lẹng",
        "Thôn Nà Lẹng",
        "Lò Văn Pó",
    )


def test_answers_are_a_copy_the_caller_may_change(row_of: RowOf) -> None:
    report = Report.from_row(row_of(REPORT_SQL.format(ack_by="NULL", ack_at="NULL")))
    answers = reports.answers(report)
    answers["note"] = "edited"
    answers["mates"].append(3)
    assert report.answers == {"date": "2026-11-23", "mates": [1, 2], "note": "Cháy"}


async def test_the_storage_functions_return_typed_rows(db: Database) -> None:
    async with db.transaction() as tx:
        unit_id, _ = await units.upsert(tx, "Xã A", "commune", None, NOW)
        member_id = await members.create(tx, unit_id, "member", "Lò Văn Pó", "vi", NOW)
        await members.link_identity(tx, "telegram", "u1", "c1", member_id, NOW)
        report_id = await reports.create(
            tx,
            number="BC-2026-000001",
            member_id=member_id,
            unit_id=unit_id,
            kind="tip",
            report_date="2026-11-23",
            data={"date": "2026-11-23"},
            urgent=True,
            now_iso=NOW,
            edit_until_iso=LATER,
        )
    async with db.read() as tx:
        member = await members.by_identity(tx, "telegram", "u1")
        same = await members.get(tx, member_id)
        report = await reports.get(tx, report_id)
        recent = await reports.recent_of_member(tx, member_id, 5)
        pending = await reports.unacknowledged_in(tx, "Xã A", 5)
        assert await members.get(tx, member_id + 1) is None
        assert await reports.get(tx, report_id + 1) is None
    assert member is not None and member == same
    assert (member.id, member.unit_id, member.unit_path, member.unit_kind) == (
        member_id,
        unit_id,
        "Xã A",
        "commune",
    )
    assert isinstance(report, NamedReport) and report.reporter_name == "Lò Văn Pó"
    assert report.edit_until == LATER and report.answers == {"date": "2026-11-23"}
    assert [type(r) for r in recent] == [Report] and recent[0].id == report_id
    assert pending == [report]


async def test_the_unit_functions_return_typed_rows(db: Database) -> None:
    async with db.transaction() as tx:
        root_id, _ = await units.upsert(tx, "Xã A", "commune", None, NOW)
        team_id, _ = await units.upsert(tx, "Xã A/Thôn 1", "village", 40, NOW)
    async with db.read() as tx:
        root = await units.get(tx, root_id)
        team = await units.get_by_path(tx, "Xã A/Thôn 1")
        below = await units.children(tx, root_id)
        under = await units.named_under(tx, "Xã A")
        every = await units.every(tx)
        assert await units.get(tx, team_id + 1) is None
        assert await units.get_by_path(tx, "Xã B") is None
    assert root == Unit(root_id, None, "Xã A", "commune", "Xã A", None, NOW)
    assert team == Unit(team_id, root_id, "Thôn 1", "village", "Xã A/Thôn 1", 40, NOW)
    assert below == [team] and under == [root, team] and every == [root, team]
