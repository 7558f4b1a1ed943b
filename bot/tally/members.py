"""Each member's line in a tally's per-member sheet: team, role, days due and on time,
reports per kind and patrols, for everyone who served in the period (not only today's).

A member who served in two teams in the period has a line in each, with that team's days
only, so a team's lines add up to its own figures on the team sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.config import Config
from bot.core.roles import REPORTING_ROLES, role_names
from bot.tally.compute import Tally
from bot.tally.scope import make_scope
from storage import tally_members as queries
from storage.db import Tx


@dataclass
class MemberLine:
    """One member in one team over the period."""

    unit_id: int
    member_id: int
    name: str
    role: str
    expected_days: int
    on_time_days: int
    by_kind: dict[str, int] = field(default_factory=dict)
    patrols: int = 0  # as the reporter or as a team-mate the reporter picked

    @property
    def compliance(self) -> float | None:
        """Share of due days covered on time; None when no day was due."""
        return self.on_time_days / self.expected_days if self.expected_days else None

    @property
    def reports(self) -> int:
        """Every report the member filed for the team in the period, nil reports included."""
        return sum(self.by_kind.values())


async def member_lines(
    tx: Tx, tally: Tally, config: Config, urgent_kinds: tuple[str, ...] = ()
) -> list[MemberLine]:
    """The lines of every reporting member who served under the tally's unit in its period,
    in team path order then by name; units moved out of the subtree since are read at their
    paths of today (`Tally.query_paths`) and kept only if they were in the tally."""
    rc = config.reports
    patrol = config.tally.sources.patrol_kind
    known = {u.unit_id for u in tally.units}
    lines: dict[tuple[int, int], MemberLine] = {}
    order: list[tuple[int, int]] = []
    for path in tally.query_paths:
        scope = make_scope(
            path, tally.period, tally.generated_at, rc.deadline, rc.day_ends_at, urgent_kinds
        )
        roles = role_names(REPORTING_ROLES)
        for r in await queries.days_per_member(tx, scope, roles):
            key = (int(r["unit_id"]), int(r["member_id"]))
            if key[0] not in known or key in lines:
                continue
            order.append(key)
            lines[key] = MemberLine(
                unit_id=key[0],
                member_id=key[1],
                name=str(r["full_name"]),
                role=str(r["role"] or ""),
                expected_days=int(r["expected"] or 0),
                on_time_days=int(r["on_time"] or 0),
            )
        for r in await queries.reports_per_member(tx, scope):
            line = lines.get((int(r["unit_id"]), int(r["member_id"])))
            if line is not None:
                line.by_kind[str(r["kind"])] = int(r["n"])
        for r in await queries.patrols_joined(tx, scope, patrol):
            line = lines.get((int(r["unit_id"]), int(r["member_id"])))
            if line is not None:
                line.patrols += int(r["n"])
    for line in lines.values():
        line.patrols += line.by_kind.get(patrol, 0)
    rank = {u.unit_id: i for i, u in enumerate(tally.units)}
    order.sort(key=lambda k: rank.get(k[0], 0))  # stable: names stay sorted within a team
    return [lines[key] for key in order]
