"""The phase report as a DOCX the officer edits and signs: heading, results, blank sections.

Laid out as Vietnamese administrative reports are (the national heading beside the unit, "Số:
…/BC-…", place and date left to fill, the title, sections I–IV, "Nơi nhận" and the
signature), in Times New Roman. Sections II–IV are headed and left for the officer: the bot
drafts the figures, people write the judgement.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.exceptions import UnrecognizedImageError
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from bot.core import dates
from bot.core.targets import CATALOGUE, TargetDef
from bot.phasereport.content import PhaseReport
from bot.phasereport.sections import (
    CONTENT_KEYS,
    CONTENTS,
    figure_lines,
    goal,
    goal_text,
    value_text,
)
from bot.tally.labels import Labels, percent

FONT = "Times New Roman"
PHOTO_WIDTH = Cm(7)


def _setup(doc: DocumentObject) -> None:
    """A4 with the usual margins, Times New Roman 13 pt."""
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    for name, size in (("Normal", 13), ("Heading 1", 13), ("Heading 2", 13), ("Title", 14)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        if name != "Normal":  # headings as official reports have them: black, bold
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)


def _cell_text(table: Table, row: int, col: int, lines: list[tuple[str, bool]]) -> None:
    """Centered lines in one cell, each bold or not."""
    cell = table.cell(row, col)
    cell.paragraphs[0].text = ""
    for i, (text, bold) in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold


def _heading(doc: DocumentObject, report: PhaseReport, t: Labels) -> None:
    """The unit and the national heading side by side, the number and the place and date."""
    table = doc.add_table(rows=2, cols=2)
    above = report.unit.path.rsplit("/", 2)
    upper = above[-2].upper() if len(above) >= 2 else ""
    _cell_text(table, 0, 0, [(upper, False), (report.unit.name.upper(), True)])
    _cell_text(
        table, 0, 1, [(t.t("phase_report.doc.nation"), True), (t.t("phase_report.doc.motto"), True)]
    )
    _cell_text(table, 1, 0, [(t.t("phase_report.doc.number"), False)])
    _cell_text(table, 1, 1, [(t.t("phase_report.doc.place_date"), False)])
    table.cell(1, 1).paragraphs[0].runs[0].italic = True


def _title(doc: DocumentObject, report: PhaseReport, t: Labels) -> None:
    """BÁO CÁO, what it closes, and the span with its themes."""
    chosen = report.chosen
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(t.t("phase_report.doc.title")).bold = True
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = t.t(
        "phase_report.doc.subtitle_so_ket"
        if chosen.kind == "so_ket"
        else "phase_report.doc.subtitle_tong_ket",
        phase=chosen.period.name,
    )
    sub.add_run(subtitle).bold = True
    for phase in chosen.phases:
        line = doc.add_paragraph()
        line.add_run(
            t.t(
                "phase_report.doc.phase_line",
                name=phase.name,
                start=dates.day(phase.start),
                end=dates.day(phase.end),
            )
        )
        if phase.theme:
            line.add_run(" " + t.t("phase_report.doc.theme", theme=phase.theme)).italic = True
    note = doc.add_paragraph()
    made = dates.shell_stamp(report.made_at)
    note.add_run(t.t("phase_report.doc.draft_note", made=made)).italic = True


def _table(doc: DocumentObject, headers: list[str], rows: list[list[str]]) -> Table:
    """A bordered table with a bold header row (repeated on each page)."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for i, header in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].add_run(header).bold = True
    for row in rows:
        cells = table.add_row().cells
        for i, value in enumerate(row):
            cells[i].text = value
    return table


def _verdict(t: Labels, met: bool | None, measured: bool) -> str:
    if not measured:
        return t.t("phase_report.doc.not_measured")
    if met is None:
        return t.t("phase_report.doc.not_applicable")
    return t.t("phase_report.doc.met" if met else "phase_report.doc.not_met")


def _source(t: Labels, target: TargetDef) -> str:
    """The plan and its words, or local practice said as such."""
    if not target.from_seed:
        return t.t("phase_report.doc.local")
    return f"{target.source}: “{target.words}”" if target.words else target.source


def _targets(doc: DocumentObject, report: PhaseReport, t: Labels, content: str) -> None:
    """The targets of one content: goal, value, met or not, teams meeting it, source."""
    root = report.ready.tally.root
    rows = []
    for target in (c for c in CATALOGUE if c.content == content):
        result = root.targets.get(target.key)
        wanted = goal(report.ready.config, target, result)
        value = result.value if result else None
        met = result.met if result else None
        applicable = root.teams_applicable.get(target.key, 0)
        teams = f"{root.teams_meeting.get(target.key, 0)}/{applicable}" if applicable else "—"
        rows.append(
            [
                t.target(target.key),
                goal_text(t, target, wanted),
                value_text(target, value) if target.measured else "—",
                _verdict(t, met, target.measured),
                teams,
                _source(t, target),
            ]
        )
    if rows:
        headers = [
            t.t(k)
            for k in (
                "phase_report.doc.col_target",
                "phase_report.doc.col_goal",
                "phase_report.doc.col_value",
                "phase_report.doc.col_verdict",
                "phase_report.doc.col_teams",
                "phase_report.doc.col_source",
            )
        ]
        _table(doc, headers, rows)


def _results(doc: DocumentObject, report: PhaseReport, t: Labels) -> None:
    """Section I: the overview, then the seven contents with their figures and targets."""
    doc.add_heading(t.t("phase_report.doc.part1"), level=1)
    figures = report.ready.tally.root.figures
    doc.add_paragraph(
        t.t(
            "phase_report.doc.overview",
            teams=figures.teams,
            members=figures.members,
            reports=figures.reports,
            compliance=percent(figures.compliance),
        )
    )
    for content in CONTENTS:
        doc.add_heading(t.t(CONTENT_KEYS[content]), level=2)
        for line in figure_lines(t, report.ready.config, figures, content):
            doc.add_paragraph(line, style="List Bullet")
        _targets(doc, report, t, content)
    doc.add_heading(t.t("phase_report.content.daily"), level=2)
    _targets(doc, report, t, "")


def _best(doc: DocumentObject, report: PhaseReport, t: Labels) -> None:
    """The strongest teams, with what they did: the ones to commend."""
    doc.add_heading(t.t("phase_report.doc.best"), level=2)
    if not report.best:
        doc.add_paragraph(t.t("phase_report.doc.none"))
        return
    good = report.ready.config.tally.sources.good_deed_kind
    patrol = report.ready.config.tally.sources.patrol_kind
    rows = []
    for i, team in enumerate(report.best, 1):
        met, applicable = team.met_count
        f = team.figures
        rows.append(
            [
                str(i),
                team.name,
                f"{met}/{applicable}",
                percent(f.compliance),
                str(f.reports),
                str(f.by_kind.get(good, 0)),
                str(f.by_kind.get(patrol, 0)),
                t.rating(team.rating),
            ]
        )
    headers = [
        t.t(k)
        for k in (
            "phase_report.doc.best_rank",
            "phase_report.doc.best_team",
            "phase_report.doc.best_met",
            "phase_report.doc.best_compliance",
            "phase_report.doc.best_reports",
            "phase_report.doc.best_good",
            "phase_report.doc.best_patrol",
            "phase_report.doc.best_rating",
        )
    ]
    _table(doc, headers, rows)


def _good_deeds(
    doc: DocumentObject, report: PhaseReport, t: Labels, photos: Mapping[str, bytes]
) -> None:
    """Each good deed with its photos: embedded when their bytes are here, else named."""
    doc.add_heading(t.t("phase_report.doc.good_deeds"), level=2)
    if not report.good_deeds:
        doc.add_paragraph(t.t("phase_report.doc.none"))
    for deed in report.good_deeds:
        doc.add_paragraph(
            t.t(
                "phase_report.doc.deed",
                day=dates.day(deed.day),
                team=deed.unit_name,
                who=deed.reporter,
                what=deed.what or "…",
                whom=deed.for_whom or "…",
                number=deed.number,
            ),
            style="List Number",
        )
        elsewhere = 0
        for ref in deed.photos:
            data = photos.get(ref)
            if data is None:
                elsewhere += 1
                continue
            try:
                doc.add_picture(io.BytesIO(data), width=PHOTO_WIDTH)
            except (UnrecognizedImageError, ValueError, OSError):
                elsewhere += 1
        if elsewhere:
            doc.add_paragraph(t.t("phase_report.doc.photos_elsewhere", count=elsewhere))
    if report.good_deeds_cut:
        doc.add_paragraph(t.t("phase_report.doc.cut", count=len(report.good_deeds)))


def _urgent(doc: DocumentObject, report: PhaseReport, t: Labels) -> None:
    """Tips and fires with where each stands and who took it up."""
    doc.add_heading(t.t("phase_report.doc.urgent"), level=2)
    if not report.urgent:
        doc.add_paragraph(t.t("phase_report.doc.none"))
        return
    rows = []
    for u in report.urgent:
        taken = f"{u.ack_by or ''} {dates.shell_stamp(u.ack_at)}".strip() if u.ack_at else "—"
        confirmed = "—" if u.in_time_confirmed is None else t.yes_no(u.in_time_confirmed)
        notes = [s.note for s in u.steps if s.note]
        rows.append(
            [
                u.number,
                t.kind_plain(u.kind),
                dates.day(u.report_date),
                u.unit_name,
                t.state(u.state) or "—",
                taken,
                confirmed,
                notes[-1] if notes else "",
            ]
        )
    headers = [
        t.t(k)
        for k in (
            "phase_report.doc.urgent_number",
            "phase_report.doc.urgent_kind",
            "phase_report.doc.urgent_day",
            "phase_report.doc.urgent_team",
            "phase_report.doc.urgent_state",
            "phase_report.doc.urgent_taken",
            "phase_report.doc.urgent_in_time",
            "phase_report.doc.urgent_outcome",
        )
    ]
    _table(doc, headers, rows)
    if report.urgent_cut:
        doc.add_paragraph(t.t("phase_report.doc.cut", count=len(report.urgent)))


def _blank_sections(doc: DocumentObject, t: Labels) -> None:
    """II–IV: headed, with a line for the officer to write on."""
    for key in ("phase_report.doc.part2", "phase_report.doc.part3", "phase_report.doc.part4"):
        doc.add_heading(t.t(key), level=1)
        doc.add_paragraph(t.t("phase_report.doc.to_write"))


def _signature(doc: DocumentObject, report: PhaseReport, t: Labels) -> None:
    """Nơi nhận on the left, the signature block on the right."""
    table = doc.add_table(rows=1, cols=2)
    left = table.cell(0, 0)
    left.paragraphs[0].add_run(t.t("phase_report.doc.recipients")).bold = True
    parts = report.unit.path.rsplit("/", 1)
    above = parts[0].rsplit("/", 1)[-1] if len(parts) == 2 else "…"
    left.add_paragraph(t.t("phase_report.doc.recipient_above", unit=above))
    left.add_paragraph(t.t("phase_report.doc.recipient_file"))
    _cell_text(
        table,
        0,
        1,
        [(t.t("phase_report.doc.signer"), True), (t.t("phase_report.doc.sign_hint"), False)],
    )


def docx_bytes(report: PhaseReport, photos: Mapping[str, bytes]) -> bytes:
    """The whole report; `photos` maps a photo reference to its bytes (missing: named)."""
    t = report.ready.labels
    doc = Document()
    _setup(doc)
    doc.core_properties.title = t.t(
        "phase_report.doc.properties", unit=report.unit.name, period=report.chosen.period.name
    )
    _heading(doc, report, t)
    _title(doc, report, t)
    _results(doc, report, t)
    _best(doc, report, t)
    _good_deeds(doc, report, t, photos)
    _urgent(doc, report, t)
    _blank_sections(doc, t)
    _signature(doc, report, t)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
