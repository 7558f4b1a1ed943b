"""Reports of an area for the web pages: filtered by kind, unit, dates and state, newest
first, a page at a time; and those that carry a location pin, for the map."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.db import Row, Tx
from storage.subtree import within, within_params

WITHDRAWN = "withdrawn"  # the state filter's value for reports their reporter withdrew

_FROM = """FROM reports r JOIN units u ON u.id = r.unit_id JOIN members m ON m.id = r.member_id"""


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; empty values narrow nothing. `area` is the viewer's
    unit path (always applied); `unit` a unit path inside it."""

    area: str
    unit: str | None = None
    kind: str | None = None
    first_day: str | None = None  # ISO dates, inclusive
    last_day: str | None = None
    state: str | None = None  # a life-cycle state, or WITHDRAWN
    located: tuple[str, ...] = field(default=())  # JSON paths ('$.place.lat'): one must be set


@dataclass(frozen=True)
class ListedReport:
    """One line of the list: enough to show it and to link to it."""

    id: int
    number: str
    kind: str
    report_date: str
    created_at: str
    status: str
    state: str | None
    unit_id: int
    unit_name: str
    unit_path: str
    reporter: str
    answers: dict[str, Any]

    @classmethod
    def from_row(cls, row: Row) -> ListedReport:
        """The selected columns as fields."""
        return cls(
            id=int(row["id"]),
            number=str(row["number"]),
            kind=str(row["kind"]),
            report_date=str(row["report_date"]),
            created_at=str(row["created_at"]),
            status=str(row["status"]),
            state=None if row["state"] is None else str(row["state"]),
            unit_id=int(row["unit_id"]),
            unit_name=str(row["unit_name"]),
            unit_path=str(row["unit_path"]),
            reporter=str(row["reporter"]),
            answers=dict(json.loads(row["data"])) if row["data"] else {},
        )


def _where(f: Filters) -> tuple[str, list[Any]]:
    """The WHERE clause of the filters and its parameters."""
    clauses = [within("u.path")]
    params: list[Any] = [*within_params(f.area)]
    if f.unit:
        clauses.append(within("u.path"))
        params.extend(within_params(f.unit))
    if f.kind:
        clauses.append("r.kind = ?")
        params.append(f.kind)
    if f.first_day:
        clauses.append("r.report_date >= ?")
        params.append(f.first_day)
    if f.last_day:
        clauses.append("r.report_date <= ?")
        params.append(f.last_day)
    if f.state == WITHDRAWN:
        clauses.append("r.status = 'withdrawn'")
    elif f.state:
        clauses.append("r.status = 'active' AND r.state = ?")
        params.append(f.state)
    if f.located:
        clauses.append(
            "(" + " OR ".join("json_extract(r.data, ?) IS NOT NULL" for _ in f.located) + ")"
        )
        params.extend(f.located)
    return " AND ".join(clauses), params


async def count(tx: Tx, filters: Filters) -> int:
    """How many reports the filters keep (the pager's total)."""
    where, params = _where(filters)
    row = await tx.fetchone(f"SELECT COUNT(*) AS n {_FROM} WHERE {where}", params)
    return int(row["n"]) if row is not None else 0


async def page(tx: Tx, filters: Filters, limit: int, offset: int = 0) -> list[ListedReport]:
    """One page of the reports the filters keep, newest first."""
    where, params = _where(filters)
    rows = await tx.fetchall(
        f"""SELECT r.id, r.number, r.kind, r.report_date, r.created_at, r.status, r.state,
                   r.data, u.id AS unit_id, u.name AS unit_name, u.path AS unit_path,
                   m.full_name AS reporter
            {_FROM} WHERE {where}
            ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?""",
        (*params, limit, offset),
    )
    return [ListedReport.from_row(row) for row in rows]
