"""How long `antt-bot db copy` takes: a synthetic province of N reports copied into a fresh
PostgreSQL database (started from the local binaries) and into a SQLite file, then again
(nothing new: the cost of checking).

    python -m tests.bench.copy [--reports 50000]

The province: 1 province, 10 communes, 200 teams of 5 members, reports spread over the teams
and days, one team-mate named in every other report. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bot.database.copy import copy_database
from bot.reports.forms import load_forms
from storage.db import Database
from storage.stores import open_store
from tests.support.postgres import PgServer, start_server

NOW = "2026-11-30T12:00:00"


async def build(path: str, n_reports: int) -> None:
    """The synthetic province, written in one transaction."""
    db = await Database(path).open()
    try:
        async with db.transaction() as tx:
            units = [(1, None, "Tỉnh B", "province", "Tỉnh B", NOW)]
            teams: list[int] = []
            for c in range(10):
                cid = 2 + c * 21
                units.append((cid, 1, f"Xã {c}", "commune", f"Tỉnh B/Xã {c}", NOW))
                for t in range(20):
                    units.append(
                        (cid + 1 + t, cid, f"Thôn {t}", "village", f"Tỉnh B/Xã {c}/Thôn {t}", NOW)
                    )
                    teams.append(cid + 1 + t)
            await tx.executemany(
                "INSERT INTO units (id, parent_id, name, kind, path, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                units,
            )
            members = [
                (i + 1, teams[i // 5], "member", f"Người {i}", NOW) for i in range(len(teams) * 5)
            ]
            await tx.executemany(
                "INSERT INTO members (id, unit_id, role, full_name, joined_at)"
                " VALUES (?, ?, ?, ?, ?)",
                members,
            )
            await tx.executemany(
                "INSERT INTO memberships (member_id, unit_id, role, start_date, created_at)"
                " VALUES (?, ?, 'member', '2026-01-01', ?)",
                [(m[0], m[1], NOW) for m in members],
            )
            reports, people = [], []
            for r in range(n_reports):
                member = members[r % len(members)]
                mate = members[(r % len(members)) ^ 1][0]
                day = f"2026-{1 + (r // 30000) % 11:02d}-{1 + r % 28:02d}"
                data = {"shift": "19:00-21:00", "teammates": [mate] if r % 2 else []}
                reports.append(
                    (
                        r + 1,
                        f"BC-2026-{r + 1:06d}",
                        member[0],
                        member[1],
                        "patrol",
                        day,
                        json.dumps(data),
                        NOW,
                        NOW,
                        NOW,
                    )
                )
                if r % 2:
                    people.append((r + 1, mate))
            await tx.executemany(
                "INSERT INTO reports (id, number, member_id, unit_id, kind, report_date, data,"
                " created_at, updated_at, edit_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                reports,
            )
            await tx.executemany("INSERT INTO report_participants VALUES (?, ?)", people)
            await tx.execute("INSERT INTO counters VALUES ('report:2026', ?)", (n_reports,))
    finally:
        await db.close()


async def timed(source: str, target: str, in_chunks: bool = False) -> tuple[float, int]:
    src, dst = await open_store(source), await open_store(target)
    try:
        started = time.perf_counter()
        summary = await copy_database(src, dst, load_forms(), NOW, in_chunks=in_chunks)
        return time.perf_counter() - started, summary.copied
    finally:
        await src.close()
        await dst.close()


async def run(server: PgServer, n_reports: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = str(Path(folder) / "province.sqlite3")
        await build(source, n_reports)
        targets = {
            "PostgreSQL": await server.fresh_database(),
            "PostgreSQL --in-chunks": await server.fresh_database(),
            "SQLite": str(Path(folder) / "national.sqlite3"),
        }
        for name, target in targets.items():
            first, rows = await timed(source, target, name.endswith("chunks"))
            second, again = await timed(source, target)
            print(
                f"{n_reports:,} reports into {name}: {rows:,} rows in {first:.1f} s"
                f" ({rows / first:,.0f} rows/s); again: {again} rows in {second:.1f} s"
            )


def main(argv: list[str] | None = None) -> None:
    """Build the province and time the copies."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.copy")
    parser.add_argument("--reports", type=int, default=50_000)
    args = parser.parse_args(argv)
    server = start_server()  # runs its own event loop: before ours
    try:
        asyncio.run(run(server, args.reports))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
