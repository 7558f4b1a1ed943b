"""Per-team tallies against the movement's targets, rolled up any unit subtree.

SQL counts (storage/tally.py); this module turns the counts of each team into target results
and a suggested rating, and adds teams up into communes, provinces or whatever levels the
unit tree has. Figures are sums, so a commune's shares are computed from its teams' sums,
never averaged from their percentages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.core.config import Config, TallySection
from bot.core.roles import REPORTING_ROLES, role_names
from bot.tally import goals as unit_goals
from bot.tally.goals import GoalBook
from bot.tally.judge import TargetResult, evaluate, suggest_rating, team_count_goals
from bot.tally.periods import Period, months_in
from bot.tally.scope import elapsed_end, make_scope, moved_out
from bot.tally.target_counts import count_targets
from bot.tally.urgent import count_flagged
from storage import tally as queries
from storage import tally_tree
from storage.db import Tx
from storage.units import Unit

RATING_LEVELS = ("excellent", "good", "done", "not_done")


@dataclass
class Figures:
    """Counts that add up across teams: a commune's figures are the sum of its teams'."""

    teams: int = 0
    members: int = 0  # reporting members (member, leader, deputy) serving on some day of it
    reporters: int = 0  # of those, who filed a report or nil report while serving there
    by_kind: dict[str, int] = field(default_factory=dict)  # reports per kind, nil included
    late: int = 0  # reports filed after their reporting day ended (urgent ones never late)
    expected_days: int = 0  # member-days a report was due (elapsed since joining, not on leave)
    on_time_days: int = 0  # of those, member-days with a report or nil report by the deadline
    patrol_members: int = 0  # active members on at least one patrol, as reporter or team-mate
    fire_mobilised: int = 0  # the member's answers (bot/tally/urgent.py: duplicates left out)
    fire_in_time: int = 0
    fires: int = 0
    fires_duplicate: int = 0  # the same incident as another report: counted there only
    fires_confirmed: int = 0  # the officer confirmed whether the force arrived in time
    fires_confirmed_in_time: int = 0
    tips: int = 0
    tips_duplicate: int = 0
    tips_acked: int = 0
    tips_acked_in_time: int = 0  # within tip_ack_minutes of the first alert being due
    tips_resolved: int = 0
    tips_forwarded: int = 0
    tips_unfounded: int = 0
    tips_open: int = 0
    models_recognised: int = 0  # 4.2: models recognised at district level or above, so far
    businesses_violating: int = 0  # 4.4: conditional businesses found violating the rules
    weapons_cases: int = 0  # 4.4: illegal weapons, explosives or support tools found
    households: int = 0  # households of the units whose count is known
    households_informed: int = 0  # 4.4: of those, households whose residents' info is given
    supervised: int = 0  # 4.5: people on the register on some day of the period
    reoffences: int = 0  # 4.5: reoffences recorded (not "signs") dated in the period
    visits_due: int = 0  # 4.5: register people due a visit in the period
    visits_done: int = 0  # ... of those, visited as due
    serious_accidents: int = 0  # 4.6: serious traffic accidents in the team's area
    commended: int = 0  # 4.7: commendations ticked for the team or its members, counting here
    good_deeds_required: int = 0
    # Count targets' goals added up (a commune's is the sum of its teams', each team's its own
    # goal after overrides): "no reoffence" in each team is none in the commune.
    count_goals: dict[str, float] = field(default_factory=dict)
    unreachable: int = 0  # serving members who blocked the bot everywhere (open periods only)

    def add(self, other: Figures) -> None:
        """Add a team's (or a sub-unit's) counts into this total."""
        mine, theirs = self.__dict__, other.__dict__
        for name in _COUNTS:
            mine[name] += theirs[name]
        by_kind = self.by_kind
        for kind, n in other.by_kind.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
        goals = self.count_goals
        for key, goal in other.count_goals.items():
            goals[key] = goals.get(key, 0.0) + goal

    @property
    def reports(self) -> int:
        """All reports in the period, nil reports included."""
        return sum(self.by_kind.values())

    @property
    def compliance(self) -> float | None:
        """Share of due member-days covered by a report on time; None when nothing was due."""
        return self.on_time_days / self.expected_days if self.expected_days else None

    @property
    def tips_settled(self) -> int:
        """Tips brought to an outcome (resolved, forwarded, unfounded): the resolution rate's
        numerator."""
        return self.tips_resolved + self.tips_forwarded + self.tips_unfounded


_COUNTS = tuple(
    name for name in Figures.__dataclass_fields__ if name not in ("by_kind", "count_goals")
)


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

    @property
    def met_count(self) -> tuple[int, int]:
        """(targets met, targets applicable), used to rank teams and to rate them."""
        met = applicable = 0
        for result in self.targets.values():
            if result.met is not None:
                applicable += 1
                met += result.met
        return met, applicable


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
    reports of `urgent_kinds` are never counted late."""
    settings = config.tally
    src = settings.sources
    rc = config.reports
    scope = make_scope(unit.path, period, now, rc.deadline, rc.day_ends_at, urgent_kinds)
    tree = await tally_tree.tree_in_period(tx, unit.id, period.start, period.end)
    root_depth = next((u.path.count("/") for u in tree if u.id == unit.id), 0)
    units: dict[int, UnitTally] = {}
    households: dict[int, int | None] = {}
    for row in tree:
        units[row.id] = UnitTally(
            unit_id=row.id,
            parent_id=row.parent_id,
            name=row.name,
            path=row.path,
            kind=row.kind,
            depth=row.path.count("/") - root_depth,
            is_team=row.leaf,
        )
        households[row.id] = row.households
    teams = {uid: u.figures for uid, u in units.items() if u.is_team}

    book = await unit_goals.load(tx, settings, unit.path)
    minutes = {uid: book.goals(units[uid].path).tip_ack_minutes for uid in teams}
    moved = tuple(moved_out(tree, unit.path))  # in the subtree then, elsewhere now
    for moved_since in moved:
        await _count(tx, replace(scope, path=moved_since), teams, settings, kinds, minutes)
    await _count(tx, scope, teams, settings, kinds, minutes)
    for uid, figures in teams.items():
        team = units[uid]
        goals = book.goals(team.path)
        figures.teams = 1
        figures.good_deeds_required = goals.good_deeds_per_month * months_in(period)
        known = households[uid]
        if known is None:
            figures.households_informed = 0  # not comparable without a household count
        else:
            figures.households = int(known)
            figures.households_informed = min(figures.households_informed, figures.households)
        figures.count_goals = team_count_goals(figures, goals, months_in(period))
        team.targets = evaluate(figures, goals, src.good_deed_kind)
        team.rating = suggest_rating(team, settings) if figures.members else None
    ordered = sorted(units.values(), key=lambda u: (u.depth, u.path))
    _roll_up(ordered, units, book, src.good_deed_kind)
    root = units[unit.id]
    return Tally(
        root=root,
        units=ordered,
        period=period,
        kinds=kinds,
        elapsed_end=elapsed_end(period, now, config.reports.deadline),
        generated_at=now,
        current_path=unit.path,
        moved_paths=moved,
        goals=book,
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
    for r in rows:
        figures = teams.get(r["unit_id"])
        if figures is None:
            continue
        figures.members = r["members"]
        figures.expected_days = r["expected_days"] or 0
        figures.reporters = r["reporters"] or 0
        figures.on_time_days = r["on_time_days"] or 0
        figures.patrol_members = r["patrol_members"] or 0
        figures.unreachable = r["unreachable"] or 0
    await count_flagged(tx, scope, teams, settings, minutes)
    await count_targets(tx, scope, teams, src)


def _roll_up(
    ordered: list[UnitTally], units: dict[int, UnitTally], book: GoalBook, good: str
) -> None:
    """Add each unit into the one directly above it, deepest first, then evaluate them all.

    A unit is complete when its turn comes (everything deeper was added before), so each
    unit is added once, whatever the depth of the tree.
    """
    for unit in reversed(ordered):
        if not unit.is_team:
            unit.targets = evaluate(unit.figures, book.goals(unit.path), good)
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
