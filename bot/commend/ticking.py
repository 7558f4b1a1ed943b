"""Ticking and unticking a proposal, with its audit entry, for the chat and the command line.

Both write the proposal and the audit trail in the caller's transaction, so a proposal never
exists without the record of who made it.
"""

from __future__ import annotations

from bot.commend.occasions import Occasion
from bot.commend.shortlist import Candidate
from storage import audit, commendations
from storage.db import Tx


async def toggle(
    tx: Tx,
    occasion: Occasion,
    candidate: Candidate,
    *,
    by_id: int | None,
    by_name: str,
    at: str,
) -> bool:
    """Tick an unticked line or untick a ticked one; returns whether it is ticked now."""
    if candidate.ticked:
        await untick(tx, occasion, candidate, by_id=by_id, by_name=by_name, at=at)
        return False
    await tick(tx, occasion, candidate, "", by_id=by_id, by_name=by_name, at=at)
    return True


async def tick(
    tx: Tx,
    occasion: Occasion,
    candidate: Candidate,
    reason: str,
    *,
    by_id: int | None,
    by_name: str,
    at: str,
) -> bool:
    """Propose a line (once; a second tick only updates a given reason); False when it was
    proposed already."""
    added = await commendations.tick(
        tx,
        occasion=occasion.code,
        occasion_end=occasion.end.isoformat(),
        unit_id=candidate.team_id,
        member_id=candidate.member_id,
        reason=reason,
        by_id=by_id,
        by_name=by_name,
        at=at,
    )
    if not added and reason:
        await set_reason(tx, occasion, candidate, reason, by_id=by_id, by_name=by_name, at=at)
    if added:
        await _record(tx, "tick", occasion, candidate, reason, by_id, by_name, at)
        candidate.ticked, candidate.reason = True, reason
    return added


async def untick(
    tx: Tx,
    occasion: Occasion,
    candidate: Candidate,
    *,
    by_id: int | None,
    by_name: str,
    at: str,
) -> bool:
    """Withdraw a proposal; False when there was none."""
    removed = await commendations.untick(tx, occasion.code, candidate.team_id, candidate.member_id)
    if removed:
        await _record(tx, "untick", occasion, candidate, "", by_id, by_name, at)
        candidate.ticked, candidate.reason = False, ""
    return removed


async def set_reason(
    tx: Tx,
    occasion: Occasion,
    candidate: Candidate,
    reason: str,
    *,
    by_id: int | None,
    by_name: str,
    at: str,
) -> bool:
    """Give a ticked line its reason (the officer's words, kept as typed)."""
    changed = await commendations.set_reason(
        tx, occasion.code, candidate.team_id, candidate.member_id, reason
    )
    if changed:
        await _record(tx, "reason", occasion, candidate, reason, by_id, by_name, at)
        candidate.reason = reason
    return changed


async def _record(
    tx: Tx,
    action: str,
    occasion: Occasion,
    candidate: Candidate,
    reason: str,
    by_id: int | None,
    by_name: str,
    at: str,
) -> None:
    """The audit entry: on the occasion, which team, which member, and the reason."""
    detail: dict[str, object] = {"occasion": occasion.code, "team": candidate.team_name}
    if candidate.member_id is not None:
        detail["member_id"] = candidate.member_id
    if reason:
        detail["reason"] = reason
    await audit.record(
        tx,
        at=at,
        actor_id=by_id,
        actor=by_name,
        subject="commendation",
        subject_id=f"{occasion.code}:{candidate.team_id}:{candidate.member_id or 0}",
        action=action,
        unit_id=candidate.team_id,
        detail=detail,
    )
