"""The tally benchmark's province workbook: 90 days of a province, as the CLI builds it.

Called from tests/bench/tally.py on the same database and Setup. Each run times:
  1. the reference: the province's tally over the 90 days ending with the benchmark's month
     (bot.tally.compute.compute alone, no file);
  2. the province workbook as `antt-bot tally --format xlsx` builds it for that province:
     the same tally, then bot.tally.archive.summary_workbook (every sheet: teams, communes,
     the province, each member, tip and fire targets, every tip and fire, and the sheet
     listing the commune files; the reports themselves go in those commune files);
  3. one commune's file of reports for the 90 days (bot.tally.archive.commune_workbook,
     the province tally computed once beforehand, untimed).
The whole zip is one summary workbook plus a file per commune; its time is estimated as
(3) times the number of communes, and printed as an estimate, not measured.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.tally import archive
from bot.tally import compute as tally_mod
from bot.tally.labels import labels_for
from bot.tally.periods import Period, span

if TYPE_CHECKING:
    from tests.bench.tally import Setup

QUARTER_DAYS = 90
GOAL_SECONDS = 30.0


def quarter(s: Setup) -> Period:
    """The 90 days ending with the benchmark's month."""
    return span(s.period.end - timedelta(days=QUARTER_DAYS - 1), s.period.end)


async def quarter_tally(s: Setup) -> tally_mod.Tally:
    """The province's tally over the 90 days, as the CLI computes it (urgent kinds too)."""
    urgent = [c.key for c in s.forms.categories if c.urgent]
    async with s.db.read() as tx:
        return await tally_mod.compute(tx, s.province, quarter(s), s.config, s.kinds, s.now, urgent)


async def province_workbook(s: Setup) -> bytes:
    """The tally, then the province's workbook."""
    tally = await quarter_tally(s)
    labels = labels_for(s.texts, s.forms, s.config, s.config.bot.locale)
    return await archive.summary_workbook(s.db, tally, labels, s.config)


async def measure(s: Setup, runs: int) -> list[str]:
    """Time the three operations `runs` times after a warm-up; the report's lines."""
    labels = labels_for(s.texts, s.forms, s.config, s.config.bot.locale)
    tally = await quarter_tally(s)
    commune = next(u for u in tally.units if u.unit_id == s.commune.id)

    async def commune_file(_: Setup) -> bytes:
        return await archive.commune_workbook(s.db, tally, commune, labels, s.config)

    ops = (
        ("province tally, 90 days (reference)", quarter_tally),
        ("province workbook, 90 days", province_workbook),
        ("one commune's report file, 90 days", commune_file),
    )
    seconds: dict[str, list[float]] = {name: [] for name, _ in ops}
    results: dict[str, Any] = {}
    for run in range(runs + 1):
        for name, op in ops:
            started = time.perf_counter()
            results[name] = await op(s)
            if run:
                seconds[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    book, detail = results[ops[1][0]], results[ops[2][0]]
    communes = len({t.parent_id for t in tally.teams})
    counted = [
        f"{tally.root.figures.reports:,} reports, {len(tally.teams)} teams",
        f"{len(book) / 1024 / 1024:.1f} MiB xlsx",
        f"{commune.figures.reports:,} reports, {len(detail) / 1024:.0f} KiB xlsx",
    ]
    lines = [
        f"  province workbook ({quarter(s).start} .. {quarter(s).end}, {runs} timed runs after "
        f"1 warm-up):",
        f"  {'operation':<38} {'median':>8} {'min':>8} {'max':>8}   counted",
    ]
    for (name, _), detail_text in zip(ops, counted, strict=True):
        values = seconds[name]
        lines.append(
            f"  {name:<38} {medians[name]:>7.2f}s {min(values):>7.2f}s {max(values):>7.2f}s"
            f"   {detail_text}"
        )
    workbook_s = medians[ops[1][0]]
    ratio = workbook_s / medians[ops[0][0]]
    verdict = "met" if workbook_s < GOAL_SECONDS else "NOT MET"
    lines.append(
        f"  province workbook median {workbook_s:.2f} s ({ratio:.1f}x the tally alone)   "
        f"goal < {GOAL_SECONDS:.0f} s: {verdict}"
    )
    estimate = workbook_s + medians[ops[2][0]] * communes
    lines.append(
        f"  whole zip (workbook + {communes} commune files): about {estimate:.0f} s, an "
        f"estimate from the commune file's median, not measured"
    )
    return lines
