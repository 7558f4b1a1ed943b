"""The 4.5 figures of a tally for a month worked out by hand (November 2026, visits every 30
days unless a person has their own rhythm).

Xã X
├─ Thôn A (member a1)
│  A1 since 01/09, last visited 20/10: due 19/11; visited 15/11 (typed "a1")    due, done
│  A2 since 10/10, never visited: due 09/11; visited 12/11, late; a withdrawn   due, not done
│     visit of 08/11 and a visit filed by Thôn B for "A2" do not count
│  A3 since 20/11: first due 20/12                                              on, not due
│  A4 15/06–31/10 (reoffence 05/10): off the register all month                 not counted
│  A5 since 01/08, never visited: due 31/08, 30/09, 30/10, 29/11; visited 02/11 due, done
│  Reoffences: A1 05/11 (counts), A1 28/10 (October), A2 07/11 withdrawn; a visit's
│  "signs of reoffending" is not a reoffence.
└─ Thôn B (member b1)
   B1 since 15/10, every 10 days, last visited 28/10: due 07/11; visited 06/11   due, done

Thôn A: supervised 4 (A1 A2 A3 A5), reoffences 1, visits due 3, done 2 (A1, A5).
Thôn B: supervised 1, reoffences 0, due 1, done 1. Xã X: 5, 1, 4, 3.
Seed 000 note 4 ("không để xảy ra trường hợp người đã vi phạm pháp luật tái phạm"): A fails
and so does X; B meets it. Visits on schedule (local, 100%): A 2/3 no, B 1/1 yes, X 3/4 no.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.config import Config
from bot.reports.forms import load_forms
from bot.tally.compute import compute
from bot.tally.periods import Period
from storage import members, reports, supervised, units
from storage.db import Store, Tx
from storage.stores import open_store
from tests.support import backend

X = "Tỉnh P/Xã X"
A, B = f"{X}/Thôn A", f"{X}/Thôn B"
NOW = datetime(2026, 12, 2, 10, 0)
NOVEMBER = Period("month", date(2026, 11, 1), date(2026, 11, 30), "2026-11")
KINDS = [c.key for c in load_forms(None).categories]
STAMP = "2026-01-01T08:00:00+07:00"


class World:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.unit: dict[str, int] = {}
        self.member: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self.seq = 0

    async def person(self, team: str, code: str, since: str, **extra: Any) -> None:
        self.people[code] = await supervised.add(
            self.tx,
            unit_id=self.unit[team],
            code=code,
            full_name=None,
            since=date.fromisoformat(since),
            every=extra.get("every"),
            by=None,
            now_iso=STAMP,
        )
        if "until" in extra:
            await supervised.end(self.tx, self.people[code], date.fromisoformat(extra["until"]))

    async def visit(self, who: str, person: str, day: str, **extra: Any) -> None:
        self.seq += 1
        member = await members.get(self.tx, self.member[who])
        assert member is not None
        data = {"date": day, "person": person, "reoffending_signs": extra.get("signs", False)}
        rid = await reports.create(
            self.tx,
            number=f"BC-2026-{self.seq:06d}",
            member_id=member.id,
            unit_id=member.unit_id,
            kind="reintegration",
            report_date=day,
            data=data,
            urgent=False,
            now_iso=f"{day}T10:00:00+07:00",
            edit_until_iso=f"{day}T21:00:00+07:00",
        )
        if extra.get("withdrawn"):
            await self.tx.execute("UPDATE reports SET status = 'withdrawn' WHERE id = ?", (rid,))

    async def reoffence(self, code: str, day: str, *, withdrawn: bool = False) -> None:
        rid = await supervised.add_reoffence(
            self.tx, self.people[code], date.fromisoformat(day), None, STAMP
        )
        if withdrawn:
            await supervised.withdraw_reoffence(self.tx, rid, None, STAMP)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    database = await open_store(await backend.location(str(tmp_path / "t.sqlite3")))
    async with database.transaction() as tx:
        w = World(tx)
        for path, kind in (("Tỉnh P", "Tỉnh"), (X, "Xã"), (A, "Thôn"), (B, "Thôn")):
            w.unit[path], _ = await units.upsert(tx, path, kind, None, "2026-01-01")
        for key, team in (("a1", A), ("b1", B)):
            w.member[key] = await members.create(tx, w.unit[team], "member", key, "vi", STAMP)
        await w.person(A, "A1", "2026-09-01")
        await w.person(A, "A2", "2026-10-10")
        await w.person(A, "A3", "2026-11-20")
        await w.person(A, "A4", "2026-06-15", until="2026-10-31")
        await w.person(A, "A5", "2026-08-01")
        await w.person(B, "B1", "2026-10-15", every=10)
        await w.visit("a1", "A1", "2026-10-20")
        await w.visit("a1", "a1", "2026-11-15", signs=True)
        await w.visit("a1", "A2", "2026-11-08", withdrawn=True)
        await w.visit("a1", "A2", "2026-11-12")
        await w.visit("b1", "A2", "2026-11-03")
        await w.visit("a1", "A5", "2026-11-02")
        await w.visit("b1", "B1", "2026-10-28")
        await w.visit("b1", "B1", "2026-11-06")
        await w.reoffence("A1", "2026-11-05")
        await w.reoffence("A1", "2026-10-28")
        await w.reoffence("A2", "2026-11-07", withdrawn=True)
        await w.reoffence("A4", "2026-10-05")
    yield database
    await database.close()


async def test_the_register_figures_of_a_hand_worked_month(db: Store) -> None:
    async with db.read() as tx:
        unit = await units.get_by_path(tx, X)
        assert unit is not None
        tally = await compute(tx, unit, NOVEMBER, Config(), KINDS, NOW)
    got = {
        u.name: (u.figures.supervised, u.figures.reoffences, u.figures.visits_due,
                 u.figures.visits_done)
        for u in tally.units
    }  # fmt: skip
    assert got == {"Xã X": (5, 1, 4, 3), "Thôn A": (4, 1, 3, 2), "Thôn B": (1, 0, 1, 1)}
    marks = {u.name: (u.targets["reoffences"].met, u.targets["visits"].met) for u in tally.units}
    assert marks == {"Xã X": (False, False), "Thôn A": (False, False), "Thôn B": (True, True)}
    assert tally.root.targets["visits"].value == pytest.approx(3 / 4)


async def test_a_team_with_nobody_on_the_register_is_not_judged(db: Store) -> None:
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM supervised_reoffences")
        await tx.execute("DELETE FROM supervised")
        unit = await units.get_by_path(tx, A)
        assert unit is not None
        tally = await compute(tx, unit, NOVEMBER, Config(), KINDS, NOW)
    assert tally.root.targets["reoffences"].met is None
    assert tally.root.targets["visits"].met is None
