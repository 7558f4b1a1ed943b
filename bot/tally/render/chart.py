"""The tally as a picture for the chat: reports per kind and on-time reporting per unit.

Drawn on a bare `matplotlib.figure.Figure` with the Agg canvas, never through pyplot, so
several tallies can render at once in worker threads without sharing pyplot's global state.
DejaVu Sans ships with matplotlib and has every Vietnamese letter (and ✓); it has no emoji,
so the labels come without their icons.

The layout is computed in inches from measured text sizes, each block in its own band (title,
compliance header, the two panels side by side, the legend under them, the "more units"
note), so nothing overlaps whatever the number of bars or the length of the names. Nil
reports are not drawn: a team's month of "nothing to report" would dwarf its real work, so
their count follows each bar as "+N ✓" and the legend says what that means.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerBase
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from bot.tally.compute import Tally, UnitTally
from bot.tally.labels import percent
from bot.tally.names import display_names
from bot.tally.render.xlsx import report_kinds

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.legend import Legend
    from matplotlib.transforms import Transform

    from bot.tally.labels import Labels

WIDTH_IN = 7.2  # at 150 dpi: 1080 px, the width a phone shows without zooming out
DPI = 150
FONT = 12  # unit names and axis ticks
SMALL = 11  # legend, values, nil counts
TITLE = 14
FAMILY = "DejaVu Sans"
ROW_IN = 0.36  # height per bar when every name fits on one line
ROW2_IN = 0.5  # ... when some name takes two lines
BAR = 0.64  # bar thickness as a share of its row
NAME_CHARS = 22  # per line of a unit name; two lines at most
MARGIN_IN = 0.15  # around the figure
RIGHT_IN = 0.3  # room for the last x tick label sticking out of a panel
TICKS_IN = 0.34  # x ticks and their labels under the panels
GAP_IN = 0.12
PANEL_GAP_IN = 0.45  # between the panels: room for both panels' end tick labels
COMPLIANCE_SHARE = 0.4  # of the width both panels share
COMPLIANCE_MIN_IN = 1.7
NIL_TEXT_COLOUR = "#555555"
MET_COLOUR = "#2e7d32"
MISSED_COLOUR = "#e65100"
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}  # readable over the line
_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79",
)  # fmt: skip


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


def name_lines(name: str) -> str:
    """A unit name on at most two lines; a longer one keeps its head and its tail.

    The tail is what tells sibling units apart ('... thôn Nà Lẹng', '... số 12'), so the cut
    goes in the middle rather than at the end, between words where it can.
    """
    if len(name) <= NAME_CHARS:
        return name
    lines = textwrap.wrap(name, NAME_CHARS, break_long_words=True)
    if len(lines) <= 2:
        return "\n".join(lines)
    words = name.split()
    tail = words.pop()[-(NAME_CHARS - 1) :]
    while words and len(words[-1]) + 1 + len(tail) <= NAME_CHARS - 1:
        tail = f"{words.pop()} {tail}"
    return f"{lines[0]}\n…{tail}"


class _TextHandle(HandlerBase):
    """Draws a short text (the '+N ✓' of the nil counts) where the legend puts a swatch."""

    def __init__(self, text: str) -> None:
        """Keep the text to draw."""
        super().__init__()
        self.text = text

    def create_artists(
        self,
        legend: Legend,
        orig_handle: Artist,
        xdescent: float,
        ydescent: float,
        width: float,
        height: float,
        fontsize: float,
        trans: Transform,
    ) -> Sequence[Artist]:
        """The text itself, centred in the swatch box, in the colour of the nil counts."""
        text = Text(
            width / 2 - xdescent, height / 2 - ydescent, self.text, ha="center", va="center",
            fontsize=fontsize, fontfamily=FAMILY, color=NIL_TEXT_COLOUR, transform=trans,
        )  # fmt: skip
        return [text]


class _Ruler:
    """Sizes of text in inches, measured with the figure's renderer before anything is placed."""

    def __init__(self, fig: Figure, renderer: RendererBase) -> None:
        """Measure on this figure with this renderer (sizes do not depend on the figure's)."""
        self.fig = fig
        self.renderer = renderer

    def size(self, text: str, **style: object) -> tuple[float, float]:
        """(width, height) of one text in inches."""
        artist = self.fig.text(0, 0, text, fontfamily=FAMILY, **style)  # type: ignore[arg-type]
        box = artist.get_window_extent(self.renderer)
        artist.remove()
        return box.width / DPI, box.height / DPI

    def extent(self, artist: Artist) -> tuple[float, float]:
        """(width, height) of a drawn artist such as a legend, in inches."""
        box = artist.get_window_extent(self.renderer)
        return box.width / DPI, box.height / DPI


def _reports_panel(
    ax: Axes, units: list[UnitTally], kinds: list[str], labels: Labels
) -> tuple[list[Artist], dict[Artist, HandlerBase]]:
    """Stacked bars per kind without nil reports, the good-deed kind first so its target tick
    is where its segment should reach; each bar followed by its nil count.

    Returns the legend handles (only kinds some shown unit has) and their custom handlers.
    """
    nil = labels.nil_kind
    good = labels.good_deed_kind
    # a colour per kind in form order, so a kind keeps its colour from chart to chart
    colours = {k: _PALETTE[i % len(_PALETTE)] for i, k in enumerate(k for k in kinds if k != nil)}
    order = ([good] if good in colours else []) + [k for k in colours if k != good]
    rows = list(range(len(units)))
    left = [0] * len(units)
    handles: list[Artist] = []
    handlers: dict[Artist, HandlerBase] = {}
    for kind in order:
        counts = [u.figures.by_kind.get(kind, 0) for u in units]
        if not any(counts):
            continue
        ax.barh(rows, counts, left=left, color=colours[kind], height=BAR)
        left = [a + b for a, b in zip(left, counts, strict=True)]
        handles.append(Patch(color=colours[kind], label=labels.kind_plain(kind)))
    needs = [u.figures.good_deeds_required for u in units]
    if any(needs):
        marks = [(need, i) for i, need in enumerate(needs) if need > 0]
        ax.scatter(
            [need for need, _ in marks], [i for _, i in marks], marker="|",
            s=(BAR * 72 * ROW_IN) ** 2, linewidths=2.5, color="black", zorder=3,
        )  # fmt: skip
        tick = Line2D(
            [], [], marker="|", linestyle="none", markersize=14, markeredgewidth=2.5,
            color="black", label=labels.t("tally.chart_target"),
        )  # fmt: skip
        handles.append(tick)
    nils = [u.figures.by_kind.get(nil, 0) for u in units]
    for i, count in enumerate(nils):
        if count:
            ax.annotate(
                labels.t("export.chart_nil", count=count), xy=(max(left[i], needs[i]), i),
                xytext=(5, 0), textcoords="offset points", va="center", ha="left",
                fontsize=SMALL, fontfamily=FAMILY, color=NIL_TEXT_COLOUR,
            )  # fmt: skip
    if any(nils):
        explained = Patch(label=labels.t("export.chart_nil_legend", kind=labels.kind_plain(nil)))
        handles.append(explained)
        handlers[explained] = _TextHandle(labels.t("export.chart_nil", count="N"))
    ax.set_yticks(rows, [name_lines(u.name) for u in units])
    _style(ax, len(units))
    return handles, handlers


def _reports_axis(
    ax: Axes, units: list[UnitTally], labels: Labels, ruler: _Ruler, width: float
) -> None:
    """The reports axis' range, with room after the longest bar for its nil count, and as
    many ticks as fit side by side on a panel `width` inches wide."""
    nil = labels.nil_kind
    reach, room = 0.0, 0.0
    for u in units:
        drawn = sum(n for k, n in u.figures.by_kind.items() if k != nil)
        end = max(drawn, u.figures.good_deeds_required)
        reach = max(reach, end)
        count = u.figures.by_kind.get(nil, 0)
        if count:
            text_w = ruler.size(labels.t("export.chart_nil", count=count), fontsize=SMALL)[0]
            # the text starts 5 pt after the bar: the axis must reach that far for every bar
            room = max(room, text_w + 5 / 72 + 0.05)
    xmax = (reach or 1.0) * width / max(width - room, width * 0.4)
    ax.set_xlim(0, xmax)
    tick_w = ruler.size(str(int(xmax)), fontsize=FONT)[0] + 0.3  # a label and a gap
    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(1, int(width / tick_w)), integer=True))


def _compliance_panel(ax: Axes, units: list[UnitTally], labels: Labels, goal: float | None) -> None:
    """On-time reporting per unit against the compliance target; '—' where nothing was due.

    Shares are written rounded down like the chat text, so 99.6% below a 100% goal reads 99%.
    """
    rows = list(range(len(units)))
    shares = [u.figures.compliance for u in units]
    colours = []
    for share in shares:
        met = goal is None or (share is not None and share >= goal - 1e-9)
        colours.append(MET_COLOUR if met else MISSED_COLOUR)
    ax.barh(rows, [100 * (s or 0.0) for s in shares], color=colours, height=BAR)
    for i, share in enumerate(shares):
        text = labels.t("tally.na") if share is None else percent(share)
        ax.annotate(
            text, xy=(min(100 * (share or 0.0), 100), i), xytext=(4, 0),
            textcoords="offset points", va="center", fontsize=SMALL, fontfamily=FAMILY,
            zorder=4, bbox=_LABEL_BOX,
        )  # fmt: skip
    if goal is not None:
        ax.axvline(100 * goal, color="black", linestyle="--", linewidth=1.5)
        ax.annotate(
            percent(goal), xy=(100 * goal, 1.0), xycoords=("data", "axes fraction"),
            xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
            fontsize=SMALL, fontfamily=FAMILY,
        )  # fmt: skip
    ax.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
    ax.set_yticks(rows, [])  # the names are on the reports panel, on the same rows
    ax.tick_params(left=False)
    _style(ax, len(units))


def _style(ax: Axes, bars: int) -> None:
    """Fonts, spines and the row order shared by both panels."""
    ax.tick_params(labelsize=FONT)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontfamily(FAMILY)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(bars - 0.5, -0.5)  # first unit at the top, as in the message and the workbook


def _wrapped(ruler: _Ruler, text: str, width: float, **style: object) -> str:
    """The text wrapped at the widest line length that fits `width` inches."""
    for chars in range(60, 15, -4):
        candidate = textwrap.fill(text, chars)
        if ruler.size(candidate, **style)[0] <= width:
            return candidate
    return textwrap.fill(text, 16)


def _legend(
    fig: Figure,
    ruler: _Ruler,
    handles: list[Artist],
    handlers: dict[Artist, HandlerBase],
    width: float,
) -> Legend:
    """The reports legend in two columns, or one when two would be wider than the figure."""

    def make(ncols: int) -> Legend:
        """The legend in `ncols` columns, its top centre to be anchored under the panels."""
        return fig.legend(
            handles=handles, loc="upper center", ncols=ncols, frameon=False, borderaxespad=0,
            borderpad=0, handlelength=2.4, handler_map=handlers,
            prop={"family": FAMILY, "size": SMALL},
        )  # fmt: skip

    legend = make(2)
    if ruler.extent(legend)[0] > width:
        legend.remove()
        legend = make(1)
    return legend


def chart_figure(tally: Tally, labels: Labels, *, max_bars: int = 25) -> Figure:
    """The chart as a figure, every block in its own band (tests check their boxes).

    Bands from the top: title; compliance header (its title and goal) over the panels; the
    reports panel beside the compliance panel, one row per unit named once on the left; x
    ticks; the legend; the "more units" note. Side by side keeps 25 units within a height a
    messenger shows without shrinking the picture.
    """
    units, hidden = _shown_units(tally, max_bars)
    shown = display_names(tally)  # teams of a province's tally named with their commune
    units = [replace(u, name=shown.get(u.unit_id, u.name)) for u in units]
    fig = Figure(figsize=(WIDTH_IN, 1.0), dpi=DPI)
    ruler = _Ruler(fig, FigureCanvasAgg(fig).get_renderer())
    inner = WIDTH_IN - 2 * MARGIN_IN

    period = tally.period.label(labels.locale)
    title_style: dict[str, object] = {"fontsize": TITLE, "fontweight": "bold"}
    title_text = labels.t("tally.chart_title", unit=tally.root.name, period=period)
    title_text = _wrapped(ruler, title_text, inner, **title_style)
    title = fig.text(0.5, 1, title_text, ha="center", va="top", fontfamily=FAMILY, **title_style)  # type: ignore[arg-type]

    names = [name_lines(u.name) for u in units]
    name_w = max(ruler.size(name, fontsize=FONT)[0] for name in names)
    row = ROW2_IN if any("\n" in name for name in names) else ROW_IN
    panel_h = row * len(units)
    left = MARGIN_IN + min(name_w, 0.4 * WIDTH_IN) + 0.12  # 0.12: tick mark and its pad
    panels_w = WIDTH_IN - left - RIGHT_IN - PANEL_GAP_IN
    compliance_w = max(COMPLIANCE_MIN_IN, COMPLIANCE_SHARE * panels_w)
    reports_w = panels_w - compliance_w
    compliance_left = left + reports_w + PANEL_GAP_IN

    reports_ax = fig.add_axes((0, 0, 1, 1))
    handles, handlers = _reports_panel(reports_ax, units, report_kinds(tally), labels)
    _reports_axis(reports_ax, units, labels, ruler, reports_w)
    compliance_ax = fig.add_axes((0, 0, 1, 1))
    target = tally.root.targets.get("compliance")
    goal = target.goal if target is not None else None
    _compliance_panel(compliance_ax, units, labels, goal)
    value_w = ruler.size("100%", fontsize=SMALL)[0] + 4 / 72 + 0.05
    compliance_ax.set_xlim(0, 100 * compliance_w / (compliance_w - value_w))
    # over the compliance panel, right-aligned with it: free to reach left over the reports
    header_text = _wrapped(ruler, labels.t("tally.chart_compliance"), panels_w, fontsize=FONT)
    header = fig.text(0, 1, header_text, ha="right", va="top", fontsize=FONT, fontfamily=FAMILY)
    legend = _legend(fig, ruler, handles, handlers, inner) if handles else None
    more = None
    if hidden:
        more_text = labels.t("tally.chart_more", count=hidden)
        more_text = _wrapped(ruler, more_text, inner, fontsize=FONT)
        more = fig.text(0.5, 0, more_text, ha="center", va="top", fontsize=FONT, fontfamily=FAMILY)

    # top to bottom, in inches from the top edge
    title_top = MARGIN_IN
    header_top = title_top + ruler.extent(title)[1] + 2 * GAP_IN
    panels_top = header_top + ruler.extent(header)[1] + GAP_IN
    if goal is not None:
        panels_top += ruler.size("100%", fontsize=SMALL)[1] + 3 / 72 + 0.04
    legend_top = panels_top + panel_h + TICKS_IN + GAP_IN
    more_top = legend_top + (ruler.extent(legend)[1] + GAP_IN if legend is not None else 0)
    height = more_top + (ruler.extent(more)[1] if more is not None else 0) + MARGIN_IN
    fig.set_size_inches(WIDTH_IN, height)

    def frac(inches_from_top: float) -> float:
        """A distance from the top edge as a figure y fraction."""
        return 1 - inches_from_top / height

    title.set_y(frac(title_top))
    bottom, panel_frac = frac(panels_top + panel_h), panel_h / height
    reports_ax.set_position((left / WIDTH_IN, bottom, reports_w / WIDTH_IN, panel_frac))
    compliance_ax.set_position(
        (compliance_left / WIDTH_IN, bottom, compliance_w / WIDTH_IN, panel_frac)
    )
    header.set_position(((compliance_left + compliance_w) / WIDTH_IN, frac(header_top)))
    if legend is not None:
        legend.set_bbox_to_anchor((0.5, frac(legend_top)), transform=fig.transFigure)
    if more is not None:
        more.set_y(frac(more_top))
    return fig


def chart_png(tally: Tally, labels: Labels, *, max_bars: int = 25) -> bytes:
    """A PNG a supervisor can read on a phone: reports per kind and on-time share per unit.

    One bar per unit directly below the asked one (the unit itself for a team). Portrait,
    1080 px wide, taller with more bars; past `max_bars` the strongest and weakest are drawn
    and a line says how many more units the Excel file has.
    """
    fig = chart_figure(tally, labels, max_bars=max_bars)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
