"""The per-member sheet: each member who served in the period, their days and their reports.

Fed the lines of bot/tally/members.py; a team's members add up to its line on the team
sheet (days due, days on time, reports per kind), which is how an officer checks a figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.roles import role_label
from bot.tally.compute import Tally
from bot.tally.members import MemberLine
from bot.tally.names import communes, display_names
from bot.tally.render.sheet import Sheet

if TYPE_CHECKING:
    from bot.tally.labels import Labels


def members_sheet(tally: Tally, lines: list[MemberLine], labels: Labels, kinds: list[str]) -> Sheet:
    """One row per member and team: team (with its commune in a province's tally), commune,
    name, role, days due, days on time, the share, reports per kind, all reports, patrols."""
    t = labels.t
    headers = [
        t("export.team"),
        t("workbook.commune"),
        t("workbook.member"),
        t("workbook.role"),
        t("export.expected_days"),
        t("export.on_time_days"),
        t("export.compliance"),
        *(labels.kind_plain(k) for k in kinds),
        t("workbook.reports"),
        t("workbook.patrols"),
    ]
    formats = ["text", "text", "text", "text", "int", "int", "pct"]
    sheet = Sheet(headers, [*formats, *("int" for _ in kinds), "int", "int"])
    sheet.notes.append(t("workbook.patrols_note"))
    shown = display_names(tally)
    commune = communes(tally)
    for line in lines:
        above = commune.get(line.unit_id)
        sheet.rows.append(
            [
                shown.get(line.unit_id, ""),
                above.name if above is not None else None,
                line.name,
                role_label(line.role, labels.locale) if line.role else None,
                line.expected_days,
                line.on_time_days,
                line.compliance,
                *(line.by_kind.get(k, 0) for k in kinds),
                line.reports,
                line.patrols,
            ]
        )
    return sheet
