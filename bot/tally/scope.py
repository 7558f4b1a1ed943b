"""The WHERE of every tally query: the subtree, the period's dates and which days are due.

Shared by the figures (bot/tally/compute.py) and the files' report lists, so a workbook
lists exactly the reports its figures count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.core import dates
from bot.tally.periods import Period
from storage import tally as queries
from storage.subtree import in_scope
from storage.tally_tree import UnitThen


def elapsed_end(period: Period, now: datetime, deadline: time) -> date | None:
    """The last day of the period whose report deadline has passed, None if none has.

    Today counts only once its deadline is past, so a tally at noon does not call every
    member late for a day they may still report.
    """
    last_closed = now.date() if now.time() >= deadline else now.date() - timedelta(days=1)
    end = min(period.end, last_closed)
    return end if end >= period.start else None


def make_scope(
    path: str,
    period: Period,
    now: datetime,
    deadline: time,
    day_ends: time = time(6, 0),
    urgent_kinds: Sequence[str] = (),
) -> queries.Scope:
    """The subtree, dates and deadline every tally query filters on, and what makes a
    report late: filed once its reporting day ended (`[reports] day_ends_at` the next
    morning), unless its kind is urgent (a tip, a fire: never late)."""
    closed = elapsed_end(period, now, deadline)
    return queries.Scope(
        path=path,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        closed_end=closed.isoformat() if closed else None,
        deadline=dates.clock_seconds(deadline),
        day_ends=dates.clock_seconds(day_ends),
        urgent_kinds=tuple(urgent_kinds),
    )


def moved_out(tree: list[UnitThen], path: str) -> list[str]:
    """The current paths of units that were below `path` in the period but hang elsewhere
    now (moved by an org import since): the count queries range over today's paths, so they
    run once more for each (outermost only: a moved unit takes its subtree along)."""
    outside = sorted(u.current_path for u in tree if not in_scope(path, u.current_path))
    roots: list[str] = []
    for p in outside:
        if not roots or not in_scope(roots[-1], p):
            roots.append(p)
    return roots
