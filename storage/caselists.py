"""Lists of urgent reports police work from: the open ones of an area (/tinbao), the ones
another report may repeat, and marking one report the same incident as another."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storage import incidents
from storage.db import Row, Tx
from storage.subtree import within, within_params

# The state of an urgent report; a row written before it had one (or by a test fixture that
# bypassed `incidents.open_case`) reads as received, or acknowledged once someone did.
STATE = "COALESCE(r.state, CASE WHEN r.ack_by IS NULL THEN 'received' ELSE 'acknowledged' END)"

# Urgent reports still counted on their own: not withdrawn, not folded into another.
_LIVE = "r.urgent = 1 AND r.status = 'active' AND r.duplicate_of IS NULL"

_SELECT = f"""SELECT r.id, r.number, r.kind, r.data, r.created_at, r.member_id,
        r.duplicate_of, r.status, r.urgent, {STATE} AS state, r.state_at, u.path AS unit_path,
        u.name AS unit_name
    FROM reports r JOIN units u ON u.id = r.unit_id"""


@dataclass(frozen=True)
class CaseLine:
    """What one line of a list says about an urgent report, and what the checks need."""

    id: int
    number: str
    kind: str
    state: str
    created_at: str
    member_id: int
    unit_path: str
    unit_name: str  # the reporter's team
    place: Any  # the `place` answer: {"text": typed}, a {"lat", "lon"} pin, or None
    duplicate_of: int | None
    status: str
    urgent: bool
    state_at: str | None = None  # since when it stands in `state` (overdue counts from it)

    @classmethod
    def from_row(cls, row: Row) -> CaseLine:
        """The columns of `_SELECT` as fields."""
        data = json.loads(row["data"]) if row["data"] else {}
        return cls(
            id=int(row["id"]),
            number=str(row["number"]),
            kind=str(row["kind"]),
            state=str(row["state"]),
            created_at=str(row["created_at"]),
            member_id=int(row["member_id"]),
            unit_path=str(row["unit_path"]),
            unit_name=str(row["unit_name"]),
            place=data.get("place") if isinstance(data, dict) else None,
            duplicate_of=None if row["duplicate_of"] is None else int(row["duplicate_of"]),
            status=str(row["status"]),
            urgent=bool(row["urgent"]),
            state_at=None if row["state_at"] is None else str(row["state_at"]),
        )


def _marks(values: Iterable[str]) -> tuple[str, list[str]]:
    items = list(values)
    return ",".join("?" for _ in items), items


async def open_counts(tx: Tx, unit_path: str, states: Iterable[str]) -> dict[str, int]:
    """How many open urgent reports of the area stand in each state: the counts on the
    filter buttons, so an officer sees at once where the work is."""
    marks, params = _marks(states)
    rows = await tx.fetchall(
        f"""SELECT {STATE} AS state, COUNT(*) AS n
            FROM reports r JOIN units u ON u.id = r.unit_id
            WHERE {_LIVE} AND {STATE} IN ({marks}) AND {within("u.path")}
            GROUP BY 1""",
        (*params, *within_params(unit_path)),
    )
    return {str(row["state"]): int(row["n"]) for row in rows}


async def open_in(
    tx: Tx, unit_path: str, states: Iterable[str], limit: int, offset: int = 0
) -> list[CaseLine]:
    """One page of the area's open urgent reports in `states`, oldest first: the longest
    waiting is the one to act on."""
    marks, params = _marks(states)
    rows = await tx.fetchall(
        f"""{_SELECT}
            WHERE {_LIVE} AND {STATE} IN ({marks}) AND {within("u.path")}
            ORDER BY r.created_at, r.id LIMIT ? OFFSET ?""",
        (*params, *within_params(unit_path), limit, offset),
    )
    return [CaseLine.from_row(row) for row in rows]


async def line(tx: Tx, report_id: int) -> CaseLine | None:
    """One report as a list line (any report: the caller checks kind, status and scope)."""
    row = await tx.fetchone(f"{_SELECT} WHERE r.id = ?", (report_id,))
    return CaseLine.from_row(row) if row is not None else None


async def id_by_number(tx: Tx, number: str) -> int | None:
    """The report an officer names by its number (BC-2026-000123)."""
    row = await tx.fetchone("SELECT id FROM reports WHERE number = ?", (number,))
    return None if row is None else int(row["id"])


async def same_incident_candidates(
    tx: Tx,
    area_path: str,
    report_id: int,
    open_states: Iterable[str],
    since_iso: str,
    limit: int,
) -> list[CaseLine]:
    """The urgent reports of an area another report may repeat: those still open and those
    filed since `since_iso`, newest first (a second call about a fire comes soon after)."""
    marks, params = _marks(open_states)
    rows = await tx.fetchall(
        f"""{_SELECT}
            WHERE {_LIVE} AND r.id <> ? AND {STATE} <> 'duplicate' AND {within("u.path")}
              AND ({STATE} IN ({marks}) OR r.created_at >= ?)
            ORDER BY r.created_at DESC, r.id DESC LIMIT ?""",
        (report_id, *within_params(area_path), *params, since_iso, limit),
    )
    return [CaseLine.from_row(row) for row in rows]


async def mark_duplicate(
    tx: Tx,
    report_id: int,
    original_id: int,
    member_id: int,
    now_iso: str,
    open_states: tuple[str, ...],
) -> bool:
    """Fold a report into the one it repeats, so it is counted once: its state becomes
    'duplicate' (a step of its life), the original keeps a step saying so, and reports
    already folded into this one follow it to the original. False when the report left its
    open states (or was folded) meanwhile: nothing is then changed."""
    cur = await tx.execute(
        """UPDATE reports SET duplicate_of = ? WHERE id = ? AND duplicate_of IS NULL
           AND urgent = 1 AND status = 'active' AND id <> ?""",
        (original_id, report_id, original_id),
    )
    if cur.rowcount != 1:
        return False
    detail = {"duplicate_of": original_id}
    moved = await incidents.move(
        tx, report_id, "duplicate", member_id, now_iso, expect=open_states, detail=detail
    )
    if not moved:
        # another officer closed it first: undo the link, the caller says so
        await tx.execute("UPDATE reports SET duplicate_of = NULL WHERE id = ?", (report_id,))
        return False
    await tx.execute(
        "UPDATE reports SET duplicate_of = ? WHERE duplicate_of = ?", (original_id, report_id)
    )
    original = await line(tx, original_id)
    state = original.state if original is not None else "received"
    await incidents.add_event(
        tx, original_id, member_id, state, now_iso, detail={"same_incident": report_id}
    )
    return True
