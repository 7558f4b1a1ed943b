"""Phase reports marked "đã nộp" (submitted) per milestone and unit, and the communes they
are counted over."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Row, Tx
from storage.subtree import within, within_params
from storage.tx import no_limit
from storage.units import Unit

COMMUNE_KIND = "commune"
_UNIT = "u.id, u.parent_id, u.name, u.kind, u.path, u.households, u.created_at"


@dataclass(frozen=True)
class Submitted:
    """One unit's mark: the day it says it sent the report, who marked it (None: the command
    line) and when."""

    unit_id: int
    unit_path: str
    submitted_on: str
    marked_by: int | None
    marked_at: str
    commune: bool  # the unit is a commune: its teams and officers have it done too


async def mark(
    tx: Tx,
    *,
    key: str,
    name: str,
    unit_id: int,
    submitted_on: str,
    marked_by: int | None,
    marked_at: str,
) -> bool:
    """Record that the unit sent this milestone's report; False when it was marked already
    (the first mark stands: marking twice is harmless)."""
    cursor = await tx.execute(
        "INSERT OR IGNORE INTO phase_reports_submitted (milestone_key, milestone_name, unit_id,"
        " submitted_on, marked_by, marked_at) VALUES (?, ?, ?, ?, ?, ?)",
        (key, name, unit_id, submitted_on, marked_by, marked_at),
    )
    return bool(cursor.rowcount)


async def submitted(tx: Tx, key: str) -> dict[str, Submitted]:
    """Every unit that marked this milestone, by its path today."""
    rows = await tx.fetchall(
        "SELECT s.unit_id, u.path, s.submitted_on, s.marked_by, s.marked_at,"
        " u.kind = ? AS commune"
        " FROM phase_reports_submitted s JOIN units u ON u.id = s.unit_id"
        " WHERE s.milestone_key = ?",
        (COMMUNE_KIND, key),
    )
    return {
        str(r["path"]): Submitted(
            unit_id=int(r["unit_id"]),
            unit_path=str(r["path"]),
            submitted_on=str(r["submitted_on"]),
            marked_by=None if r["marked_by"] is None else int(r["marked_by"]),
            marked_at=str(r["marked_at"]),
            commune=bool(r["commune"]),
        )
        for r in rows
    }


async def communes_under(tx: Tx, path: str) -> list[Unit]:
    """The open communes at or below `path` ("": the whole tree), units of kind "commune";
    in a tree that has no such kind, the units directly above teams stand for them."""
    scoped, params = (within("u.path"), within_params(path)) if path else ("1 = 1", ())
    rows = await tx.fetchall(
        f"SELECT {_UNIT} FROM units u WHERE {scoped} AND u.closed_on IS NULL"
        " AND u.kind = ? ORDER BY u.path",
        (*params, COMMUNE_KIND),
    )
    if not rows and not await tx.fetchone("SELECT 1 FROM units WHERE kind = ?", (COMMUNE_KIND,)):
        rows = await tx.fetchall(
            f"SELECT {_UNIT} FROM units u WHERE {scoped} AND u.closed_on IS NULL"
            " AND EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id)"
            " AND NOT EXISTS (SELECT 1 FROM units c JOIN units g ON g.parent_id = c.id"
            " WHERE c.parent_id = u.id) ORDER BY u.path",
            params,
        )
    return [Unit.from_row(r) for r in rows]


async def reports_of_kind(
    tx: Tx, path: str, start: str, end: str, kind: str, limit: int | None
) -> list[Row]:
    """One kind's active reports under `path` dated `start`..`end` (a phase report's good
    deeds), oldest first, with their unit and reporter."""
    return await tx.fetchall(
        f"""SELECT r.number, r.report_date, r.data, u.id AS unit_id, u.name AS unit_name,
                   m.full_name AS reporter
            FROM reports r INDEXED BY reports_kind_date
            JOIN units u ON u.id = r.unit_id
            JOIN members m ON m.id = r.member_id
            WHERE r.kind = ? AND r.report_date BETWEEN ? AND ? AND r.status = 'active'
              AND {within("u.path")}
            ORDER BY r.report_date, r.created_at, r.id
            LIMIT ?""",
        (kind, start, end, *within_params(path), no_limit(tx) if limit is None else limit),
    )
