"""The seven contents of a phase report: each one's figures in words and its targets' goals.

The contents are those of the plans (4.1–4.7 in the KH phát động phong trào thi đua đặc
biệt, BCĐ 138 huyện Bắc Sơn, 10/2024); which report kinds feed each comes from `[tally]
sources`, so a province's own forms count too.
"""

from __future__ import annotations

from bot.core.config import Config
from bot.core.targets import TargetDef
from bot.tally.compute import Figures
from bot.tally.judge import TargetResult
from bot.tally.labels import Labels, percent

CONTENTS = ("4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7")
# Each content's heading, in the plan's words.
CONTENT_KEYS = {
    "4.1": "phase_report.content.c41",
    "4.2": "phase_report.content.c42",
    "4.3": "phase_report.content.c43",
    "4.4": "phase_report.content.c44",
    "4.5": "phase_report.content.c45",
    "4.6": "phase_report.content.c46",
    "4.7": "phase_report.content.c47",
}
OUTREACH_KIND = "outreach"  # 4.2's report kind in the default forms (no source setting)
# Goals the plans set for targets the bot cannot measure (the goal still belongs in the report).
UNMEASURED_GOALS = {"tips_share": 0.8}


def _kinds(config: Config) -> dict[str, str]:
    """The report kind of each content, from `[tally] sources`."""
    src = config.tally.sources
    return {
        "4.1": src.tip_kind,
        "4.2": OUTREACH_KIND,
        "4.3": src.fire_kind,
        "4.4": src.admin_kind,
        "4.5": src.reintegration_kind,
        "4.6": src.patrol_kind,
        "4.7": src.good_deed_kind,
    }


def figure_lines(t: Labels, config: Config, f: Figures, content: str) -> list[str]:
    """What the unit did under one content, in sentences with their numbers."""
    reports = f.by_kind.get(_kinds(config)[content], 0)
    if content == "4.1":
        return [
            t.t("phase_report.figure.c41_tips", count=f.tips),
            t.t("phase_report.figure.c41_acked", count=f.tips_acked, in_time=f.tips_acked_in_time),
            t.t("phase_report.figure.c41_settled", count=f.tips_settled, open=f.tips_open),
        ]
    if content == "4.2":
        return [
            t.t("phase_report.figure.c42_reports", count=reports),
            t.t("phase_report.figure.c42_models", count=f.models_recognised),
        ]
    if content == "4.3":
        return [
            t.t("phase_report.figure.c43_reports", count=f.fires),
            t.t("phase_report.figure.c43_mobilised", count=f.fire_mobilised),
            t.t(
                "phase_report.figure.c43_in_time",
                count=f.fires_confirmed_in_time,
                confirmed=f.fires_confirmed,
            ),
        ]
    if content == "4.4":
        return [
            t.t("phase_report.figure.c44_reports", count=reports),
            t.t(
                "phase_report.figure.c44_informed",
                count=f.households_informed,
                households=f.households,
            ),
            t.t("phase_report.figure.c44_businesses", count=f.businesses_violating),
            t.t("phase_report.figure.c44_weapons", count=f.weapons_cases),
        ]
    if content == "4.5":
        return [
            t.t("phase_report.figure.c45_reports", count=reports),
            t.t("phase_report.figure.c45_register", count=f.supervised),
            t.t("phase_report.figure.c45_visits", done=f.visits_done, due=f.visits_due),
            t.t("phase_report.figure.c45_reoffences", count=f.reoffences),
        ]
    if content == "4.6":
        return [
            t.t("phase_report.figure.c46_reports", count=reports),
            t.t("phase_report.figure.c46_members", count=f.patrol_members, members=f.members),
            t.t("phase_report.figure.c46_accidents", count=f.serious_accidents),
        ]
    return [
        t.t("phase_report.figure.c47_reports", count=reports),
        t.t("phase_report.figure.c47_commended", count=f.commended),
    ]


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def goal(config: Config, target: TargetDef, result: TargetResult | None) -> float:
    """The goal that applied: the tally's (after any override), else the configured one,
    else the plan's own for a target the bot does not measure."""
    if result is not None:
        return result.goal
    if target.key in UNMEASURED_GOALS:
        return UNMEASURED_GOALS[target.key]
    return float(getattr(config.tally.targets, target.goal_field, 0) or 0)


def goal_text(t: Labels, target: TargetDef, value: float) -> str:
    """A goal as the plans say it: 'trên 90%', '100%', 'không có', 'từ 4 trở lên'."""
    shown = percent(value) if target.measure == "share" else _number(value)
    if target.op == ">":
        return t.t("phase_report.goal.above", value=shown)
    if target.op == "<=":
        if not value:
            return t.t("phase_report.goal.none")
        return t.t("phase_report.goal.at_most", value=shown)
    if target.measure == "share" and value >= 1.0:
        return shown  # "100%", as the plans write it
    return t.t("phase_report.goal.at_least", value=shown)


def value_text(target: TargetDef, value: float | None) -> str:
    """A measured value: a share as a percent, a count as a number; '—' for none."""
    if value is None:
        return "—"
    return percent(value) if target.measure == "share" else _number(value)
