"""The audit trail of people, invites and units: every change with who, when and what.

Written in the same transaction as the change it records, so the trail never misses one
and never records one that was rolled back. Read back per subject (`/lichsu`) or for a
subtree and a span of days (`antt-bot audit`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from storage.db import Row, Tx
from storage.subtree import within, within_params

Subject = Literal["member", "invite", "unit", "supervised", "commendation"]
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Entry:
    """One change as stored: who made it (`actor_id` None for the command line), when, on
    what, and the values before and after in `detail`."""

    id: int
    at: str
    effective_on: str | None
    actor_id: int | None
    actor: str
    subject: str
    subject_id: str
    action: str
    unit_id: int | None
    other_unit_id: int | None
    detail: dict[str, Any]

    @classmethod
    def from_row(cls, row: Row) -> Entry:
        """The one place that maps the columns to fields."""
        actor_id, unit_id, other = row["actor_id"], row["unit_id"], row["other_unit_id"]
        return cls(
            id=int(row["id"]),
            at=str(row["at"]),
            effective_on=str(row["effective_on"]) if row["effective_on"] is not None else None,
            actor_id=int(actor_id) if actor_id is not None else None,
            actor=str(row["actor"]),
            subject=str(row["subject"]),
            subject_id=str(row["subject_id"]),
            action=str(row["action"]),
            unit_id=int(unit_id) if unit_id is not None else None,
            other_unit_id=int(other) if other is not None else None,
            detail=json.loads(str(row["detail"])),
        )


_COLUMNS = (
    "a.id, a.at, a.effective_on, a.actor_id, a.actor, a.subject, a.subject_id, a.action,"
    " a.unit_id, a.other_unit_id, a.detail"
)


async def record(
    tx: Tx,
    *,
    at: str,
    actor_id: int | None,
    actor: str,
    subject: Subject,
    subject_id: int | str,
    action: str,
    unit_id: int | None,
    other_unit_id: int | None = None,
    effective_on: date | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Keep one change; call it in the transaction that makes the change."""
    return await tx.insert(
        "INSERT INTO audit_trail (at, effective_on, actor_id, actor, subject, subject_id,"
        " action, unit_id, other_unit_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            effective_on.isoformat() if effective_on is not None else None,
            actor_id,
            actor,
            subject,
            str(subject_id),
            action,
            unit_id,
            other_unit_id,
            json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        ),
    )


async def of_subject(tx: Tx, subject: Subject, subject_id: int | str) -> list[Entry]:
    """Every change to one member, invite or unit, oldest first (`/lichsu`)."""
    rows = await tx.fetchall(
        f"SELECT {_COLUMNS} FROM audit_trail a WHERE a.subject = ? AND a.subject_id = ?"
        " ORDER BY a.id",
        (subject, str(subject_id)),
    )
    return [Entry.from_row(r) for r in rows]


async def under(tx: Tx, path: str, first_at: str, before_at: str) -> list[Entry]:
    """Changes recorded in [first_at, before_at) whose unit, or a move's destination, lies
    in the subtree at `path`, oldest first (`antt-bot audit`)."""
    rows = await tx.fetchall(
        f"""SELECT {_COLUMNS} FROM audit_trail a
            WHERE a.at >= ? AND a.at < ?
              AND (EXISTS (SELECT 1 FROM units u WHERE u.id = a.unit_id AND {within("u.path")})
                   OR EXISTS (SELECT 1 FROM units u WHERE u.id = a.other_unit_id
                              AND {within("u.path")}))
            ORDER BY a.id""",
        (first_at, before_at, *within_params(path), *within_params(path)),
    )
    return [Entry.from_row(r) for r in rows]
