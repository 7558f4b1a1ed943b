"""The ranked shortlist of an occasion: best teams and members of a unit, with evidence.

Teams are ranked as the tally ranks them (`Tally.ranked`: share of targets met, targets met,
daily compliance), over the occasion's period. Members are ranked by a score of what they
did, weighted as local practice (not in the plans): a good deed or a fire response 3, a tip
2, a patrol 1, then by the share of served days they reported on. Every line carries the
numbers of the reports behind it, so whoever signs the list can check each one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.commend.occasions import Occasion
from bot.core.config import Config
from bot.core.roles import REPORTING_ROLES, role_names
from bot.reports.forms import Forms
from bot.tally.compute import Tally, compute
from storage import commend_counts, commendations
from storage.commend_counts import Kinds
from storage.db import Row, Tx
from storage.units import Unit

WEIGHTS = {"good_deed": 3, "fire": 3, "tip": 2, "patrol": 1}  # local practice
EVIDENCE_ORDER = ("good_deed", "fire", "tip", "patrol")


@dataclass(frozen=True)
class Evidence:
    """One kind of achievement: how many, and the first report numbers."""

    key: str  # good_deed | fire | tip | patrol
    count: int
    numbers: tuple[str, ...]


@dataclass
class Candidate:
    """A team (member_id None) or a member of a team, as the list shows and exports them."""

    team_id: int
    member_id: int | None
    name: str
    team_name: str
    role: str = ""  # members: their role in the team (Role value)
    met: tuple[int, int] | None = None  # teams: targets met of applicable
    compliance: float | None = None  # teams: daily compliance; members: days reported
    evidence: list[Evidence] = field(default_factory=list)
    ticked: bool = False
    reason: str = ""

    @property
    def key(self) -> tuple[int, int | None]:
        """What a tick is stored under: the team and the member (None: the team)."""
        return (self.team_id, self.member_id)


@dataclass
class Shortlist:
    """Teams then members, numbered 1.. in that order (a typed '1 3 5' names them)."""

    occasion: Occasion
    unit: Unit
    teams: list[Candidate]
    members: list[Candidate]
    # Each team's unit above it (its commune), as the tally shows it: the list's "đơn vị".
    above: dict[int, str] = field(default_factory=dict)

    @property
    def entries(self) -> list[Candidate]:
        """Every line in the order it is numbered."""
        return [*self.teams, *self.members]

    def find(self, team_id: int, member_id: int | None) -> Candidate | None:
        """The line of a team or member, None when it is not on the list."""
        return next((c for c in self.entries if c.key == (team_id, member_id)), None)

    @property
    def ticked(self) -> list[Candidate]:
        """The proposals, in list order."""
        return [c for c in self.entries if c.ticked]


def kinds_of(config: Config) -> Kinds:
    """The report kinds behind each achievement, as the tally's sources name them."""
    src = config.tally.sources
    return Kinds(src.good_deed_kind, src.tip_kind, src.fire_kind, src.patrol_kind)


async def build(
    tx: Tx, unit: Unit, occasion: Occasion, config: Config, forms: Forms, now: datetime
) -> Shortlist:
    """Rank the teams and members under `unit` for `occasion`; proposals already ticked stay
    on the list even when they fall out of the top."""
    kinds = [c.key for c in forms.categories]
    urgent = [c.key for c in forms.categories if c.urgent]
    tally = await compute(tx, unit, occasion.period, config, kinds, now, urgent)
    ticked = {
        (t.unit_id, t.member_id): t.reason
        for t in await commendations.ticked_under(tx, occasion.code, unit.path)
    }
    settings = config.commend
    teams = _teams(tally, ticked, settings.top_teams)
    members = await _members(tx, tally, occasion, config, ticked, now.date())
    names = {u.unit_id: u.name for u in tally.units}
    above = {
        t.unit_id: names.get(t.parent_id, unit.name) if t.parent_id is not None else unit.name
        for t in tally.teams
    }
    shortlist = Shortlist(occasion, unit, teams, members, above)
    for candidate in shortlist.entries:
        candidate.ticked = candidate.key in ticked
        candidate.reason = ticked.get(candidate.key, "")
    await _evidence(tx, shortlist, config)
    return shortlist


def _teams(tally: Tally, ticked: dict[tuple[int, int | None], str], top: int) -> list[Candidate]:
    """The best `top` teams with members in the period, and any other team already ticked."""
    ranked = [u for u in tally.ranked() if u.figures.members]
    keep = [u for i, u in enumerate(ranked) if i < top or (u.unit_id, None) in ticked]
    return [
        Candidate(
            team_id=u.unit_id,
            member_id=None,
            name=u.name,
            team_name=u.name,
            met=u.met_count,
            compliance=u.figures.compliance,
        )
        for u in keep
    ]


def score(row: Row) -> int:
    """A member's weighted achievements (WEIGHTS, local practice)."""
    return (
        WEIGHTS["good_deed"] * int(row["good_deeds"])
        + WEIGHTS["fire"] * int(row["fires"])
        + WEIGHTS["tip"] * int(row["tips"])
        + WEIGHTS["patrol"] * int(row["patrols"])
    )


async def _members(
    tx: Tx,
    tally: Tally,
    occasion: Occasion,
    config: Config,
    ticked: dict[tuple[int, int | None], str],
    today: date,
) -> list[Candidate]:
    """The best members (anyone with something to show), and any other already ticked."""
    period = occasion.period
    until = min(period.end, today - timedelta(days=1))
    rows = await commend_counts.member_counts(
        tx,
        tally.query_path,
        period.start.isoformat(),
        period.end.isoformat(),
        until.isoformat(),
        kinds_of(config),
        role_names(REPORTING_ROLES),
    )
    teams = {u.unit_id: u.name for u in tally.teams}

    def days_share(row: Row) -> float:
        """Share of served days with a report, 0 when none was due yet."""
        served = int(row["served_days"])
        return int(row["report_days"]) / served if served > 0 else 0.0

    scored = [r for r in rows if int(r["unit_id"]) in teams]
    scored.sort(key=lambda r: (-score(r), -days_share(r), str(r["full_name"]), r["member_id"]))
    top = config.commend.top_members
    keep = [
        r
        for i, r in enumerate(scored)
        if (i < top and score(r) > 0) or (int(r["unit_id"]), int(r["member_id"])) in ticked
    ]
    return [
        Candidate(
            team_id=int(r["unit_id"]),
            member_id=int(r["member_id"]),
            name=str(r["full_name"]),
            team_name=teams[int(r["unit_id"])],
            role=str(r["role"]),
            compliance=days_share(r) if int(r["served_days"]) > 0 else None,
            evidence=[
                Evidence(key, int(r[column]), ())
                for key, column in zip(
                    EVIDENCE_ORDER, ("good_deeds", "fires", "tips", "patrols"), strict=True
                )
                if int(r[column])
            ],
        )
        for r in keep
    ]


async def _evidence(tx: Tx, shortlist: Shortlist, config: Config) -> None:
    """Fill in the report numbers: good deeds and fires of each team; each member's own."""
    kinds = kinds_of(config)
    by_kind = {
        kinds.good_deed: "good_deed",
        kinds.fire: "fire",
        kinds.tip: "tip",
        kinds.patrol: "patrol",
    }
    start, end = shortlist.occasion.start.isoformat(), shortlist.occasion.end.isoformat()
    cap = config.commend.evidence_numbers
    team_rows = await commend_counts.team_numbers(
        tx, [c.team_id for c in shortlist.teams], start, end, [kinds.good_deed, kinds.fire]
    )
    for team in shortlist.teams:
        mine = [r for r in team_rows if int(r["unit_id"]) == team.team_id]
        team.evidence = _gather(mine, by_kind, cap)
    member_rows = await commend_counts.member_numbers(
        tx, [c.member_id for c in shortlist.members if c.member_id], start, end, list(by_kind)
    )
    for member in shortlist.members:
        mine = [
            r
            for r in member_rows
            if int(r["member_id"]) == member.member_id and int(r["unit_id"]) == member.team_id
        ]
        gathered = {e.key: e.numbers for e in _gather(mine, by_kind, cap)}
        member.evidence = [
            Evidence(e.key, e.count, gathered.get(e.key, ())) for e in member.evidence
        ]


def _gather(rows: list[Row], by_kind: dict[str, str], cap: int) -> list[Evidence]:
    """Rows of (kind, number) as evidence per achievement, in EVIDENCE_ORDER."""
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(by_kind[str(r["kind"])], []).append(str(r["number"]))
    return [
        Evidence(key, len(found[key]), tuple(found[key][:cap]))
        for key in EVIDENCE_ORDER
        if key in found
    ]


Translate = Callable[..., str]


def summary(c: Candidate, t: Translate) -> str:
    """The 'thành tích tóm tắt' of a line: targets and compliance, then each achievement
    with its report numbers, e.g. 'Việc tốt (2): BC-2025-000123, BC-2025-000130'."""
    parts: list[str] = []
    if c.met is not None:
        parts.append(t("commend.targets_met", met=c.met[0], of=c.met[1]))
    if c.compliance is not None:
        key = "commend.compliance" if c.member_id is None else "commend.days_reported"
        parts.append(t(key, share=round(c.compliance * 100)))
    for e in c.evidence:
        numbers = ", ".join(e.numbers)
        more = e.count - len(e.numbers)
        if more > 0:
            numbers += t("commend.more_numbers", count=more)
        parts.append(t(f"commend.evidence_{e.key}", count=e.count, numbers=numbers))
    return "; ".join(parts)
