"""The workbook's "Chỉ tiêu" sheet: every target of the plans, its source, and the goals applied.

One row per catalogue target (bot/core/targets.py) with its content (4.1…), its source (the
plan's name, or local practice), the plan's own words and the default goal; then one row per
goal a unit set for its subtree, bearing on this tally (set on the unit asked about, above it
or below it), with the value applied and where and by whom it was set. Built as a plain table
(headers, formats, rows) so any sheet writer can stream it.
"""

from __future__ import annotations

from bot.core.targets import CATALOGUE, LOCAL
from bot.tally.compute import Tally
from bot.tally.goal_edit import format_goal, origin
from bot.tally.labels import Labels

Table = tuple[list[str], list[str], list[list[object]]]


def goals_table(tally: Tally, labels: Labels) -> Table:
    """The sheet's table: the catalogue with default goals, then the units' own goals."""
    t = labels.t
    texts, locale = labels.texts, labels.locale
    headers = [
        t("targets.sheet_content"),
        t("targets.sheet_target"),
        t("targets.sheet_key"),
        t("targets.sheet_source"),
        t("targets.sheet_words"),
        t("targets.sheet_measured"),
        t("targets.sheet_default"),
        t("targets.sheet_unit"),
        t("targets.sheet_applied"),
        t("targets.sheet_set_by"),
    ]
    formats = ["text"] * len(headers)
    book = tally.goals
    defaults = book.defaults if book is not None else None
    entries = book.entries(tally.root.path) if book is not None else []
    rows: list[list[object]] = []
    for target in CATALOGUE:
        source = (
            t("targets.sheet_local")
            if target.source == LOCAL
            else t("targets.sheet_plan", plan=target.source)
        )
        field = target.goal_field
        default = (
            format_goal(texts, locale, field, float(getattr(defaults, field)))
            if field and defaults is not None
            else None
        )
        base = [
            target.content,
            labels.target(target.key) if target.measured else t(f"tally.target.{target.key}"),
            field or target.key,
            source,
            target.words,
        ]
        measured = t("answer.yes") if target.measured else t("targets.sheet_not_measured")
        rows.append([*base, measured, default, None, None, None])
        for entry in (e for e in entries if field and e.key == field):
            rows.append(
                [
                    *base,
                    measured,
                    default,
                    entry.unit_path,
                    format_goal(texts, locale, field, entry.value),
                    origin(texts, locale, entry),
                ]
            )
    minutes = "tip_ack_minutes"  # a threshold of 4.1, local practice, not a target itself
    base = ["4.1", t("targets.ack_minutes"), minutes, t("targets.sheet_local"), ""]
    default = (
        format_goal(texts, locale, minutes, defaults.tip_ack_minutes)
        if defaults is not None
        else None
    )
    rows.append([*base, t("answer.yes"), default, None, None, None])
    for entry in (e for e in entries if e.key == minutes):
        applied = format_goal(texts, locale, minutes, entry.value)
        rows.append(
            [
                *base,
                t("answer.yes"),
                default,
                entry.unit_path,
                applied,
                origin(texts, locale, entry),
            ]
        )
    if not entries:
        rows.append([None, t("targets.sheet_none"), *([None] * (len(headers) - 2))])
    return headers, formats, rows
