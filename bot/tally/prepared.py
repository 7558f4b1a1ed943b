"""A tally made ready to show: computed, worded in the reader's language, with its message.

/thongke, the monthly tally the outbox sends, and `antt-bot tally` all compute a tally, name
its words with the same labels and write it with the same writer; this is that sequence once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core import dates
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.reports.forms import Forms
from bot.tally.compute import Tally, compute
from bot.tally.labels import Labels, labels_for
from bot.tally.levels import compute_levels
from bot.tally.periods import Period
from bot.tally.snapshots import closed_part
from bot.tally.text import MAX_CHARS, TallyWriter
from storage.db import Tx
from storage.units import Unit


@dataclass(frozen=True)
class Prepared:
    """The computed tally with the labels its message and files are written in."""

    tally: Tally
    labels: Labels
    config: Config

    def message(
        self, team_limit: int, *, max_chars: int | None = MAX_CHARS, files_note: str | None = None
    ) -> str:
        """The chat message (or the CLI's text), with the configured deadline in its head."""
        deadline = dates.clock(self.config.reports.deadline)
        writer = TallyWriter(self.labels)
        return writer.message(self.tally, deadline, team_limit, max_chars, files_note)


async def prepare(
    tx: Tx,
    unit: Unit,
    period: Period,
    *,
    config: Config,
    forms: Forms,
    texts: Texts,
    locale: str,
    now: datetime,
    levels_over: int | None = None,
    closed_days: bool = False,
) -> Prepared:
    """Compute `unit`'s tally for `period` over every form kind, worded for `locale`, so each
    caller shows the same figures in the same words. `levels_over`: a closed month of more
    teams than that comes without team lines (bot/tally/levels.py), when the tree allows;
    with `closed_days`, so does the month still running, counted up to its last day whose
    deadline has passed (the tally's period says so): a country's running month otherwise
    counts and judges every team, about ten times as long."""
    kinds = [c.key for c in forms.categories]
    urgent = [c.key for c in forms.categories if c.urgent]
    tally = None
    if levels_over is not None:
        part = closed_part(period, now, config) if closed_days else None
        shown = period if part is None else part
        tally = await compute_levels(tx, unit, shown, config, kinds, now, urgent, levels_over)
    if tally is None:
        tally = await compute(tx, unit, period, config, kinds, now, urgent)
    return Prepared(tally, labels_for(texts, forms, config, locale), config)


def levels_limit(config: Config) -> int:
    """Over how many teams the chat shows only levels both in its message and its workbook:
    past this a chat tally needs no team line (`prepare`'s `levels_over`)."""
    return max(config.tally.phone_team_limit, config.tally.file_team_limit)
