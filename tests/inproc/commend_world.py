"""The commune of the commendation tests, worked out by hand.

Xã Bắc Sơn, phase "Đợt 3" = October 2026 (01/10–31/10), looked at on 23/11/2026:
* Thôn Nà Lẹng (A): An (leader) and Bình (member) file a nil report every day of October on
  time (20:00). An files a good deed on 10/10 (BC-2026-000101) and a patrol on 12/10 with
  Bình as team-mate (BC-2026-000102); Bình files a tip on 15/10 (BC-2026-000103).
* Thôn Khuôn Pinh (B): Cường (leader) files nil reports on 1–15/10 only, and a fire report
  on 20/10 (BC-2026-000104).
* Officer Dũng of Xã Bắc Sơn; officer Hùng of Xã Hữu Vĩnh (another commune).

Teams (the tally's own targets): A has a good deed (4.7: 1 ≥ 1), both members on a patrol
(4.6: 2/2) and every member-day reported on time (62/62 = 100%); B has no good deed, Cường on
no patrol (0/1), and reports on 16 of 31 days (15 nil rounds and the fire's day: 52%, under
90%). A meets more targets and ranks first. (How many targets apply in all depends on the
other contents' figures, so the tests check the order and the compliance, not "x/y".)

Members, by the local weights (good deed 3, fire 3, tip 2, patrol 1): An 3 + 1 = 4; Bình
tip 2 + patrol (as team-mate) 1 = 3, reported on 31/31 days; Cường fire 3, reported on 16/31
days. So An, then Bình (same score as Cường, more days reported), then Cường.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.config import Phase
from storage import reports, units
from tests.support.harness import COMMUNE, OTHER_COMMUNE, TEAM_A, TEAM_B, Harness

PHASE = Phase(name="Đợt 3", theme="", start=date(2026, 10, 1), end=date(2026, 10, 31))
GOOD_DEED, PATROL, TIP, FIRE = (f"BC-2026-00010{i}" for i in range(1, 5))
AN, BINH, CUONG, DUNG, HUNG = 1, 2, 3, 11, 12


class World:
    """Ids of the people and teams, and the sequence of nil report numbers."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.ids: dict[int, int] = {}
        self.teams: dict[str, int] = {}
        self.seq = 200

    async def report(
        self,
        who: int,
        team: str,
        kind: str,
        day: str,
        number: str = "",
        mates: tuple[int, ...] = (),
    ) -> None:
        """A report filed at 20:00 on its day (on time)."""
        if not number:
            self.seq += 1
            number = f"BC-2026-{self.seq:06d}"
        created = f"{day}T20:00:00+07:00"
        async with self.h.db.transaction() as tx:
            rid = await reports.create(
                tx,
                number=number,
                member_id=self.ids[who],
                unit_id=self.teams[team],
                kind=kind,
                report_date=day,
                data={"date": day},
                urgent=kind in ("tip", "fire_rescue"),
                now_iso=created,
                edit_until_iso=created,
            )
            await reports.set_participants(tx, rid, [self.ids[m] for m in mates])


def october() -> list[str]:
    return [(date(2026, 10, 1) + timedelta(days=i)).isoformat() for i in range(31)]


async def build(h: Harness) -> World:
    """Enrol everyone (serving since 01/09), configure the phase, file October's reports."""
    h.config.tally.phases = [PHASE]
    w = World(h)
    for uid, name, role, path in (
        (AN, "Nguyễn Văn An", "leader", TEAM_A),
        (BINH, "Trần Thị Bình", "member", TEAM_A),
        (CUONG, "Lê Văn Cường", "leader", TEAM_B),
        (DUNG, "Phạm Văn Dũng", "officer", COMMUNE),
        (HUNG, "Đỗ Văn Hùng", "officer", OTHER_COMMUNE),
    ):
        w.ids[uid] = await h.add_member(uid, name, role, path)
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE memberships SET start_date = '2026-09-01'")
        for path in (TEAM_A, TEAM_B):
            unit = await units.get_by_path(tx, path)
            assert unit is not None
            w.teams[path] = unit.id
    for day in october():
        await w.report(AN, TEAM_A, "nil", day)
        await w.report(BINH, TEAM_A, "nil", day)
        if day <= "2026-10-15":
            await w.report(CUONG, TEAM_B, "nil", day)
    await w.report(AN, TEAM_A, "good_deed", "2026-10-10", GOOD_DEED)
    await w.report(AN, TEAM_A, "patrol", "2026-10-12", PATROL, mates=(BINH,))
    await w.report(BINH, TEAM_A, "tip", "2026-10-15", TIP)
    await w.report(CUONG, TEAM_B, "fire_rescue", "2026-10-20", FIRE)
    return w
