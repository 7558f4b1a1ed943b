"""A tally of a large subtree without its team lines: the communes' kept months, closed or
up to a closed day (bot/tally/snapshots.py), rolled up to the unit asked about.

Why: a country's month is 86,000 teams; counting and judging each on every /thongke took
9 s. The chat shows such a tally as its levels and a summary anyway (over `[tally]
phone_team_limit` teams), so it needs each commune's line, not each team's. The communes'
lines come from `tally_snapshots` when kept, else are computed here, one commune at a time;
the levels above are added up and judged exactly as `compute` does (`_roll_up`, `classify`),
so the figures are the same as a full tally's.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.core.collector import collector_paused
from bot.core.config import Config
from bot.tally import goals as unit_goals
from bot.tally import snapshots
from bot.tally.compute import LevelsOnly, RankedTeam, Tally, _Judging, compute, lines_of, rolled_up
from bot.tally.periods import Period
from storage import tally_snapshots, tally_tree, units
from storage.db import Tx
from storage.tally_tree import UnitThen
from storage.units import Unit

# A commune computed on its own costs about ten times its share of one count of every team
# (30 ms against 3 ms on the national benchmark), so past a tenth missing (a month just
# closed, an org import) counting every team is the quicker way.
MISSING_SHARE = 10


async def compute_levels(
    tx: Tx,
    unit: Unit,
    period: Period,
    config: Config,
    kinds: list[str],
    now: datetime,
    urgent_kinds: list[str],
    over: int,
) -> Tally | None:
    """`unit`'s tally for a reporting month up to a closed day (the whole month once closed)
    without team lines, when it covers more than `over` teams; None when it cannot be made
    so (another period, a last day whose deadline has not passed, fewer teams, a tree where
    teams sit beside other units, or too many communes' lines missing: `MISSING_SHARE`), and
    the caller counts teams."""
    key = snapshots.key_of(period)
    if key is None or not config.tally.snapshot_months:
        return None
    if not snapshots.is_closed(period, now, config):
        return None
    with collector_paused():
        tree = await tally_tree.tree_in_period(tx, unit.id, period.start, period.end)
        communes = _communes(tree, unit.id, over)
        if communes is None:
            return None
        settings = snapshots.settings_digest(config, kinds, urgent_kinds)
        kept = await tally_snapshots.read(tx, unit.path, *key, settings)
        if sum(1 for c in communes if c not in kept) > max(1, len(communes) // MISSING_SHARE):
            return None  # counting every team at once is quicker than that many communes
        lines = lines_of(tree, unit.id, teams=False)
        areas: dict[int, Counter[str]] = {}
        ranked: list[RankedTeam] = []
        ranked_count = 0
        for commune_id in communes:
            body = kept.get(commune_id)
            snap = snapshots.decode(body) if body is not None else None
            if snap is None:
                snap = await _compute_one(tx, commune_id, period, config, kinds, now, urgent_kinds)
            line = lines[commune_id]
            line.figures = snap.figures
            line.teams_meeting = snap.teams_meeting
            line.teams_applicable = snap.teams_applicable
            areas[commune_id] = Counter(snap.areas)
            ranked += snap.ranked
            ranked_count += snap.ranked_count
        book = await unit_goals.load(tx, config.tally, unit.path)
        every_area = sum(areas.values(), Counter())
        return rolled_up(
            lines,
            unit,
            period,
            config,
            kinds,
            now,
            _Judging(book),
            areas=areas,
            levels_only=LevelsOnly(
                teams=sum(1 for row in tree if row.leaf),
                ranked=tuple(sorted(ranked, key=RankedTeam.key)),
                ranked_count=ranked_count,
                areas=dict(every_area),
            ),
        )


def _communes(tree: list[UnitThen], root_id: int, over: int) -> list[int] | None:
    """The units directly above the teams, in path order, when every team sits in one that
    is not the root and has only teams below it, there are at least two, and the teams are
    more than `over`; else None."""
    teams = [row for row in tree if row.leaf]
    if len(teams) <= over:
        return None
    communes = {row.parent_id for row in teams}
    if root_id in communes or None in communes or len(communes) < 2:
        return None
    if any(not row.leaf and row.parent_id in communes for row in tree):
        return None  # a commune with a unit below it that has units of its own
    return [row.id for row in tree if row.id in communes]


async def _compute_one(
    tx: Tx,
    commune_id: int,
    period: Period,
    config: Config,
    kinds: list[str],
    now: datetime,
    urgent_kinds: list[str],
) -> snapshots.Snapshot:
    """A commune's line computed now (its kept one is missing or stale); not kept here: the
    caller may be reading a replica, and the refill keeps lines in transactions of its own."""
    commune = await units.get(tx, commune_id)
    if commune is None:  # gone since the tree was read in this same snapshot: never
        raise LookupError(commune_id)
    tally = await compute(tx, commune, period, config, kinds, now, urgent_kinds)
    return snapshots.of_tally(tally)
