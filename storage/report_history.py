"""The changes to reports (edits, withdrawals, the urgent life cycle) read back for people:
one report's (`/lichsu BC-…`) or a subtree's over a span (`antt-bot audit`)."""

from __future__ import annotations

from storage.db import Row, Tx
from storage.subtree import within, within_params

# One row per change, whichever table kept it. Columns: source ('audit' for report_audit,
# 'event' for report_events), at, report_id, number, unit_path, actor (name or NULL for the
# bot), action (report_audit's action or report_events' state), before, after, note.
_CHANGES = """
    SELECT 'audit' AS source, a.at, r.id AS report_id, r.number, u.path AS unit_path,
           m.full_name AS actor, a.action, a.before, a.after, NULL AS note
      FROM report_audit a JOIN reports r ON r.id = a.report_id JOIN units u ON u.id = r.unit_id
      LEFT JOIN members m ON m.id = a.member_id
     WHERE {where_a}
    UNION ALL
    SELECT 'event', e.at, r.id, r.number, u.path, m.full_name, e.state, NULL, e.detail, e.note
      FROM report_events e JOIN reports r ON r.id = e.report_id JOIN units u ON u.id = r.unit_id
      LEFT JOIN members m ON m.id = e.member_id
     WHERE {where_e}
"""


async def of_report(tx: Tx, report_id: int) -> list[Row]:
    """Every change to one report, oldest first, so whoever may see it can see its past."""
    sql = _CHANGES.format(where_a="r.id = ?", where_e="r.id = ?") + " ORDER BY at, source"
    return await tx.fetchall(sql, (report_id, report_id))


async def under(tx: Tx, path: str, first_at: str, before_at: str) -> list[Row]:
    """Changes recorded in [first_at, before_at) to the reports of the subtree at `path`,
    oldest first (`antt-bot audit` puts them beside the people's changes)."""
    where = within("u.path") + " AND {t}.at >= ? AND {t}.at < ?"
    sql = _CHANGES.format(where_a=where.format(t="a"), where_e=where.format(t="e"))
    params = (*within_params(path), first_at, before_at)
    return await tx.fetchall(sql + " ORDER BY at, source", params + params)
