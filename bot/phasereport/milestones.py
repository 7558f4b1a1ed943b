"""Phase-report milestones: which configured milestones are reports a commune sends up,
marking one "đã nộp", and who is still to be reminded of it.

A milestone with `report = "so_ket"` (its `phase` names the phase) or `"tong_ket"` (the whole
movement) is a report every commune owes ("các đơn vị chủ động tiến hành sơ kết, tổng kết
đợt thi đua, báo cáo …", KH phong trào thi đua đặc biệt, UBND tỉnh Tuyên Quang, 2024). Once
a commune has marked it, its officers and teams are not reminded again; a supervisor above
is told how many communes below have sent it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.clock import iso
from bot.core.config import Config, Milestone
from bot.core.parsing import fold
from bot.phasereport.content import ALL, Chosen
from storage import audit, phase_reports
from storage.db import Tx
from storage.phase_reports import Submitted
from storage.recipients import Recipient
from storage.subtree import SEPARATOR, in_scope
from storage.units import Unit

ACTION = "phase_report_submitted"


def key(milestone: Milestone) -> str:
    """The stored name of a milestone: its due day and a hash of its configured name (the
    reminders' tag), so diacritics never change it and a renamed milestone starts afresh."""
    name = hashlib.sha1(milestone.name.encode()).hexdigest()[:10]
    return f"{milestone.due.isoformat()}:{name}"


def tag(milestone: Milestone) -> str:
    """A short id for a button ('phr:s:<tag>:<unit>' must fit Telegram's 64 bytes)."""
    return hashlib.sha1(key(milestone).encode()).hexdigest()[:10]


def reports(config: Config) -> list[Milestone]:
    """The configured milestones that are phase reports."""
    return [m for m in config.reminders.milestones if m.report]


def for_chosen(config: Config, chosen: Chosen) -> list[Milestone]:
    """The report milestones a drafted report answers: the phase's sơ kết, or the tổng kết."""
    if chosen.code == ALL:
        return [m for m in reports(config) if m.report == "tong_ket"]
    names = {fold(p.name).strip() for p in chosen.phases}
    return [m for m in reports(config) if m.report == "so_ket" and fold(m.phase).strip() in names]


def by_tag(config: Config, wanted: str) -> Milestone | None:
    """The report milestone a button names; None once the config no longer has it."""
    return next((m for m in reports(config) if tag(m) == wanted), None)


def by_name(config: Config, name: str) -> Milestone | None:
    """A report milestone by its name as typed (case and diacritics ignored)."""
    wanted = fold(name).strip()
    return next((m for m in reports(config) if fold(m.name).strip() == wanted), None)


async def mark(
    tx: Tx,
    milestone: Milestone,
    unit: Unit,
    on: date,
    *,
    actor_id: int | None,
    actor: str,
    now: datetime,
) -> bool:
    """Mark the unit's report sent (audited); False when it was marked already, which
    changes nothing (the first mark and its day stand)."""
    new = await phase_reports.mark(
        tx,
        key=key(milestone),
        name=milestone.name,
        unit_id=unit.id,
        submitted_on=on.isoformat(),
        marked_by=actor_id,
        marked_at=iso(now),
    )
    if new:
        await audit.record(
            tx,
            at=iso(now),
            actor_id=actor_id,
            actor=actor,
            subject="unit",
            subject_id=unit.id,
            action=ACTION,
            unit_id=unit.id,
            effective_on=on,
            detail={"milestone": milestone.name, "due": milestone.due.isoformat()},
        )
    return new


def done_for(path: str, marked: dict[str, Submitted]) -> bool:
    """Whether someone in the unit at `path` owes nothing more: their own unit marked it,
    or the commune they belong to did."""
    if path in marked:
        return True
    return any(s.commune and in_scope(p, path) for p, s in marked.items())


@dataclass(frozen=True)
class Progress:
    """How many communes below a unit have marked a milestone."""

    done: int
    total: int


async def still_due(
    tx: Tx, milestone: Milestone, rows: list[Recipient]
) -> tuple[list[Recipient], dict[str, Progress]]:
    """The recipients still owing the report, and for those above communes how many communes
    below them have sent it (by their unit's path)."""
    marked = await phase_reports.submitted(tx, key(milestone))
    kept = [r for r in rows if not done_for(r.unit_path, marked)]
    communes = [c.path for c in await phase_reports.communes_under(tx, "")]
    is_commune = set(communes)
    progress: dict[str, Progress] = {}
    for path in sorted({r.unit_path for r in kept}):
        parts = path.split(SEPARATOR)
        if any(SEPARATOR.join(parts[:i]) in is_commune for i in range(1, len(parts) + 1)):
            continue  # at or below a commune: no commune below it to count
        below = [c for c in communes if in_scope(path, c)]
        if below:
            progress[path] = Progress(sum(c in marked for c in below), len(below))
    return kept, progress


async def status(tx: Tx, milestone: Milestone, path: str) -> list[tuple[Unit, Submitted | None]]:
    """Each commune at or below `path` with its mark (None: not sent yet)."""
    marked = await phase_reports.submitted(tx, key(milestone))
    return [(c, marked.get(c.path)) for c in await phase_reports.communes_under(tx, path)]
