"""A computed tally laid out for the page: its totals, its targets with ✓/✗, the units
directly below it, and (for a team) its members' days on time.

Values are written by the chat's own writer (bot/tally/text.py `TallyWriter`) and names by
the same `Labels`, so the page reads exactly as /thongke and the workbook do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import TARGET_KEYS
from bot.core.roles import role_label
from bot.core.targets import target
from bot.tally.compute import Tally, TargetResult, UnitTally
from bot.tally.labels import Labels, percent
from bot.tally.members import MemberLine
from bot.tally.text import TallyWriter

UNIT_KINDS = {
    "province": "Tỉnh",
    "district": "Huyện",
    "commune": "Xã",
    "village": "Thôn, tổ",
}


@dataclass(frozen=True)
class TargetRow:
    """One target of the unit: content number, name, result, goal, met, and for a unit
    above the teams how many of its teams meet it."""

    content: str
    name: str
    local: bool
    value: str
    goal: str
    met: bool | None
    teams: str


@dataclass(frozen=True)
class UnitRow:
    """One unit directly below: its key figures and how many targets it meets and misses."""

    unit_id: int
    name: str
    kind: str
    is_team: bool
    teams: int
    members: int
    reporters: int
    compliance: str
    reports: int
    late: int
    met: int
    missed: int
    rating: str


@dataclass(frozen=True)
class MemberRow:
    """One member of a team page: days due, days on time, reports."""

    name: str
    role: str
    expected: int
    on_time: int
    compliance: str
    reports: int


def goal_text(result: TargetResult) -> str:
    """The goal as the plan words it: '> 90%', '≥ 1', '≤ 0'."""
    t = target(result.key)
    sign = {">": ">", ">=": "≥", "<=": "≤"}.get(t.op, t.op)
    amount = percent(result.goal) if t.measure != "count" else str(int(result.goal))
    return f"{sign} {amount}"


def target_rows(tally: Tally, labels: Labels) -> list[TargetRow]:
    """The unit's targets in the plans' order, those with nothing to judge included (—)."""
    writer = TallyWriter(labels)
    root = tally.root
    rows = []
    for key in TARGET_KEYS:
        result = root.targets.get(key)
        if result is None:
            continue
        plan = target(key)
        teams = ""
        if not root.is_team:
            applicable = root.teams_applicable.get(key, 0)
            teams = f"{root.teams_meeting.get(key, 0)}/{applicable}"
        rows.append(
            TargetRow(
                content=plan.content,
                name=labels.target(key),
                local=not plan.from_seed,
                value=writer.target_value(result),
                goal=goal_text(result),
                met=result.met,
                teams=teams,
            )
        )
    return rows


def rating_of(unit: UnitTally, labels: Labels) -> str:
    """A team's suggested rating, a unit's suggested class ('—' when it has none)."""
    writer = TallyWriter(labels)
    if unit.is_team:
        return writer.rating(unit.rating)
    return writer.class_name(unit.movement_class)


def class_of(unit: UnitTally, labels: Labels) -> str:
    """The unit's suggested class in words; empty when it has none (no rated area)."""
    return TallyWriter(labels).class_name(unit.movement_class) if unit.movement_class else ""


def unit_rows(tally: Tally, labels: Labels) -> list[UnitRow]:
    """The units directly below the tally's unit, in path order."""
    rows = []
    for unit in tally.children(tally.root):
        f = unit.figures
        met, applicable = unit.met_count
        rows.append(
            UnitRow(
                unit_id=unit.unit_id,
                name=unit.name,
                kind=UNIT_KINDS.get(unit.kind, unit.kind),
                is_team=unit.is_team,
                teams=f.teams,
                members=f.members,
                reporters=f.reporters,
                compliance=percent(f.compliance),
                reports=f.reports,
                late=f.late,
                met=met,
                missed=applicable - met,
                rating=rating_of(unit, labels),
            )
        )
    return rows


def kind_counts(tally: Tally, labels: Labels) -> list[tuple[str, int]]:
    """Reports per kind, the kinds with none left out (all of them when there are none)."""
    f = tally.root.figures
    present = [k for k in tally.kinds if f.by_kind.get(k)] or tally.kinds
    return [(labels.kind(k), f.by_kind.get(k, 0)) for k in present]


def area_classes(tally: Tally, labels: Labels) -> list[tuple[str, int]]:
    """How the residential areas below a unit fall in the four classes (none for a team)."""
    if tally.root.is_team:
        return []
    writer = TallyWriter(labels)
    return [(writer.class_name(k), n) for k, n in tally.area_counts().items()]


def member_rows(lines: list[MemberLine], labels: Labels) -> list[MemberRow]:
    """A team's members as the workbook's member sheet counts them."""
    return [
        MemberRow(
            name=line.name,
            role=role_label(line.role, labels.locale) if line.role else "",
            expected=line.expected_days,
            on_time=line.on_time_days,
            compliance=percent(line.compliance),
            reports=line.reports,
        )
        for line in lines
    ]
