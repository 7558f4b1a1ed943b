"""The golden tally: a small hand-built dataset whose every expected figure is worked out by hand.

Months start on the 15th here, so "month 11/2026" runs 15/10/2026..14/11/2026 (31 days).

Province P
├─ Commune X (officer o)
│  ├─ Team A (100 households): a1 leader, a2 member, a3 member who joined on 01/11/2026
│  ├─ Team B (households unknown): b1 leader, b2 member, nil reports almost every day
│  └─ Team E (50 households): nobody yet
└─ Commune Y
   └─ Team C: c1 member

Leave (not due, and an on-time report on a leave day does not count either):
a2 20/10–22/10 (3 days; her on-time nil of 21/10 no longer counts) and a cancelled leave
01/11–05/11 (ignored); a3 25/10–03/11, of which 01/11–03/11 after joining (3 days; both
tips on time on leave days); b2 10/10–16/10 (15/10 and 16/10 in the period, both nil on
time); a1 18/11–25/11 (the current month only).
Messenger accounts: a1 has one, which blocked the bot (unreachable); a2 has two, one
blocked (still reachable); the others have none (not counted as unreachable).

The targets fed by rarer answers (KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện
Bắc Sơn (10/2024), notes 1, 3 and 5), all on days the member already reported on time, so
compliance is unchanged:
- 4.2 "ít nhất 01 mô hình … được Công an cấp huyện trở lên biểu dương, ghi nhận": A named
  "Camera an ninh" recognised at district level on 01/09 (before the period: a model stays in
  effect) and again as "CAMERA  AN NINH" on 05/11 (the same model, folded), and "Tổ tự quản"
  recognised by the commune only on 06/11: 1 model, met. B's district model of 15/11 is after
  the period: 0, missed; E none: 0, missed.
- 4.4 residents' information "trên 90%": A's running total was 60 on 16/10 and 90 on 07/11
  (99 on 15/11, after the period): the latest, 90 of 100 households = 90%, is not above 90%,
  missed (a sum, 150, would have passed). A's report of 07/11 also found a conditional
  business violating the rules (1, missed); B's report of 03/11 found illegal weapons (1,
  missed). B's household count is unknown (N/A); E's 50 households, nobody informed: 0%.
- 4.6 serious traffic accidents: b1 tipped one on 02/11 (taken up in 30 minutes, resolved)
  and b2 tipped the same accident (a duplicate, counted once): B 1, missed; A and E 0, met.
- 4.5 nobody is on a register here, so "no reoffence" and visits do not apply (N/A).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.config import Config, TallySection
from bot.reports.forms import load_forms
from bot.tally.compute import Tally, compute
from bot.tally.periods import month, month_named
from storage import incidents, leaves, members, reports, units
from storage.db import Store
from storage.stores import open_store
from tests.support import backend

P = "Tỉnh P"
X = f"{P}/Xã X"
Y = f"{P}/Xã Y"
A = f"{X}/Thôn A"
B = f"{X}/Thôn B"
E = f"{X}/Thôn E"
C = f"{Y}/Thôn C"
NOW = datetime(2026, 11, 20, 10, 0)
CONFIG = Config(tally=TallySection(month_starts_on=15))
KINDS = [c.key for c in load_forms(None).categories]


class World:
    def __init__(self, db: Store) -> None:
        self.db = db
        self.ids: dict[str, int] = {}
        self.unit_ids: dict[str, int] = {}
        self.seq = 0

    async def unit(self, path: str, kind: str, households: int | None = None) -> None:
        async with self.db.transaction() as tx:
            self.unit_ids[path], _ = await units.upsert(tx, path, kind, households, "2026-01-01")

    async def member(self, key: str, path: str, role: str, joined: str = "2026-01-01") -> None:
        async with self.db.transaction() as tx:
            self.ids[key] = await members.create(
                tx, self.unit_ids[path], role, f"Người {key}", "vi", f"{joined}T08:00:00+07:00"
            )

    async def report(
        self,
        who: str,
        kind: str,
        day: str,
        filed: str,
        data: dict[str, Any] | None = None,
        *,
        mates: tuple[str, ...] = (),
        ack_at: str | None = None,
        status: str = "active",
        confirmed_in_time: bool | None = None,
        state: str | None = None,
        duplicate_of: int | None = None,
    ) -> int:
        """File a report for `day` at `filed` ('HH:MM' that day, or a full 'YYYY-MM-DD HH:MM');
        `confirmed_in_time`: the commune officer's word on a fire."""
        stamp = filed if " " in filed else f"{day} {filed}"
        created = stamp.replace(" ", "T") + ":00+07:00"
        self.seq += 1
        async with self.db.transaction() as tx:
            member = await members.get(tx, self.ids[who])
            assert member is not None
            rid = await reports.create(
                tx,
                number=f"BC-2026-{self.seq:06d}",
                member_id=self.ids[who],
                unit_id=member.unit_id,
                kind=kind,
                report_date=day,
                data={"date": day, **(data or {})},
                urgent=kind in {"tip", "fire_rescue"},
                now_iso=created,
                edit_until_iso=created,
            )
            await reports.set_participants(tx, rid, [self.ids[m] for m in mates])
            await tx.execute(
                "UPDATE reports SET status = ?, ack_at = ? WHERE id = ?", (status, ack_at, rid)
            )
            if confirmed_in_time is not None:
                await incidents.confirm_fire(tx, rid, self.ids["o"], confirmed_in_time, created)
            if state is not None or duplicate_of is not None:
                await tx.execute(
                    "UPDATE reports SET state = ?, duplicate_of = ? WHERE id = ?",
                    (state, duplicate_of, rid),
                )
        return rid

    async def leave(self, who: str, start: str, end: str, *, cancelled: bool = False) -> None:
        async with self.db.transaction() as tx:
            lid = await leaves.create(
                tx, self.ids[who], start, end, "sick", self.ids[who], "2026-10-01T08:00:00+07:00"
            )
            if cancelled:
                await leaves.cancel(tx, lid, self.ids[who], "2026-10-02T08:00:00+07:00")

    async def account(self, who: str, user_id: str, *, blocked: bool) -> None:
        async with self.db.transaction() as tx:
            await members.link_identity(
                tx, "telegram", user_id, user_id, self.ids[who], "2026-01-01T08:00:00+07:00"
            )
            if blocked:
                await members.mark_unreachable(tx, "telegram", user_id, "2026-11-01T08:00:00+07:00")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await open_store(await backend.location(str(tmp_path / "golden.sqlite3")))
    w = World(db)
    await w.unit(P, "Tỉnh")
    await w.unit(X, "Xã")
    await w.unit(Y, "Xã")
    await w.unit(A, "Thôn", 100)
    await w.unit(B, "Thôn")
    await w.unit(E, "Thôn", 50)
    await w.unit(C, "Thôn")
    await w.member("o", X, "officer")
    await w.member("a1", A, "leader")
    await w.member("a2", A, "member")
    await w.member("a3", A, "member", joined="2026-11-01")
    await w.member("b1", B, "leader")
    await w.member("b2", B, "member")
    await w.member("c1", C, "member")

    # Team A
    await w.report("a1", "patrol", "2026-10-15", "20:00", mates=("a2",))  # first day: inside
    await w.report("a1", "nil", "2026-10-16", "20:00")
    await w.report("a1", "good_deed", "2026-11-14", "20:59")  # last day: inside
    await w.report("a1", "good_deed", "2026-11-15", "09:00")  # next period
    await w.report("a2", "nil", "2026-10-14", "20:00")  # previous period
    await w.report("a2", "patrol", "2026-10-20", "2026-10-21 08:00")  # late
    await w.report("a2", "nil", "2026-10-21", "20:30")
    await w.report("a3", "tip", "2026-11-02", "10:00", ack_at="2026-11-02T10:30:00+07:00")
    await w.report("a3", "tip", "2026-11-03", "10:00", ack_at="2026-11-03T12:00:00+07:00")
    # The officer confirms the first fire in time; the second was late (as the member said).
    await w.report(
        "a1",
        "fire_rescue",
        "2026-11-05",
        "15:00",
        {"mobilised": True, "in_time": True},
        confirmed_in_time=True,
    )
    await w.report(
        "a1",
        "fire_rescue",
        "2026-11-06",
        "15:00",
        {"mobilised": True, "in_time": False},
        confirmed_in_time=False,
    )
    informed = "households_informed"
    await w.report("a1", "admin_order", "2026-10-16", "19:00", {informed: 60})
    await w.report(
        "a2",
        "admin_order",
        "2026-11-07",
        "16:00",
        {informed: 90, "businesses_checked": 2, "business_violation": True},
    )
    await w.report("a1", "admin_order", "2026-11-15", "10:00", {informed: 99})  # next period
    camera = {"model_name": "Camera an ninh", "model_level": "district"}
    await w.report("a1", "outreach", "2026-09-01", "10:00", camera)
    await w.report(
        "a1", "outreach", "2026-11-05", "16:00", {**camera, "model_name": "CAMERA  AN NINH"}
    )
    await w.report(
        "a1",
        "outreach",
        "2026-11-06",
        "16:00",
        {"model_name": "Tổ tự quản", "model_level": "commune"},
    )
    await w.report("a2", "reintegration", "2026-11-08", "16:00", {"reoffending_signs": False})
    await w.report("a1", "patrol", "2026-11-09", "20:00", status="withdrawn")

    # Team B: b1 files nil every day, b2 every day but 10/11; one patrol, one reoffending sign
    day = date(2026, 10, 15)
    while day <= date(2026, 11, 14):
        await w.report("b1", "nil", day.isoformat(), "20:00")
        if day != date(2026, 11, 10):
            await w.report("b2", "nil", day.isoformat(), "19:00")
        day += timedelta(days=1)
    await w.report("b1", "patrol", "2026-10-25", "19:00", mates=("b2",))
    await w.report("b1", "reintegration", "2026-11-01", "18:00", {"reoffending_signs": True})
    accident = {"kind": "traffic", "serious_accident": True}
    first = await w.report(
        "b1",
        "tip",
        "2026-11-02",
        "10:00",
        accident,
        ack_at="2026-11-02T10:30:00+07:00",
        state="resolved",
    )
    await w.report(
        "b2", "tip", "2026-11-02", "10:05", accident, state="duplicate", duplicate_of=first
    )
    await w.report(
        "b1", "admin_order", "2026-11-03", "18:00", {"illegal_weapons": True, informed: 40}
    )
    await w.report("b1", "outreach", "2026-11-15", "08:00", {**camera, "model_name": "Mô hình X"})

    # Team C (other commune)
    await w.report("c1", "good_deed", "2026-10-30", "08:00")

    await w.leave("a2", "2026-10-20", "2026-10-22")
    await w.leave("a2", "2026-11-01", "2026-11-05", cancelled=True)
    await w.leave("a3", "2026-10-25", "2026-11-03")
    await w.leave("b2", "2026-10-10", "2026-10-16")
    await w.leave("a1", "2026-11-18", "2026-11-25")
    await w.account("a1", "101", blocked=True)
    await w.account("a2", "201", blocked=False)
    await w.account("a2", "202", blocked=True)
    yield w
    await db.close()


async def tally_of(world: World, path: str) -> Tally:
    async with world.db.read() as tx:
        unit = await units.get_by_path(tx, path)
        assert unit is not None
        return await compute(tx, unit, month(NOW.date(), 15, -1), CONFIG, KINDS, NOW)


def by_name(tally: Tally) -> dict[str, Any]:
    return {u.name: u for u in tally.units}


def marks(unit: Any) -> dict[str, bool | None]:
    return {key: result.met for key, result in unit.targets.items()}


def test_the_period_is_the_15th_to_the_14th() -> None:
    period = month(NOW.date(), 15, -1)
    assert (period.start, period.end, period.days) == (date(2026, 10, 15), date(2026, 11, 14), 31)
    assert period == month_named(2026, 11, 15)
    assert month(date(2026, 11, 14), 15) == period
    assert month(date(2026, 11, 15), 15).start == date(2026, 11, 15)


async def test_team_a_every_target(world: World) -> None:
    a = by_name(await tally_of(world, X))["Thôn A"]
    f = a.figures
    assert f.by_kind == {
        "patrol": 2,
        "nil": 2,
        "good_deed": 1,
        "tip": 2,
        "fire_rescue": 2,
        "admin_order": 2,
        "outreach": 2,
        "reintegration": 1,
    }
    assert f.reports == 14
    assert f.late == 1
    assert (f.members, f.reporters) == (3, 3)
    # a1 owes 31 days, a2 31 less 3 on leave, a3 joined on 01/11: 14 days less 3 on leave.
    assert f.expected_days == 31 + (31 - 3) + (14 - 3)
    # a1: 15/10, 16/10, 05/11, 06/11, 14/11; a2: 07/11, 08/11 (20/10 was late, 21/10 on
    # leave); a3: none (both tips on leave days).
    assert f.on_time_days == 5 + 2 + 0
    # today's blocked accounts never change a closed period: see the open one below
    assert f.unreachable == 0
    assert f.patrol_members == 2  # a1 reported, a2 was a team-mate and reported; a3 never
    assert (f.fire_mobilised, f.fire_in_time) == (2, 1)
    assert (f.tips, f.tips_acked, f.tips_acked_in_time) == (2, 2, 1)
    assert (f.reoffences, f.supervised) == (0, 0)
    assert (f.households, f.households_informed) == (100, 90)  # the latest, not 60 + 90
    assert (f.models_recognised, f.businesses_violating, f.weapons_cases) == (1, 1, 0)
    assert f.serious_accidents == 0
    assert marks(a) == {
        "tips_acked": True,
        "tips_in_time": False,
        "tips_resolved": False,  # both tips still open
        "models": True,
        "fire_in_time": False,
        "businesses": False,
        "residents_info": False,  # 90% is not "trên 90%"
        "weapons": True,
        "reoffences": None,
        "visits": None,
        "patrol": False,
        "serious_accidents": True,
        "good_deeds": True,
        "compliance": False,
    }
    assert a.targets["patrol"].value == pytest.approx(2 / 3)
    assert a.targets["compliance"].value == pytest.approx(7 / 70)
    assert a.targets["residents_info"].value == pytest.approx(0.9)
    assert (a.targets["models"].value, a.targets["models"].goal) == (1, 1)
    assert (f.fires_confirmed, f.fires_confirmed_in_time) == (2, 1)
    assert (f.tips_open, f.tips_settled) == (2, 0)
    assert a.met_count == (5, 12)
    assert a.rating == "not_done"  # 5 of 12 targets, 10% of days on time


async def test_team_b_reports_daily_and_gets_a_suggested_rating(world: World) -> None:
    b = by_name(await tally_of(world, X))["Thôn B"]
    f = b.figures
    # the duplicate tip counts once; the outreach of 15/11 is in the next period
    assert f.by_kind == {"nil": 61, "patrol": 1, "reintegration": 1, "tip": 1, "admin_order": 1}
    # b2's leave covers 15/10 and 16/10: two days neither due nor counted
    assert (f.late, f.expected_days, f.on_time_days) == (0, 62 - 2, 61 - 2)
    assert f.unreachable == 0
    assert f.patrol_members == 2  # b2 only as a team-mate
    assert (f.tips, f.tips_duplicate, f.serious_accidents) == (1, 1, 1)
    assert (f.weapons_cases, f.models_recognised, f.households_informed) == (1, 0, 0)
    assert marks(b) == {
        "tips_acked": True,
        "tips_in_time": True,
        "tips_resolved": True,
        "models": False,
        "fire_in_time": None,
        "businesses": True,
        "residents_info": None,  # household count unknown
        "weapons": False,
        "reoffences": None,
        "visits": None,
        "patrol": True,
        "serious_accidents": False,
        "good_deeds": False,
        "compliance": True,
    }
    assert b.met_count == (6, 10)
    assert b.rating == "done"  # 60% of targets met, 98% of days on time


async def test_an_empty_team_shows_zeros_and_no_rating(world: World) -> None:
    e = by_name(await tally_of(world, X))["Thôn E"]
    f = e.figures
    assert (f.members, f.reporters, f.reports, f.expected_days) == (0, 0, 0, 0)
    assert marks(e) == {
        "tips_acked": None,
        "tips_in_time": None,
        "tips_resolved": None,
        "models": False,
        "fire_in_time": None,
        "businesses": True,
        "residents_info": False,  # 0 of 50 households
        "weapons": True,
        "reoffences": None,
        "visits": None,
        "patrol": None,
        "serious_accidents": True,
        "good_deeds": False,
        "compliance": None,
    }
    assert e.rating is None


async def test_the_commune_adds_its_teams_up(world: World) -> None:
    tally = await tally_of(world, X)
    x = tally.root
    assert x.name == "Xã X" and not x.is_team and x.depth == 0
    assert [u.name for u in tally.teams] == ["Thôn A", "Thôn B", "Thôn E"]
    f = x.figures
    assert (f.teams, f.members, f.reporters, f.reports, f.late) == (3, 5, 5, 79, 1)
    assert (f.expected_days, f.on_time_days) == (130, 66)
    assert x.targets["compliance"].value == pytest.approx(66 / 130)
    assert f.unreachable == 0  # a closed period: not today's state
    assert x.targets["patrol"].value == pytest.approx(4 / 5)
    # A's 90 of 100 and E's 0 of 50; B's count is unknown
    assert x.targets["residents_info"].value == pytest.approx(90 / 150)
    assert x.targets["good_deeds"].value == 1 and x.targets["good_deeds"].goal == 3
    # count targets: the commune's goal is the sum of its teams' (one model each: 3)
    assert (x.targets["models"].value, x.targets["models"].goal) == (1, 3)
    assert x.targets["serious_accidents"].value == 1 and not x.targets["serious_accidents"].met
    assert x.teams_meeting == {
        "tips_acked": 2,
        "tips_in_time": 1,
        "tips_resolved": 1,
        "models": 1,
        "fire_in_time": 0,
        "businesses": 2,
        "residents_info": 0,
        "weapons": 2,
        "patrol": 1,
        "serious_accidents": 2,
        "good_deeds": 1,
        "compliance": 1,
    }
    assert x.teams_applicable == {
        "tips_acked": 2,
        "tips_in_time": 2,
        "tips_resolved": 2,
        "models": 3,
        "fire_in_time": 1,
        "businesses": 3,
        "residents_info": 2,
        "weapons": 3,
        "patrol": 2,
        "serious_accidents": 3,
        "good_deeds": 3,
        "compliance": 2,
    }
    # B meets 6 of 10, E 3 of 6 (nobody there, but nothing went wrong either), A 5 of 12
    assert [u.name for u in tally.ranked()] == ["Thôn B", "Thôn E", "Thôn A"]


async def test_the_province_rolls_up_both_communes(world: World) -> None:
    tally = await tally_of(world, P)
    assert [u.name for u in tally.level(1)] == ["Xã X", "Xã Y"]
    assert len(tally.teams) == 4
    p = tally.root.figures
    assert (p.teams, p.members, p.reports) == (4, 6, 80)
    assert p.by_kind["good_deed"] == 2
    assert tally.root.teams_meeting["good_deeds"] == 2  # A and C
    assert by_name(tally)["Xã Y"].figures.reports == 1


async def test_a_team_tally_and_a_period_without_reports(world: World) -> None:
    async with world.db.read() as tx:
        unit = await units.get_by_path(tx, C)
        assert unit is not None
        empty = await compute(tx, unit, month_named(2026, 3, 15), CONFIG, KINDS, NOW)
    assert empty.root.is_team and empty.units == [empty.root]
    assert empty.root.figures.reports == 0
    assert empty.root.figures.expected_days == 14 + 14  # 15/02..14/03/2026, joined 01/01


async def test_days_not_yet_due_are_not_counted(world: World) -> None:
    """At 10:00 on 20/11 the current month (15/11..14/12) has four closed days."""
    async with world.db.read() as tx:
        unit = await units.get_by_path(tx, A)
        assert unit is not None
        current = await compute(tx, unit, month(NOW.date(), 15), CONFIG, KINDS, NOW)
        evening = await compute(
            tx, unit, month(NOW.date(), 15), CONFIG, KINDS, NOW.replace(hour=21, minute=30)
        )
    assert current.elapsed_end == date(2026, 11, 19)
    # a1 is on leave from 18/11: two closed days off in the morning, three in the evening
    assert current.root.figures.expected_days == 3 * 5 - 2
    assert current.root.figures.on_time_days == 1  # a1's good deed on 15/11 09:00
    assert evening.elapsed_end == date(2026, 11, 20)
    assert evening.root.figures.expected_days == 3 * 6 - 3
    # the period is still open, so today's state shows: a1 blocked the bot everywhere, a2
    # still has a reachable account
    assert current.root.figures.unreachable == 1
