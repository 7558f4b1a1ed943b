"""Which goals apply to a unit: the defaults of `[tally.targets]`, overridden per subtree.

The plans leave targets to each locality ("giao chỉ tiêu cụ thể … phù hợp với tình hình địa
phương", KH phát động phong trào thi đua đặc biệt, BCĐ 138 huyện Bắc Sơn (10/2024)), so a
commune or province may set any goal for its subtree: in the config (`[[tally.overrides]]`)
or with a command (`antt-bot targets set`, /chitieu), stored in `target_overrides`. For each
key the nearest unit up the tree that sets it wins; on one unit, a command's value wins over
the config's (it is the newer word of the people in charge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.config import TallySection, TallyTargets
from storage import target_overrides
from storage.db import Tx
from storage.subtree import SEPARATOR, in_scope
from storage.target_overrides import StoredGoal

Origin = Literal["config", "command"]


@dataclass(frozen=True)
class Applied:
    """One goal set for a subtree: the key, its value, the unit it was set on, and how (the
    config file, or a command with who and when)."""

    key: str
    value: float
    unit_path: str
    origin: Origin
    by: str = ""
    at: str = ""


def ancestors(path: str) -> list[str]:
    """The unit at `path` and every unit above it, nearest first."""
    parts = path.split(SEPARATOR)
    return [SEPARATOR.join(parts[:n]) for n in range(len(parts), 0, -1)]


class GoalBook:
    """The goals of every unit of one tally (or one /chitieu answer), computed once per unit."""

    def __init__(
        self,
        defaults: TallyTargets,
        configured: dict[str, dict[str, float]],
        stored: list[StoredGoal],
    ) -> None:
        """Index the overrides by unit path: `configured` maps a path to its goals."""
        self.defaults = defaults
        self._at: dict[str, dict[str, Applied]] = {}
        for path, goals in configured.items():
            for key, value in goals.items():
                self._at.setdefault(path, {})[key] = Applied(key, value, path, "config")
        for g in stored:  # after the config: a command's value wins on the same unit
            self._at.setdefault(g.path, {})[g.key] = Applied(
                g.key, g.value, g.path, "command", g.set_by, g.set_at
            )
        self._cache: dict[str, TallyTargets] = {}

    def applied(self, path: str) -> dict[str, Applied]:
        """The overrides that apply to the unit at `path`, by key (the nearest unit's)."""
        found: dict[str, Applied] = {}
        for above in ancestors(path):
            for key, entry in self._at.get(above, {}).items():
                found.setdefault(key, entry)
        return found

    def goals(self, path: str) -> TallyTargets:
        """The goals the unit at `path` is judged against."""
        if not self._at:
            return self.defaults  # no override anywhere: every unit has the defaults
        cached = self._cache.get(path)
        if cached is None:
            applied = self.applied(path)
            if applied:
                values = {k: a.value for k, a in applied.items()}
                cached = self.defaults.model_copy(update=_typed(values))
            else:
                cached = self.defaults
            self._cache[path] = cached
        return cached

    def entries(self, root: str) -> list[Applied]:
        """The overrides that bear on a tally of `root`: set on it, above it or below it; by
        unit path then key (the workbook lists them)."""
        above = set(ancestors(root))
        return [
            e
            for path in sorted(self._at)
            if path in above or in_scope(root, path)
            for e in self._at[path].values()
        ]

    @property
    def any(self) -> bool:
        """Whether some unit's goals differ from the defaults."""
        return bool(self._at)


def _typed(values: dict[str, float]) -> dict[str, float | int]:
    """Values with each key's own type (counts and minutes are whole numbers)."""
    fields = TallyTargets.model_fields
    return {k: int(v) if fields[k].annotation is int else float(v) for k, v in values.items()}


def configured(settings: TallySection) -> dict[str, dict[str, float]]:
    """The config's overrides by unit path (a path listed twice: the later entry wins)."""
    out: dict[str, dict[str, float]] = {}
    for entry in settings.overrides:
        out.setdefault(entry.unit.strip(SEPARATOR), {}).update(entry.goals)
    return out


async def load(tx: Tx, settings: TallySection, path: str) -> GoalBook:
    """The goals for a tally of the subtree at `path`: the config's overrides and the stored
    ones on the unit, above it and below it."""
    stored = await target_overrides.around(tx, path)
    return GoalBook(settings.targets, configured(settings), stored)
