"""Credited team-mates in the tally: a member named on someone's active report for a day counts
for that day as having reported, on time when the crediting report was (the lateness rule of
storage/tally.py), neutral on leave, and no longer once they said "not me"."""

from __future__ import annotations

from typing import Any

import pytest

from storage import tally
from tests.inproc.helpers import file_patrol
from tests.inproc.test_credit import NOT_ME
from tests.inproc.test_schedule import Team, build
from tests.support.harness import TEAM_A, Harness, TgUser

SCOPE = tally.Scope(
    TEAM_A,
    "2026-11-01",
    "2026-11-30",
    "2026-11-23",  # 23/11's day is closed: it counts
    "21:00:00",
    day_ends="06:00:00",
    urgent_kinds=("fire_rescue", "tip"),
)


@pytest.fixture
async def team(h: Harness) -> Team:
    return await build(h)


async def name_teammates(an: TgUser, *names: str) -> None:
    """Edit An's patrol (BC-2026-000001) to name team-mates: the edit dialog, not the wizard."""
    await an.send("/baocaocuatoi")
    await an.press("BC-2026-000001")
    await an.press("Sửa")
    await an.press("Tổ viên cùng tham gia")
    for name in names:
        await an.press(name)
    await an.press("Xong")
    replies = await an.press("Lưu thay đổi")
    assert replies[-1].text.startswith("✅ Đã lưu thay đổi của báo cáo BC-2026-000001."), replies


async def team_a(h: Harness) -> dict[str, Any]:
    """Team A's member figures for November as the tally reads them."""
    async with h.db.read() as tx:
        [row] = await tally.members_per_unit(tx, SCOPE, "patrol", ["member", "leader"])
    return {k: row[k] for k in ("members", "reporters", "on_time_days", "patrol_members")}


async def test_a_credited_team_mate_counts_as_reported_on_time_and_not_me_removes_it(
    team: Team,
) -> None:
    h = team.h
    await file_patrol(team.an)  # 23/11, filed in the day: on time
    before = await team_a(h)
    assert (before["reporters"], before["on_time_days"]) == (1, 1)  # An only
    # Châu and Đào (on leave today) were out with An
    await name_teammates(team.an, "Hoàng Minh Châu", "Lò Văn Đào")
    await h.drain()
    credited = await team_a(h)
    # Châu and Đào reported (by the credit); Châu's day on time, Đào's on leave is neutral
    assert (credited["reporters"], credited["on_time_days"]) == (3, 2)
    assert credited["patrol_members"] == 3
    # Châu also files a nil that day (allowed while credited): the day counts once
    await team.chau.send("/khongcovuviec")
    assert (await team_a(h))["on_time_days"] == 2
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE reports SET status = 'withdrawn' WHERE kind = 'nil'")
    # "Không phải tôi": Châu's credit is gone from the tally; Đào's stays
    notice = next(m for m in team.chau.messages if m.text.startswith("👥"))
    await team.chau.press(NOT_ME, on=notice)
    after = await team_a(h)
    assert (after["reporters"], after["on_time_days"]) == (2, 1)


async def test_a_credit_from_a_late_report_counts_as_reported_but_late(team: Team) -> None:
    h = team.h
    await file_patrol(team.an)
    await name_teammates(team.an, "Hoàng Minh Châu")
    async with h.db.transaction() as tx:  # the patrol of 23/11 filed the next morning at 07:00
        await tx.execute("UPDATE reports SET created_at = '2026-11-24T07:00:00+07:00'")
    late = await team_a(h)
    assert (late["reporters"], late["on_time_days"]) == (2, 0)  # An and Châu, both late
    # Châu's own nil filed that evening is on time: the day is on time for Châu, once
    team.at(20, 0)
    await team.chau.send("/khongcovuviec")
    assert (await team_a(h))["on_time_days"] == 1
    # filed at 05:59 the next morning, before the reporting day ended: the credit is on time
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE reports SET status = 'withdrawn' WHERE kind = 'nil'")
        await tx.execute(
            "UPDATE reports SET created_at = '2026-11-24T05:59:00+07:00' WHERE kind = 'patrol'"
        )
    on_time = await team_a(h)
    assert (on_time["reporters"], on_time["on_time_days"]) == (2, 2)
