"""The aggregate queries behind /tally: counts per team, never Python loops over reports.

Every query is scoped to one subtree of units (`path` range on an indexed column) and one
period of report dates, and groups by unit, so a province of 5,000 teams comes back as a few
thousand small rows whatever the number of reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storage.db import Row, Tx
from storage.subtree import within, within_params
from storage.tx import no_limit


@dataclass(frozen=True)
class Scope:
    """A subtree and a period: the WHERE clause every tally query shares.

    `closed_end` is the last report date whose deadline has passed (None when none has):
    member-days after it are not yet due, so they count neither for nor against compliance.
    `deadline` is 'HH:MM:SS' (it closes a day for `closed_end`). A report for day D is late
    when filed at or after `day_ends` ('HH:MM:SS', `[reports] day_ends_at`) on D+1: a night
    patrol filed at 23:30 is on time. Reports of `urgent_kinds` (tips, fires) are never late.
    """

    path: str
    start: str
    end: str
    closed_end: str | None
    deadline: str
    day_ends: str = "06:00:00"
    urgent_kinds: tuple[str, ...] = ()

    @property
    def late_from(self) -> str:
        """Appended to the next day's date and compared with `created_at`: 'T06:00:00'
        sorts before 'T06:00:00+07:00', so a report stamped exactly when the day ends is
        late and one a second earlier is on time."""
        return f"T{self.day_ends}"


# Filed when its reporting day had ended (`?6` is `Scope.late_from`); urgent kinds excepted
# by the caller.
_FILED_LATE = "r.created_at >= date(r.report_date, '+1 day') || ?6"
# Filed on or before its own reporting day, so never late, told without date arithmetic: the
# day's date + 'T24' sorts after every time of that day and before the next day's
# `late_from`. Most reports are filed so; tested first (a CASE or WHERE stops there), it
# leaves `_FILED_LATE`'s date() to the few others, halving the cost of the late count.
_SAME_DAY = "r.created_at < r.report_date || 'T24'"


def _in_subtree(alias: str) -> str:
    """One index range on `path` (so rows come in path order) plus an exact prefix check,
    as ?1..?5 (every tally query numbers its parameters after these)."""
    return within(f"{alias}.path", first=1)


def _subtree_params(scope: Scope) -> tuple[Any, ...]:
    """?1..?5 of `_in_subtree`."""
    return within_params(scope.path)


def _numbered(first: int, values: Sequence[object]) -> str:
    """Placeholders ?first, ?first+1, ... for an IN list after a query's fixed parameters."""
    return ", ".join(f"?{first + i}" for i in range(len(values)))


def _by_path(tx: Tx) -> str:
    """GROUP BY of the per-team queries: the path alone on SQLite (rows come in index order,
    no sort); PostgreSQL also wants the selected id, which the unique path determines."""
    return "u.path" if tx.dialect == "sqlite" else "u.path, u.id"


async def units_in(tx: Tx, scope: Scope) -> list[Row]:
    """The unit and all units below it, with whether each is a leaf (a team)."""
    return await tx.fetchall(
        f"""SELECT u.id, u.parent_id, u.name, u.kind, u.path, u.households,
                  NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = u.id) AS leaf
           FROM units u WHERE {_in_subtree("u")}
           ORDER BY u.path""",
        _subtree_params(scope),
    )


FIELD_BITS = 20  # a team files far fewer than 2**20 reports in a period
_PER_SUM = 3  # three 20-bit fields fit in SQLite's signed 64-bit integer


async def reports_per_unit(tx: Tx, scope: Scope, kinds: list[str]) -> list[dict[str, int]]:
    """Reports per team in the period: per kind, `other` for kinds no longer in the forms,
    and `late` for those filed after their reporting day ended (`Scope`); plus `unit_id`.

    This is the one query that reads every report of the period, so it must cost little
    more than counting them: a single pass over a covering index, grouped in index order
    (no sort), and the counts packed into a few SUMs of 20-bit fields (one CASE per row
    instead of one aggregate call per kind), unpacked here.
    """
    names = [*kinds, "late"]
    slots = {name: (i // _PER_SUM, (i % _PER_SUM) * FIELD_BITS) for i, name in enumerate(names)}
    late_index, late_shift = slots["late"]
    urgent = _numbered(9 + len(kinds), scope.urgent_kinds)
    sums = []
    for index in range(late_index + 1):
        whens = "".join(
            f" WHEN ?{9 + i} THEN {1 << slots[kind][1]}"
            for i, kind in enumerate(kinds)
            if slots[kind][0] == index
        )
        value = f"CASE r.kind{whens} ELSE 0 END" if whens else "0"
        if index == late_index:
            late = (
                f"CASE WHEN {_SAME_DAY} OR r.kind IN ({urgent}) THEN 0"
                f" WHEN {_FILED_LATE} THEN 1 ELSE 0 END"
            )
            value += f" + ({late}) * {1 << late_shift}"
        sums.append(f"SUM({value}) AS s{index}")
    rows = await tx.fetchall(
        f"""SELECT u.id AS unit_id, COUNT(*) AS n, {", ".join(sums)}
            FROM units u JOIN reports r ON r.unit_id = u.id
            WHERE {_in_subtree("u")}
              AND r.report_date BETWEEN ?7 AND ?8 AND r.status = 'active'
            GROUP BY {_by_path(tx)}""",
        (
            *_subtree_params(scope),
            scope.late_from,
            scope.start,
            scope.end,
            *kinds,
            *scope.urgent_kinds,
        ),
    )
    mask = (1 << FIELD_BITS) - 1
    # Columns by position (unit_id, n, s0, s1...): a row's lookup by name scans its columns.
    unpack = [(name, 2 + i, shift) for name, (i, shift) in slots.items()]
    result = []
    for row in rows:
        counts = {"unit_id": row[0]}
        counts.update((name, (row[column] >> shift) & mask) for name, column, shift in unpack)
        counts["other"] = row[1] - sum(counts[k] for k in kinds)
        result.append(counts)
    return result


# A stretch's leave days in its due window [st.a, st.c]: julianday overlap of each
# non-cancelled leave; a member's leaves never overlap, so they add.
_LEAVE_DAYS = """(SELECT COALESCE(SUM(MAX(0, CAST(
                julianday(MIN(l.end_date, st.c)) - julianday(MAX(l.start_date, st.a)) AS INT)
                + 1)), 0)
            FROM leaves l
            WHERE l.member_id = st.member_id AND l.cancelled_at IS NULL
              AND l.start_date <= st.c AND l.end_date >= st.a)"""

# Days a stretch's member reported on time while on leave: a leave day neither helps nor
# hurts. Read per leave (few rows) through the member's report index, not per report.
_ON_TIME_ON_LEAVE = """(SELECT COUNT(DISTINCT r.report_date) FROM leaves l
            JOIN reports r ON r.member_id = l.member_id
             AND r.report_date BETWEEN MAX(l.start_date, st.a) AND MIN(l.end_date, st.c)
            WHERE l.member_id = st.member_id AND l.cancelled_at IS NULL
              AND l.start_date <= st.c AND l.end_date >= st.a
              AND r.status = 'active' AND (r.kind IN ({urgent}) OR NOT {late}))"""

# A stretch's member-days due in its window [st.a, st.c] (elapsed, minus leave), and those
# covered on time; the team figures and the per-member sheet count them alike.
_EXPECTED_DAYS = f"""SUM(CASE WHEN st.c < st.a THEN 0 ELSE
                      CAST(julianday(st.c) - julianday(st.a) AS INT) + 1 - {_LEAVE_DAYS}
                    END)"""


def _on_time_days(urgent: str) -> str:
    """The on-time member-days of each stretch, summed; `urgent`: the placeholders of the
    kinds that are never late."""
    on_leave = _ON_TIME_ON_LEAVE.format(urgent=urgent, late=_FILED_LATE)
    return f"""SUM(CASE WHEN st.c < st.a THEN 0 ELSE
                      (SELECT COUNT(DISTINCT r.report_date) FROM reports r
                       WHERE r.member_id = st.member_id
                         AND r.report_date BETWEEN st.a AND st.c AND r.status = 'active'
                         AND ({_SAME_DAY} OR r.kind IN ({urgent}) OR NOT {_FILED_LATE}))
                      - {on_leave}
                    END)"""


async def members_per_unit(
    tx: Tx, scope: Scope, patrol_kind: str, roles: Sequence[str], *, unreachable: bool = False
) -> list[Row]:
    """Per team, over the members who served there in one of `roles` (those who report) on
    some day of the period, by their stretches of service (`memberships`), never by who is
    there today: so a closed period keeps its figures whatever joined, moved or left since.

    Each stretch counts on its own days only: its window is the period cut to the stretch
    (`a`..`b`), and due days run from `a` to the closed end (`c`). Per stretch: the
    member-days a report was due (minus leave days, `_LEAVE_DAYS`), whether the member
    reported at all, the member-days reported on time (any report or nil report for that
    date by the deadline; on leave days not counted, `_ON_TIME_ON_LEAVE`), and whether they
    took part in a patrol as its reporter or as a picked team-mate (CASE, not OR: SQLite
    evaluates both sides of an OR, and the team-mate lookup is the costly one). A member's
    stretches in one team (member, then leader) add up to one person: days are summed (the
    stretches never overlap), yes/no figures taken once.

    `unreachable` (only asked for a period still open: it is today's state) counts members
    still serving whose every messenger account said they blocked the bot.
    """
    urgent = _numbered(12 + len(roles), scope.urgent_kinds)
    on_time_days = _on_time_days(urgent)
    return await tx.fetchall(
        f"""WITH st AS (
              SELECT s.unit_id, s.member_id,
                     CASE WHEN s.end_date IS NULL THEN 1 ELSE 0 END AS serving,
                     MAX(s.start_date, ?7) AS a, MIN(COALESCE(s.end_date, ?8), ?8) AS b,
                     CASE WHEN ?9 = '' THEN '' ELSE MIN(COALESCE(s.end_date, ?9), ?9) END AS c
              FROM units u JOIN memberships s ON s.unit_id = u.id
              WHERE {_in_subtree("u")} AND s.role IN ({_numbered(12, roles)})
                AND s.start_date <= ?8 AND (s.end_date IS NULL OR s.end_date >= ?7)
            ), per AS (
              SELECT st.unit_id, st.member_id, MAX(st.serving) AS serving,
                {_EXPECTED_DAYS} AS expected,
                MAX(CASE WHEN EXISTS (SELECT 1 FROM reports r WHERE r.member_id = st.member_id
                            AND r.report_date BETWEEN st.a AND st.b AND r.status = 'active')
                    THEN 1 ELSE 0 END) AS reported,
                {on_time_days} AS on_time,
                MAX(CASE WHEN EXISTS (SELECT 1 FROM reports r WHERE r.member_id = st.member_id
                                      AND r.report_date BETWEEN st.a AND st.b
                                      AND r.status = 'active' AND r.kind = ?10) THEN 1
                         WHEN EXISTS (SELECT 1 FROM report_participants p
                                      JOIN reports r ON r.id = p.report_id
                                      WHERE p.member_id = st.member_id
                                        AND r.report_date BETWEEN st.a AND st.b
                                        AND r.status = 'active' AND r.kind = ?10) THEN 1
                         ELSE 0
                    END) AS patrol
              FROM st GROUP BY st.unit_id, st.member_id
            )
            SELECT per.unit_id AS unit_id, COUNT(*) AS members,
              SUM(per.expected) AS expected_days, SUM(per.reported) AS reporters,
              SUM(per.on_time) AS on_time_days, SUM(per.patrol) AS patrol_members,
              SUM(CASE WHEN ?11 = 1 AND per.serving = 1 THEN
                    (SELECT CASE WHEN COUNT(*) > 0
                                  AND SUM(CASE WHEN i.unreachable_at IS NULL THEN 1 ELSE 0 END) = 0
                             THEN 1 ELSE 0 END
                     FROM identities i WHERE i.member_id = per.member_id)
                  ELSE 0 END) AS unreachable
            FROM per GROUP BY per.unit_id""",
        (
            *_subtree_params(scope),
            scope.late_from,
            scope.start,
            scope.end,
            scope.closed_end or "",
            patrol_kind,
            int(unreachable),
            *roles,
            *scope.urgent_kinds,
        ),
    )


# The kinds of migration 023's partial index, as its WHERE clause writes them: a query
# names them the same way for SQLite to use it.
_URGENT_INDEX = (("fire_rescue", "tip"), "reports_urgent_unit")


async def flagged_per_unit(
    tx: Tx,
    scope: Scope,
    kinds: tuple[str, ...],
    expressions: dict[str, str],
    params: tuple[Any, ...] = (),
) -> list[Row]:
    """Sums of per-report expressions over the few reports of the kinds that feed targets
    (fires attended in time, tips acknowledged, reoffending, households checked).

    `expressions` maps an output name to a SQL expression over `r` (from code, never from
    users); `{0}`, `{1}` ... in them stand for `params`. Read through the kind index, or
    for the default kinds unit by unit through their partial index (migration 023), so a
    province reads only its own: these kinds are a small share of all reports.
    """
    first = 8 + len(kinds)
    slots = [f"?{first + i}" for i in range(len(params))]
    marks = ", ".join(f"?{8 + i}" for i in range(len(kinds)))
    columns = ", ".join(f"SUM({sql.format(*slots)}) AS {name}" for name, sql in expressions.items())
    if sorted(kinds) == sorted(_URGENT_INDEX[0]):
        listed = ", ".join(f"'{kind}'" for kind in _URGENT_INDEX[0])
        source = f"""units u JOIN reports r INDEXED BY {_URGENT_INDEX[1]} ON r.unit_id = u.id
            WHERE r.kind IN ({listed}) AND r.status = 'active' AND r.kind IN ({marks})"""
        group = "u.id"
    else:
        source = f"""reports r INDEXED BY reports_kind_date
            JOIN units u ON u.id = r.unit_id
            WHERE r.kind IN ({marks}) AND r.status = 'active'"""
        group = "r.unit_id"
    return await tx.fetchall(
        f"""SELECT {group} AS unit_id, {columns}
            FROM {source} AND r.report_date BETWEEN ?6 AND ?7 AND {_in_subtree("u")}
            GROUP BY {group}""",
        (*_subtree_params(scope), scope.start, scope.end, *kinds, *params),
    )


async def raw_reports(tx: Tx, scope: Scope, limit: int | None) -> list[Row]:
    """The reports themselves, for the workbook's raw sheet, oldest first."""
    sql = f"""SELECT r.number, r.report_date, r.created_at, r.kind, r.data, r.ack_at,
                     u.id AS unit_id, u.name AS unit_name, u.path AS unit_path,
                     m.full_name AS reporter,
                     (r.kind NOT IN ({_numbered(10, scope.urgent_kinds)})
                      AND {_FILED_LATE}) AS late
              FROM units u
              JOIN reports r ON r.unit_id = u.id
              JOIN members m ON m.id = r.member_id
              WHERE {_in_subtree("u")}
                AND r.report_date BETWEEN ?7 AND ?8 AND r.status = 'active'
              ORDER BY r.report_date, r.created_at, r.id
              LIMIT ?9"""
    params: tuple[Any, ...] = (
        *_subtree_params(scope),
        scope.late_from,
        scope.start,
        scope.end,
        no_limit(tx) if limit is None else limit,
        *scope.urgent_kinds,
    )
    return await tx.fetchall(sql, params)
