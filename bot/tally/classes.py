"""The plans' four-level classification of residential areas and communes, as a suggestion.

Seed wording (Lục Ngạn programme): "phân loại phong trào toàn dân bảo vệ an ninh Tổ quốc theo
4 loại (tốt, khá, trung bình, yếu)". The rules are local practice (`[[tally.classes]]`,
`bot.core.config_classes`). Runs on the tally after the roll-up: a residential area (the unit
one team serves) is judged on its own targets; a commune, or any unit above the teams, on the
classes of the residential areas below it and on its own rolled-up targets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.core.config_classes import CLASS_LEVELS, ClassRule


class _Result(Protocol):
    @property
    def met(self) -> bool | None:
        """Whether the target was met; None where it does not apply."""


class _Counts(Protocol):
    @property
    def members(self) -> int:
        """Reporting members serving in the period: a team without any is not rated."""


class UnitTally(Protocol):
    """What classifying reads off a tally line (`bot.tally.compute.UnitTally`), named here so
    this module does not import the one that calls it."""

    unit_id: int
    parent_id: int | None
    is_team: bool
    movement_class: str | None

    @property
    def figures(self) -> _Counts:
        """The unit's counts (only the members are read)."""

    @property
    def targets(self) -> Mapping[str, _Result]:
        """The unit's target results by catalogue key."""

    @property
    def met_count(self) -> tuple[int, int]:
        """(targets met, targets applicable)."""


GOOD_LEVELS = frozenset({"tot", "kha"})
WEAK = "yeu"


def _targets_share(unit: UnitTally) -> float:
    met, applicable = unit.met_count
    return met / applicable if applicable else 0.0


def _musts_met(unit: UnitTally, rule: ClassRule) -> bool:
    return all(unit.targets[key].met is not False for key in rule.must_meet if key in unit.targets)


def area_class(unit: UnitTally, rules: Sequence[ClassRule]) -> str:
    """A residential area's level: the first "area" rule its own targets satisfy, else yếu.

    Why the area's own targets: the plans set the targets per team, and one team serves one
    thôn or tổ dân phố, so the area stands or falls with what its team achieved.
    """
    share = _targets_share(unit)
    for rule in rules:
        if rule.scope == "area" and share >= rule.min_targets_met - 1e-9 and _musts_met(unit, rule):
            return rule.level
    return WEAK


def commune_class(unit: UnitTally, areas: Counter[str], rules: Sequence[ClassRule]) -> str | None:
    """A commune's level from its areas' classes and its own targets; None with no rated area.

    Why both: a commune whose villages all do well but where a reoffence happened is not
    "tốt", and one good village does not carry twenty weak ones.
    """
    rated = sum(areas.values())
    if not rated:
        return None
    good = (areas["tot"] + areas["kha"]) / rated
    weak = areas[WEAK] / rated
    share = _targets_share(unit)
    for rule in rules:
        if (
            rule.scope == "commune"
            and good >= rule.min_areas_good - 1e-9
            and weak <= rule.max_areas_weak + 1e-9
            and share >= rule.min_targets_met - 1e-9
            and _musts_met(unit, rule)
        ):
            return rule.level
    return WEAK


def classify(
    ordered: Sequence[UnitTally],
    rules: Sequence[ClassRule],
    areas: Mapping[int, Mapping[str, int]] | None = None,
) -> None:
    """Set `movement_class` on every unit of a rolled-up tally (`ordered` by depth, root first).

    Deepest first, like the roll-up, so each unit's count of area classes is complete when
    its turn comes. A team without members is not rated and counts for no class. `areas`:
    the area classes of units whose teams are not in `ordered` (a tally without team lines).
    """
    below: dict[int, Counter[str]] = {k: Counter(v) for k, v in (areas or {}).items()}
    known = {u.unit_id for u in ordered}
    for unit in reversed(ordered):
        above = unit.parent_id if unit.parent_id in known else None
        if unit.is_team:  # its own class, counted straight into the unit above
            unit.movement_class = area_class(unit, rules) if unit.figures.members else None
            if unit.movement_class and above is not None:
                below.setdefault(above, Counter())[unit.movement_class] += 1
            continue
        mine = below.setdefault(unit.unit_id, Counter())
        unit.movement_class = commune_class(unit, mine, rules)
        if above is not None:
            below.setdefault(above, Counter()).update(mine)


def areas_by_level(teams: Sequence[UnitTally]) -> dict[str, int]:
    """How many residential areas fall in each level, best first, for the chat summary."""
    counts = Counter(t.movement_class for t in teams if t.movement_class)
    return {level: counts[level] for level in CLASS_LEVELS}
