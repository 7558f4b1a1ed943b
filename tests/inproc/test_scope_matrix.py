"""The scope matrix: every role × every kind of neighbouring unit × every command and button
that reads or changes data.

Each viewer belongs to a commune whose name holds a LIKE wildcard ('_' or '%'). Around it:
its own teams, the province above, a commune whose name the wildcard would match, one that
differs only in case, one whose path starts with the viewer's (a prefix, not a parent), and
an ordinary other commune. Each target team has a member with an urgent tip and a leave.
For every pair the expected answer follows from the rules (who may do what, and a unit sees
itself and what is below it); a refusal must say so and change nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import iso
from bot.core.roles import in_scope
from storage import leaves, members, reports, units
from tests.inproc.helpers import INTERNAL_ERROR, press_data
from tests.support.harness import Harness, make_harness

PROVINCE = "Tỉnh T"
# The viewer's commune, then its neighbours: (relation, commune name).
SETUPS = {
    "underscore": (
        "Xã A_1",
        [("wildcard", "Xã AB1"), ("case", "xã a_1"), ("prefix", "Xã A_1 Mới")],
    ),
    "percent": ("Xã 100%", [("wildcard", "Xã 100 B"), ("case", "XÃ 100%"), ("prefix", "Xã 100%B")]),
}
ROLES = ["member", "leader", "deputy", "officer", "supervisor", "admin"]
REPORTERS = {"member", "leader", "deputy"}
OVERSIGHT = {"officer", "supervisor", "admin"}
TALLY = {"leader", "deputy", *OVERSIGHT}

ACK_DONE = "✅ Bạn đã tiếp nhận"
ACK_REFUSED = ("Không tìm thấy báo cáo này trong địa bàn của bạn.", "Chức năng này dành cho")
MINE_NOT_FOUND = "Không tìm thấy báo cáo này trong các báo cáo của bạn."
TALLY_OUT = ("⛔ Bạn không được xem thống kê của đơn vị này", "chức năng thống kê dành cho")
ANNOUNCE_OK = "✍️ Gõ nội dung thông báo gửi tới"
ANNOUNCE_OUT = ("⛔ Bạn chỉ gửi được thông báo", "chức năng gửi thông báo dành cho")
LEAVE_OUT = "⛔ Bạn chỉ ghi được nghỉ phép cho tổ viên trong phạm vi của mình"
LEAVE_NOT_FOUND = "Không tìm thấy nghỉ phép này"


@dataclass
class Target:
    """A unit next to the viewer, with (for teams) a member, their tip and their leave."""

    relation: str
    path: str
    unit_id: int
    team: bool
    member_id: int = 0
    report_id: int = 0
    number: str = ""
    leave_id: int = 0


@dataclass
class Matrix:
    h: Harness
    viewer_unit: str
    team_unit: str
    targets: list[Target]

    def viewer(self, role: str) -> int:
        return 500 + ROLES.index(role)


async def build(tmp_path: Path, setup: str) -> Matrix:
    h = await make_harness(tmp_path)
    own, neighbours = SETUPS[setup]
    commune = f"{PROVINCE}/{own}"
    layout = [
        ("own_team", f"{commune}/Thôn Một", True),
        ("sibling_team", f"{commune}/Thôn Hai", True),
        ("own_commune", commune, False),
        ("parent", PROVINCE, False),
        ("other", f"{PROVINCE}/Xã Khác/Thôn Một", True),
        *[(relation, f"{PROVINCE}/{name}/Thôn Một", True) for relation, name in neighbours],
        *[(f"{relation}_commune", f"{PROVINCE}/{name}", False) for relation, name in neighbours],
    ]
    now = h.clock.now()
    tomorrow = (now + timedelta(days=1)).date().isoformat()
    targets = []
    async with h.db.transaction() as tx:
        for _, path, _ in sorted(layout, key=lambda t: t[1].count("/")):
            parts = path.split("/")
            for depth in range(1, len(parts) + 1):
                prefix = "/".join(parts[:depth])
                kind = ["province", "commune", "village"][depth - 1]
                await units.upsert(tx, prefix, kind, 30, iso(now))
        for number, (relation, path, team) in enumerate(layout, 1):
            unit = await units.get_by_path(tx, path)
            assert unit is not None
            target = Target(relation, path, unit.id, team)
            if team:
                target.member_id = await members.create(
                    tx, target.unit_id, "member", f"Tổ viên {number}", "vi", iso(now)
                )
                target.number = f"BC-2026-{700000 + number}"
                target.report_id = await reports.create(
                    tx,
                    number=target.number,
                    member_id=target.member_id,
                    unit_id=target.unit_id,
                    kind="tip",
                    report_date=now.date().isoformat(),
                    data={"date": now.date().isoformat()},
                    urgent=True,
                    now_iso=iso(now),
                    edit_until_iso=iso(now + timedelta(hours=2)),
                )
                target.leave_id = await leaves.create(
                    tx, target.member_id, tomorrow, tomorrow, "sick", target.member_id, iso(now)
                )
            targets.append(target)
    matrix = Matrix(h, commune, f"{commune}/Thôn Một", targets)
    for role in ROLES:
        unit = matrix.team_unit if role in REPORTERS else commune
        await h.add_member(matrix.viewer(role), f"Người xem {role}", role, unit)
    return matrix


@pytest.fixture(params=sorted(SETUPS))
async def matrix(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Matrix]:
    built = await build(tmp_path, request.param)
    yield built
    await built.h.close()


def sees(m: Matrix, role: str, target: Target) -> bool:
    """The rule: a viewer's unit and everything below it."""
    viewer_unit = m.team_unit if role in REPORTERS else m.viewer_unit
    return in_scope(viewer_unit, target.path)


async def snapshot(h: Harness) -> tuple[object, ...]:
    async with h.db.read() as tx:
        acks = await tx.fetchall("SELECT id, ack_by FROM reports ORDER BY id")
        leave_rows = await tx.fetchall("SELECT id, cancelled_at FROM leaves ORDER BY id")
        counts = [
            (await tx.fetchone(f"SELECT COUNT(*) FROM {t}"))[0]  # type: ignore[index]
            for t in ("announcements", "outbox", "reports", "leaves")
        ]
    return ([tuple(r) for r in acks], [tuple(r) for r in leave_rows], counts)


async def press(m: Matrix, role: str, data: str) -> str:
    user = m.h.user(m.viewer(role))
    if not user.messages:
        await user.send("/menu")
    replies = await press_data(user, data)
    text = "\n".join(r.text for r in replies)
    assert INTERNAL_ERROR not in text, (role, data, text)
    return text


async def typed(m: Matrix, role: str, text: str) -> str:
    replies = await m.h.user(m.viewer(role)).send(text)
    said = "\n".join(r.text for r in replies)
    assert INTERNAL_ERROR not in said, (role, text, said)
    return said


@pytest.mark.parametrize("role", ROLES)
async def test_acknowledging_a_tip(matrix: Matrix, role: str) -> None:
    for target in [t for t in matrix.targets if t.team]:
        before = await snapshot(matrix.h)
        said = await press(matrix, role, f"ack:{target.report_id}")
        allowed = role == "officer" and sees(matrix, role, target)
        async with matrix.h.db.read() as tx:
            row = await tx.fetchone("SELECT ack_by FROM reports WHERE id = ?", (target.report_id,))
        assert row is not None
        if allowed:
            assert ACK_DONE in said, (role, target.relation, said)
            assert row["ack_by"] is not None
        else:
            assert any(r in said for r in ACK_REFUSED), (role, target.relation, said)
            assert await snapshot(matrix.h) == before, (role, target.relation)


@pytest.mark.parametrize("role", ROLES)
async def test_listing_pending_tips(matrix: Matrix, role: str) -> None:
    said = await typed(matrix, role, "/tinbao")
    shown = {t.relation for t in matrix.targets if t.team and t.number in said}
    if role in OVERSIGHT:
        expected = {t.relation for t in matrix.targets if t.team and sees(matrix, role, t)}
        assert shown == expected, (role, said)
    else:
        assert shown == set() and "Chức năng này dành cho" in said


@pytest.mark.parametrize("role", ROLES)
async def test_someone_elses_report_is_never_mine(matrix: Matrix, role: str) -> None:
    for target in [t for t in matrix.targets if t.team]:
        for prefix in ("my:", "ed:", "wd:", "wy:"):
            before = await snapshot(matrix.h)
            said = await press(matrix, role, f"{prefix}{target.report_id}")
            assert MINE_NOT_FOUND in said, (role, prefix, target.relation, said)
            assert await snapshot(matrix.h) == before


@pytest.mark.parametrize("role", ROLES)
async def test_tally_by_button_and_by_typed_path(matrix: Matrix, role: str) -> None:
    for target in matrix.targets:
        allowed = role in TALLY and sees(matrix, role, target)
        name = target.path.rsplit("/", 1)[-1]
        for said in (
            await press(matrix, role, f"tally:{target.unit_id}:m2026-11"),
            await typed(matrix, role, f"/thongke {target.path}"),
        ):
            if allowed:
                assert said.startswith(f"📊 Thống kê {name}"), (role, target.relation, said)
            else:
                assert any(r in said for r in TALLY_OUT), (role, target.relation, said)


@pytest.mark.parametrize("role", ROLES)
async def test_announcing_to_a_unit(matrix: Matrix, role: str) -> None:
    for target in matrix.targets:
        allowed = role in OVERSIGHT and sees(matrix, role, target)
        before = await snapshot(matrix.h)
        for said in (
            await press(matrix, role, f"announce:unit:{target.unit_id}"),
            await typed(matrix, role, f"/thongbao {target.path}"),
        ):
            if allowed:
                assert ANNOUNCE_OK in said, (role, target.relation, said)
            else:
                assert any(r in said for r in ANNOUNCE_OUT), (role, target.relation, said)
        await typed(matrix, role, "/huy")
        assert await snapshot(matrix.h) == before  # nothing is sent before a confirmation


@pytest.mark.parametrize("role", ROLES)
async def test_recording_and_cancelling_leave(matrix: Matrix, role: str) -> None:
    for target in [t for t in matrix.targets if t.team]:
        team_lead = role in {"leader", "deputy"} and target.relation == "own_team"
        allowed = (role in OVERSIGHT and sees(matrix, role, target)) or team_lead
        before = await snapshot(matrix.h)
        said = await press(matrix, role, f"lv:u:{target.unit_id}")
        expected = "👤 Ghi nghỉ phép cho ai ở" if allowed else LEAVE_OUT
        assert expected in said, (role, target.relation, said)
        said = await press(matrix, role, f"lv:m:{target.member_id}")
        expected = "🏖 Ghi nghỉ phép cho Tổ viên" if allowed else LEAVE_OUT
        assert expected in said, (role, target.relation, said)
        await typed(matrix, role, "/huy")
        assert await snapshot(matrix.h) == before
        said = await press(matrix, role, f"lv:x:{target.leave_id}")
        async with matrix.h.db.read() as tx:
            row = await tx.fetchone(
                "SELECT cancelled_at FROM leaves WHERE id = ?", (target.leave_id,)
            )
        assert row is not None
        if allowed:
            assert "🗑 Đã hủy nghỉ phép" in said and row["cancelled_at"] is not None
        else:
            assert LEAVE_NOT_FOUND in said and row["cancelled_at"] is None, (role, said)


async def _name_of(m: Matrix, member_id: int) -> str:
    async with m.h.db.read() as tx:
        row = await tx.fetchone("SELECT full_name FROM members WHERE id = ?", (member_id,))
    assert row is not None
    return str(row["full_name"])


async def _people(h: Harness) -> tuple[object, ...]:
    async with h.db.read() as tx:
        rows = [
            (await tx.fetchone(f"SELECT COUNT(*) FROM {t}"))[0]  # type: ignore[index]
            for t in ("memberships", "audit_trail", "outbox")
        ]
        current = await tx.fetchall("SELECT id, unit_id, role, active FROM members ORDER BY id")
    return (rows, [tuple(r) for r in current])


@pytest.mark.parametrize("role", ROLES)
async def test_listing_a_units_people(matrix: Matrix, role: str) -> None:
    for target in [t for t in matrix.targets if t.team]:
        name = await _name_of(matrix, target.member_id)
        before = await _people(matrix.h)
        said = await typed(matrix, role, f"/thanhvien {target.path}")
        await typed(matrix, role, "/huy")
        own_team = role in {"leader", "deputy"} and target.relation == "own_team"
        allowed = (role in OVERSIGHT and sees(matrix, role, target)) or own_team
        assert (name in said) == allowed, (role, target.relation, said)
        if role == "member":
            assert "⛔ Chỉ tổ trưởng, tổ phó và cán bộ" in said
        assert await _people(matrix.h) == before  # listing changes nobody


@pytest.mark.parametrize("role", ROLES)
async def test_reading_a_reports_history(matrix: Matrix, role: str) -> None:
    for target in [t for t in matrix.targets if t.team]:
        said = await typed(matrix, role, f"/lichsu {target.number}")
        own_team = role in {"leader", "deputy"} and target.relation == "own_team"
        allowed = (role in OVERSIGHT and sees(matrix, role, target)) or own_team
        if allowed:
            assert said.startswith(f"🗂 Lịch sử báo cáo {target.number}"), (role, said)
        else:
            assert f"Không tìm thấy báo cáo {target.number}" in said, (role, target.relation)
