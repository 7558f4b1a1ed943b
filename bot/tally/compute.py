"""Per-team tallies against the movement's targets, rolled up any unit subtree.

SQL counts (storage/tally.py); this module turns the counts of each team into target results
and a suggested rating, and adds teams up into communes, provinces or whatever levels the
unit tree has. Figures are sums, so a commune's shares are computed from its teams' sums,
never averaged from their percentages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.core.collector import collector_paused
from bot.core.config import Config, TallySection, TallyTargets
from bot.core.roles import REPORTING_ROLES, role_names
from bot.tally import goals as unit_goals
from bot.tally.classes import areas_by_level, classify
from bot.tally.figures import Figures
from bot.tally.goals import GoalBook
from bot.tally.judge import (
    Rule,
    TargetResult,
    count_goals_of,
    evaluate,
    rules_of,
    suggest_rating,
    team_count_goals,
)
from bot.tally.periods import Period, months_in
from bot.tally.scope import elapsed_end, make_scope, moved_out
from bot.tally.supervised import count_supervised
from bot.tally.target_counts import count_targets
from bot.tally.urgent import count_flagged
from storage import commendations, tally_tree
from storage import tally as queries
from storage.db import Tx
from storage.tally_tree import UnitThen
from storage.units import Unit

RATING_LEVELS = ("excellent", "good", "done", "not_done")


@dataclass
class UnitTally:
    """One unit's line: its figures, its targets and, for teams, a suggested rating."""

    unit_id: int
    parent_id: int | None
    name: str
    path: str
    kind: str
    depth: int  # 0 for the unit asked about
    is_team: bool
    figures: Figures = field(default_factory=Figures)
    targets: dict[str, TargetResult] = field(default_factory=dict)
    teams_meeting: dict[str, int] = field(default_factory=dict)  # roll-ups: teams meeting each
    teams_applicable: dict[str, int] = field(default_factory=dict)  # ...out of teams it applies to
    rating: str | None = None  # teams only: a key of RATING_LEVELS, always a suggestion
    movement_class: str | None = None  # tốt/khá/trung bình/yếu (bot/tally/classes.py), suggested

    @property
    def met_count(self) -> tuple[int, int]:
        """(targets met, targets applicable), used to rank teams and to rate them."""
        met = applicable = 0
        for result in self.targets.values():
            if result.met is not None:
                applicable += 1
                met += result.met
        return met, applicable


@dataclass(frozen=True)
class RankedTeam:
    """A team as the ranking of a tally sees it: enough to order and name it."""

    unit_id: int
    name: str  # as the tally names it: qualified by its commune ("Thôn 4 (Xã A)")
    path: str
    met: int
    applicable: int
    compliance: float

    def key(self) -> tuple[float, float, float, str]:
        """The order of `Tally.ranked`: share met, targets met, compliance (all descending),
        then the path."""
        share = self.met / self.applicable if self.applicable else 0.0
        return (-share, -self.met, -self.compliance, self.path)


@dataclass(frozen=True)
class LevelsOnly:
    """What a tally without team lines (bot/tally/levels.py) says of its teams."""

    teams: int  # the team lines left out
    ranked: tuple[RankedTeam, ...]  # candidates, best first: each commune's best and weakest
    ranked_count: int  # teams with members: the length of the whole ranking
    areas: dict[str, int]  # the teams' movement classes, counted


@dataclass
class Tally:
    """The answer to /tally: the unit asked about, every unit below it, and the period."""

    root: UnitTally
    units: list[UnitTally]  # root first, then by depth and path
    period: Period
    kinds: list[str]  # report kinds in form order, nil last
    elapsed_end: date | None  # last day whose deadline has passed, None if none has
    generated_at: datetime
    current_path: str = ""  # the root's path today (units show as they were, queries range now)
    moved_paths: tuple[str, ...] = ()  # today's paths of units in the subtree then, not now
    goals: GoalBook | None = None  # the goals that applied, per unit (overrides included)
    levels_only: LevelsOnly | None = None  # set when the team lines were left out

    def area_counts(self) -> dict[str, int]:
        """How many residential areas (teams) fall in each class, best first: counted from
        the team lines, or kept with the communes' lines when those were left out."""
        counts = areas_by_level(self.teams)
        if self.levels_only is not None:
            return {level: self.levels_only.areas.get(level, 0) for level in counts}
        return counts

    @property
    def team_count(self) -> int:
        """How many teams the tally covers, with or without their lines."""
        return self.levels_only.teams if self.levels_only else len(self.teams)

    @property
    def query_path(self) -> str:
        """The subtree the report queries range over: the root's path today."""
        return self.current_path or self.root.path

    @property
    def query_paths(self) -> tuple[str, ...]:
        """Every subtree the report lists read: the root's, then each unit moved out since
        (`moved_paths`, rare), whose rows the caller keeps only for units of this tally."""
        return (self.query_path, *self.moved_paths)

    def names_then(self) -> dict[int, tuple[str, str]]:
        """Each unit's (name, path) as the tally shows it, as it was at the period's end:
        the files list reports under these, not under a name given since."""
        return {u.unit_id: (u.name, u.path) for u in self.units}

    @property
    def teams(self) -> list[UnitTally]:
        """The team lines, in path order."""
        return [u for u in self.units if u.is_team]

    def level(self, depth: int) -> list[UnitTally]:
        """The units at one depth below the root (0 = the root itself)."""
        return [u for u in self.units if u.depth == depth]

    @property
    def depths(self) -> list[int]:
        """The depths present, root first."""
        return sorted({u.depth for u in self.units})

    def children(self, unit: UnitTally) -> list[UnitTally]:
        """The units directly below one unit, for drill-down and the chart."""
        return [u for u in self.units if u.parent_id == unit.unit_id]

    def ranked(self) -> list[UnitTally]:
        """Teams best first: most targets met, then share met, then compliance, then name."""

        def key(u: UnitTally) -> tuple[float, float, float, str]:
            """Sort key: descending share met, targets met and compliance; then the path."""
            met, applicable = u.met_count
            share = met / applicable if applicable else 0.0
            return (-share, -met, -(u.figures.compliance or 0.0), u.path)

        return sorted(self.teams, key=key)


@dataclass(frozen=True)
class RawReport:
    """One report as the workbook's raw sheet lists it (scoped and period-filtered already)."""

    number: str
    report_date: date
    filed_at: datetime  # local time, naive
    unit_name: str
    unit_path: str
    reporter: str
    kind: str
    late: bool
    acknowledged_at: datetime | None
    data: dict[str, object]


async def compute(
    tx: Tx,
    unit: Unit,
    period: Period,
    config: Config,
    kinds: list[str],
    now: datetime,
    urgent_kinds: Sequence[str] = (),
) -> Tally:
    """Count every team below `unit` for `period`, evaluate targets, roll up every level;
    reports of `urgent_kinds` are never counted late. The cyclic garbage collector waits
    meanwhile (bot/core/collector.py): a country's tally is a million acyclic objects."""
    with collector_paused():
        settings = config.tally
        src = settings.sources
        rc = config.reports
        scope = make_scope(unit.path, period, now, rc.deadline, rc.day_ends_at, urgent_kinds)
        tree = await tally_tree.tree_in_period(tx, unit.id, period.start, period.end)
        units = lines_of(tree, unit.id)
        households = {row.id: row.households for row in tree}
        teams = {uid: u.figures for uid, u in units.items() if u.is_team}

        book = await unit_goals.load(tx, settings, unit.path)
        minutes = {uid: book.goals(units[uid].path).tip_ack_minutes for uid in teams}
        moved = tuple(moved_out(tree, unit.path))  # in the subtree then, elsewhere now
        for moved_since in moved:
            await _count(tx, replace(scope, path=moved_since), teams, settings, kinds, minutes)
        await _count(tx, scope, teams, settings, kinds, minutes)
        for path in (*moved, unit.path):
            await count_supervised(
                tx,
                path,
                period.start,
                period.end,
                teams,
                src.reintegration_kind,
                config.supervised.visit_every_days,
            )
        months = months_in(period)
        judging = _Judging(book)
        for uid, figures in teams.items():
            team = units[uid]
            goals = book.goals(team.path)
            rules, base = judging.of(goals)
            figures.teams = 1
            figures.good_deeds_required = goals.good_deeds_per_month * months
            known = households[uid]
            if known is None:
                figures.households_informed = 0  # not comparable without a household count
            else:
                figures.households = int(known)
                figures.households_informed = min(figures.households_informed, figures.households)
            figures.count_goals = team_count_goals(figures, goals, months, base)
            team.targets = evaluate(figures, goals, src.good_deed_kind, rules)
            team.rating = suggest_rating(team, settings) if figures.members else None
        return rolled_up(units, unit, period, config, kinds, now, judging, moved_paths=moved)


def lines_of(tree: list[UnitThen], root_id: int, *, teams: bool = True) -> dict[int, UnitTally]:
    """An empty line for each unit of the tree as it stood (without the teams unless
    `teams`), by id, its depth counted from the root's."""
    root_depth = next((u.path.count("/") for u in tree if u.id == root_id), 0)
    return {
        row.id: UnitTally(
            unit_id=row.id,
            parent_id=row.parent_id,
            name=row.name,
            path=row.path,
            kind=row.kind,
            depth=row.path.count("/") - root_depth,
            is_team=row.leaf,
        )
        for row in tree
        if teams or not row.leaf
    }


def rolled_up(
    units: dict[int, UnitTally],
    unit: Unit,
    period: Period,
    config: Config,
    kinds: list[str],
    now: datetime,
    judging: _Judging,
    *,
    moved_paths: tuple[str, ...] = (),
    areas: Mapping[int, Mapping[str, int]] | None = None,
    levels_only: LevelsOnly | None = None,
) -> Tally:
    """The tally of `unit` once the lowest lines of `units` hold their figures (and teams
    their targets): every line added into the one above, judged and classed (`areas`: the
    classes of the areas of lines whose teams are not listed), in depth and path order."""
    ordered = sorted(units.values(), key=lambda u: (u.depth, u.path))
    _roll_up(ordered, units, judging, config.tally.sources.good_deed_kind)
    classify(ordered, config.tally.classes, areas)
    return Tally(
        root=units[unit.id],
        units=ordered,
        period=period,
        kinds=kinds,
        elapsed_end=elapsed_end(period, now, config.reports.deadline),
        generated_at=now,
        current_path=unit.path,
        moved_paths=moved_paths,
        goals=judging.book,
        levels_only=levels_only,
    )


async def _count(
    tx: Tx,
    scope: queries.Scope,
    teams: dict[int, Figures],
    settings: TallySection,
    kinds: list[str],
    minutes: dict[int, int],
) -> None:
    """Fill each team's figures from the aggregate queries (rows of other units skipped);
    `minutes`: each team's tip take-up limit (its goals may differ)."""
    src = settings.sources
    for counts in await queries.reports_per_unit(tx, scope, kinds):
        figures = teams.get(counts.pop("unit_id"))
        if figures is None:
            continue
        figures.late = counts.pop("late")
        figures.by_kind = {kind: n for kind, n in counts.items() if n}
    reporters = role_names(REPORTING_ROLES)
    still_open = scope.closed_end != scope.end  # today's state shows only while it is open
    rows = await queries.members_per_unit(
        tx, scope, src.patrol_kind, reporters, unreachable=still_open
    )
    for unit_id, members, expected, reported, on_time, patrol, unreachable in rows:
        figures = teams.get(unit_id)  # the columns in `members_per_unit`'s order
        if figures is None:
            continue
        figures.members = members
        figures.expected_days = expected or 0
        figures.reporters = reported or 0
        figures.on_time_days = on_time or 0
        figures.patrol_members = patrol or 0
        figures.unreachable = unreachable or 0
    await count_flagged(tx, scope, teams, settings, minutes)
    await count_targets(tx, scope, teams, src)
    for uid, n in (await commendations.per_unit(tx, scope.path, scope.start, scope.end)).items():
        if uid in teams:
            teams[uid].commended = n  # 4.7: proposals whose occasion ended in the period


class _Judging:
    """The targets' rules and count goals of each goals a tally's units are judged against,
    worked out once per goals rather than once per unit (the goals of one compute live in
    its `GoalBook`, so they are told apart by identity)."""

    def __init__(self, book: GoalBook) -> None:
        self.book = book
        self._of: dict[int, tuple[tuple[Rule, ...], dict[str, float]]] = {}

    def of(self, goals: TallyTargets) -> tuple[tuple[Rule, ...], dict[str, float]]:
        """The rules of `goals` and their count goals (good deeds left to the team)."""
        found = self._of.get(id(goals))
        if found is None:
            found = self._of[id(goals)] = (rules_of(goals), count_goals_of(goals))
        return found

    def evaluate(self, unit: UnitTally, good: str) -> dict[str, TargetResult]:
        """A roll-up unit's targets against its own goals."""
        goals = self.book.goals(unit.path)
        return evaluate(unit.figures, goals, good, self.of(goals)[0])


def _roll_up(
    ordered: list[UnitTally], units: dict[int, UnitTally], judging: _Judging, good: str
) -> None:
    """Add each unit into the one directly above it, deepest first, then evaluate them all.

    A unit is complete when its turn comes (everything deeper was added before), so each
    unit is added once, whatever the depth of the tree.
    """
    for unit in reversed(ordered):
        if not unit.is_team:
            unit.targets = judging.evaluate(unit, good)
        above = units.get(unit.parent_id) if unit.parent_id is not None else None
        if above is None:
            continue
        above.figures.add(unit.figures)
        meeting, applicable = above.teams_meeting, above.teams_applicable
        if unit.is_team:
            for key, result in unit.targets.items():
                if result.met is not None:
                    applicable[key] = applicable.get(key, 0) + 1
                    meeting[key] = meeting.get(key, 0) + result.met
        else:
            for key, n in unit.teams_applicable.items():
                applicable[key] = applicable.get(key, 0) + n
            for key, n in unit.teams_meeting.items():
                meeting[key] = meeting.get(key, 0) + n
