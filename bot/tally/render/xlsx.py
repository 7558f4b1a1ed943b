"""The tally as an Excel workbook: a sheet per level of the unit tree, then the raw reports.

Written in openpyxl's write-only mode: a commune's month is some 15,000 raw reports, and the
streaming writer keeps that near a second and flat in memory. In that mode column widths and
frozen panes must be set before the first row, so every sheet's rows are built first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.core.config import TARGET_KEYS
from bot.core.targets import CATALOGUE
from bot.tally.compute import Figures, RawReport, Tally, UnitTally
from bot.tally.render import stable
from bot.tally.render.excel import SheetNames, cell_text, formula_like, text_width
from bot.tally.render.targets_sheet import goals_table
from bot.tally.render.urgent_sheet import figure_columns, reports_table, targets_table
from bot.tally.urgent_list import UrgentReport

if TYPE_CHECKING:
    from bot.tally.labels import Labels

COUNT_TARGETS = frozenset(t.key for t in CATALOGUE if t.measure == "count")  # others: shares
MET, MISSED = "✓", "✗"
PERCENT = "0.0%"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
MAX_WIDTH = 50

_BOLD = Font(bold=True)
_NOTE = Font(bold=True, color="C00000")
_WRAP = Alignment(wrap_text=True, vertical="top")  # "lines": one step of a history a line
_FORMATS = {"pct": PERCENT, "date": DATE, "datetime": DATETIME}
_STYLED = {*_FORMATS, "lines"}
_FIXED_WIDTHS = {"pct": 6, "date": 10, "datetime": 16}


@dataclass(frozen=True)
class Column:
    """One column of a unit sheet: header, how to format it, and how to read it off a unit."""

    header: str
    fmt: str  # "text" | "int" | "pct"
    value: Callable[[UnitTally], object]


def report_kinds(tally: Tally) -> list[str]:
    """The tally's kinds in form order, plus any kind a unit counted that the forms dropped."""
    known = list(tally.kinds)
    extra = sorted({k for u in tally.units for k in u.figures.by_kind} - set(known))
    return known + extra


def _target_value(key: str) -> Callable[[UnitTally], object]:
    """A column reader: the target's measured value, empty where it does not apply."""

    def _read(unit: UnitTally) -> object:
        """The value, or None where the target does not apply."""
        result = unit.targets.get(key)
        if result is None or result.met is None:
            return None
        return result.value

    return _read


def _target_mark(key: str, na: str) -> Callable[[UnitTally], object]:
    """A column reader: ✓ or ✗ for the target, `na` where it does not apply."""

    def _read(unit: UnitTally) -> object:
        """✓ or ✗, or the not-applicable mark."""
        result = unit.targets.get(key)
        if result is None or result.met is None:
            return na
        return MET if result.met else MISSED

    return _read


def _meeting(key: str) -> Callable[[UnitTally], object]:
    """A column reader: how many teams below the unit meet the target."""
    return lambda unit: unit.teams_meeting.get(key, 0)


def _applicable(key: str) -> Callable[[UnitTally], object]:
    """A column reader: how many teams below the unit the target applies to."""
    return lambda unit: unit.teams_applicable.get(key, 0)


def _count(getter: Callable[[Figures], int]) -> Callable[[UnitTally], object]:
    """A column reader for one of the unit's figures."""
    return lambda unit: getter(unit.figures)


def _kind_count(kind: str) -> Callable[[UnitTally], object]:
    """A column reader: the unit's reports of one kind."""
    return lambda unit: unit.figures.by_kind.get(kind, 0)


def _leading(tally: Tally, labels: Labels, *, roll_up: bool) -> list[Column]:
    """The columns every unit sheet starts with: names, people, reports per kind, compliance."""
    columns = [
        Column(labels.t("export.unit"), "text", lambda u: u.name),
        Column(labels.t("export.path"), "text", lambda u: u.path),
    ]
    if roll_up:
        columns.append(Column(labels.t("export.teams"), "int", _count(lambda f: f.teams)))
    columns += [
        Column(labels.t("export.members"), "int", _count(lambda f: f.members)),
        Column(labels.t("export.reporters"), "int", _count(lambda f: f.reporters)),
    ]
    columns += [Column(labels.kind_plain(k), "int", _kind_count(k)) for k in report_kinds(tally)]
    columns += [
        Column(labels.t("export.late"), "int", _count(lambda f: f.late)),
        Column(labels.t("export.on_time_days"), "int", _count(lambda f: f.on_time_days)),
        Column(labels.t("export.expected_days"), "int", _count(lambda f: f.expected_days)),
        Column(labels.t("export.compliance"), "pct", lambda u: u.figures.compliance),
        Column(labels.t("export.unreachable"), "int", _count(lambda f: f.unreachable)),
    ]
    columns += [Column(*column) for column in figure_columns(labels)]
    return columns


def team_columns(tally: Tally, labels: Labels) -> list[Column]:
    """The columns of a team line, shared by the team sheet and the CSV."""
    na = labels.t("tally.na")
    columns = _leading(tally, labels, roll_up=False)
    for key in TARGET_KEYS:
        name = labels.target(key)
        fmt = "int" if key in COUNT_TARGETS else "pct"
        columns.append(Column(name, fmt, _target_value(key)))
        mark = labels.t("export.target_met", target=name)
        columns.append(Column(mark, "text", _target_mark(key, na)))
    columns += [
        Column(labels.t("export.targets_met"), "int", lambda u: u.met_count[0]),
        Column(labels.t("export.targets_applicable"), "int", lambda u: u.met_count[1]),
        Column(labels.t("export.rating"), "text", lambda u: labels.rating(u.rating) or None),
    ]
    return columns


def rollup_columns(tally: Tally, labels: Labels) -> list[Column]:
    """The columns of a commune or whole-unit line: sums, shares of sums, teams meeting."""
    columns = _leading(tally, labels, roll_up=True)
    for key in TARGET_KEYS:
        name = labels.target(key)
        fmt = "int" if key in COUNT_TARGETS else "pct"
        columns += [
            Column(name, fmt, _target_value(key)),
            Column(labels.t("export.teams_meeting", target=name), "int", _meeting(key)),
            Column(labels.t("export.teams_applicable", target=name), "int", _applicable(key)),
        ]
    return columns


def totals_unit(tally: Tally, labels: Labels) -> UnitTally:
    """A line adding up every team: sums of counts, the whole unit's shares and targets."""
    figures = Figures()
    for team in tally.teams:
        figures.add(team.figures)
    return UnitTally(
        unit_id=-1,
        parent_id=None,
        name=labels.t("export.total"),
        path="",
        kind="",
        depth=-1,
        is_team=False,
        figures=figures,
        targets=dict(tally.root.targets),
    )


class _Sheet:
    """Rows of one sheet kept as values until the column widths are known.

    `formats` per column: "text", "int", "pct", "date", "datetime" or "lines" (wrapped text,
    one item a line); only the last four need a styled cell, everything else goes out as a
    bare value (the fast path).
    """

    def __init__(self, headers: list[str], formats: list[str]) -> None:
        """An empty sheet with its headers and column formats."""
        self.headers = headers
        self.formats = formats
        self.rows: list[list[object]] = []
        self.note: str | None = None

    def add(self, values: Sequence[object]) -> None:
        """Keep a row, text cleaned of characters Excel refuses, empty text as no value."""
        self.rows.append([(cell_text(v) or None) if isinstance(v, str) else v for v in values])

    def widths(self) -> list[float]:
        """Characters per column from the longest value, header included, capped."""
        widths: list[float] = []
        for i, (header, fmt) in enumerate(zip(self.headers, self.formats, strict=True)):
            longest = _FIXED_WIDTHS.get(fmt)
            if longest is None:
                longest = max((text_width(row[i]) for row in self.rows), default=0)
            widths.append(min(max(longest, len(header)) + 2, MAX_WIDTH))
        return widths

    def write(self, wb: Workbook, title: str, filter_rows: int | None = None) -> None:
        """Stream the sheet out; `filter_rows` keeps a totals line out of the autofilter."""
        ws = wb.create_sheet(title)
        assert isinstance(ws, WriteOnlyWorksheet)
        ws.freeze_panes = "A2"  # write-only: panes and widths before the first row
        for i, width in enumerate(self.widths(), 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.append([_cell(ws, h, "text", _BOLD) for h in self.headers])
        extra = 0
        if self.note:
            ws.append([_cell(ws, self.note, "text", _NOTE)])
            extra = 1
        formats = [f if f in _STYLED else None for f in self.formats]
        for row in self.rows:
            ws.append(
                [
                    v
                    if v is None or (formats[i] is None and not formula_like(v))
                    else _cell(ws, v, formats[i] or "text")
                    for i, v in enumerate(row)
                ]
            )
        last = 1 + extra + (len(self.rows) if filter_rows is None else filter_rows)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(self.headers))}{last}"


def _utc(moment: datetime) -> datetime:
    """File properties are stored as UTC ('Z'); a naive time is taken as already UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _wall(moment: datetime) -> datetime:
    """Cells cannot hold a time zone: keep the local wall-clock time people reported in."""
    return moment.replace(tzinfo=None) if moment.tzinfo else moment


def _cell(ws: WriteOnlyWorksheet, value: object, fmt: str, font: Font | None = None) -> object:
    """A styled cell; user text starting with '=' stays text, never becomes a formula."""
    cell = WriteOnlyCell(ws, value=value)
    if formula_like(value):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    number_format = _FORMATS.get(fmt)
    if number_format:
        cell.number_format = number_format
    elif fmt == "lines":
        cell.alignment = _WRAP
    return cell


def _unit_sheet(units: list[UnitTally], columns: list[Column]) -> _Sheet:
    """One row per unit with the given columns."""
    sheet = _Sheet([c.header for c in columns], [c.fmt for c in columns])
    for unit in units:
        sheet.add([c.value(unit) for c in columns])
    return sheet


def _raw_sheet(raw: list[RawReport], labels: Labels, truncated: bool) -> _Sheet:
    """The reports themselves, one per row, their answers on one line."""
    headers = [
        labels.t("export.number"),
        labels.t("export.report_date"),
        labels.t("export.filed_at"),
        labels.t("export.team"),
        labels.t("export.path"),
        labels.t("export.reporter"),
        labels.t("export.kind"),
        labels.t("export.late"),
        labels.t("export.acknowledged_at"),
        labels.t("export.details"),
    ]
    formats = ["text", "date", "datetime", "text", "text", "text", "text", "text", "datetime"]
    sheet = _Sheet(headers, [*formats, "text"])
    if truncated:
        sheet.note = labels.t("export.truncated", count=len(raw))
    kinds: dict[str, str] = {}
    yes, no = labels.yes_no(True), labels.yes_no(False)
    for r in raw:
        kind = kinds.get(r.kind)
        if kind is None:
            kind = kinds[r.kind] = labels.kind_plain(r.kind)
        sheet.add(
            [
                r.number,
                r.report_date,
                _wall(r.filed_at),
                r.unit_name,
                r.unit_path,
                r.reporter,
                kind,
                yes if r.late else no,
                _wall(r.acknowledged_at) if r.acknowledged_at else None,
                labels.details(r.kind, r.data),
            ]
        )
    return sheet


def _table(table: tuple[list[str], list[str], list[list[object]]]) -> _Sheet:
    """A sheet of a table built elsewhere (render/urgent_sheet.py), local times as they are."""
    headers, formats, rows = table
    sheet = _Sheet(headers, formats)
    for row in rows:
        sheet.add([_wall(v) if isinstance(v, datetime) else v for v in row])
    return sheet


def workbook(
    tally: Tally,
    raw: list[RawReport],
    labels: Labels,
    *,
    raw_truncated: bool = False,
    urgent: list[UrgentReport] | None = None,
    urgent_truncated: bool = False,
) -> bytes:
    """The tally as .xlsx bytes: teams, each level above them, the whole unit, the targets of
    tips and fires with their sources and their reports' whole life (`urgent`), the raw reports.

    The header row is row 1 on every sheet (frozen, with an autofilter) so the sheets sort and
    filter in Excel straight away; the period and generation time go in the file properties.
    When `raw_truncated`, the raw sheet says the list is cut and how to get all of it.
    """
    wb = Workbook(write_only=True)
    period = tally.period.label(labels.locale)
    props = wb.properties
    props.title = labels.title(tally.root.name, period)
    props.subject = period
    props.creator = "antt-bot"
    made = stable.stamp(tally.period, tally.generated_at)  # the same on any later day
    props.created = props.modified = _utc(made)
    if raw_truncated:
        props.description = labels.t("export.truncated", count=len(raw))
    names = SheetNames()

    teams = tally.teams
    columns = team_columns(tally, labels)
    team_sheet = _unit_sheet(teams, columns)
    if teams and not tally.root.is_team:
        total = totals_unit(tally, labels)
        team_sheet.add([c.value(total) for c in columns])
    team_sheet.write(wb, names.take(labels.t("export.sheet_teams")), filter_rows=len(teams))

    roll_up = rollup_columns(tally, labels)
    for depth in reversed(tally.depths):
        if depth == 0:
            continue
        units = [u for u in tally.level(depth) if not u.is_team]
        if units:
            _unit_sheet(units, roll_up).write(wb, names.take(labels.level(units, depth)))
    if not tally.root.is_team:
        _unit_sheet([tally.root], roll_up).write(wb, names.take(labels.level([tally.root], 0)))

    _table(targets_table(tally, labels)).write(
        wb, names.take(labels.t("tally_urgent.sheet_targets"))
    )
    _table(goals_table(tally, labels)).write(wb, names.take(labels.t("targets.sheet")))
    if urgent is not None:
        sheet = _table(reports_table(urgent, labels))
        if urgent_truncated:
            sheet.note = labels.t("export.truncated", count=len(urgent))
        sheet.write(wb, names.take(labels.t("tally_urgent.sheet")))
    _raw_sheet(raw, labels, raw_truncated).write(wb, names.take(labels.t("export.sheet_raw")))
    return stable.save(wb, made)
