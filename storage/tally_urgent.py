"""The tally's SQL for urgent reports (tips, fires): their life counted per team, and listed.

The counts are expressions for `storage.tally.flagged_per_unit`, which already reads every
tip and fire of the period through the kind index: the urgent figures cost no extra pass.
A report marked the same incident as another (state 'duplicate' or `duplicate_of` set) is
counted once, as the report it duplicates, so it is left out of every urgent count here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.db import Row, Tx
from storage.subtree import within, within_params
from storage.tally import Scope
from storage.tx import no_limit

# Not the same incident as another report (which is counted instead).
NOT_DUPLICATE = "r.duplicate_of IS NULL AND COALESCE(r.state, '') <> 'duplicate'"
# Still waiting for the police (bot.reports.lifecycle.OPEN_STATES); a tip with no state yet
# (filed before the life cycle, or of a kind the forms do not mark urgent) is not closed.
_OPEN = "COALESCE(r.state, 'received') IN ('received', 'acknowledged', 'verifying')"
# How many minutes the police took to take a tip up, from when its first alert was due
# (`alert_at`: later than filing for a non-urgent tip held through quiet hours).
ACK_MINUTES = "(julianday(r.ack_at) - julianday(COALESCE(r.alert_at, r.created_at))) * 1440"
_BATCH = 500  # report ids per IN list when reading their steps


def urgent_expressions(
    tip: str, fire: str, minutes: str, mobilised_field: str, in_time_field: str
) -> dict[str, str]:
    """The per-report expressions of the urgent figures, for `flagged_per_unit`.

    `tip`, `fire` and `minutes` are the placeholders the caller binds to the tip kind, the
    fire kind and the take-up limit; the field names are validated config keys.
    """
    live_tip = f"r.kind = {tip} AND {NOT_DUPLICATE}"
    live_fire = f"r.kind = {fire} AND {NOT_DUPLICATE}"
    acked = f"{live_tip} AND r.ack_at IS NOT NULL"
    mobilised = f"{live_fire} AND json_extract(r.data, '$.{mobilised_field}') = 1"
    return {
        "tips": live_tip,
        "tips_duplicate": f"r.kind = {tip} AND NOT ({NOT_DUPLICATE})",
        "tips_acked": acked,
        "tips_acked_in_time": f"{acked} AND {ACK_MINUTES} <= {minutes}",
        "tips_resolved": f"{live_tip} AND r.state = 'resolved'",
        "tips_forwarded": f"{live_tip} AND r.state = 'forwarded'",
        "tips_unfounded": f"{live_tip} AND r.state = 'unfounded'",
        "tips_open": f"{live_tip} AND {_OPEN}",
        "fires": live_fire,
        "fires_duplicate": f"r.kind = {fire} AND NOT ({NOT_DUPLICATE})",
        "fire_mobilised": mobilised,
        "fire_in_time": f"{mobilised} AND json_extract(r.data, '$.{in_time_field}') = 1",
        "fires_confirmed": f"{live_fire} AND r.in_time_confirmed IS NOT NULL",
        "fires_confirmed_in_time": f"{live_fire} AND r.in_time_confirmed = 1",
    }


async def urgent_reports(
    tx: Tx, scope: Scope, kinds: Sequence[str], limit: int | None
) -> list[Row]:
    """The period's urgent reports below the scope's unit, oldest first, with the names of
    the reporter, of the officer who took each up and of the one who confirmed a fire, and
    the number of the report a duplicate repeats. Read through the kind index."""
    if not kinds:
        return []
    marks = ", ".join(f"?{9 + i}" for i in range(len(kinds)))
    return await tx.fetchall(
        f"""SELECT r.id, r.number, r.kind, r.report_date, r.created_at, r.alert_at, r.state,
                   r.state_at, r.ack_at, r.in_time_confirmed, r.confirmed_at, r.data,
                   u.id AS unit_id, u.name AS unit_name, u.path AS unit_path,
                   m.full_name AS reporter, ack.full_name AS ack_name,
                   cm.full_name AS confirmed_name,
                   d.number AS duplicate_of_number,
                   {ACK_MINUTES} AS ack_minutes
            FROM reports r INDEXED BY reports_kind_date
            JOIN units u ON u.id = r.unit_id
            JOIN members m ON m.id = r.member_id
            LEFT JOIN members ack ON ack.id = r.ack_by
            LEFT JOIN members cm ON cm.id = r.confirmed_by
            LEFT JOIN reports d ON d.id = r.duplicate_of
            WHERE r.kind IN ({marks}) AND r.report_date BETWEEN ?6 AND ?7
              AND r.status = 'active' AND {within("u.path", first=1)}
            ORDER BY r.report_date, r.created_at, r.id
            LIMIT ?8""",
        (
            *within_params(scope.path),
            scope.start,
            scope.end,
            no_limit(tx) if limit is None else limit,
            *kinds,
        ),
    )


async def steps_of(tx: Tx, report_ids: Sequence[int]) -> list[Row]:
    """Every step of these reports' lives, per report in order, with who took it."""
    rows: list[Row] = []
    for first in range(0, len(report_ids), _BATCH):
        batch = report_ids[first : first + _BATCH]
        params: tuple[Any, ...] = tuple(batch)
        rows += await tx.fetchall(
            f"""SELECT e.report_id, e.state, e.note, e.detail, e.at, m.full_name AS who
                FROM report_events e LEFT JOIN members m ON m.id = e.member_id
                WHERE e.report_id IN ({", ".join("?" for _ in batch)})
                ORDER BY e.report_id, e.id""",
            params,
        )
    return rows
