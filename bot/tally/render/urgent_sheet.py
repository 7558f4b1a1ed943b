"""What the files show of tips and fires: their figures per unit, their targets with the plans'
own words, and one row per urgent report with its whole life, for a district officer.

Tables come back as headers, column formats and rows; the workbook (render/xlsx.py) writes
them like its other sheets and the CSV takes the figure columns, so this module imports
neither.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.tally.compute import Figures, Tally, UnitTally
from bot.tally.urgent_list import Step, UrgentReport

if TYPE_CHECKING:
    from bot.tally.labels import Labels

Reader = Callable[[UnitTally], object]
Table = tuple[list[str], list[str], list[list[object]]]

# The targets these reports feed, in the order an officer answers for them.
URGENT_TARGETS = ("tips_acked", "tips_in_time", "tips_resolved", "fire_in_time")
MET, MISSED = "✓", "✗"

# Figures per unit: (locale key under tally_urgent, reading it off the figures).
_FIGURES: tuple[tuple[str, Callable[[Figures], int]], ...] = (
    ("col_tips", lambda f: f.tips),
    ("col_tips_duplicate", lambda f: f.tips_duplicate),
    ("col_tips_acked", lambda f: f.tips_acked),
    ("col_tips_acked_in_time", lambda f: f.tips_acked_in_time),
    ("col_tips_resolved", lambda f: f.tips_resolved),
    ("col_tips_forwarded", lambda f: f.tips_forwarded),
    ("col_tips_unfounded", lambda f: f.tips_unfounded),
    ("col_tips_open", lambda f: f.tips_open),
    ("col_fires", lambda f: f.fires),
    ("col_fires_duplicate", lambda f: f.fires_duplicate),
    ("col_fire_mobilised", lambda f: f.fire_mobilised),
    ("col_fire_in_time", lambda f: f.fire_in_time),
    ("col_fires_confirmed", lambda f: f.fires_confirmed),
    ("col_fires_confirmed_in_time", lambda f: f.fires_confirmed_in_time),
    ("col_fires_unconfirmed", lambda f: f.fires - f.fires_confirmed),
)


def _reader(get: Callable[[Figures], int]) -> Reader:
    return lambda unit: get(unit.figures)


def figure_columns(labels: Labels) -> list[tuple[str, str, Reader]]:
    """(header, "int", reader) of each urgent figure, for the unit sheets and the CSV."""
    minutes = labels.tip_ack_minutes
    return [
        (labels.t(f"tally_urgent.{key}", minutes=minutes), "int", _reader(get))
        for key, get in _FIGURES
    ]


def targets_table(tally: Tally, labels: Labels) -> Table:
    """One row per urgent target for the whole unit: goal, result, met, teams meeting it,
    how it is counted and where the goal comes from (the plan's words or local practice)."""
    t = labels.t
    headers = [
        t("tally_urgent.target"),
        t("tally_urgent.goal"),
        t("tally_urgent.value"),
        t("tally_urgent.met"),
        t("tally_urgent.teams_meeting"),
        t("tally_urgent.teams_applicable"),
        t("tally_urgent.h_definition"),
        t("tally_urgent.h_source"),
    ]
    formats = ["text", "pct", "pct", "mark", "int", "int", "text", "text"]
    root = tally.root
    rows: list[list[object]] = []
    for key in URGENT_TARGETS:
        result = root.targets.get(key)
        applies = result is not None and result.met is not None
        rows.append(
            [
                labels.target(key),
                result.goal if result is not None else None,
                result.value if applies and result is not None else None,
                (MET if result.met else MISSED) if applies and result else t("tally.na"),
                root.teams_meeting.get(key, 0) if not root.is_team else None,
                root.teams_applicable.get(key, 0) if not root.is_team else None,
                labels.definition(key),
                labels.source(key),
            ]
        )
    return headers, formats, rows


def _when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def _detail(step: Step, labels: Labels) -> str:
    """A step's detail in words: the officer's word on a fire, other keys as they are."""
    parts = []
    for key, value in step.detail.items():
        if key == "in_time" and isinstance(value, bool):
            parts.append(labels.t("tally_urgent.in_time_detail", answer=labels.yes_no(value)))
        elif key != "duplicate_of":  # the duplicate's number has its own column
            parts.append(f"{key}: {value}")
    return "; ".join(parts)


def history(report: UrgentReport, labels: Labels) -> str:
    """Every step on its own line: 'dd/mm/yyyy hh:mm · Đang xác minh · Nguyễn Văn B · note'."""
    lines = []
    for step in report.steps:
        parts = [
            _when(step.at),
            labels.state(step.state),
            step.who or labels.t("tally_urgent.by_bot"),
        ]
        parts += [text for text in (step.note, _detail(step, labels)) if text]
        lines.append(" · ".join(parts))
    return "\n".join(lines)


def reports_table(reports: list[UrgentReport], labels: Labels) -> Table:
    """One row per tip or fire: who filed it when, when the alert was due, where it stands,
    who took it up and how fast, the officer's confirmation, every step, its answers."""
    t = labels.t
    minutes = labels.tip_ack_minutes
    columns = [
        (t("export.number"), "text"),
        (t("export.kind"), "text"),
        (t("export.team"), "text"),
        (t("export.path"), "text"),
        (t("export.reporter"), "text"),
        (t("export.filed_at"), "datetime"),
        (t("tally_urgent.alert_at"), "datetime"),
        (t("tally_urgent.h_state"), "text"),
        (t("tally_urgent.state_at"), "datetime"),
        (t("tally_urgent.ack_by"), "text"),
        (t("export.acknowledged_at"), "datetime"),
        (t("tally_urgent.ack_minutes"), "int"),
        (t("tally_urgent.ack_in_time", minutes=minutes), "text"),
        (t("tally_urgent.duplicate_of"), "text"),
        (t("tally_urgent.confirmed"), "text"),
        (t("tally_urgent.confirmed_by"), "text"),
        (t("tally_urgent.confirmed_at"), "datetime"),
        (t("tally_urgent.history"), "lines"),
        (t("export.details"), "text"),
    ]
    rows: list[list[object]] = []
    for r in reports:
        taken = r.ack_minutes
        rows.append(
            [
                r.number,
                labels.kind_plain(r.kind),
                r.unit_name,
                r.unit_path,
                r.reporter,
                r.filed_at,
                r.alert_at,
                labels.state(r.state),
                r.state_at,
                r.ack_by,
                r.ack_at,
                None if taken is None else max(0, round(taken)),
                None if taken is None else labels.yes_no(taken <= minutes),
                r.duplicate_of,
                None if r.in_time_confirmed is None else labels.yes_no(r.in_time_confirmed),
                r.confirmed_by,
                r.confirmed_at,
                history(r, labels),
                labels.details(r.kind, r.data),
            ]
        )
    return [h for h, _ in columns], [f for _, f in columns], rows
