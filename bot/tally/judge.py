"""Targets and ratings of one unit: its figures against its goals, the way the plans word them.

Kept apart from `bot.tally.compute` (counting and rolling up) so the rules of judging, which
change with the plans, live in one place.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from bot.core.config import TallySection, TallyTargets
from bot.core.targets import BY_KEY as CATALOGUE_BY_KEY
from bot.core.targets import CATALOGUE, TARGET_KEYS


class Figures(Protocol):
    """What judging reads of a unit's counts (`bot.tally.compute.Figures`, which imports
    this module: named here by shape, so the two never import each other)."""

    by_kind: dict[str, int]
    count_goals: dict[str, float]
    good_deeds_required: int
    members: int
    patrol_members: int
    tips: int
    tips_acked: int
    tips_acked_in_time: int
    models_recognised: int
    fires_confirmed: int
    fires_confirmed_in_time: int
    businesses_violating: int
    weapons_cases: int
    households: int
    households_informed: int
    supervised: int
    reoffences: int
    visits_due: int
    visits_done: int
    serious_accidents: int
    commended: int
    on_time_days: int
    expected_days: int

    @property
    def tips_settled(self) -> int:
        """Tips brought to an outcome: the resolution rate's numerator."""

    @property
    def compliance(self) -> float | None:
        """Share of due member-days reported on time; None when nothing was due."""


class UnitTally(Protocol):
    """What rating reads of a team's line (`bot.tally.compute.UnitTally`)."""

    @property
    def figures(self) -> Figures:
        """The team's counts."""

    @property
    def targets(self) -> dict[str, TargetResult]:
        """The team's targets, judged."""

    @property
    def met_count(self) -> tuple[int, int]:
        """(targets met, targets applicable)."""


class TargetResult(NamedTuple):
    """One target for one unit: the measured value, the goal, and whether it was met.

    `met` is None when the target does not apply (no tips this period, households unknown).
    Values are shares (0..1) except good deeds and reoffending, which are counts. A named
    tuple: a province tally makes 40,000 of them.
    """

    key: str
    value: float | None
    goal: float
    met: bool | None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def team_count_goals(figures: Figures, goals: TallyTargets, months: int) -> dict[str, float]:
    """A team's goals of the count targets for a period of `months` months: good deeds are
    per month, the others per period (a model, no reoffence)."""
    out: dict[str, float] = {}
    for t in CATALOGUE:
        if t.measured and t.measure == "count":
            out[t.key] = float(getattr(goals, t.goal_field))
    out["good_deeds"] = float(figures.good_deeds_required or goals.good_deeds_per_month * months)
    return out


def evaluate(figures: Figures, goals: TallyTargets, good_deed_kind: str) -> dict[str, TargetResult]:
    """Each of the movement's targets for one unit, compared the way the plan words it
    (`bot.core.targets`); N/A where there is nothing to judge. Count targets compare with
    `figures.count_goals` (a team's own goals, summed up a roll-up); shares with `goals`."""
    need = figures.count_goals
    informed = _share(figures.households_informed, figures.households)
    values: dict[str, float | None] = {
        "tips_acked": _share(figures.tips_acked, figures.tips),
        "tips_in_time": _share(figures.tips_acked_in_time, figures.tips),
        "tips_resolved": _share(figures.tips_settled, figures.tips),
        "models": figures.models_recognised,
        "fire_in_time": _share(figures.fires_confirmed_in_time, figures.fires_confirmed),
        "businesses": figures.businesses_violating,
        "residents_info": min(informed, 1.0) if informed is not None else None,
        "weapons": figures.weapons_cases,
        "reoffences": figures.reoffences if figures.supervised or figures.reoffences else None,
        "visits": _share(figures.visits_done, figures.visits_due),
        "patrol": _share(figures.patrol_members, figures.members),
        "serious_accidents": figures.serious_accidents,
        "good_deeds": figures.by_kind.get(good_deed_kind, 0) + figures.commended,
        "compliance": _share(figures.on_time_days, figures.expected_days),
    }
    results: dict[str, TargetResult] = {}
    for key in TARGET_KEYS:
        t = CATALOGUE_BY_KEY[key]
        value = values[key]
        if t.measure == "count":
            goal = need.get(key, float(getattr(goals, t.goal_field)))
            if key == "good_deeds" and not goal:
                results[key] = TargetResult(key, value, goal, None)  # nothing asked of it
                continue
        else:
            goal = float(getattr(goals, t.goal_field))
        results[key] = TargetResult(key, value, goal, t.met(value, goal))
    return results


def suggest_rating(team: UnitTally, settings: TallySection) -> str:
    """The first configured level whose rules the team meets; always shown as a suggestion."""
    met, applicable = team.met_count
    share = met / applicable if applicable else 0.0
    compliance = team.figures.compliance or 0.0
    for rule in settings.ratings:
        required_ok = all(team.targets[k].met is not False for k in rule.required)
        if (
            required_ok
            and share >= rule.min_targets_met - 1e-9
            and compliance >= rule.min_compliance - 1e-9
        ):
            return rule.level
    return "not_done"
