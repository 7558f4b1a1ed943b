"""The tally as an Excel workbook: a sheet per level of the unit tree, the members, the
targets, the urgent reports, then the reports themselves.

Each sheet is built by a function of its own from the tally's rows and written by
render/sheet.py, which gives every sheet the same title block, signature block and print
setup and keeps Excel's limits. Written in openpyxl's write-only mode (streaming, flat in
memory): a province's summary sheets and its 15,000 members take seconds, and a list too
long for one file goes to commune files instead (bot/tally/detail.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook

from bot.core.config import TARGET_KEYS
from bot.core.targets import CATALOGUE
from bot.tally.compute import Figures, RawReport, Tally, UnitTally
from bot.tally.members import MemberLine
from bot.tally.names import display_names
from bot.tally.render import stable
from bot.tally.render.detail import detail_sheets, names_by_path, raw_sheet, wall
from bot.tally.render.excel import SheetNames
from bot.tally.render.frame import make_frame
from bot.tally.render.members_sheet import members_sheet
from bot.tally.render.sheet import Sheet
from bot.tally.render.targets_sheet import goals_table
from bot.tally.render.urgent_sheet import figure_columns, reports_table, targets_table
from bot.tally.urgent_list import UrgentReport

if TYPE_CHECKING:
    from bot.tally.labels import Labels

COUNT_TARGETS = frozenset(t.key for t in CATALOGUE if t.measure == "count")  # others: shares
MET, MISSED = "✓", "✗"


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
    shown = display_names(tally)  # teams qualified by their commune in a province's tally
    columns = [
        Column(labels.t("export.unit"), "text", lambda u: shown.get(u.unit_id, u.name)),
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
        columns.append(Column(mark, "mark", _target_mark(key, na)))
    columns += [
        Column(labels.t("export.targets_met"), "int", lambda u: u.met_count[0]),
        Column(labels.t("export.targets_applicable"), "int", lambda u: u.met_count[1]),
        Column(labels.t("export.rating"), "text", lambda u: labels.rating(u.rating) or None),
        class_column(labels),
    ]
    return columns


def class_column(labels: Labels) -> Column:
    """The plans' four-level class (tốt, khá, trung bình, yếu), its header saying it is a
    suggestion for the authority that classifies (bot/tally/classes.py)."""

    def _read(unit: UnitTally) -> object:
        """The level in words, or None for a unit not classified."""
        level = unit.movement_class
        return labels.t(f"classes.level.{level}") if level else None

    return Column(labels.t("classes.column"), "text", _read)


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
    columns.append(class_column(labels))
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


@dataclass(frozen=True)
class Part:
    """One sheet of the workbook: the name it asks for, its rows, and how many of them the
    autofilter takes (None: all; a totals line stays out)."""

    wanted: str
    sheet: Sheet
    filter_rows: int | None = None


@dataclass(frozen=True)
class Elsewhere:
    """The reports are in commune files of an archive, too many for one workbook: the
    archive's name, the total, and (commune, file name, reports) per file."""

    archive: str
    count: int
    files: list[tuple[str, str, int]]


def grouped(number: int, locale: str) -> str:
    """A count with its thousands grouped as the reader writes them: 100.055 / 100,055."""
    text = f"{number:,}"
    return text.replace(",", ".") if locale == "vi" else text


def _utc(moment: datetime) -> datetime:
    """File properties are stored as UTC ('Z'); a naive time is taken as already UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def unit_sheet(units: list[UnitTally], columns: list[Column]) -> Sheet:
    """One row per unit with the given columns."""
    sheet = Sheet([c.header for c in columns], [c.fmt for c in columns])
    for unit in units:
        sheet.add([c.value(unit) for c in columns])
    return sheet


def table_sheet(table: tuple[list[str], list[str], list[list[object]]]) -> Sheet:
    """A sheet of a table built elsewhere (render/urgent_sheet.py), local times as they are."""
    headers, formats, rows = table
    sheet = Sheet(headers, formats)
    for row in rows:
        sheet.add([wall(v) if isinstance(v, datetime) else v for v in row])
    return sheet


def team_parts(tally: Tally, labels: Labels, *, teams_sheet: bool = True) -> list[Part]:
    """The team sheet (with a totals line under several teams), then one sheet per level
    above the teams, deepest first, then the whole unit; without `teams_sheet`, the levels
    only, the first saying where the teams are (a chat file over too many teams)."""
    parts = []
    teams = tally.teams
    if teams_sheet:
        columns = team_columns(tally, labels)
        team_sheet = unit_sheet(teams, columns)
        if teams and not tally.root.is_team:
            team_sheet.add([c.value(x) for x in [totals_unit(tally, labels)] for c in columns])
        parts.append(Part(labels.t("export.sheet_teams"), team_sheet, len(teams)))
    roll_up = rollup_columns(tally, labels)
    for depth in reversed(tally.depths):
        units = [u for u in tally.level(depth) if not u.is_team] if depth else []
        if units:
            parts.append(Part(labels.level(units, depth), unit_sheet(units, roll_up)))
    if not tally.root.is_team:
        whole = unit_sheet([tally.root], roll_up)
        parts.append(Part(labels.level([tally.root], 0), whole))
    if not teams_sheet and parts:
        count = grouped(len(teams), labels.locale)
        parts[0].sheet.notes.append(labels.t("workbook.levels_only", teams=count))
    return parts


def detail_parts(
    tally: Tally, raw: list[RawReport], labels: Labels, truncated: bool, elsewhere: Elsewhere | None
) -> list[Part]:
    """The reports' sheets, or, when they are in commune files, one sheet saying which."""
    if elsewhere is None:
        return [Part(name, sheet) for name, sheet in detail_sheets(tally, raw, labels, truncated)]
    t = labels.t
    index = Sheet([t("workbook.commune"), t("workbook.detail_file"), t("workbook.detail_count")],
                  ["text", "text", "int"])  # fmt: skip
    index.notes.append(
        t(
            "workbook.detail_elsewhere",
            count=grouped(elsewhere.count, labels.locale),
            archive=elsewhere.archive,
        )
    )
    for row in elsewhere.files:
        index.add(list(row))
    return [Part(t("workbook.sheet_detail_index"), index)]


def workbook(
    tally: Tally,
    raw: list[RawReport],
    labels: Labels,
    *,
    raw_truncated: bool = False,
    urgent: list[UrgentReport] | None = None,
    urgent_truncated: bool = False,
    members: list[MemberLine] | None = None,
    elsewhere: Elsewhere | None = None,
    teams_sheet: bool = True,
) -> bytes:
    """The tally as .xlsx bytes: teams (unless not `teams_sheet`), each level above them, the
    whole unit, the members (`members`), the targets of tips and fires with their sources
    and their reports' whole life (`urgent`), the reports (or where they are: `elsewhere`).

    Every sheet has the title block, the header row (frozen, filtered, repeated on printed
    pages), the signature block and A4 landscape print setup of render/sheet.py. When
    `raw_truncated`, the detail sheet says the list is cut and how to get all of it.
    """
    parts = team_parts(tally, labels, teams_sheet=teams_sheet)
    if members is not None:
        kinds = report_kinds(tally)
        parts.append(
            Part(labels.t("workbook.sheet_members"), members_sheet(tally, members, labels, kinds))
        )
    parts.append(
        Part(labels.t("tally_urgent.sheet_targets"), table_sheet(targets_table(tally, labels)))
    )
    parts.append(Part(labels.t("targets.sheet"), table_sheet(goals_table(tally, labels))))
    if urgent is not None:
        sheet = table_sheet(reports_table(urgent, labels))
        if urgent_truncated:
            sheet.notes.append(labels.t("export.truncated", count=len(urgent)))
        parts.append(Part(labels.t("tally_urgent.sheet"), sheet))
    parts += detail_parts(tally, raw, labels, raw_truncated, elsewhere)
    note = labels.t("export.truncated", count=len(raw)) if raw_truncated else None
    return write_book(tally, labels, parts, note)


def detail_workbook(tally: Tally, raw: list[RawReport], labels: Labels, commune: str) -> bytes:
    """One commune's reports of a province's tally, as a file of its own (its sheets cut at
    Excel's row limit like any other), with the same title and signature blocks."""
    sheet = raw_sheet(raw, labels, False, names_by_path(tally))
    return write_book(
        tally, labels, [Part(labels.t("workbook.sheet_detail", commune=commune), sheet)]
    )


def write_book(tally: Tally, labels: Labels, parts: list[Part], note: str | None = None) -> bytes:
    """Write the sheets in order, framed, stamped with the period (render/stable.py) so a
    closed period gives the same bytes whenever it is made; `note` goes in the properties."""
    wb = Workbook(write_only=True)
    period = tally.period.label(labels.locale)
    props = wb.properties
    props.title = labels.title(tally.root.name, period)
    props.subject = period
    props.creator = "antt-bot"
    made = stable.stamp(tally.period, tally.generated_at)  # the same on any later day
    props.created = props.modified = _utc(made)
    if note:
        props.description = note
    frame = make_frame(tally, labels, made)
    names = SheetNames()
    for part in parts:
        part.sheet.write(wb, names, part.wanted, frame, part.filter_rows)
    return stable.save(wb, made)
