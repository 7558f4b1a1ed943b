"""Months of communes, kept: what lets a country's tally add up 3,321 communes rather than
count and judge 86,000 teams on each request.

A snapshot is the line of one unit directly above teams (a commune) in the tally of a
reporting month up to a day whose deadline has passed (the month's last once it has
closed; `periods.month_through` for the month still running), as `compute` gives it for
that unit: its summed figures, how many of its teams meet each target, how its residential
areas fall in the plans' classes, and its best and weakest teams. A tally of a larger
subtree (bot/tally/levels.py) rolls these up exactly as `compute` rolls up teams, so both
give the same figures.

Why only up to a closed day: a period's figures stop moving once the deadline of its last
day has passed (compliance counts elapsed days); until then every day moves them with no
write. A line of the running month counts no report dated after its day, so the evening's
reports for today leave it alone; each day's deadline makes the next day's lines due.
Why it stays right: the triggers of migrations 024 and 025 delete, in the writing
transaction, every kept line a change may alter, and `refill` computes the missing ones in
short transactions of their own; a tally computes whatever is missing itself, so a missing
line costs time, never truth. Lines computed under other settings (targets, deadline,
forms) are never read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime

from bot.core.config import Config
from bot.core.engine import Services
from bot.tally.compute import RankedTeam, Tally, UnitTally, compute
from bot.tally.figures import Figures
from bot.tally.periods import Period, month, month_through
from bot.tally.scope import elapsed_end
from bot.tally.text import RANKED_SHOWN
from storage import tally_snapshots, units
from storage.stores import Store

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the body's shape or the tally's rules change: old lines are not read
RANKED_KEPT = RANKED_SHOWN  # each commune's best and weakest kept: as many as a tally names
# `[tally]` settings that change how a tally is shown or kept, not its figures.
_NOT_FIGURES = {
    "phone_team_limit",
    "raw_rows_limit",
    "file_team_limit",
    "details_roles",
    "csv_style",
    "snapshot_months",
    "snapshot_every_minutes",
}


@dataclass(frozen=True)
class Snapshot:
    """One commune's closed month, as a larger tally rolls it up."""

    figures: Figures
    teams_meeting: dict[str, int]
    teams_applicable: dict[str, int]
    areas: dict[str, int]  # its teams' movement classes, counted
    ranked: tuple[RankedTeam, ...]  # its best and weakest teams with members, best first
    ranked_count: int  # its teams with members (those the ranking orders)


def settings_digest(config: Config, kinds: list[str], urgent_kinds: list[str]) -> str:
    """A digest of everything besides the data a closed month's figures depend on; a kept
    line is read only under the digest it was computed with."""
    parts = {
        "format": FORMAT,
        "tally": config.tally.model_dump(mode="json", exclude=_NOT_FIGURES),
        "deadline": str(config.reports.deadline),
        "day_ends": str(config.reports.day_ends_at),
        "supervised": config.supervised.model_dump(mode="json"),
        "kinds": kinds,
        "urgent": urgent_kinds,
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def key_of(period: Period) -> tuple[str, str] | None:
    """The `month` and `through` columns of a reporting month, whole or up to a day
    (('2026-11', '2026-11-29')); None for other periods."""
    if period.kind != "month":
        return None
    return period.whole_code[1:], period.end.isoformat()


def is_closed(period: Period, now: datetime, config: Config) -> bool:
    """Whether the deadline of the period's last day has passed: its figures stop moving."""
    return elapsed_end(period, now, config.reports.deadline) == period.end


def closed_part(period: Period, now: datetime, config: Config) -> Period | None:
    """A reporting month still running, up to its last day whose deadline has passed (what a
    country's tally of it counts, `bot/tally/prepared.py`); None for another period, a month
    already closed, or one with no such day yet."""
    if period.kind != "month" or period.cut_short:
        return None
    last = elapsed_end(period, now, config.reports.deadline)  # within the period, or None
    if last is None or last == period.end:
        return None
    return month_through(period, last)


def of_tally(tally: Tally) -> Snapshot:
    """The snapshot of a commune's own tally (`tally.root` is the commune)."""
    root = tally.root
    with_members = [t for t in tally.ranked() if t.figures.members]
    best = with_members[:RANKED_KEPT]
    shown = {t.unit_id for t in best}
    picked = best + [t for t in with_members[-RANKED_KEPT:] if t.unit_id not in shown]
    ranked = tuple(_ranked(t, root.name) for t in picked)
    areas = Counter(t.movement_class for t in tally.teams if t.movement_class)
    return Snapshot(
        figures=root.figures,
        teams_meeting=dict(root.teams_meeting),
        teams_applicable=dict(root.teams_applicable),
        areas=dict(areas),
        ranked=ranked,
        ranked_count=len(with_members),
    )


def _ranked(team: UnitTally, commune: str) -> RankedTeam:
    """A team as a larger tally ranks and names it (with its commune, as `display_names`
    does once a tally spans several communes)."""
    met, applicable = team.met_count
    name = f"{team.name} ({commune})"
    compliance = team.figures.compliance or 0.0
    return RankedTeam(team.unit_id, name, team.path, met, applicable, compliance)


def encode(snapshot: Snapshot) -> str:
    """The body kept in `tally_snapshots` (JSON)."""
    body = asdict(snapshot)
    body["ranked"] = [list(asdict(t).values()) for t in snapshot.ranked]
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Snapshot | None:
    """A kept body back (`encode`'s inverse); None when it is not one (kept by a version
    whose figures had other fields without bumping `FORMAT`): the caller computes it."""
    try:
        body = json.loads(text)
        return Snapshot(
            figures=Figures(**body["figures"]),
            teams_meeting=body["teams_meeting"],
            teams_applicable=body["teams_applicable"],
            areas=body["areas"],
            ranked=tuple(RankedTeam(*t) for t in body["ranked"]),
            ranked_count=body["ranked_count"],
        )
    except (ValueError, TypeError, KeyError):
        log.warning("tally snapshot unreadable")
        return None


def kept_periods(now: datetime, config: Config, count: int) -> list[Period]:
    """What the communes keep, newest first: the month still running up to its last closed
    day (when it has one), then the last `count` reporting months whose last deadline has
    passed."""
    starts_on = config.tally.month_starts_on
    running = closed_part(month(now.date(), starts_on), now, config)
    found: list[Period] = [] if running is None else [running]
    closed = 0
    offset = 0
    while closed < count:
        period = month(now.date(), starts_on, offset)
        if is_closed(period, now, config):
            found.append(period)
            closed += 1
        offset -= 1
    return found


async def refill(
    db: Store,
    config: Config,
    kinds: list[str],
    urgent_kinds: list[str],
    now: datetime,
) -> int:
    """Compute the missing lines of the running month up to its last closed day and of the
    last `[tally] snapshot_months` closed months, each commune in a write transaction of its
    own (its reading and its keeping in one, so no change slips between them); returns how
    many were kept. Keeps none where the whole database has no more teams than both chat
    limits (`bot/tally/levels.py` reads lines only for a tally over that many)."""
    if not config.tally.snapshot_months:
        return 0
    limits = config.tally
    async with db.read() as tx:
        teams = await tally_snapshots.team_count(tx)
    if teams <= max(limits.phone_team_limit, limits.file_team_limit):
        return 0  # no tally here covers enough teams to read them (a province's database)
    kept = 0
    for period in kept_periods(now, config, config.tally.snapshot_months):
        kept += await refill_month(db, config, kinds, urgent_kinds, now, period)
    if kept:
        log.info("tally snapshots kept", extra={"count": kept})
    return kept


async def refill_month(
    db: Store,
    config: Config,
    kinds: list[str],
    urgent_kinds: list[str],
    now: datetime,
    period: Period,
) -> int:
    """`refill` for one reporting month, whole or up to a day, once that day has closed."""
    key = key_of(period)
    if key is None or not is_closed(period, now, config):
        return 0
    code, through = key
    settings = settings_digest(config, kinds, urgent_kinds)
    async with db.read() as tx:
        wanted = await tally_snapshots.missing(tx, code, through, settings)
    kept = 0
    for unit_id in wanted:
        async with db.transaction() as tx:
            if await tally_snapshots.has(tx, unit_id, code, through, settings):
                continue  # another process kept it meanwhile (write transactions take turns)
            unit = await units.get(tx, unit_id)
            if unit is None:
                continue
            tally = await compute(tx, unit, period, config, kinds, now, urgent_kinds)
            body = encode(of_tally(tally))
            made = now.isoformat()
            await tally_snapshots.keep(tx, unit_id, code, through, settings, body, made)
        kept += 1
    return kept


async def refill_snapshots(services: Services) -> int:
    """The background job (bot/app.py): `refill` over every form kind at the clock's time."""
    forms = services.forms
    kinds = [c.key for c in forms.categories]
    urgent = [c.key for c in forms.categories if c.urgent]
    return await refill(services.db, services.config, kinds, urgent, services.clock.now())
