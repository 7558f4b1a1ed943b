"""The tally's 4.5 figures: the register of people under management, visits and reoffences.

- supervised: people on the team's register on some day of the period.
- reoffences: reoffences recorded by the leader or the commune police (never a visit's "signs
  of reoffending") dated in the period, withdrawn ones left out. Seed 000 note 4: "Trên địa
  bàn không để xảy ra trường hợp người đã vi phạm pháp luật tái phạm."
- visits_due: people whose visit falls due on a day of the period (every `visit_every_days`
  from their last visit before the period, else from the day they were put on the register;
  see `bot.people.supervised.due_in`), while they are still on the register that day.
- visits_done: of those, people visited (a reintegration report of their team naming their
  code) in the period on or before the day it fell due. Local practice, not in the plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from bot.people.supervised import due_in
from storage import supervised
from storage.db import Tx


class Counts(Protocol):
    """The 4.5 counts of a team's figures (`bot.tally.compute.Figures`)."""

    supervised: int
    reoffences: int
    visits_due: int
    visits_done: int


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


async def count_supervised(
    tx: Tx,
    path: str,
    start: date,
    end: date,
    teams: Mapping[int, Counts],
    visit_kind: str,
    every_default: int,
) -> None:
    """Add the register's figures of the subtree at `path` into each team's counts (rows of
    units that are not teams of this tally are skipped)."""
    for row in await supervised.for_tally(tx, path, start, end, visit_kind):
        figures = teams.get(int(row["unit_id"]))
        if figures is None:
            continue
        figures.supervised += 1
        figures.reoffences += int(row["reoffences"] or 0)
        since = date.fromisoformat(str(row["since"]))
        every = int(row["visit_every_days"] or every_default)
        due = due_in(since, _day(row["until_on"]), _day(row["last_before"]), every, start, end)
        if due is None:
            continue
        figures.visits_due += 1
        visited = _day(row["first_in"])
        if visited is not None and visited <= due:
            figures.visits_done += 1
