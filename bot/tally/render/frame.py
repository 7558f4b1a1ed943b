"""The words around every sheet of a tally's files: its title block and signature block.

Made once per file from the tally and the reader's labels; the time it names is the file's
stamp (render/stable.py), so a closed period's workbook says the same whenever it is made.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core import dates
from bot.tally.compute import Tally
from bot.tally.render.sheet import Frame

if TYPE_CHECKING:
    from bot.tally.labels import Labels


def make_frame(tally: Tally, labels: Labels, made: datetime) -> Frame:
    """The title block (unit, period, date made, source and how far the figures go) and the
    signature block ("Người lập biểu", "Thủ trưởng đơn vị") of every sheet of one file."""
    t = labels.t
    root = tally.root
    period = tally.period.label(labels.locale)
    until = dates.day(tally.elapsed_end) if tally.elapsed_end else t("workbook.until_none")
    return Frame(
        title=labels.title(root.name, period),
        unit_line=t("workbook.unit_line", unit=root.name, path=root.path, period=period),
        made_line=t(
            "workbook.made_line", made=f"{dates.day(made)} {dates.clock(made)}", until=until
        ),
        place_date=t(
            "workbook.place_date",
            place=root.name,
            day=f"{made.day:02d}",
            month=f"{made.month:02d}",
            year=made.year,
        ),
        maker=t("workbook.maker"),
        head=t("workbook.head"),
        sign=t("workbook.sign"),
        cut_cell=t("workbook.cut_cell", count="{count}"),
        mark_note=t("workbook.mark_note"),
        part_note=t(
            "workbook.part_note", part="{part}", parts="{parts}", rows="{rows}", next="{next}"
        ),
        part_last=t("workbook.part_last", part="{part}", parts="{parts}", rows="{rows}"),
        columns_note=t("workbook.columns_note", shown="{shown}", total="{total}"),
    )
