"""The tally's figures of targets fed by rarer answers: 4.2 models, 4.4 households informed,
violating businesses and illegal weapons, 4.6 serious traffic accidents.

What is counted, and why (the plans' words are in `bot.core.targets`):

- Models (4.2, "ít nhất 01 mô hình … được Công an cấp huyện trở lên biểu dương, ghi nhận"):
  distinct models (by name, compared without case or diacritics) a team reported recognised
  at district level or above ([tally.sources] model_levels) on or before the period's end.
  A model recognised stays in effect: one recognised last year still counts this month.
- Households informed (4.4, "cung cấp trên 90% thông tin về nhân khẩu"): the team's latest
  running total up to the period's end, never a sum (a household re-checked counts once),
  capped at the unit's household count; unknown when the unit's count is unknown.
- Businesses and weapons (4.4): the period's reports with the yes/no flag set.
- Serious traffic accidents (4.6): the period's tips and patrol reports with the flag set; a
  tip marked a duplicate of another is counted once. An accident both tipped and patrolled is
  two reports: either way the target ("không để xảy ra") is missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.core.config import TallySources
from bot.core.folding import fold
from storage import tally_targets
from storage.db import Tx
from storage.tally import Scope


class Counts(Protocol):
    """What this module sets on a team's figures (`bot.tally.compute.Figures`)."""

    models_recognised: int
    businesses_violating: int
    weapons_cases: int
    households_informed: int
    serious_accidents: int


async def count_targets(
    tx: Tx, scope: Scope, teams: Mapping[int, Counts], src: TallySources
) -> None:
    """Fill each team's figures of the targets fed by rarer answers (module docstring)."""
    models: dict[int, set[str]] = {}
    for row in await tally_targets.recognised_models(
        tx, scope, src.outreach_kind, src.model_name_field, src.model_level_field, src.model_levels
    ):
        name = fold(str(row["name"] or ""))
        if name and row["unit_id"] in teams:
            models.setdefault(row["unit_id"], set()).add(name)
    for unit_id, names in models.items():
        teams[unit_id].models_recognised = len(names)
    for row in await tally_targets.latest_values(
        tx, scope, src.admin_kind, src.households_informed_field
    ):
        figures = teams.get(row["unit_id"])
        value = tally_targets.typed_value(row["typed"])
        if figures is not None and isinstance(value, int) and not isinstance(value, bool):
            figures.households_informed = max(0, value)
    flags: list[tuple[str, tuple[str, ...], str]] = [
        ("serious_accidents", (src.tip_kind, src.patrol_kind), src.accident_field)
    ]
    admin = (
        ("businesses_violating", src.business_violation_field),
        ("weapons_cases", src.weapons_field),
    )
    if tally_targets.reads_admin_index(src.admin_kind):
        await _admin_flags(tx, scope, teams, admin)
    else:
        flags.extend((name, (src.admin_kind,), field) for name, field in admin)
    for name, kinds, field in flags:
        for row in await tally_targets.flagged_count(tx, scope, kinds, field):
            figures = teams.get(row["unit_id"])
            if figures is not None:
                setattr(figures, name, int(row["n"]))


async def _admin_flags(
    tx: Tx, scope: Scope, teams: Mapping[int, Counts], admin: Sequence[tuple[str, str]]
) -> None:
    """Both yes/no flags of the default administrative kind from one read of its reports;
    `admin`: (figure, answer field) pairs."""
    rows = await tally_targets.admin_flags(tx, scope, [field for _, field in admin])
    for row in rows:
        figures = teams.get(row["unit_id"])
        if figures is not None:
            for i, (name, _) in enumerate(admin):
                setattr(figures, name, int(row[f"n{i}"] or 0))
