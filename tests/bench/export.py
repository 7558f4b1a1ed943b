"""The tally workbook of a busy commune month, against a bare openpyxl file of the same size.

    python -m tests.bench.export [--runs 5] [--reports 15000] [--extra-teams 57]

The tally is the unit tests' province (tests/unit/test_render.py) with --extra-teams more
teams, and --reports raw reports (a report every three minutes, two patrols for each nil
report), as one commune files in a month. Each run builds the real workbook
(bot.tally.render.workbook: a sheet per level and the raw reports, styled, with labels in
Vietnamese), then the reference: a write-only openpyxl workbook holding as many rows and
columns of the same kind of values, without styles, labels or the level sheets, i.e. the
library's own cost. Printed: the median (and range) of each and their ratio, which says
more than the seconds alone on a machine that is busy or slow.

Not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime

from openpyxl import Workbook, load_workbook

from bot.tally.render import workbook
from tests.support.workbook import headers, lines
from tests.unit.test_render import build_tally, labels, month_of_reports

RAW_SHEET = "Chi tiết Xã Bắc Sơn"  # the province of the unit tests: a sheet per commune


def bare(rows: int, columns: int) -> bytes:
    """The reference: the same number of rows and columns, plain values, one sheet."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Reports")
    ws.append([f"Column {c}" for c in range(columns)])
    moment = datetime(2026, 11, 1, 21, 0)
    for i in range(rows):
        values: list[object] = [f"2026-{i:06d}", moment, "Thôn Nà Lẹng", "Hoàng Văn Dũng"]
        values += ["Tuần tra: 20:00–22:00; vụ việc: 0"] * (columns - len(values))
        ws.append(values[:columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def timed(runs: int, build: Callable[[], bytes]) -> list[float]:
    """Seconds per run of `build`, after one warm-up run that is not counted."""
    build()
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        build()
        seconds.append(time.perf_counter() - began)
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Measure both and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reports", type=int, default=15_000)
    parser.add_argument("--extra-teams", type=int, default=57, help="teams added to the tally")
    args = parser.parse_args(argv)
    tally = build_tally(extra_teams=args.extra_teams)
    raw = month_of_reports(args.reports)
    words = labels()
    data = workbook(tally, raw, words)
    sheet = load_workbook(io.BytesIO(data), read_only=True)[RAW_SHEET]
    rows, columns = len(lines(sheet)), len(headers(sheet))
    real = timed(args.runs, lambda: workbook(tally, raw, words))
    reference = timed(args.runs, lambda: bare(rows, columns))
    print(f"Python {platform.python_version()} on {platform.machine()}, {args.runs} runs")
    print(f"  tally workbook: {len(tally.teams)} teams, {rows:,} raw rows, {len(data):,} bytes")
    for label, series in (("workbook", real), (f"bare openpyxl {columns} cols", reference)):
        print(
            f"  {label:<28} median {statistics.median(series):.3f} s"
            f"  (min {min(series):.3f}, max {max(series):.3f})"
        )
    ratio = statistics.median(real) / statistics.median(reference)
    print(f"  ratio workbook / bare openpyxl: {ratio:.2f}")


if __name__ == "__main__":
    main()
