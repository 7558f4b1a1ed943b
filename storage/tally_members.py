"""The per-member sheet's queries: each member who served in a period, their days and reports.

The same rules as the team figures (storage/tally.py `members_per_unit`): a member counts
in each team they served in during the period, by their stretches of service, never by who
is there today; days due and days on time are counted the same way, so a team's members add
up to its line. Three aggregate queries, grouped by unit and member, so a province of
15,000 members comes back in a few seconds however many reports it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Row, Tx
from storage.subtree import within, within_params
from storage.tally import _EXPECTED_DAYS, Scope, _numbered, _on_time_days


async def days_per_member(tx: Tx, scope: Scope, roles: Sequence[str]) -> list[Row]:
    """Per (team, member) of `roles` serving there on some day of the period: the member's
    name, their last role there, the member-days a report was due (elapsed, minus leave)
    and the member-days covered on time, ordered by team path then name."""
    urgent = _numbered(10 + len(roles), scope.urgent_kinds)
    on_time_days = _on_time_days(urgent)
    return await tx.fetchall(
        f"""WITH st AS (
              SELECT s.unit_id, u.path, s.member_id,
                     MAX(s.start_date, ?7) AS a,
                     CASE WHEN ?9 = '' THEN '' ELSE MIN(COALESCE(s.end_date, ?9), ?9) END AS c
              FROM units u JOIN memberships s ON s.unit_id = u.id
              WHERE {within("u.path", first=1)} AND s.role IN ({_numbered(10, roles)})
                AND s.start_date <= ?8 AND (s.end_date IS NULL OR s.end_date >= ?7)
            ), per AS (
              SELECT st.unit_id, st.path, st.member_id,
                {_EXPECTED_DAYS} AS expected,
                {on_time_days} AS on_time
              FROM st GROUP BY st.unit_id, st.member_id, st.path
            )
            SELECT per.unit_id, per.member_id, m.full_name, per.expected, per.on_time,
                   (SELECT s.role FROM memberships s
                    WHERE s.member_id = per.member_id AND s.unit_id = per.unit_id
                      AND s.start_date <= ?8
                    ORDER BY s.start_date DESC, s.id DESC LIMIT 1) AS role
            FROM per JOIN members m ON m.id = per.member_id
            ORDER BY per.path, m.full_name, per.member_id""",
        (
            *within_params(scope.path),
            scope.late_from,
            scope.start,
            scope.end,
            scope.closed_end or "",
            *roles,
            *scope.urgent_kinds,
        ),
    )


async def reports_per_member(tx: Tx, scope: Scope) -> list[Row]:
    """Active reports per (team, member, kind) in the period, nil reports included: one
    pass over the covering index of reports by unit and date."""
    return await tx.fetchall(
        f"""SELECT r.unit_id, r.member_id, r.kind, COUNT(*) AS n
            FROM units u JOIN reports r ON r.unit_id = u.id
            WHERE {within("u.path", first=1)}
              AND r.report_date BETWEEN ?6 AND ?7 AND r.status = 'active'
            GROUP BY r.unit_id, r.member_id, r.kind""",
        (*within_params(scope.path), scope.start, scope.end),
    )


async def patrols_joined(tx: Tx, scope: Scope, patrol_kind: str) -> list[Row]:
    """Per (team, member), the patrols they went on as a team-mate picked by the reporter
    (the reporter's own patrols are in `reports_per_member`)."""
    return await tx.fetchall(
        f"""SELECT r.unit_id, p.member_id, COUNT(*) AS n
            FROM units u JOIN reports r ON r.unit_id = u.id
            JOIN report_participants p ON p.report_id = r.id
            WHERE {within("u.path", first=1)}
              AND r.report_date BETWEEN ?6 AND ?7 AND r.status = 'active' AND r.kind = ?8
              AND p.member_id != r.member_id
            GROUP BY r.unit_id, p.member_id""",
        (*within_params(scope.path), scope.start, scope.end, patrol_kind),
    )
