"""How long a roster import, its re-import and the code sheet take for a district's force.

    python -m tests.bench.roster [--rows 2000] [--teams 40]

Builds a province / commune / `--teams` villages tree in a temporary SQLite file, writes a
roster CSV of `--rows` people spread over the villages (Vietnamese headers, dates joined),
then times: the import (every row checked, then created with its stretch, personal code and
audit entry in one transaction), the same file imported again (everyone skipped as already
listed), and `roster sheet` for the commune (the PDF with one QR code per member). Prints
the seconds of each and the sheet's pages and size. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.core.clock import iso
from bot.people.membership import Actor
from bot.people.roster import pdf
from bot.people.roster.sheet import Wanted, collect
from storage import units
from storage.db import Database
from tests.support.roster import HEADER_VI, NOW, clock, run

LETTERS = "ABCDEGHKLMNPQRSTUVXY"


def _name(i: int) -> str:
    n = len(LETTERS)
    return f"Nguyễn Văn {LETTERS[i % n]}{LETTERS[(i // n) % n]}{LETTERS[(i // n // n) % n]}"


async def bench(rows: int, teams: int, folder: Path) -> None:
    db = await Database(folder / "bench.sqlite3").open()
    try:
        async with db.transaction() as tx:
            await units.upsert(tx, "Tỉnh A", "province", None, iso(NOW))
            await units.upsert(tx, "Tỉnh A/Xã B", "commune", None, iso(NOW))
            for t in range(teams):
                await units.upsert(tx, f"Tỉnh A/Xã B/Thôn T{t:03d}", "village", None, iso(NOW))
        people = [[_name(i), f"Thôn T{i % teams:03d}", "", "", "1/11/2026"] for i in range(rows)]
        file = folder / "roster.csv"
        file.write_text("\n".join(",".join(r) for r in [HEADER_VI, *people]) + "\n", "utf-8")
        started = time.perf_counter()
        result = await run(db, file)
        print(f"import {len(result.created)} rows: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        again = await run(db, file)
        print(f"re-import, {len(again.skipped)} skipped: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        wanted = Wanted("Xã B", False, False, 90, "antt_bot", Actor(None, "bench"))
        sheet = await collect(db, clock(), wanted)
        out = folder / "sheet.pdf"
        pages = pdf.render(sheet, out, "", NOW.date())
        took = time.perf_counter() - started
        size = out.stat().st_size / 1024
        print(f"sheet, {sheet.codes} codes on {pages} pages ({size:,.0f} KB): {took:.2f} s")
    finally:
        await db.close()


def main() -> None:
    """Parse the options and run once in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(bench(args.rows, args.teams, Path(folder)))


if __name__ == "__main__":
    main()
