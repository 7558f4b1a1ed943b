"""The scope matrix for the movement's commands: /chitieu, /quanly, /baocaodot, /khenthuong.

The same world as tests/inproc/test_scope_matrix.py (a viewer's commune whose name holds a
LIKE wildcard, its teams, the province above, and communes a wildcard, a case change or a
path prefix would confuse with it), plus one phase that has ended, its sơ kết milestone and
a person on each team's register. For every role and every neighbouring unit the expected
answer follows from the rules (bot/people/supervised.py, the handlers' role checks, a unit
sees itself and what is below it); a refusal says so and changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.core.clock import iso
from bot.core.config_movement import Milestone, Phase
from bot.people import membership
from bot.people.membership import Actor
from bot.phasereport import milestones
from storage import members, reports, supervised, units
from tests.inproc.test_scope_matrix import (
    OVERSIGHT,
    PROVINCE,
    ROLES,
    SETUPS,
    Matrix,
    Target,
    build,
    press,
    sees,
    typed,
)

PHASE = Phase(name="Đợt 1", theme="", start=date(2026, 11, 1), end=date(2026, 11, 20))
OCCASION = "p20261101-20261120"
SO_KET = Milestone(
    name="Báo cáo sơ kết Đợt 1", due=date(2026, 11, 30), report="so_ket", phase="Đợt 1"
)
SETTERS = {"supervisor", "admin"}
NAMES = {"officer", "admin"}  # who reads full names on a register in their area

TARGETS_NOT_ALLOWED = "Chỉ Công an xã, cấp trên và quản trị viên xem được chỉ tiêu của đơn vị."
TARGETS_NOT_ALLOWED_SET = "Chỉ cấp trên (Ban Chỉ đạo, Công an tỉnh) và quản trị viên đặt được"
TARGETS_OUT = "Đơn vị này không thuộc phạm vi của bạn. Gõ /chitieu để xem chỉ tiêu của đơn vị"
SUP_NOT_ALLOWED = "⛔ Chỉ tổ trưởng, tổ phó và cán bộ Công an xã xem được danh sách người"
SUP_OUT = "⛔ Tổ này không thuộc địa bàn bạn phụ trách. Không có gì được ghi."
SUP_TYPED_OUT = "không thuộc địa bàn bạn quản lý."
SUP_CODES_ONLY = "Bạn chỉ xem được mã và số liệu; việc thay đổi danh sách do tổ trưởng"
PHR_NOT_ALLOWED = "⛔ Báo cáo sơ kết, tổng kết do cán bộ Công an xã và cán bộ chỉ đạo soạn."
PHR_OUT = "⛔ Bạn chỉ soạn được báo cáo cho đơn vị của mình hoặc đơn vị trực thuộc ngay dưới."
CM_NOT_ALLOWED = "⛔ Danh sách đề nghị khen thưởng do cán bộ Công an xã, cán bộ chỉ đạo"
CM_OUT = "⛔ Đơn vị này không thuộc địa bàn bạn phụ trách, nên không lập được danh sách"
NO_REOFFENCE = "⚠️ Lần tái phạm này của {code} đã được rút lại hoặc không còn. Không có gì thay đổi."
CM_STALE = "⚠️ Dòng này không còn trong danh sách gợi ý"


def person(target: Target) -> tuple[str, str]:
    """The code and full name of the person on a team's register (unique in the world)."""
    return f"QL{target.unit_id:03d}", f"Hoàng Văn Quản {target.unit_id:03d}"


@pytest.fixture(params=sorted(SETUPS))
async def matrix(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Matrix]:
    m = await build(tmp_path, request.param)
    m.h.config.tally.phases = [PHASE]
    m.h.config.reminders.milestones = [SO_KET]
    async with m.h.db.transaction() as tx:
        for target in [t for t in m.targets if t.team]:
            code, name = person(target)
            await supervised.add(
                tx,
                unit_id=target.unit_id,
                code=code,
                full_name=name,
                since=date(2026, 10, 1),
                every=None,
                by=None,
                now_iso=iso(m.h.clock.now()),
            )
    yield m
    await m.h.close()


async def movement(m: Matrix) -> tuple[object, ...]:
    """Every table the four commands write, row by row."""
    tables = (
        "target_overrides",
        "audit_trail",
        "supervised",
        "supervised_reoffences",
        "phase_reports_submitted",
        "commendations",
    )
    found = []
    async with m.h.db.read() as tx:
        for t in tables:
            rows = await tx.fetchall(f"SELECT * FROM {t}")
            found.append(sorted((tuple(r) for r in rows), key=repr))
    return tuple(found)


def name_of(target: Target) -> str:
    return target.path.rsplit("/", 1)[-1]


def own(m: Matrix, relation: str) -> Target:
    return next(t for t in m.targets if t.relation == relation)


@pytest.mark.parametrize("role", ROLES)
async def test_targets_seen_set_and_cleared(matrix: Matrix, role: str) -> None:
    m = matrix
    for target in m.targets:
        where = (role, target.relation)
        in_reach = role in OVERSIGHT and sees(m, role, target)
        before = await movement(m)
        said = await typed(m, role, f"/chitieu {target.path}")
        if role not in OVERSIGHT:
            assert said.startswith(TARGETS_NOT_ALLOWED), (*where, said)
        elif in_reach:
            assert f"🎯 Chỉ tiêu áp dụng cho {name_of(target)}" in said, (*where, said)
        else:
            assert TARGETS_OUT in said and "🎯" not in said, (*where, said)
        assert await movement(m) == before, where  # reading changes nothing
        said = await typed(m, role, f"/chitieu {target.path} patrol_participation=0.5")
        async with m.h.db.read() as tx:
            stored = await tx.fetchall(
                "SELECT key, value FROM target_overrides WHERE unit_id = ?", (target.unit_id,)
            )
        if role in SETTERS and in_reach:
            assert f"✅ Đã đặt chỉ tiêu cho {name_of(target)}" in said, (*where, said)
            assert [tuple(r) for r in stored] == [("patrol_participation", 0.5)], where
            said = await typed(m, role, f"/chitieu {target.path} xoa patrol_participation")
            assert f"✅ Đã bỏ 1 chỉ tiêu riêng của {name_of(target)}" in said, (*where, said)
            async with m.h.db.read() as tx:
                row = await tx.fetchone(
                    "SELECT COUNT(*) FROM target_overrides WHERE unit_id = ?", (target.unit_id,)
                )
            assert row is not None and row[0] == 0, where
            continue
        expected = {
            "member": TARGETS_NOT_ALLOWED,
            "leader": TARGETS_NOT_ALLOWED,
            "deputy": TARGETS_NOT_ALLOWED,
            "officer": TARGETS_NOT_ALLOWED_SET if in_reach else TARGETS_OUT,
        }.get(role, TARGETS_OUT)
        assert expected in said and "✅" not in said, (*where, said)
        assert await movement(m) == before, where
        said = await typed(m, role, f"/chitieu {target.path} xoa tatca")
        assert expected in said and "✅" not in said, (*where, said)
        assert await movement(m) == before, where


@pytest.mark.parametrize("role", ROLES)
async def test_the_register_of_people_under_management(matrix: Matrix, role: str) -> None:
    m = matrix
    own_team = own(m, "own_team")
    for target in [t for t in m.targets if t.team]:
        where = (role, target.relation)
        code, name = person(target)
        before = await movement(m)
        said = await typed(m, role, f"/quanly {target.path}")
        if role == "member":
            assert said.startswith(SUP_NOT_ALLOWED), (*where, said)
            assert code not in said and name not in said, where
        elif role in {"leader", "deputy"}:  # their own team, whatever is typed after
            assert f"🤝 Người được quản lý, giáo dục tại {name_of(own_team)}: 1 người." in said
            shown = target is own_team
            assert (code in said) == shown and (name in said) == shown, (*where, said)
        elif sees(m, role, target):
            assert f"🤝 Người được quản lý, giáo dục tại {name_of(target)}: 1 người." in said
            assert code in said, (*where, said)
            assert (name in said) == (role in NAMES), (*where, said)
            if role not in NAMES:
                assert SUP_CODES_ONLY in said, (*where, said)
        else:
            # A path differing only in case folds to the viewer's own team, which they may
            # see; any other is refused. Never the target's own register.
            assert code not in said and name not in said, (*where, said)
            if target.relation != "case":
                assert SUP_TYPED_OUT in said and "🤝 Người được" not in said, (*where, said)
        await typed(m, role, "/huy")
        assert await movement(m) == before, where


@pytest.mark.parametrize("role", sorted(OVERSIGHT))
async def test_a_forged_register_button(matrix: Matrix, role: str) -> None:
    m = matrix
    for target in [t for t in m.targets if t.team]:
        where = (role, target.relation)
        code, name = person(target)
        await typed(m, role, "/quanly")
        before = await movement(m)
        said = await press(m, role, f"sup:t:{target.unit_id}")
        if sees(m, role, target):
            assert f"🤝 Người được quản lý, giáo dục tại {name_of(target)}" in said, where
            assert (name in said) == (role in NAMES), (*where, said)
            if role not in NAMES:  # a supervisor's forged "add" is refused too
                said = await press(m, role, "sup:add")
                assert SUP_CODES_ONLY in said and "Gõ mã" not in said, (*where, said)
        else:
            assert SUP_OUT in said, (*where, said)
            assert code not in said and name not in said, (*where, said)
        await typed(m, role, "/huy")
        assert await movement(m) == before, where


@pytest.mark.parametrize("role", ROLES)
async def test_phase_reports(matrix: Matrix, role: str) -> None:
    m = matrix
    said = await typed(m, role, "/baocaodot")
    if role in OVERSIGHT:
        assert said.startswith("📄 Soạn báo cáo cho đợt nào?"), (role, said)
    else:
        assert said.startswith(PHR_NOT_ALLOWED), (role, said)
    tag = milestones.tag(SO_KET)
    for target in m.targets:
        where = (role, target.relation)
        # Only the viewer's own unit or one directly below it that is not a team.
        allowed = role in OVERSIGHT and target.relation == "own_commune"
        below = role in OVERSIGHT and target.relation in {"own_team", "sibling_team"}
        before = await movement(m)
        made = await press(m, role, f"phr:r:p1:{target.unit_id}")
        marked = await press(m, role, f"phr:s:{tag}:{target.unit_id}")
        if allowed:
            assert f"📄 Đã soạn báo cáo sơ kết Đợt 1 của {name_of(target)}" in made, where
            assert f"✅ Đã ghi: {name_of(target)} đã nộp «{SO_KET.name}»" in marked, where
            async with m.h.db.read() as tx:
                row = await tx.fetchone("SELECT unit_id FROM phase_reports_submitted")
            assert row is not None and row[0] == target.unit_id, where
            continue
        for said in (made, marked):
            if role not in OVERSIGHT:
                assert said.startswith(PHR_NOT_ALLOWED), (*where, said)
            elif below:
                assert f"⚠️ {name_of(target)} là một tổ: báo cáo sơ kết" in said, (*where, said)
            else:
                assert PHR_OUT in said, (*where, said)
            assert "📄 Đã soạn" not in said and "✅" not in said, (*where, said)
        assert await movement(m) == before, where


@pytest.mark.parametrize("role", ROLES)
async def test_commendation_lists(matrix: Matrix, role: str) -> None:
    m = matrix
    for target in m.targets:
        where = (role, target.relation)
        in_reach = role in OVERSIGHT and sees(m, role, target)
        before = await movement(m)
        said = await typed(m, role, f"/khenthuong {target.path}")
        opened = await press(m, role, f"cm:o:{target.unit_id}:{OCCASION}")
        name = name_of(target)
        if role not in OVERSIGHT:
            for text in (said, opened):
                assert text.startswith(CM_NOT_ALLOWED), (*where, text)
        elif in_reach and not target.team:
            assert f"🏅 Lập danh sách đề nghị khen thưởng cho {name}" in said, (*where, said)
            assert f"🏅 Gợi ý khen thưởng — {name}" in opened, (*where, opened)
        elif in_reach:  # a team: the list is made for a commune or above
            for text in (said, opened):
                assert f"⚠️ {name} là một tổ. Danh sách khen thưởng lập cho xã" in text, where
        else:
            for text in (said, opened):
                assert CM_OUT in text and "🏅" not in text, (*where, text)
        await typed(m, role, "/huy")
        assert await movement(m) == before, where


@pytest.mark.parametrize("role", ROLES)
async def test_a_forged_commendation_tick(matrix: Matrix, role: str) -> None:
    m = matrix
    commune = own(m, "own_commune")
    for target in [t for t in m.targets if t.team]:
        where = (role, target.relation)
        async with m.h.db.read() as tx:
            parent = await units.get_by_path(tx, target.path.rsplit("/", 1)[0])
        assert parent is not None
        before = await movement(m)
        # The target's own commune on the button: refused unless it is the viewer's.
        said = await press(m, role, f"cm:x:{parent.id}:{OCCASION}:{target.unit_id}:0")
        if role not in OVERSIGHT:
            assert said.startswith(CM_NOT_ALLOWED), (*where, said)
        elif sees(m, role, target):
            assert CM_OUT not in said, (*where, said)
        else:
            assert CM_OUT in said, (*where, said)
        if not (role in OVERSIGHT and sees(m, role, target)):
            assert await movement(m) == before, where
        # The viewer's own commune on the button, another commune's team in it: stale.
        if role in OVERSIGHT and not sees(m, role, target):
            before = await movement(m)
            said = await press(m, role, f"cm:x:{commune.unit_id}:{OCCASION}:{target.unit_id}:0")
            assert CM_STALE in said, (*where, said)
            assert await movement(m) == before, where
        await typed(m, role, "/huy")


@pytest.mark.parametrize("role", ["leader", "deputy", "officer", "admin"])
async def test_a_forged_person_button_on_an_open_register(matrix: Matrix, role: str) -> None:
    m = matrix
    own_team = own(m, "own_team")
    opening = "/quanly" if role in {"leader", "deputy"} else f"/quanly {own_team.path}"
    async with m.h.db.read() as tx:
        ids = {
            r["unit_id"]: r["id"] for r in await tx.fetchall("SELECT id, unit_id FROM supervised")
        }
    async with m.h.db.transaction() as tx:  # a standing reoffence on every register
        slips = {
            unit_id: await supervised.add_reoffence(
                tx, person_id, date(2026, 11, 10), None, iso(m.h.clock.now())
            )
            for unit_id, person_id in ids.items()
        }
    for target in [t for t in m.targets if t.team and t is not own_team]:
        where = (role, target.relation)
        code, name = person(target)
        opened = await typed(m, role, opening)
        assert person(own_team)[1] in opened, (*where, opened)  # they may edit their own team
        before = await movement(m)
        said = await press(m, role, f"sup:p:{ids[target.unit_id]}")
        assert "Vui lòng bấm một lựa chọn bên dưới." in said, (*where, said)
        assert code not in said and name not in said, (*where, said)
        for forged in ("sup:a:reoffence", "sup:a:end"):  # no person picked: nothing to act on
            said = await press(m, role, forged)
            assert code not in said and name not in said, (*where, forged, said)
        # Their own person picked, another team's reoffence withdrawn: refused.
        await press(m, role, f"sup:p:{ids[own_team.unit_id]}")
        said = await press(m, role, f"sup:w:{slips[target.unit_id]}")
        assert NO_REOFFENCE.format(code=person(own_team)[0]) in said, (*where, said)
        await typed(m, role, "/huy")
        assert await movement(m) == before, where


async def test_a_shortlist_left_open_after_a_move_ticks_nothing(matrix: Matrix) -> None:
    m = matrix
    commune, team = own(m, "own_commune"), own(m, "own_team")
    async with m.h.db.transaction() as tx:  # an achievement in the phase: a line to tick
        await tx.execute("UPDATE memberships SET start_date = '2026-09-01'")
        await reports.create(
            tx,
            number="BC-2026-799001",
            member_id=team.member_id,
            unit_id=team.unit_id,
            kind="good_deed",
            report_date="2026-11-05",
            data={"date": "2026-11-05"},
            urgent=False,
            now_iso="2026-11-05T20:00:00+07:00",
            edit_until_iso="2026-11-05T20:00:00+07:00",
        )
    officer = m.viewer("officer")
    opened = await press(m, "officer", f"cm:o:{commune.unit_id}:{OCCASION}")
    assert f"🏅 Gợi ý khen thưởng — {name_of(commune)}" in opened and "1." in opened, opened
    async with m.h.db.transaction() as tx:  # moved to another commune, the list still open
        me = await members.by_identity(tx, "telegram", str(officer))
        away = await units.get_by_path(tx, f"{PROVINCE}/Xã Khác")
        assert me is not None and away is not None
        await membership.move(
            tx, Actor.command_line(), me, away, m.h.clock.now().date(), m.h.clock.now().date(),
            iso(m.h.clock.now()),
        )  # fmt: skip
    before = await movement(m)
    said = await typed(m, "officer", "1")
    assert CM_OUT in said and "✅" not in said, said
    assert await movement(m) == before
