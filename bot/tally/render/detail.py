"""The detail sheets of a tally's workbook: the reports themselves, one per row.

A commune's list goes on one sheet (or more, past Excel's row limit: render/sheet.py). A
tally over several communes lists each commune's reports on a sheet of its own, so a
district officer finds a commune's reports without filtering a million rows; past what one
workbook should hold, each commune's reports go in a file of their own (bot/tally/detail.py
makes the archive) and the workbook's detail sheet says where they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.tally.compute import RawReport, Tally, UnitTally
from bot.tally.names import communes, display_names, spans_communes
from bot.tally.render.sheet import Sheet

if TYPE_CHECKING:
    from bot.tally.labels import Labels

# Fixed widths (a long list is not scanned for them): number, dates, team, path, reporter,
# kind, late, acknowledged, details.
_WIDTHS: list[float] = [14, 12, 18, 28, 40, 24, 18, 10, 18, 50]


def wall(moment: datetime) -> datetime:
    """Cells cannot hold a time zone: keep the local wall-clock time people reported in."""
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def raw_sheet(
    raw: list[RawReport], labels: Labels, truncated: bool, names: dict[str, str] | None = None
) -> Sheet:
    """The reports, one per row, their answers on one line; `names` maps a team's path to
    the name the tally shows for it (qualified by its commune in a province's tally)."""
    t = labels.t
    headers = [
        t("export.number"),
        t("export.report_date"),
        t("export.filed_at"),
        t("export.team"),
        t("export.path"),
        t("export.reporter"),
        t("export.kind"),
        t("export.late"),
        t("export.acknowledged_at"),
        t("export.details"),
    ]
    formats = ["text", "date", "datetime", "text", "text", "text", "text", "text", "datetime"]
    sheet = Sheet(headers, [*formats, "text"], widths=_WIDTHS)
    if truncated:
        sheet.notes.append(t("export.truncated", count=len(raw)))
    kinds: dict[str, str] = {}
    shown = names or {}
    yes, no = labels.yes_no(True), labels.yes_no(False)
    for r in raw:
        kind = kinds.get(r.kind)
        if kind is None:
            kind = kinds[r.kind] = labels.kind_plain(r.kind)
        sheet.rows.append(
            [
                r.number,
                r.report_date,
                wall(r.filed_at),
                shown.get(r.unit_path, r.unit_name),
                r.unit_path,
                r.reporter,
                kind,
                yes if r.late else no,
                wall(r.acknowledged_at) if r.acknowledged_at else None,
                labels.details(r.kind, r.data),
            ]
        )
    return sheet


def names_by_path(tally: Tally) -> dict[str, str]:
    """Each unit's shown name (display_names) by its path as the tally shows it."""
    shown = display_names(tally)
    return {u.path: shown[u.unit_id] for u in tally.units}


def commune_of_path(tally: Tally) -> dict[str, UnitTally]:
    """Each team's path mapped to its commune: how a province's reports are split."""
    by_id = {u.unit_id: u for u in tally.units}
    return {by_id[team_id].path: commune for team_id, commune in communes(tally).items()}


def detail_sheets(
    tally: Tally, raw: list[RawReport], labels: Labels, truncated: bool
) -> list[tuple[str, Sheet]]:
    """(wanted sheet name, sheet) of the reports: one sheet for a commune's tally, one per
    commune with reports (in the tally's order) when it spans several."""
    names = names_by_path(tally)
    if not spans_communes(tally):
        return [(labels.t("export.sheet_raw"), raw_sheet(raw, labels, truncated, names))]
    commune = commune_of_path(tally)
    ids = {c.unit_id for c in commune.values()}
    groups: dict[int, tuple[str, list[RawReport]]] = {
        u.unit_id: (u.name, []) for u in tally.units if u.unit_id in ids
    }
    elsewhere = groups.setdefault(-1, (labels.t("tally.level.root"), []))[1]
    for r in raw:
        found = commune.get(r.unit_path)
        (groups[found.unit_id][1] if found is not None else elsewhere).append(r)
    return [
        (labels.t("workbook.sheet_detail", commune=name), raw_sheet(rows, labels, truncated, names))
        for name, rows in groups.values()
        if rows
    ]
