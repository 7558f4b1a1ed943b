"""The aggregate queries behind /tally: counts per team, never Python loops over reports.

Every query is scoped to one subtree of units (`path` range on an indexed column) and one
period of report dates, and groups by unit, so a province of 5,000 teams comes back as a few
thousand small rows whatever the number of reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.db import Row, Tx

REPORTING_ROLES = ("member", "leader", "deputy")
_ROLES_SQL = ", ".join(f"'{r}'" for r in REPORTING_ROLES)


@dataclass(frozen=True)
class Scope:
    """A subtree and a period: the WHERE clause every tally query shares.

    `closed_end` is the last report date whose deadline has passed (None when none has):
    member-days after it are not yet due, so they count neither for nor against compliance.
    `deadline` is 'HH:MM:SS'; a report filed after that time of its report date is late.
    """

    path: str
    start: str
    end: str
    closed_end: str | None
    deadline: str

    @property
    def unit_params(self) -> tuple[str, str, str]:
        """The unit itself, then everything whose path starts with 'path/' (an index range)."""
        return (self.path, self.path + "/", self.path + "0")  # '0' is the byte after '/'


_SUBTREE = "SELECT id FROM units WHERE path = ? OR (path > ? AND path < ?)"


async def units_in(tx: Tx, scope: Scope) -> list[Row]:
    """The unit and all units below it, with whether each is a leaf (a team)."""
    return await tx.fetchall(
        """SELECT u.id, u.parent_id, u.name, u.kind, u.path, u.households,
                  NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id) AS leaf
           FROM units u WHERE u.path = ? OR (u.path > ? AND u.path < ?)
           ORDER BY u.path""",
        scope.unit_params,
    )


async def members_per_unit(tx: Tx, scope: Scope) -> list[Row]:
    """Active reporting members per unit and the member-days a report was due from them.

    A member owes a report for each elapsed day of the period from the day they joined.
    """
    closed = scope.closed_end or ""
    return await tx.fetchall(
        f"""SELECT m.unit_id,
                   COUNT(*) AS members,
                   SUM(CASE WHEN ? = '' THEN 0 ELSE MAX(0,
                         CAST(julianday(?) - julianday(MAX(?, substr(m.joined_at, 1, 10))) AS INT)
                         + 1) END) AS expected_days
            FROM members m
            WHERE m.active = 1 AND m.role IN ({_ROLES_SQL}) AND m.unit_id IN ({_SUBTREE})
            GROUP BY m.unit_id""",
        (closed, closed, scope.start, *scope.unit_params),
    )


async def reports_per_kind(tx: Tx, scope: Scope) -> list[Row]:
    """Reports per team and kind in the period, and how many of them were filed late."""
    return await tx.fetchall(
        f"""SELECT r.unit_id, r.kind, COUNT(*) AS n,
                   SUM(substr(r.created_at, 1, 19) > r.report_date || 'T' || ?) AS late
            FROM reports r
            WHERE r.unit_id IN ({_SUBTREE})
              AND r.report_date BETWEEN ? AND ? AND r.status = 'active'
            GROUP BY r.unit_id, r.kind""",
        (scope.deadline, *scope.unit_params, scope.start, scope.end),
    )


async def reporting_per_unit(tx: Tx, scope: Scope) -> list[Row]:
    """Per unit: active members who reported at all, and member-days reported on time.

    A member-day is on time when any report or nil report for that date was filed by the
    deadline; only days up to `closed_end` count, as later days are not yet due.
    """
    closed = scope.closed_end or ""
    return await tx.fetchall(
        f"""SELECT unit_id, COUNT(*) AS reporters, SUM(on_time_days) AS on_time_days
            FROM (
              SELECT m.unit_id AS unit_id,
                     COUNT(DISTINCT CASE
                       WHEN r.report_date <= ?
                        AND substr(r.created_at, 1, 19) <= r.report_date || 'T' || ?
                       THEN r.report_date END) AS on_time_days
              FROM members m
              JOIN reports r ON r.member_id = m.id
              WHERE m.active = 1 AND m.role IN ({_ROLES_SQL}) AND m.unit_id IN ({_SUBTREE})
                AND r.report_date BETWEEN ? AND ? AND r.status = 'active'
              GROUP BY m.id
            )
            GROUP BY unit_id""",
        (closed, scope.deadline, *scope.unit_params, scope.start, scope.end),
    )


async def patrol_members_per_unit(tx: Tx, scope: Scope, patrol_kind: str) -> list[Row]:
    """Active members who took part in at least one patrol: as its reporter or a team-mate."""
    return await tx.fetchall(
        f"""SELECT m.unit_id, COUNT(*) AS patrol_members
            FROM members m
            WHERE m.active = 1 AND m.role IN ({_ROLES_SQL}) AND m.unit_id IN ({_SUBTREE})
              AND (EXISTS (SELECT 1 FROM reports r
                           WHERE r.member_id = m.id AND r.report_date BETWEEN ? AND ?
                             AND r.kind = ? AND r.status = 'active')
                   OR EXISTS (SELECT 1 FROM report_participants p
                              JOIN reports r ON r.id = p.report_id
                              WHERE p.member_id = m.id AND r.report_date BETWEEN ? AND ?
                                AND r.kind = ? AND r.status = 'active'))
            GROUP BY m.unit_id""",
        (
            *scope.unit_params,
            scope.start,
            scope.end,
            patrol_kind,
            scope.start,
            scope.end,
            patrol_kind,
        ),
    )


async def flagged_per_unit(
    tx: Tx, scope: Scope, kind: str, expressions: dict[str, str], params: tuple[Any, ...] = ()
) -> list[Row]:
    """Sums of per-report expressions over one (rare) kind: fires attended, tips acknowledged.

    `expressions` maps an output name to a SQL expression over `r` (trusted, from code);
    `params` fill their placeholders, in order.
    """
    columns = ", ".join(f"SUM({sql}) AS {name}" for name, sql in expressions.items())
    return await tx.fetchall(
        f"""SELECT r.unit_id, COUNT(*) AS n, {columns}
            FROM reports r
            WHERE r.kind = ? AND r.report_date BETWEEN ? AND ? AND r.status = 'active'
              AND r.unit_id IN ({_SUBTREE})
            GROUP BY r.unit_id""",
        (*params, kind, scope.start, scope.end, *scope.unit_params),
    )


async def raw_reports(tx: Tx, scope: Scope, limit: int | None) -> list[Row]:
    """The reports themselves, for the workbook's raw sheet, oldest first."""
    sql = f"""SELECT r.number, r.report_date, r.created_at, r.kind, r.data, r.ack_at,
                     u.name AS unit_name, u.path AS unit_path, m.full_name AS reporter,
                     substr(r.created_at, 1, 19) > r.report_date || 'T' || ? AS late
              FROM reports r
              JOIN units u ON u.id = r.unit_id
              JOIN members m ON m.id = r.member_id
              WHERE r.unit_id IN ({_SUBTREE})
                AND r.report_date BETWEEN ? AND ? AND r.status = 'active'
              ORDER BY r.report_date, r.created_at, r.id"""
    params: tuple[Any, ...] = (scope.deadline, *scope.unit_params, scope.start, scope.end)
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return await tx.fetchall(sql, params)
