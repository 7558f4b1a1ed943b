"""The tally as a picture for the chat: reports per kind and on-time reporting per unit.

Drawn on a bare `matplotlib.figure.Figure` with the Agg canvas, never through pyplot, so
several tallies can render at once in worker threads without sharing pyplot's global state.
DejaVu Sans ships with matplotlib and has every Vietnamese letter; it has no emoji, so the
labels come without their icons.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.render.xlsx import report_kinds
from bot.tally import Tally, UnitTally

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bot.render import Labels

WIDTH_IN = 7.2  # at 150 dpi: 1080 px, the width a phone shows without zooming out
DPI = 150
FONT = 11
BAR_IN = 0.34  # height per bar
NAME_CHARS = 24
FAMILY = "DejaVu Sans"
NIL_COLOUR = "#c7c7c7"
MET_COLOUR = "#2e7d32"
MISSED_COLOUR = "#e65100"
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}  # readable over the line


def _shown_units(tally: Tally, max_bars: int) -> tuple[list[UnitTally], int]:
    """The units to draw and how many were left out.

    The root's direct children; the root itself when it has none (a team). Past `max_bars`,
    the strongest and the weakest by ranking are kept, since those are what a supervisor acts
    on, and drawn in the usual path order.
    """
    units = tally.children(tally.root) or [tally.root]
    if len(units) <= max_bars:
        return units, 0
    ranked = sorted(units, key=_rank_key)
    keep_best = (max_bars + 1) // 2
    kept = {id(u) for u in ranked[:keep_best] + ranked[len(ranked) - (max_bars - keep_best) :]}
    shown = [u for u in units if id(u) in kept]
    return shown, len(units) - len(shown)


def _rank_key(unit: UnitTally) -> tuple[float, float, str]:
    """Best first: share of targets met (teams meeting, for a roll-up), then compliance."""
    if unit.is_team:
        met, applicable = unit.met_count
    else:
        met = sum(unit.teams_meeting.values())
        applicable = sum(unit.teams_applicable.values())
    share = met / applicable if applicable else 0.0
    return (-share, -(unit.figures.compliance or 0.0), unit.path)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _colours(kinds: list[str]) -> dict[str, str]:
    palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79",
    ]  # fmt: skip
    colours: dict[str, str] = {}
    for i, kind in enumerate(k for k in kinds if k != "nil"):
        colours[kind] = palette[i % len(palette)]
    colours["nil"] = NIL_COLOUR
    return colours


def _style(ax: Axes, bars: int) -> None:
    ax.tick_params(labelsize=FONT)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontfamily(FAMILY)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(bars - 0.5, -0.5)  # first unit at the top, as in the message and the workbook


def _reports_panel(ax: Axes, units: list[UnitTally], kinds: list[str], labels: Labels) -> list:
    """Stacked bars per kind, the good-deed kind first so its target tick is where it should
    reach; returns the legend handles."""
    colours = _colours(kinds)
    good = labels.good_deed_kind
    order = ([good] if good in kinds else []) + [k for k in kinds if k != good]
    rows = range(len(units))
    left = [0] * len(units)
    handles: list = []
    for kind in order:
        counts = [u.figures.by_kind.get(kind, 0) for u in units]
        ax.barh(rows, counts, left=left, color=colours[kind], height=0.7)
        left = [a + b for a, b in zip(left, counts, strict=True)]
        handles.append(Patch(color=colours[kind], label=labels.kind_plain(kind)))
    targets = [(i, u.figures.good_deeds_required) for i, u in enumerate(units)]
    targets = [(i, need) for i, need in targets if need > 0]
    if targets:
        ax.scatter(
            [need for _, need in targets],
            [i for i, _ in targets],
            marker="|",
            s=500,
            linewidths=2.5,
            color="black",
            zorder=3,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="|",
                linestyle="none",
                markersize=14,
                markeredgewidth=2.5,
                color="black",
                label=labels.t("tally.chart_target"),
            )
        )
    ax.set_yticks(list(rows), [_short(u.name) for u in units])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _style(ax, len(units))
    return handles


def _compliance_panel(ax: Axes, units: list[UnitTally], labels: Labels, goal: float | None) -> None:
    """On-time reporting per unit against the compliance target; '—' where nothing was due."""
    rows = range(len(units))
    shares = [u.figures.compliance for u in units]
    colours = []
    for share in shares:
        met = goal is None or (share is not None and share >= goal - 1e-9)
        colours.append(MET_COLOUR if met else MISSED_COLOUR)
    ax.barh(rows, [100 * (s or 0.0) for s in shares], color=colours, height=0.7)
    for i, share in enumerate(shares):
        text = labels.t("tally.na") if share is None else f"{100 * share:.0f}%"
        ax.text(
            min(100 * (share or 0.0), 100) + 1, i, text, va="center", fontsize=FONT - 1,
            fontfamily=FAMILY, zorder=4, bbox=_LABEL_BOX,
        )  # fmt: skip
    if goal is not None:
        ax.axvline(100 * goal, color="black", linestyle="--", linewidth=1.5)
        ax.text(
            100 * goal, 1.0, f"{100 * goal:.0f}%", transform=ax.get_xaxis_transform(),
            ha="center", va="bottom", fontsize=FONT - 1, fontfamily=FAMILY,
        )  # fmt: skip
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_yticks(list(rows), [_short(u.name) for u in units])
    ax.set_title(
        labels.t("tally.chart_compliance"), loc="left", fontsize=FONT + 1, fontfamily=FAMILY
    )
    _style(ax, len(units))


def _goal(tally: Tally) -> float | None:
    result = tally.root.targets.get("compliance")
    return result.goal if result is not None else None


def chart_png(tally: Tally, labels: Labels, *, max_bars: int = 25) -> bytes:
    """A PNG a supervisor can read on a phone: reports per kind and on-time share per unit.

    One bar per unit directly below the asked one (the unit itself for a team). Portrait,
    1080 px wide, taller with more bars; past `max_bars` the strongest and weakest are drawn
    and a line says how many more units the Excel file has.
    """
    units, hidden = _shown_units(tally, max_bars)
    kinds = report_kinds(tally)
    n = len(units)
    panel = BAR_IN * n + 0.9
    legend = 0.3 * ((len(kinds) + 2) // 2)  # two columns: the kinds and the target tick
    height = 1.0 + legend + 2 * panel + (0.4 if hidden else 0)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    legend_ax, reports_ax, compliance_ax = fig.subplots(
        3, 1, gridspec_kw={"height_ratios": [legend, panel, panel]}
    )
    handles = _reports_panel(reports_ax, units, kinds, labels)
    _compliance_panel(compliance_ax, units, labels, _goal(tally))
    legend_ax.axis("off")
    legend_ax.legend(
        handles=handles,
        loc="center",
        ncols=2,
        frameon=False,
        borderaxespad=0,
        prop={"family": FAMILY, "size": FONT - 1},
    )
    period = tally.period.label(labels.locale)
    title = labels.t("tally.chart_title", unit=tally.root.name, period=period)
    fig.suptitle(textwrap.fill(title, 52), fontsize=FONT + 2, fontweight="bold", fontfamily=FAMILY)
    if hidden:
        fig.supxlabel(labels.t("tally.chart_more", count=hidden), fontsize=FONT, fontfamily=FAMILY)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
