"""The tally's rare-report figures: tips and fires through their life, reoffending, households.

What is counted, and why (targets in `TallyTargets`, sources quoted there):

- A tip or fire marked the same incident as another ("duplicate") is counted once: the
  report it repeats counts, the duplicate is left out of every urgent figure and of the
  per-kind report counts. Withdrawn reports are left out of everything, as everywhere.
- Tips received: the period's tips, duplicates excluded.
- Taken up ("thụ lý", seed 003's 100%): acknowledged by an officer at all.
- Taken up in time: acknowledged within `tip_ack_minutes` of `alert_at`, when the first alert
  was due (for a non-urgent tip held through the night, the morning, not the filing time).
- Resolution rate (seed 003's "tỷ lệ giải quyết … trên 90%"): tips the police brought to an
  outcome, that is resolved, forwarded to the competent body or found unfounded, over tips
  received. Forwarding and "no basis" are outcomes of handling a tip (the police decided on
  it), not failures to; a tip still received, acknowledged or verifying is "still open".
- Fires attended in time (seed 000's 100%): fires the officer confirmed in time, over fires
  the officer confirmed either way; fires not yet confirmed are counted and shown, never
  guessed. The member's own "arrived in time" answer stays a figure (`fire_in_time` over
  `fire_mobilised`) but no longer decides the target: a team cannot game it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.core.config import TallySection
from storage import tally as queries
from storage import tally_urgent
from storage.db import Tx


class Counts(Protocol):
    """What this module reads of a team's figures (`bot.tally.compute.Figures`, which
    imports this module) besides the counts it sets by name."""

    by_kind: dict[str, int]
    tips_duplicate: int
    tips_acked_in_time: int
    fires_duplicate: int


async def count_flagged(
    tx: Tx,
    scope: queries.Scope,
    teams: Mapping[int, Counts],
    settings: TallySection,
    minutes: Mapping[int, int] | None = None,
) -> None:
    """Fill each team's figures of the kinds that feed targets, in one pass over them, and
    take the duplicates out of the tip and fire report counts. `minutes`: a team's own tip
    take-up limit where its goals override `tip_ack_minutes` (one more sum per limit)."""
    src = settings.sources

    def yes(field: str) -> str:
        """The report's yes/no answer `field` is yes (field names are validated keys)."""
        return f"json_extract(r.data, '$.{field}') = 1"

    expressions = tally_urgent.urgent_expressions(
        tip="{1}",
        fire="{0}",
        minutes="{2}",
        mobilised_field=src.fire_mobilised_field,
        in_time_field=src.fire_in_time_field,
    )
    default = settings.targets.tip_ack_minutes
    own = minutes or {}
    extra = {
        f"in_time_{m}": f"{expressions['tips_acked']} AND {tally_urgent.ACK_MINUTES} <= {int(m)}"
        for m in sorted(set(own.values()) - {default})
    }
    rare = (src.fire_kind, src.tip_kind)
    params = (*rare, default)
    for r in await queries.flagged_per_unit(tx, scope, rare, {**expressions, **extra}, params):
        unit_id = r["unit_id"]
        figures = teams.get(unit_id)
        if figures is None:
            continue
        for name in expressions:
            setattr(figures, name, int(r[name] or 0))
        limit = own.get(unit_id, default)
        if limit != default:
            figures.tips_acked_in_time = int(r[f"in_time_{limit}"] or 0)
        _uncount(figures, src.tip_kind, figures.tips_duplicate)
        _uncount(figures, src.fire_kind, figures.fires_duplicate)


def _uncount(figures: Counts, kind: str, duplicates: int) -> None:
    """Count an incident reported twice once in the reports per kind."""
    if not duplicates:
        return
    left = figures.by_kind.get(kind, 0) - duplicates
    if left > 0:
        figures.by_kind[kind] = left
    else:
        figures.by_kind.pop(kind, None)
