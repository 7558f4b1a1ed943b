"""How long a roster import, its re-import and the code sheet take for a district's force.

    python -m tests.bench.roster [--rows 2000] [--teams 40] [--runs 3]

Builds a province / commune / `--teams` villages tree in a temporary SQLite file, writes a
roster CSV of `--rows` people spread over the villages (Vietnamese headers, dates joined),
then times: the import (every row checked, then created with its stretch, personal code and
audit entry in one transaction), the same file imported again (everyone skipped as already
listed), and `roster sheet` for the commune (the PDF with one QR code per member), each on a
fresh database, `--runs` times. Next to them, in the same runs, two references: the bare
INSERT of as many member rows in one transaction, and a bare reportlab PDF of as many pages
holding the same names and codes as plain text (no QR code). Prints medians and ratios.
Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
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


async def one_run(rows: int, teams: int, folder: Path) -> dict[str, float]:
    """One run on a fresh database: the three timings and the two references."""
    for leftover in folder.glob("bench.sqlite3*"):
        leftover.unlink()
    db = await Database(folder / "bench.sqlite3").open()
    took: dict[str, float] = {}
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
        took["import"] = time.perf_counter() - started
        assert len(result.created) == rows
        started = time.perf_counter()
        again = await run(db, file)
        took["re-import"] = time.perf_counter() - started
        assert len(again.skipped) == rows
        started = time.perf_counter()
        wanted = Wanted("Xã B", False, False, 90, "antt_bot", Actor(None, "bench"))
        sheet = await collect(db, clock(), wanted)
        out = folder / "sheet.pdf"
        pages = pdf.render(sheet, out, "", NOW.date())
        took["sheet"] = time.perf_counter() - started
        took["pages"], took["kb"] = pages, out.stat().st_size / 1024
        started = time.perf_counter()
        async with db.transaction() as tx:  # reference: the rows alone, nothing checked
            await tx.executemany(
                "INSERT INTO members (unit_id, role, full_name, locale, joined_at)"
                " VALUES (3, 'member', ?, 'vi', ?)",
                [(p[0], iso(NOW)) for p in people],
            )
        took["bare insert"] = time.perf_counter() - started
        started = time.perf_counter()
        _bare_pdf(folder / "bare.pdf", [p[0] for p in people], pages)
        took["bare pdf"] = time.perf_counter() - started
    finally:
        await db.close()
    return took


def _bare_pdf(out: Path, names: list[str], pages: int) -> None:
    """The reference: as many pages, the same names and a code each, as plain text."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(out))
    per_page = max(1, len(names) // max(pages, 1))
    for i, name in enumerate(names):
        if i and i % per_page == 0:
            page.showPage()
        page.drawString(72, 800 - (i % per_page) * 140, f"{name}  ABCD{i:04d}")
    page.save()


async def bench(rows: int, teams: int, runs: int, folder: Path) -> None:
    """Print the medians of `runs` runs and the ratios to the references."""
    results = [await one_run(rows, teams, folder) for _ in range(runs)]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    print(f"antt-bot roster benchmark: {rows:,} people in {teams} teams, {runs} runs (median)")
    print(f"  import               {median('import'):6.2f} s")
    print(f"  re-import (skipped)  {median('re-import'):6.2f} s")
    print(f"  bare INSERT of the rows {median('bare insert'):6.3f} s")
    print(
        f"  sheet                {median('sheet'):6.2f} s  ({median('pages'):.0f} pages,"
        f" {median('kb'):,.0f} KB)"
    )
    print(f"  bare reportlab PDF   {median('bare pdf'):6.2f} s  (same pages, text only)")
    print(f"  ratio import / bare INSERT   {median('import') / median('bare insert'):6.1f}x")
    print(f"  ratio sheet / bare PDF       {median('sheet') / median('bare pdf'):6.1f}x")


def main() -> None:
    """Parse the options and run in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(bench(args.rows, args.teams, args.runs, Path(folder)))


if __name__ == "__main__":
    main()
