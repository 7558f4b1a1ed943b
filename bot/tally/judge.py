"""Targets and ratings of one unit: its figures against its goals, the way the plans word them.

Kept apart from `bot.tally.compute` (counting and rolling up) so the rules of judging, which
change with the plans, live in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from bot.core.config import TallySection, TallyTargets
from bot.core.targets import BY_KEY as CATALOGUE_BY_KEY
from bot.core.targets import CATALOGUE, TARGET_KEYS
from bot.tally.figures import Figures


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


class Rule(NamedTuple):
    """One measured target with the goal `goals` set for it (a count target's goal is the
    default a unit's own summed goals override)."""

    key: str
    met: Callable[[float | None, float], bool | None]  # the target's `TargetDef.met`
    is_count: bool
    goal: float


def rules_of(goals: TallyTargets) -> tuple[Rule, ...]:
    """Every measured target with its goal, in catalogue order: worked out once per goals
    (a province's 5,000 teams share a handful of them) rather than once per team and target."""
    return tuple(
        Rule(key, t.met, t.measure == "count", float(getattr(goals, t.goal_field)))
        for key in TARGET_KEYS
        for t in (CATALOGUE_BY_KEY[key],)
    )


def count_goals_of(goals: TallyTargets) -> dict[str, float]:
    """The count targets' goals of `goals` for one period, good deeds left to the caller
    (they are per month): what `team_count_goals` copies for each team."""
    return {
        t.key: float(getattr(goals, t.goal_field))
        for t in CATALOGUE
        if t.measured and t.measure == "count"
    }


def team_count_goals(
    figures: Figures, goals: TallyTargets, months: int, base: dict[str, float] | None = None
) -> dict[str, float]:
    """A team's goals of the count targets for a period of `months` months: good deeds are
    per month, the others per period (a model, no reoffence). `base`: `count_goals_of(goals)`
    when the caller keeps it."""
    out = dict(count_goals_of(goals) if base is None else base)
    out["good_deeds"] = float(figures.good_deeds_required or goals.good_deeds_per_month * months)
    return out


def evaluate(
    figures: Figures,
    goals: TallyTargets,
    good_deed_kind: str,
    rules: tuple[Rule, ...] | None = None,
) -> dict[str, TargetResult]:
    """Each of the movement's targets for one unit, compared the way the plan words it
    (`bot.core.targets`); N/A where there is nothing to judge. Count targets compare with
    `figures.count_goals` (a team's own goals, summed up a roll-up); shares with `goals`.
    `rules`: `rules_of(goals)` when the caller keeps it (a province judges 5,000 teams)."""
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
    for key, met, is_count, goal in rules_of(goals) if rules is None else rules:
        value = values[key]
        if is_count:
            goal = need.get(key, goal)
            if key == "good_deeds" and not goal:
                results[key] = _result((key, value, goal, None))  # nothing asked of it
                continue
        results[key] = _result((key, value, goal, met(value, goal)))
    return results


def _result(fields: tuple[str, float | None, float, bool | None]) -> TargetResult:
    """A TargetResult made straight from its fields, without the named tuple's Python-level
    constructor: a province makes 70,000 of them."""
    return _NEW_TUPLE(TargetResult, fields)


_NEW_TUPLE = tuple.__new__


class Rated(Protocol):
    """What a suggested rating reads of a team's line (`bot.tally.compute.UnitTally`)."""

    figures: Figures
    targets: dict[str, TargetResult]

    @property
    def met_count(self) -> tuple[int, int]:
        """(targets met, targets applicable)."""
        ...


def suggest_rating(team: Rated, settings: TallySection) -> str:
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
