"""Urgent reports left too long in an open state: the daily overdue list's query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage.db import Tx


@dataclass(frozen=True)
class OverdueCase:
    """An open urgent report past its state's limit, with where it is from."""

    id: int
    number: str
    kind: str
    unit_path: str
    unit_name: str
    state: str
    state_at: str
    created_at: str


async def overdue(tx: Tx, cutoffs: Mapping[str, str]) -> list[OverdueCase]:
    """Active urgent reports in one of `cutoffs`' states since before that state's cutoff
    (ISO time), oldest first; kept apart from storage/incidents.py, which records steps."""
    if not cutoffs:
        return []
    states = sorted(cutoffs)
    clause = " OR ".join("(r.state = ? AND r.state_at <= ?)" for _ in states)
    params = [value for state in states for value in (state, cutoffs[state])]
    rows = await tx.fetchall(
        f"""SELECT r.id, r.number, r.kind, r.state, r.state_at, r.created_at,
                   u.path AS unit_path, u.name AS unit_name
            FROM reports r JOIN units u ON u.id = r.unit_id
            WHERE r.urgent = 1 AND r.status = 'active' AND ({clause})
            ORDER BY r.created_at, r.id""",
        params,
    )
    return [
        OverdueCase(
            id=int(row["id"]),
            number=str(row["number"]),
            kind=str(row["kind"]),
            unit_path=str(row["unit_path"]),
            unit_name=str(row["unit_name"]),
            state=str(row["state"]),
            state_at=str(row["state_at"]),
            created_at=str(row["created_at"]),
        )
        for row in rows
    ]
