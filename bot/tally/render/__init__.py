"""The files a tally is handed on as: an Excel workbook, a CSV of the teams and a PNG chart.

Renderers take a computed `Tally` and a `Labels` (every user-facing word in the user's
language, bot/tally/labels.py), so they do no I/O and can run in a worker thread while the bot
keeps answering. The chart (bot/tally/render/chart.py) is not imported here: it loads
matplotlib (~0.4 s, ~30 MB), which the bot pays only when it draws one.
"""

from __future__ import annotations

from bot.tally.render.csv_file import team_csv
from bot.tally.render.xlsx import workbook

__all__ = ["team_csv", "workbook"]
