"""The per-stretch arithmetic of the tally (storage/tally.py members_per_unit), the tree in a
period (storage/tally_tree.py) and the leaders' digest of a past day (members.led_teams_on).

October 2026, every day closed; a team A and a team B under commune X. Each member files a
nil report on time every day they serve, unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import Config
from bot.reports.forms import load_forms
from bot.tally.compute import compute
from bot.tally.files import raw_reports
from bot.tally.periods import month_named
from storage import leaves, members, memberships, reports, tally, tally_tree, units
from storage.db import Row, Store
from storage.stores import open_store
from tests.support import backend

X = "Tỉnh P/Xã X"
A = f"{X}/Thôn A"
B = f"{X}/Thôn B"
ROLES = ("member", "leader", "deputy")
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)
SCOPE = tally.Scope(X, "2026-10-01", "2026-10-31", "2026-10-31", "21:00:00")


class World:
    def __init__(self, db: Store) -> None:
        self.db = db
        self.units: dict[str, int] = {}
        self.seq = 0

    async def setup(self) -> None:
        async with self.db.transaction() as tx:
            for path, kind in (("Tỉnh P", "province"), (X, "commune"), (A, "v"), (B, "v")):
                self.units[path], _ = await units.upsert(tx, path, kind, None, "2026-01-01")

    async def member(self, path: str, role: str = "member", since: date = date(2026, 9, 1)) -> int:
        async with self.db.transaction() as tx:
            return await members.create(
                tx, self.units[path], role, "Người", "vi", f"{since}T08:00:00+07:00", since
            )

    async def stretch(self, member_id: int) -> memberships.Stretch:
        async with self.db.read() as tx:
            s = await memberships.latest(tx, member_id)
        assert s is not None
        return s

    async def change(self, member_id: int, path: str, role: str, on: date) -> None:
        s = await self.stretch(member_id)
        async with self.db.transaction() as tx:
            await memberships.change(tx, s, self.units[path], role, on, "2026-10-01T08:00:00Z")

    async def leaves_on(self, member_id: int, on: date) -> None:
        s = await self.stretch(member_id)
        async with self.db.transaction() as tx:
            await memberships.leave(tx, s, on, "2026-10-01T08:00:00Z")

    async def nil_reports(self, member_id: int, path: str, first: date, last: date) -> None:
        day = first
        async with self.db.transaction() as tx:
            while day <= last:
                self.seq += 1
                created = f"{day}T20:00:00+07:00"
                await reports.create(
                    tx,
                    number=f"BC-{self.seq:06d}",
                    member_id=member_id,
                    unit_id=self.units[path],
                    kind="nil",
                    report_date=day.isoformat(),
                    data={},
                    urgent=False,
                    now_iso=created,
                    edit_until_iso=created,
                )
                day += timedelta(days=1)

    async def figures(self) -> dict[int, Row]:
        async with self.db.read() as tx:
            rows = await tally.members_per_unit(tx, SCOPE, "patrol", ROLES)
        return {int(r["unit_id"]): r for r in rows}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_store(await backend.location(str(tmp_path / "stretches.sqlite3")))
    w = World(db)
    await w.setup()
    yield w
    await db.close()


async def test_a_move_mid_period_counts_in_each_team_for_its_days(world: World) -> None:
    m = await world.member(A)
    await world.change(m, B, "member", date(2026, 10, 11))
    await world.nil_reports(m, A, OCT_1, date(2026, 10, 10))
    await world.nil_reports(m, B, date(2026, 10, 11), OCT_31)
    got = await world.figures()
    a, b = got[world.units[A]], got[world.units[B]]
    assert (a["members"], a["expected_days"], a["on_time_days"], a["reporters"]) == (1, 10, 10, 1)
    assert (b["members"], b["expected_days"], b["on_time_days"], b["reporters"]) == (1, 21, 21, 1)


async def test_a_member_who_reported_only_before_moving_did_not_report_in_the_new_team(
    world: World,
) -> None:
    m = await world.member(A)
    await world.change(m, B, "member", date(2026, 10, 21))
    await world.nil_reports(m, A, OCT_1, date(2026, 10, 20))
    b = (await world.figures())[world.units[B]]
    assert (b["members"], b["reporters"], b["expected_days"], b["on_time_days"]) == (1, 0, 11, 0)


async def test_a_leaver_counts_until_the_day_before_they_left(world: World) -> None:
    m = await world.member(A)
    await world.leaves_on(m, date(2026, 10, 16))
    await world.nil_reports(m, A, OCT_1, date(2026, 10, 15))
    a = (await world.figures())[world.units[A]]
    assert (a["members"], a["expected_days"], a["on_time_days"]) == (1, 15, 15)


async def test_leaving_while_on_leave_takes_each_leave_day_off_once(world: World) -> None:
    m = await world.member(A)
    async with world.db.transaction() as tx:
        await leaves.create(tx, m, "2026-10-10", "2026-10-20", "sick", m, "2026-10-01T08:00:00Z")
    await world.leaves_on(m, date(2026, 10, 15))  # served 01/10-14/10, on leave from 10/10
    await world.nil_reports(m, A, OCT_1, date(2026, 10, 14))  # also on the leave days
    a = (await world.figures())[world.units[A]]
    # 14 days served less 5 on leave (10-14/10); reports on leave days neither help nor hurt
    assert (a["expected_days"], a["on_time_days"]) == (9, 9)


async def test_member_then_leader_in_the_same_team_is_one_person(world: World) -> None:
    m = await world.member(A)
    await world.change(m, A, "leader", date(2026, 10, 11))
    await world.nil_reports(m, A, OCT_1, OCT_31)
    a = (await world.figures())[world.units[A]]
    assert (a["members"], a["reporters"], a["expected_days"], a["on_time_days"]) == (1, 1, 31, 31)
    assert a["patrol_members"] == 0


async def test_a_stretch_in_a_non_reporting_role_does_not_count(world: World) -> None:
    m = await world.member(A)
    await world.change(m, X, "officer", date(2026, 10, 21))
    a = (await world.figures())[world.units[A]]
    assert (a["members"], a["expected_days"]) == (1, 20)
    assert world.units[X] not in await world.figures()


async def test_a_member_joining_after_the_period_is_not_in_it(world: World) -> None:
    await world.member(A, since=date(2026, 11, 2))
    assert await world.figures() == {}


async def test_the_tree_of_a_period(world: World) -> None:
    """Units open in the period only; a team is a unit with no open unit below it; names as
    they were at the period's end; ordered by the path then."""
    async with world.db.transaction() as tx:
        old, _ = await units.upsert(tx, f"{B}/Xóm cũ", "hamlet", None, "2026-01-01")
        later, _ = await units.upsert(tx, f"{X}/Thôn Mới", "v", None, "2026-01-01")
        await tx.execute("UPDATE units SET closed_on = '2026-10-01' WHERE id = ?", (old,))
        await tx.execute("UPDATE units SET opened_on = '2026-11-02' WHERE id = ?", (later,))
        # Thôn A was called "Thôn Z" until 05/11
        await tx.execute(
            "INSERT INTO unit_history (unit_id, changed_on, name, path, kind, parent_id, at)"
            " VALUES (?, '2026-11-05', 'Thôn Z', ?, 'v', ?, '2026-11-05')",
            (world.units[A], f"{X}/Thôn Z", world.units[X]),
        )
        await tx.execute(
            "INSERT INTO unit_history (unit_id, changed_on, name, path, kind, parent_id, at)"
            " VALUES (?, '2026-10-20', 'Thôn Y', ?, 'v', ?, '2026-10-20')",
            (world.units[A], f"{X}/Thôn Y", world.units[X]),
        )
        october = await tally_tree.tree_in_period(tx, world.units[X], OCT_1, OCT_31)
        december = await tally_tree.tree_in_period(
            tx, world.units[X], date(2026, 12, 1), date(2026, 12, 31)
        )
    # B had only a closed hamlet below it: a team in October; A was "Thôn Z" at the end
    assert [(u.path, u.leaf) for u in october] == [(X, False), (B, True), (f"{X}/Thôn Z", True)]
    assert [u.name for u in december] == ["Xã X", "Thôn A", "Thôn B", "Thôn Mới"]


async def test_the_digest_of_a_day_lists_that_days_team(world: World) -> None:
    leader = await world.member(A, "leader")
    mover = await world.member(A)
    await world.change(mover, B, "member", date(2026, 10, 11))
    async with world.db.read() as tx:
        before = await members.led_teams_on(tx, "2026-10-10", ROLES)
        after = await members.led_teams_on(tx, "2026-10-11", ROLES)
    assert {int(r["id"]) for r in before} == {leader, mover}
    assert {int(r["id"]) for r in after} == {leader}  # team B has no leader: no digest


async def test_a_village_moved_to_another_commune_since_stays_in_the_old_ones_tally(
    world: World,
) -> None:
    m = await world.member(A)
    await world.nil_reports(m, A, OCT_1, OCT_31)
    y = "Tỉnh P/Xã Y"
    async with world.db.transaction() as tx:
        world.units[y], _ = await units.upsert(tx, y, "commune", None, "2026-01-01")
        await tx.execute(
            "INSERT INTO unit_history (unit_id, changed_on, name, path, kind, parent_id, at)"
            " VALUES (?, '2026-11-05', 'Thôn A', ?, 'v', ?, '2026-11-05')",
            (world.units[A], A, world.units[X]),
        )
        await tx.execute(
            "UPDATE units SET parent_id = ?, path = ? WHERE id = ?",
            (world.units[y], f"{y}/Thôn A", world.units[A]),
        )
    now = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    config, kinds = Config(), [c.key for c in load_forms(None).categories]
    async with world.db.read() as tx:
        for path in (X, y):
            unit = await units.get(tx, world.units[path])
            assert unit is not None
            tallies = await compute(tx, unit, month_named(2026, 10, 1), config, kinds, now)
            if path == X:
                x = tallies
            else:
                in_y = tallies
    assert [(t.path, t.figures.members, t.figures.reports) for t in x.teams] == [
        (A, 1, 31),
        (B, 0, 0),
    ]
    async with world.db.read() as tx:
        raw, cut = await raw_reports(tx, x, config, None)
    assert (len(raw), cut) == (31, False) and {r.unit_path for r in raw} == {A}  # then
    # Y had nothing below it in October: a unit of its own, nobody's reports
    assert [u.path for u in in_y.units] == [y] and in_y.root.figures.reports == 0
