"""Tap counter: the messages each report kind takes on its shortest honest path, first time
and routine, on Telegram (buttons) and Zalo (numbered lines), through the real application.

Run with `make bench-taps`; prints a table (add --json for machine-readable figures). The
goals (routine patrol ≤ 4, any patrol ≤ 7 with one typed answer, nil = 1) are asserted in
tests/inproc/test_taps.py; this only measures.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from tests.support.fakezalo import FakeZalo
from tests.support.taps import Count, as_json, measure_all, table, telegram, zalo


async def _measure() -> list[Count]:
    counts: list[Count] = []
    fake = FakeZalo().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with telegram(Path(tmp) / "telegram") as driver:
                counts += await measure_all(driver)
            async with zalo(Path(tmp) / "zalo", fake) as zdriver:
                counts += await measure_all(zdriver)
    finally:
        fake.stop()
    return counts


def main() -> None:
    """Print the messages per kind, channel and path."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    counts = asyncio.run(_measure())
    print(as_json(counts) if args.json else table(counts))


if __name__ == "__main__":
    main()
