"""The counts of one unit for a period: what a team's reports, members and urgent reports add
up to, and what a commune adds up from its teams.

Kept apart from `bot.tally.compute` (which fills and rolls them up) so the judging rules
(`bot.tally.judge`) read them without importing the counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
