"""Lateness: a report is late only once its reporting day ended ([reports] day_ends_at the
next morning), and urgent kinds (tips, fires) are never late."""

from __future__ import annotations

from datetime import datetime

from storage import tally
from tests.inproc.helpers import file_fire
from tests.support.harness import TEAM_A, Harness


async def test_night_reports_are_on_time_and_urgent_ones_never_late(h: Harness) -> None:
    await h.add_member(1, "Nguyễn Văn An", "member", TEAM_A)
    await h.add_member(2, "Trần Thị Bình", "leader", TEAM_A)
    await h.add_member(3, "Hoàng Minh Châu", "member", TEAM_A)
    h.clock.set(datetime(2026, 11, 23, 23, 30))
    await h.user(1).send("/khongcovuviec")  # 23/11's, after the 21:00 deadline: on time
    h.clock.set(datetime(2026, 11, 24, 6, 0))
    await h.user(3).send("/khongcovuviec")  # 24/11's; moved to 23/11 below: late
    h.clock.set(datetime(2026, 11, 24, 7, 0))
    await file_fire(h.user(2))  # moved to 23/11 below: urgent, never late
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE reports SET report_date = '2026-11-23'")
    scope = tally.Scope(
        TEAM_A,
        "2026-11-01",
        "2026-11-30",
        "2026-11-23",
        "21:00:00",
        day_ends="06:00:00",
        urgent_kinds=("fire_rescue", "tip"),
    )
    async with h.db.read() as tx:
        [counts] = await tally.reports_per_unit(tx, scope, ["nil", "fire_rescue"])
        raw = await tally.raw_reports(tx, scope, None)
        [people] = await tally.members_per_unit(tx, scope, "patrol", ["member", "leader"])
    assert counts["late"] == 1
    assert [(r["number"], r["late"]) for r in raw] == [
        ("BC-2026-000001", 0),
        ("BC-2026-000002", 1),
        ("BC-2026-000003", 0),
    ]
    assert people["on_time_days"] == 2  # An's nil and Bình's fire; Châu's came too late
