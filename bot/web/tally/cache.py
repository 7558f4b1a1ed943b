"""The tally the pages show, computed once per unit, period, closed day and data version.

A province's monthly tally takes most of a second (README, bench-tally); a supervisor opens
it, drills down, comes back up and downloads its workbook. Each of those reads the same
figures, so the computation is kept, filed under the tally data's version
(storage/data_version.py: any change of what a tally reads moves it, a new report, a leave, a
role changed, a target set; an outbox mark or a sign-in does not) and the last day whose
deadline has passed (the only way the clock enters the figures). A page therefore never shows
figures older than the database; it says when they were computed.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.engine import Services
from bot.tally.compute import Tally
from bot.tally.labels import Labels
from bot.tally.periods import Period
from bot.tally.prepared import levels_limit, prepare
from bot.tally.scope import elapsed_end
from storage.data_version import tally_version
from storage.units import Unit

LOCALE = "vi"  # the pages are in Vietnamese
KEPT = 6  # a province tally holds ~12 MiB of Python objects: keep a few, not every one

Key = tuple[int, str, date | None, int, bool]


@dataclass
class Computed:
    """One computed tally with its words, when it was computed, and its chart once drawn."""

    tally: Tally
    labels: Labels
    computed_at: datetime
    chart: bytes | None = None


class TallyCache:
    """The last few tallies computed for the pages, newest last."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._items: OrderedDict[Key, Computed] = OrderedDict()
        self._lock = asyncio.Lock()  # one computation at a time: the second asker waits, then hits

    async def tally(
        self, services: Services, unit: Unit, period: Period, *, levels: bool = False
    ) -> Computed:
        """The unit's tally for the period as /thongke computes it, from the cache when
        nothing in the database changed since and the same days are closed. `levels`: a
        month of a country may come without team lines, from the communes' kept months, the
        month still running up to its last closed day (the page and its chart show units
        and counts, never a team of it, and link to the days shown); the files ask without
        it."""
        now = services.clock.now()
        config = services.config
        closed = elapsed_end(period, now, config.reports.deadline)
        async with self._lock, services.db.read(replica=True) as tx:
            key: Key = (unit.id, period.code, closed, await tally_version(tx), levels)
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
            ready = await prepare(
                tx,
                unit,
                period,
                config=services.config,
                forms=services.forms,
                texts=services.texts,
                locale=LOCALE,
                now=now,
                levels_over=levels_limit(config) if levels else None,
                closed_days=levels,
            )
        made = Computed(ready.tally, ready.labels, now)
        for older in [k for k in self._items if k[3] != key[3]]:
            del self._items[older]  # the version only moves on: those can never be shown again
        self._items[key] = made
        shown = made.tally.period
        if shown.code != period.code:  # a month cut to its closed days: the links ask for it
            cut_closed = elapsed_end(shown, now, config.reports.deadline)
            self._items[(unit.id, shown.code, cut_closed, key[3], levels)] = made
        while len(self._items) > self.kept:
            self._items.popitem(last=False)
        return made

    def __len__(self) -> int:
        """How many tallies are kept."""
        return len(self._items)

    def clear(self) -> None:
        """Forget every tally (the benchmark's cold runs)."""
        self._items.clear()
