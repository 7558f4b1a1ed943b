"""Which changes of an import could hurt, and the refusal that names each one.

Three changes are made only when the operator says so with --apply-changes: a unit with
open units below it whose new kind is a team's (thôn, ấp, tổ dân phố, ...), a rename or a
move (a `renamed_from` row), and dropping a unit that is not empty (members serving there,
open units below it, reports filed there, or invites that can still be used). Dropping an
empty unit closes it without asking (the output lists it). With --apply-changes the plan
learns here whose service ends, and a closing day before a member's own start is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.core import dates
from bot.units.orgimport import kinds
from bot.units.orgimport.model import OrgImportError, refusal
from bot.units.orgimport.plan import Drop, Leave, Plan
from storage import unitchanges, units
from storage.db import Tx

APPLY = "--apply-changes"
_SHOWN = 10  # harmful changes spelled out in one refusal; the rest are counted


@dataclass(frozen=True)
class Harm:
    """One change that needs --apply-changes: the file line it comes from and why."""

    line: int
    problem: str


async def assess(
    tx: Tx, path: Path, plan: Plan, on: date, now_iso: str, apply_changes: bool
) -> None:
    """Refuse the import when it holds a harmful change and `apply_changes` is not given;
    otherwise note on the plan whose service the drops end (refusing a day before it
    began). Raises OrgImportError naming every harmful change, the first line first."""
    harms: list[Harm] = []
    day = dates.day(on)
    for update in plan.updates:
        if not update.new_kind or not kinds.is_team_kind(update.kind):
            continue
        if kinds.is_team_kind(update.prev_kind):
            continue
        if await units.has_open_children(tx, update.unit_id):
            below = len(await units.children(tx, update.unit_id))
            harms.append(
                Harm(
                    update.line,
                    f"would make {update.path!r} a team (kind {update.prev_kind} →"
                    f" {update.kind}) while {below} open unit(s) are below it; write its"
                    f" old kind, or re-run with {APPLY} to change it from {day}",
                )
            )
    for move in plan.renames:
        serving = await unitchanges.usage(tx, [move.unit_id], now_iso)
        inside = move.prev_path + units.SEPARATOR
        below = sum(1 for m in plan.moves if not m.line and m.prev_path.startswith(inside))
        harms.append(
            Harm(
                move.line,
                f"would rename {move.prev_path!r} to {move.path!r} ({serving.members} member(s)"
                f" serve there, {below} unit(s) below it move with it); re-run with {APPLY} to"
                f" rename it from {day} (tallies before keep the old name)",
            )
        )
    new_paths = [unit.path for unit in plan.creates]
    for drop in plan.drops:
        used = await unitchanges.usage(tx, drop.ids, now_iso)
        if used.empty:
            continue
        harms.append(Harm(drop.line, _dropped(drop, used, day, new_paths)))
        if apply_changes:
            plan.leaves.extend(await _leaves(tx, path, drop, on))
    if harms and not apply_changes:
        raise _refusal(path, harms)


def _dropped(drop: Drop, used: unitchanges.Usage, day: str, new_paths: list[str]) -> str:
    held = ", ".join(
        f"{count} {what}"
        for count, what in (
            (used.members, "member(s) serving"),
            (used.units_below, "open unit(s) below it"),
            (used.reports, "report(s)"),
            (used.invites, "open invite(s)"),
        )
        if count
    )
    text = (
        f"would drop {drop.path!r}, which the file no longer lists below {drop.parent!r}"
        f" (listed here with its units), and it holds {held}; add a row for it to keep it,"
        f" or re-run with {APPLY} to close it from {day} (its members stop serving that day)"
    )
    siblings = [p for p in new_paths if units.parent_path(p) == drop.parent]
    if siblings:
        text += (
            f"; if {siblings[0]!r} is its new name, write {drop.path!r} in a renamed_from"
            " column on that row instead"
        )
    return text


async def _leaves(tx: Tx, path: Path, drop: Drop, on: date) -> list[Leave]:
    leaves: list[Leave] = []
    for row in await unitchanges.serving_in(tx, drop.ids):
        start = date.fromisoformat(str(row["start_date"]))
        if on < start:
            raise refusal(
                path,
                drop.line,
                f"cannot close {drop.path!r} from {dates.day(on)}: a member there,"
                f" {row['full_name']}, began serving on {dates.day(start)}; give --on"
                f" {start.isoformat()} or later",
            )
        leaves.append(Leave(int(row["member_id"]), int(row["id"]), int(row["unit_id"])))
    return leaves


def _refusal(path: Path, harms: list[Harm]) -> OrgImportError:
    harms = sorted(harms, key=lambda h: h.line)
    first = refusal(path, harms[0].line, harms[0].problem)
    more = [f"{path.name}, line {h.line}: {h.problem}" for h in harms[1:_SHOWN]]
    if len(harms) > _SHOWN:
        more.append(f"... and {len(harms) - _SHOWN} more change(s) that need {APPLY}")
    if more:
        error = OrgImportError("\n".join([str(first), *more]), first.line)
        return error
    return first
