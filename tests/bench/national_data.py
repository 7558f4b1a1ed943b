"""A national database for the national benchmark: one root ("Toàn quốc"), 34 provinces,
3,321 communes, 86,000 teams, 276,000 team members and three months of reports (2026-09-01 ..
2026-11-30, ~23 million rows).

    python -m tests.bench.national_data [--db data/bench/national.sqlite3] [--rebuild]

The same kind of data as the province benchmark's (tests/bench/tally_data.py, whose answer
generators and names it reuses): each member reports on most days (teams differ in
diligence), a nil report or a patrol (with 0-2 team-mates), now and then an outreach, and a
few second reports (good deeds, administrative checks, reintegration visits, tips, fires);
about 5% filed late, a few withdrawn; some members join during the three months, a few leave.

Rows are written with the stdlib sqlite3 module, journal and sync off, one transaction per
week of reports through executemany, with the secondary indexes of the two big tables dropped
and recreated at the end, then ANALYZE. Built next to the target and renamed into place.

Cached like the province file: a `bench_meta` table holds the generator's version (bump
GENERATOR_VERSION when the rows it writes change: a build takes minutes, so an edit to a
comment must not start one) and seed. When
only migrations were added since the build, the cached file is brought up to date by the
project's own migrations (as a deployed database would be) instead of being built again, and
the time that took is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from tests.bench import tally_data as td

GENERATOR_VERSION = 1
SEED = 20261130
DEFAULT_DB = Path("data/bench/national.sqlite3")

FIRST_DAY = date(2026, 9, 1)
LAST_DAY = date(2026, 11, 30)
NATION = "Toàn quốc"  # the root: a national supervisor's unit, the 34 provinces below it
PROVINCES = 34
COMMUNES = 3321
TEAMS = 86000
MEMBERS = 276000  # team members (leaders, deputies, members); officers and supervisors apart
WEEK = 7  # days of reports per transaction


@dataclass
class Built:
    """How the database was obtained: built, migrated or reused, and how long that took."""

    path: Path
    how: str
    seconds: float
    size_bytes: int


def fingerprint() -> dict[str, str]:
    """What a cached file must match: the generator's version (its source's hash kept for
    information) and the seed."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return {"generator": f"{GENERATOR_VERSION}-{source}", "seed": str(SEED)}


def _current(meta: dict[str, str]) -> bool:
    """Whether a cached file's meta is of this generator version and seed."""
    return meta.get("generator", "").split("-")[0] == str(GENERATOR_VERSION) and meta.get(
        "seed"
    ) == str(SEED)


def _stored(path: Path) -> tuple[dict[str, str], set[str]] | None:
    """The cached file's meta and applied migrations, or None when it is missing or unreadable."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
            applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return meta, applied


def ensure_database(path: Path = DEFAULT_DB, rebuild: bool = False) -> Built:
    """The cached national database, migrated forward when only migrations were added, else
    built from scratch (several minutes)."""
    stored = None if rebuild else _stored(path)
    if stored is not None and stored[0].get("complete") == "1":
        meta, applied = stored
        if _current(meta):
            pending = set(td.migration_files()) - applied
            if not pending:
                return Built(path, "reused from cache", 0.0, path.stat().st_size)
            if not applied - set(td.migration_files()):
                started = time.perf_counter()
                asyncio.run(td._create_schema(path))  # applies the pending migrations
                seconds = time.perf_counter() - started
                how = f"migrated forward ({', '.join(sorted(pending))})"
                return Built(path, how, seconds, path.stat().st_size)
    started = time.perf_counter()
    build(path)
    return Built(path, "built", time.perf_counter() - started, path.stat().st_size)


def build(path: Path) -> None:
    """Build the national database at `path` from scratch (schema from the migrations)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, *td._sidecars(tmp)):
        stale.unlink(missing_ok=True)
    asyncio.run(td._create_schema(tmp))
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-524288")  # 512 MiB while building only
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN")
        indexes = td._drop_secondary_indexes(conn, ("reports", "report_participants"))
        rng = random.Random(SEED)
        teams = _fill_org(conn, rng)
        conn.execute("COMMIT")
        _fill_reports(conn, rng, teams)
        conn.execute("BEGIN")
        for sql in indexes:
            conn.execute(sql)
        conn.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        meta = {**fingerprint(), "complete": "1", "built_at": datetime.now().isoformat()}
        conn.executemany("INSERT INTO bench_meta VALUES (?, ?)", sorted(meta.items()))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    for stale in td._sidecars(path):
        stale.unlink(missing_ok=True)
    os.replace(tmp, path)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` shared among `parts` nearly evenly (+-20%), summing exactly to `total`."""
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [max(1, int(w * scale)) for w in weights]
    for i in range(total - sum(shares)):
        shares[i % parts] += 1
    return shares


def _fill_org(conn: sqlite3.Connection, rng: random.Random) -> list[td.Team]:
    """Provinces, communes, teams and their members; returns the teams with their rosters."""
    created = td._stamp(date(2025, 6, 1), "08:00:00")
    days = (LAST_DAY - FIRST_DAY).days + 1
    unit_sql = (
        "INSERT INTO units (parent_id, name, kind, path, households, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )
    member_sql = (
        "INSERT INTO members (unit_id, role, full_name, locale, active, joined_at)"
        " VALUES (?, ?, ?, 'vi', ?, ?)"
    )
    stretch_sql = (
        "INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
    )
    extra = MEMBERS - 3 * TEAMS  # teams of 4-6 take the members above three each
    sizes = [3] * TEAMS
    for i in rng.sample(range(TEAMS), extra // 2):
        sizes[i] += 1
    left = extra - extra // 2
    while left:
        i = rng.randrange(TEAMS)
        if sizes[i] < 6:
            sizes[i] += 1
            left -= 1
    teams: list[td.Team] = []
    communes = _split(COMMUNES, PROVINCES, rng)
    team_counts = _split(TEAMS, COMMUNES, rng)
    team_index = 0
    commune_index = 0
    n_id = conn.execute(unit_sql, (None, NATION, "country", NATION, None, created)).lastrowid
    for role in ("admin", "supervisor"):
        conn.execute(member_sql, (n_id, role, td._person(rng), 1, created))
    for p_name in td._names(rng, PROVINCES, "Tỉnh", set()):
        p_path = f"{NATION}/{p_name}"
        p_id = conn.execute(unit_sql, (n_id, p_name, "province", p_path, None, created)).lastrowid
        for role in ("admin", "supervisor", "supervisor"):
            conn.execute(member_sql, (p_id, role, td._person(rng), 1, created))
        taken: set[str] = set()
        for c_name in td._names(rng, communes.pop(), "Xã", taken):
            c_path = f"{p_path}/{c_name}"
            c_id = conn.execute(
                unit_sql, (p_id, c_name, "commune", c_path, None, created)
            ).lastrowid
            officers = [
                int(
                    conn.execute(
                        member_sql, (c_id, "officer", td._person(rng), 1, created)
                    ).lastrowid
                    or 0
                )
                for _ in range(rng.choice((1, 2, 2)))
            ]
            for v_name in td._names(rng, team_counts[commune_index], "Thôn", set()):
                v_path = f"{c_path}/{v_name}"
                households = rng.randint(100, 400)
                v_id = conn.execute(
                    unit_sql, (c_id, v_name, "village", v_path, households, created)
                ).lastrowid
                team = td.Team(int(v_id or 0), officers)
                teams.append(team)
                quality = rng.random()
                base = (
                    rng.uniform(0.90, 0.99)
                    if quality < 0.70
                    else rng.uniform(0.75, 0.90)
                    if quality < 0.90
                    else rng.uniform(0.45, 0.75)
                )
                rows = []
                for slot in range(sizes[team_index]):
                    role = "leader" if slot == 0 else "deputy" if slot == 1 else "member"
                    first = 0 if rng.random() < 0.95 else rng.randint(1, days - 10)
                    joined_on = (
                        FIRST_DAY
                        + timedelta(days=first)
                        - timedelta(days=rng.randint(1, 540) if first == 0 else 0)
                    )
                    last = days - 1
                    if rng.random() < 0.01 and slot != 0:
                        last = rng.randint(first, days - 1)
                    diligence = min(0.995, max(0.3, base + rng.uniform(-0.05, 0.05)))
                    joined_at = td._stamp(joined_on, f"{rng.randint(7, 20):02d}:00:00")
                    active = 0 if last < days - 1 else 1
                    m_id = int(
                        conn.execute(
                            member_sql, (v_id, role, td._person(rng), active, joined_at)
                        ).lastrowid
                        or 0
                    )
                    team.members.append(td.Member(m_id, team.unit_id, first, last, diligence))
                    end = None if active else (FIRST_DAY + timedelta(days=last)).isoformat()
                    rows.append((m_id, v_id, role, joined_at[:10], end, joined_at))
                conn.executemany(stretch_sql, rows)
                team_index += 1
            commune_index += 1
    conn.execute(
        "INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)"
        " SELECT id, unit_id, role, substr(joined_at, 1, 10), NULL, joined_at FROM members"
        " WHERE role IN ('officer', 'supervisor', 'admin')"
    )
    return teams


_REPORT_SQL = (
    "INSERT INTO reports (id, number, member_id, unit_id, kind, report_date, data, status,"
    " urgent, created_at, updated_at, edit_until, ack_by, ack_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_MATE_SQL = "INSERT INTO report_participants (report_id, member_id) VALUES (?, ?)"


def _kinds_of(
    rng: random.Random, diligence: float, extra_cum: list[tuple[str, float]]
) -> list[str]:
    """The kinds one member files on one day (none, one, or a main report and an extra)."""
    rnd = rng.random
    kinds: list[str] = []
    if rnd() < diligence:
        u = rnd()
        kinds.append(
            "patrol"
            if u < td.PATROL_SHARE
            else "outreach"
            if u < td.PATROL_SHARE + td.OUTREACH_SHARE
            else "nil"
        )
    if rnd() < td.EXTRA_RATE:
        u = rnd()
        kinds.append(next((k for k, c in extra_cum if u <= c), extra_cum[-1][0]))
    return kinds


def _fill_reports(conn: sqlite3.Connection, rng: random.Random, teams: list[td.Team]) -> None:
    """Three months of reports, a week per transaction."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    clock = td._clock_times()
    extra_cum: list[tuple[str, float]] = []
    total = 0.0
    for kind, weight in td.EXTRA_KINDS:
        total += weight
        extra_cum.append((kind, total))
    counter = 0
    rnd, randint = rng.random, rng.randint
    routes = [json.dumps(r, ensure_ascii=False) for r in td.ROUTES]
    for week in range(0, days, WEEK):
        conn.execute("BEGIN")
        for index in range(week, min(days, week + WEEK)):
            day = td._Day(index)
            day.date = FIRST_DAY + timedelta(days=index)
            day.next = day.date + timedelta(days=1)
            day.iso, day.next_iso = day.date.isoformat(), day.next.isoformat()
            day.edit_same = td._stamp(day.date, td.DEADLINE)
            day.edit_next = td._stamp(day.next, td.DEADLINE)
            day.nil_data = f'{{"date": "{day.iso}"}}'
            rows: list[tuple[object, ...]] = []
            mates: list[tuple[int, int]] = []
            for team in teams:
                present = [m for m in team.members if m.first_day <= index <= m.last_day]
                for m in present:
                    for kind in _kinds_of(rng, m.diligence, extra_cum):
                        counter += 1
                        late = rnd() < td.LATE_RATE
                        start = randint(17, 21) if late else randint(5, 18)
                        if late:
                            filed_on = day.date if rnd() < 0.65 else day.next
                            seconds = (
                                randint(75600, 86399)
                                if filed_on == day.date
                                else randint(21600, 43199)
                            )
                            edit_until = day.edit_next
                        else:
                            filed_on, seconds = (
                                day.date,
                                randint(57600 if kind == "nil" else 25200, 75599),
                            )
                            edit_until = day.edit_same
                        created = f"{filed_on.isoformat()}T{clock[seconds]}{td.OFFSET}"
                        urgent, ack_by, ack_at = 0, None, None
                        if kind == "nil":
                            data = day.nil_data
                        elif kind == "patrol":
                            others = [o.id for o in present if o is not m]
                            picked = sorted(
                                rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2))))
                            )
                            mates.extend((counter, mate) for mate in picked)
                            data = (
                                f'{{"date": "{day.iso}", "start": "{start:02d}:00",'
                                f' "end": "{(start + 2) % 24:02d}:00",'
                                f' "route": {routes[randint(0, len(routes) - 1)]},'
                                f' "teammates": {json.dumps(picked)}, "incidents": 0,'
                                f' "traffic_help": {"true" if rnd() < 0.4 else "false"}}}'
                            )
                        else:
                            data = json.dumps(td._answers(rng, kind, day.iso), ensure_ascii=False)
                            if kind in ("tip", "fire_rescue"):
                                urgent = 1
                                ack_by, ack_at = td._acknowledgement(rng, team, filed_on, seconds)
                        status = "withdrawn" if rnd() < td.WITHDRAWN_RATE else "active"
                        rows.append(
                            (
                                counter,
                                f"BC-{filed_on.year}-{counter:08d}",
                                m.id,
                                m.unit_id,
                                kind,
                                day.iso,
                                data,
                                status,
                                urgent,
                                created,
                                created,
                                edit_until,
                                ack_by,
                                ack_at,
                            )
                        )
            conn.executemany(_REPORT_SQL, rows)
            conn.executemany(_MATE_SQL, mates)
            print(f"  {day.iso}: {len(rows):,} reports", file=sys.stderr, flush=True)
        conn.execute("COMMIT")
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?, ?)", (f"report:{LAST_DAY.year}", counter)
    )


def main(argv: list[str] | None = None) -> None:
    """Build (or check) the cached national database without running the benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.national_data",
        description="Build the national benchmark database (cached).",
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    parser.add_argument("--rebuild", action="store_true", help="build even if the cache is current")
    args = parser.parse_args(argv)
    built = ensure_database(args.db, args.rebuild)
    print(f"{built.path}: {built.how} in {built.seconds:.0f} s, {built.size_bytes / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
