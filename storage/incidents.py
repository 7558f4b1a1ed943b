"""The life of urgent reports: their state and every step taken, with who and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Tx


@dataclass(frozen=True)
class Event:
    """One step of a report's life: the state it reached, who moved it (None for the bot),
    when, the officer's optional note and any detail ({"in_time": true})."""

    state: str
    member_id: int | None
    at: str
    note: str | None
    detail: dict[str, Any]


async def open_case(tx: Tx, report_id: int, member_id: int, now_iso: str, alert_iso: str) -> None:
    """A new urgent report starts 'received'; `alert_iso` is when its first alert is due
    (later than filing for a non-urgent tip held through quiet hours)."""
    await tx.execute(
        "UPDATE reports SET state = 'received', state_at = ?, alert_at = ? WHERE id = ?",
        (now_iso, alert_iso, report_id),
    )
    await add_event(tx, report_id, member_id, "received", now_iso)


async def move(
    tx: Tx,
    report_id: int,
    state: str,
    member_id: int,
    now_iso: str,
    *,
    expect: tuple[str, ...] = (),
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Move a report to `state` and keep the step; with `expect`, only from one of those
    states (False when another officer moved it first, so two taps cannot both win)."""
    guard = ""
    params: list[Any] = [state, now_iso, report_id]
    if expect:
        guard = f" AND state IN ({','.join('?' for _ in expect)})"
        params.extend(expect)
    cur = await tx.execute(
        f"UPDATE reports SET state = ?, state_at = ? WHERE id = ? AND urgent = 1{guard}",
        params,
    )
    if cur.rowcount != 1:
        return False
    await add_event(tx, report_id, member_id, state, now_iso, note=note, detail=detail)
    return True


async def add_event(
    tx: Tx,
    report_id: int,
    member_id: int | None,
    state: str,
    now_iso: str,
    *,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Keep one step of the report's life (also steps that do not change the state, such
    as an edit officers were told of)."""
    await tx.execute(
        """INSERT INTO report_events (report_id, member_id, state, note, detail, at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (
            report_id,
            member_id,
            state,
            note,
            json.dumps(detail, ensure_ascii=False) if detail else None,
            now_iso,
        ),
    )


async def events_of(tx: Tx, report_id: int) -> list[Event]:
    """The report's whole history, oldest first."""
    rows = await tx.fetchall(
        """SELECT state, member_id, at, note, detail FROM report_events
           WHERE report_id = ? ORDER BY id""",
        (report_id,),
    )
    return [
        Event(
            state=str(row["state"]),
            member_id=None if row["member_id"] is None else int(row["member_id"]),
            at=str(row["at"]),
            note=None if row["note"] is None else str(row["note"]),
            detail=json.loads(row["detail"]) if row["detail"] else {},
        )
        for row in rows
    ]


async def confirm_fire(tx: Tx, report_id: int, member_id: int, in_time: bool, now_iso: str) -> None:
    """An officer's word on a fire: whether the force arrived in time. From now on the
    member can no longer change the fields that feed a target."""
    await tx.execute(
        """UPDATE reports SET confirmed_at = ?, confirmed_by = ?, in_time_confirmed = ?
           WHERE id = ?""",
        (now_iso, member_id, int(in_time), report_id),
    )


async def confirmer(tx: Tx, report_id: int) -> tuple[str, str] | None:
    """When an officer confirmed the report and their name, for the member who may no longer
    change what was confirmed (they know whom to ask); None until confirmed."""
    row = await tx.fetchone(
        """SELECT r.confirmed_at, m.full_name FROM reports r
           LEFT JOIN members m ON m.id = r.confirmed_by
           WHERE r.id = ? AND r.confirmed_at IS NOT NULL""",
        (report_id,),
    )
    if row is None:
        return None
    return str(row["confirmed_at"]), str(row["full_name"] or "")
