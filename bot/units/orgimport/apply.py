"""Writing one tree change of an import (rename, new kind, reopen, close, ended service),
with its history row, its audit entry and the journal note that undoes it.

These changes are few (a province renames a handful of units a year), so each is written on
its own inside the import's batch transaction; the many creates and plain updates are
written in bulk by the writer. Members whose service a drop ends are told once the import
is done (see `Writer`), never by an import that is then rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.people import membership
from bot.people.membership import Actor, Refused
from bot.units.orgimport.model import OrgImportError
from bot.units.orgimport.plan import Close, Leave, Move, Reopen, Update
from storage import audit, members, orgimports, unitchanges, units
from storage.db import Row, Tx
from storage.orgimports import Change


@dataclass
class Dated:
    """When the tree changes (`on`), what today is and who makes the change: the same for
    every change of one import. `told` collects the members to tell once it is done."""

    on: date
    today: date
    now_iso: str
    month_starts_on: int
    actor: Actor
    told: list[membership.Change] = field(default_factory=list)


async def _unit(tx: Tx, unit_id: int) -> Row:
    row = await unitchanges.unit_row(tx, unit_id)
    if row is None:
        raise OrgImportError(f"unit #{unit_id} disappeared while the import was writing")
    return row


async def _audit(tx: Tx, when: Dated, unit_id: int, action: str, detail: dict[str, object]) -> int:
    return await audit.record(
        tx,
        at=when.now_iso,
        actor_id=when.actor.id,
        actor=when.actor.name,
        subject="unit",
        subject_id=unit_id,
        action=action,
        unit_id=unit_id,
        effective_on=when.on,
        detail=detail,
    )


async def move(tx: Tx, seq: int, change: Move, when: Dated) -> Change:
    """Give a unit its new path (and parent), keeping how it was in its history; the unit a
    `renamed_from` row names gets the audit entry, the units below follow it."""
    before = await _unit(tx, change.unit_id)
    history = await unitchanges.keep_history(tx, before, when.on, when.now_iso)
    await unitchanges.place(
        tx, change.unit_id, change.path, units.name_of(change.path), change.parent_id
    )
    undo: dict[str, object] = {
        "path": before["path"],
        "name": before["name"],
        "parent_id": before["parent_id"],
        "history": [history],
    }
    if change.line:
        undo["audit"] = [
            await _audit(
                tx,
                when,
                change.unit_id,
                "rename",
                {"path_before": change.prev_path, "path_after": change.path},
            )
        ]
    return Change(seq, change.unit_id, orgimports.MOVED, undo=undo)


async def kind(tx: Tx, change: Update, when: Dated) -> dict[str, object]:
    """Keep a unit's old kind and household count in its history and the audit trail (the
    caller writes the new ones in bulk); returns what the journal note must undo as well."""
    history: list[int] = []
    if not change.moved:  # a moved unit's history row already holds how it was
        before = await _unit(tx, change.unit_id)
        history.append(await unitchanges.keep_history(tx, before, when.on, when.now_iso))
    entries = []
    if change.new_kind:
        kinds: dict[str, object] = {"kind_before": change.prev_kind, "kind_after": change.kind}
        entries.append(await _audit(tx, when, change.unit_id, "kind", kinds))
    if change.new_households:
        counts: dict[str, object] = {"before": change.prev_households, "after": change.households}
        entries.append(await _audit(tx, when, change.unit_id, "households", counts))
    return {"history": history, "audit": entries}


async def reopen(tx: Tx, seq: int, change: Reopen, when: Dated) -> Change:
    """Open again a closed unit the file lists once more (its path is its own)."""
    before = await _unit(tx, change.unit_id)
    await unitchanges.set_closed(tx, change.unit_id, None)
    entry = await _audit(
        tx, when, change.unit_id, "reopen", {"path": change.path, "closed_on": before["closed_on"]}
    )
    undo = {"closed_on": before["closed_on"], "audit": [entry]}
    return Change(seq, change.unit_id, orgimports.REOPENED, undo=undo)


async def close(tx: Tx, seq: int, change: Close, when: Dated, file: str) -> Change:
    """Close a dropped unit from the day given (never deleted: past tallies keep it) and
    revoke its invites."""
    await unitchanges.set_closed(tx, change.unit_id, when.on.isoformat())
    codes = await unitchanges.revoke_invites(tx, change.unit_id, when.now_iso)
    entry = await _audit(
        tx,
        when,
        change.unit_id,
        "close",
        {"path": change.path, "reason": f"not listed in {file}", "invites_revoked": len(codes)},
    )
    undo = {"closed_on": None, "invites": codes, "audit": [entry]}
    return Change(seq, change.unit_id, orgimports.CLOSED, undo=undo)


async def leave(tx: Tx, seq: int, change: Leave, when: Dated) -> Change:
    """End the service of a member of a closed unit the day it closes, by the same rule as
    `antt-bot member leave` (audit entry, queued messages withdrawn)."""
    target = await members.get(tx, change.member_id)
    stretch = await unitchanges.stretch_row(tx, change.stretch_id)
    if target is None or stretch is None:
        raise OrgImportError(f"member #{change.member_id} changed while the import was writing")
    kept = dict(stretch)
    withdrawn = await unitchanges.pending_outbox(tx, change.member_id)
    try:
        done = await membership.leave(
            tx,
            when.actor,
            target,
            when.on,
            when.today,
            when.now_iso,
            when.month_starts_on,
        )
    except Refused as exc:
        raise OrgImportError(
            f"could not end the service of member #{change.member_id} ({exc.key})"
        ) from exc
    when.told.append(done)
    undo = {
        "stretch": kept,
        "active": 1 if target.active else 0,
        "outbox": withdrawn,
        "audit": [done.audit_id],
    }
    return Change(seq, change.unit_id, orgimports.LEFT, undo=undo)
