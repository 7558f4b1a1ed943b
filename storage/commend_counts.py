"""What each member did in an occasion's period, and the report numbers that prove it.

Counted by stretches of service (`memberships`), so a member is credited to the team they
served on when they did it, whatever moved since; a member who changed teams in the period
has one line per team.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Row, Tx
from storage.subtree import within, within_params


@dataclass(frozen=True)
class Kinds:
    """The report kinds a commendation looks at (from `[tally.sources]`)."""

    good_deed: str
    tip: str
    fire: str
    patrol: str


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


async def member_counts(
    tx: Tx, path: str, start: str, end: str, until: str, kinds: Kinds, roles: Sequence[str]
) -> list[Row]:
    """Per member and team of the subtree, over the days they served there in one of
    `roles` within [start, end]: good deeds, tips and fire reports filed, patrols taken part
    in (as reporter or picked team-mate), days with any report (nil included) and days served
    up to `until` (the last day due so far), plus their name and their latest role there."""
    # The role of the stretch ending last: SQLite takes a bare column from the MAX() row;
    # PostgreSQL says it outright.
    latest_role = (
        "per.role"
        if tx.dialect == "sqlite"
        else "(array_agg(per.role ORDER BY per.b DESC))[1] AS role"
    )
    return await tx.fetchall(
        f"""WITH st AS (
              SELECT s.unit_id, s.member_id, s.role,
                     MAX(s.start_date, ?) AS a, MIN(COALESCE(s.end_date, ?), ?) AS b
              FROM units u JOIN memberships s ON s.unit_id = u.id
              WHERE {within("u.path")} AND s.role IN ({_marks(roles)})
                AND s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?)
            ), per AS (
              SELECT st.unit_id, st.member_id, st.role, st.a, st.b,
                (SELECT COUNT(*) FROM reports r WHERE r.member_id = st.member_id
                   AND r.report_date BETWEEN st.a AND st.b AND r.status = 'active'
                   AND r.kind = ?) AS good_deeds,
                (SELECT COUNT(*) FROM reports r WHERE r.member_id = st.member_id
                   AND r.report_date BETWEEN st.a AND st.b AND r.status = 'active'
                   AND r.kind = ?) AS tips,
                (SELECT COUNT(*) FROM reports r WHERE r.member_id = st.member_id
                   AND r.report_date BETWEEN st.a AND st.b AND r.status = 'active'
                   AND r.kind = ?) AS fires,
                (SELECT COUNT(*) FROM reports r WHERE r.member_id = st.member_id
                   AND r.report_date BETWEEN st.a AND st.b AND r.status = 'active'
                   AND r.kind = ?)
                + (SELECT COUNT(*) FROM report_participants p JOIN reports r ON r.id = p.report_id
                   WHERE p.member_id = st.member_id AND r.member_id <> st.member_id
                     AND r.report_date BETWEEN st.a AND st.b AND r.status = 'active'
                     AND r.kind = ?) AS patrols,
                (SELECT COUNT(DISTINCT r.report_date) FROM reports r
                   WHERE r.member_id = st.member_id AND r.status = 'active'
                     AND r.report_date BETWEEN st.a AND MIN(st.b, ?)) AS report_days,
                MAX(0, CAST(julianday(MIN(st.b, ?)) - julianday(st.a) AS INT) + 1) AS served_days
              FROM st
            )
            SELECT per.unit_id, per.member_id, m.full_name, MAX(per.b) AS last_day, {latest_role},
                   SUM(per.good_deeds) AS good_deeds, SUM(per.tips) AS tips,
                   SUM(per.fires) AS fires, SUM(per.patrols) AS patrols,
                   SUM(per.report_days) AS report_days, SUM(per.served_days) AS served_days
            FROM per JOIN members m ON m.id = per.member_id
            GROUP BY per.unit_id, per.member_id, m.full_name
            ORDER BY per.unit_id, m.full_name""",
        (
            start,
            end,
            end,
            *within_params(path),
            *roles,
            end,
            start,
            kinds.good_deed,
            kinds.tip,
            kinds.fire,
            kinds.patrol,
            kinds.patrol,
            until,
            until,
        ),
    )


async def member_numbers(
    tx: Tx, member_ids: Sequence[int], start: str, end: str, kinds: Sequence[str]
) -> list[Row]:
    """The numbers of the reports of `kinds` that these members filed, or took part in as
    team-mates, in [start, end], oldest first: (member_id, unit_id, kind, number)."""
    if not member_ids or not kinds:
        return []
    ids, marks = list(member_ids), _marks(kinds)
    return await tx.fetchall(
        f"""SELECT r.member_id AS member_id, r.unit_id, r.kind, r.number, r.report_date, r.id
            FROM reports r
            WHERE r.member_id IN ({_marks(ids)}) AND r.report_date BETWEEN ? AND ?
              AND r.status = 'active' AND r.kind IN ({marks})
            UNION ALL
            SELECT p.member_id AS member_id, r.unit_id, r.kind, r.number, r.report_date, r.id
            FROM report_participants p JOIN reports r ON r.id = p.report_id
            WHERE p.member_id IN ({_marks(ids)}) AND r.member_id <> p.member_id
              AND r.report_date BETWEEN ? AND ? AND r.status = 'active'
              AND r.kind IN ({marks})
            ORDER BY 5, 6""",
        (*ids, start, end, *kinds, *ids, start, end, *kinds),
    )


async def team_numbers(
    tx: Tx, unit_ids: Sequence[int], start: str, end: str, kinds: Sequence[str]
) -> list[Row]:
    """The numbers of the reports of `kinds` filed in these teams in [start, end], oldest
    first: (unit_id, kind, number)."""
    if not unit_ids or not kinds:
        return []
    ids = list(unit_ids)
    return await tx.fetchall(
        f"""SELECT r.unit_id, r.kind, r.number FROM reports r
            WHERE r.unit_id IN ({_marks(ids)}) AND r.report_date BETWEEN ? AND ?
              AND r.status = 'active' AND r.kind IN ({_marks(kinds)})
            ORDER BY r.report_date, r.id""",
        (*ids, start, end, *kinds),
    )
