"""A province-sized database for the tally benchmark: deterministic, realistic, built fast.

    python -m tests.bench.tally_data [--db data/bench/province.sqlite3] [--rebuild]

One province, 100 communes (each with 1-2 police officers), 5,000 village teams of 3-6 members
(one leader each; mostly 3) with their households, and a year of reports, 2025-12-01 to
2026-11-30, about 5 million rows. Each member has a diligence (teams differ: most report on
about 90-98% of days, some far less); on a day they report, the report is a nil report or a
patrol (with 0-2 team-mates in report_participants), now and then an outreach; on top of that
a few members file a second report: good deeds, administrative checks (the running total of
households informed, a rare violating business or illegal weapons), reintegration visits
(reoffending_signs), rare tips (a serious traffic accident now and then) and rarer fire/rescue
calls (urgent, with mobilised / in_time); outreach now and then names a model and the level
that recognised it, most acknowledged by a commune officer minutes to hours later. About 5%
are filed late (after 21:00 on the day, or the next morning) and a few are withdrawn. Some
members join during the year and a few leave (inactive); they report only while they are in.

The schema comes from the project's own migrations (storage.db.Database.open), so indexes
added there are in the benchmark too. The rows are written with the stdlib sqlite3 module in
one transaction (journal off, synchronous off) with the secondary indexes of the two big tables
dropped and recreated afterwards from their own SQL, then ANALYZE runs. The file is built next
to the target and renamed into place, so an interrupted build never leaves a half file.

The built file is cached. A `bench_meta` table records the generator's fingerprint (version
and a hash of this source file) and a hash of the migration files; a changed generator, a new
or edited migration, or --rebuild builds it again.

Report numbers BC-YYYY-NNNNNN are counted per year of filing, as the bot does; within a day
rows are inserted member by member, so ids follow days rather than the exact minute of filing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.resources
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from storage.db import Database

GENERATOR_VERSION = 2  # 2: stretches of service (memberships) for every member
SEED = 20261123
DEFAULT_DB = Path("data/bench/province.sqlite3")

FIRST_DAY = date(2025, 12, 1)
LAST_DAY = date(2026, 11, 30)
OFFSET = "+07:00"  # Asia/Ho_Chi_Minh has no daylight saving time
DEADLINE = "21:00:00"  # config.reports.deadline by default

PROVINCE = "Tỉnh Lạng Sơn"
COMMUNES = 100
TEAMS = 5000
# Team sizes and their weights: mostly 3, some 4-6 (about 3.1 members per team on average).
TEAM_SIZES = ((3, 0.92), (4, 0.05), (5, 0.02), (6, 0.01))

# Per member-day: the main report's kind when the member reports that day...
PATROL_SHARE = 0.33
OUTREACH_SHARE = 0.015
# ...and the chance of a second report, with the mix of its kinds.
EXTRA_RATE = 0.045
EXTRA_KINDS = (
    ("good_deed", 0.42),
    ("admin_order", 0.37),
    ("reintegration", 0.12),
    ("tip", 0.08),
    ("fire_rescue", 0.01),
)
LATE_RATE = 0.05
WITHDRAWN_RATE = 0.003

SYLLABLES = [
    "Bắc",
    "Nà",
    "Khuôn",
    "Pinh",
    "Lẹng",
    "Sơn",
    "Hữu",
    "Lũng",
    "Vân",
    "Mai",
    "Tân",
    "Hòa",
    "Bình",
    "Yên",
    "Thủy",
    "Đồng",
    "Phú",
    "Quang",
    "Minh",
    "Long",
    "Chi",
    "Lăng",
    "Pác",
    "Cốc",
    "Khe",
    "Hang",
    "Tà",
    "Kéo",
    "Bó",
    "Nặm",
    "Pò",
    "Làng",
    "Trung",
    "Hạ",
    "Thượng",
    "Đông",
    "Tây",
    "Nam",
    "Hồng",
    "Xuân",
    "Lộc",
    "Thành",
    "An",
    "Vĩnh",
    "Gia",
    "Cao",
]
SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Nông",
    "Lương",
    "Triệu",
    "Vi",
    "Lành",
    "Mã",
    "Hà",
]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quốc", "Hữu", "Thanh", "Ngọc", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Quang",
    "Sơn",
    "Thắng",
    "Tuấn",
    "Vân",
    "Yến",
]
ROUTES = [
    "Đường liên thôn",
    "Quốc lộ 1B, đoạn qua chợ",
    "Khu vực trường tiểu học và nhà văn hoá",
    "Tuyến đường bê tông ra cầu treo",
    "Bãi ngô ven suối",
    "Khu chợ phiên và bến xe",
    "Đường vào khu du lịch",
    "Các ngõ xóm trong thôn",
]
DEEDS = [
    ("Giúp dân thu hoạch lúa", "Gia đình bà Lành Thị M."),
    ("Dọn cây đổ chắn đường sau mưa bão", "Bà con trong thôn"),
    ("Đưa người bị tai nạn giao thông đi cấp cứu", "Anh Hoàng Văn T."),
    ("Trả lại ví nhặt được cho người đánh rơi", "Chị Nông Thị H."),
    ("Sửa lại mái nhà bị tốc mái", "Cụ Vi Văn S., hộ neo đơn"),
]
PLACES = [
    "Nhà văn hoá thôn",
    "Chợ trung tâm xã",
    "Đầu cầu treo",
    "Bãi đất trống cuối thôn",
    "Ngã ba đường liên xã",
    "Khu rừng keo phía sau trường học",
]
TOPICS = [
    "Phòng chống ma tuý",
    "An toàn giao thông cho học sinh",
    "Phòng cháy chữa cháy rừng",
    "Cảnh giác lừa đảo qua mạng",
    "Khai báo tạm trú, tạm vắng",
]
MODELS = [
    "Camera an ninh",
    "Tổ tự quản an ninh trật tự",
    "Khu dân cư không ma túy",
    "Cổng trường an toàn giao thông",
]


@dataclass
class Member:
    """A team member as the generator needs them: who, where, and when they can report."""

    id: int
    unit_id: int
    first_day: int  # day index of the first day they may report (joining day)
    last_day: int  # day index of the last day they report (leaving day for inactive members)
    diligence: float  # chance of reporting on a given day


@dataclass
class Team:
    """A village team: its unit, the commune officers over it, and its roster."""

    unit_id: int
    officers: list[int]
    members: list[Member] = field(default_factory=list)


@dataclass
class BuildInfo:
    """What ensure_database did: built or reused the file, why, how long, and what is in it."""

    path: Path
    built: bool
    reason: str
    seconds: float
    counts: dict[str, int]
    size_bytes: int


# ------------------------------------------------------------------ fingerprints and cache


def migration_files() -> dict[str, bytes]:
    """The project's migration files by name, as Database.open applies them."""
    folder = importlib.resources.files("storage") / "migrations"
    return {
        entry.name: entry.read_bytes()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".sql")
    }


def fingerprint() -> dict[str, str]:
    """What a cached file must match: this generator (version and source) and the migrations."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    digest = hashlib.sha256()
    for name, body in migration_files().items():
        digest.update(name.encode() + b"\0" + body + b"\0")
    return {
        "generator": f"{GENERATOR_VERSION}-{source}",
        "seed": str(SEED),
        "migrations": digest.hexdigest()[:16],
    }


def stale_reason(path: Path) -> str | None:
    """Why the cached file cannot be used (None when it can)."""
    if not path.exists():
        return "no cached database"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            stored = dict(conn.execute("SELECT key, value FROM bench_meta").fetchall())
            applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"cached database unreadable ({exc})"
    wanted = fingerprint()
    if stored.get("complete") != "1":
        return "cached database incomplete"
    if applied != set(migration_files()):
        return "migrations added or removed since the build"
    for key in ("generator", "seed", "migrations"):
        if stored.get(key) != wanted[key]:
            return f"{key} changed since the build"
    return None


def ensure_database(path: Path = DEFAULT_DB, rebuild: bool = False) -> BuildInfo:
    """Reuse the cached province database when it is current, else build it (slow: ~a minute)."""
    reason = "--rebuild" if rebuild else stale_reason(path)
    if reason is None:
        return BuildInfo(path, False, "cached", 0.0, row_counts(path), path.stat().st_size)
    started = time.perf_counter()
    build(path)
    seconds = time.perf_counter() - started
    return BuildInfo(path, True, reason, seconds, row_counts(path), path.stat().st_size)


def row_counts(path: Path) -> dict[str, int]:
    """Rows per table and a few breakdowns, printed so a reader knows what was measured."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts: dict[str, int] = {}
        for sql, key in (
            ("SELECT kind, COUNT(*) FROM units GROUP BY kind", "units"),
            ("SELECT role, COUNT(*) FROM members GROUP BY role", "members"),
            ("SELECT kind, COUNT(*) FROM reports GROUP BY kind", "reports"),
        ):
            for name, n in conn.execute(sql):
                counts[f"{key}.{name}"] = n
        for table in ("units", "members", "reports", "report_participants"):
            counts[table] = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for name, sql in (
            ("members.inactive", "SELECT COUNT(*) FROM members WHERE active = 0"),
            ("reports.withdrawn", "SELECT COUNT(*) FROM reports WHERE status = 'withdrawn'"),
            ("reports.urgent", "SELECT COUNT(*) FROM reports WHERE urgent = 1"),
            ("reports.acked", "SELECT COUNT(*) FROM reports WHERE ack_at IS NOT NULL"),
        ):
            counts[name] = conn.execute(sql).fetchone()[0]
        return counts
    finally:
        conn.close()


# ------------------------------------------------------------------ build


def build(path: Path) -> None:
    """Build the province database at `path` from scratch (schema from the migrations)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for stale in (tmp, *_sidecars(tmp)):
        stale.unlink(missing_ok=True)
    asyncio.run(_create_schema(tmp))
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB while building only
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("BEGIN")
        indexes = _drop_secondary_indexes(conn, ("reports", "report_participants"))
        rng = random.Random(SEED)
        teams = _fill_org(conn, rng)
        _fill_reports(conn, rng, teams)
        for sql in indexes:
            conn.execute(sql)
        conn.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        meta = {**fingerprint(), "complete": "1", "built_at": datetime.now().isoformat()}
        conn.executemany("INSERT INTO bench_meta VALUES (?, ?)", sorted(meta.items()))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")  # as the bot leaves its files
    finally:
        conn.close()
    for stale in _sidecars(path):
        stale.unlink(missing_ok=True)
    os.replace(tmp, path)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


async def _create_schema(path: Path) -> None:
    db = await Database(path).open()
    await db.close()


def _drop_secondary_indexes(conn: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the explicit indexes of the big tables; return their SQL to recreate them after."""
    marks = ",".join("?" for _ in tables)
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tables,
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def _stamp(day: date, hhmmss: str) -> str:
    return f"{day.isoformat()}T{hhmmss}{OFFSET}"


def _names(rng: random.Random, count: int, prefix: str, taken: set[str]) -> list[str]:
    """`count` distinct two-syllable place names like 'Thôn Nà Lẹng'."""
    out: list[str] = []
    while len(out) < count:
        a, b = rng.sample(SYLLABLES, 2)
        name = f"{prefix} {a} {b}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def _fill_org(conn: sqlite3.Connection, rng: random.Random) -> list[Team]:
    """Units, officers and team members; returns the teams with their rosters."""
    created = _stamp(date(2025, 6, 1), "08:00:00")
    year_days = (LAST_DAY - FIRST_DAY).days + 1
    province_id = conn.execute(
        "INSERT INTO units (parent_id, name, kind, path, households, created_at)"
        " VALUES (NULL, ?, 'province', ?, NULL, ?)",
        (PROVINCE, PROVINCE, created),
    ).lastrowid
    member_rows: list[tuple[object, ...]] = []
    for role in ("admin", "supervisor", "supervisor"):
        member_rows.append((province_id, role, _person(rng), 1, created))
    teams: list[Team] = []
    sizes = [s for s, _ in TEAM_SIZES]
    weights = [w for _, w in TEAM_SIZES]
    per_commune = [TEAMS // COMMUNES + (1 if i < TEAMS % COMMUNES else 0) for i in range(COMMUNES)]
    # Communes differ a little in size (40-60 teams) while the total stays TEAMS.
    for i in range(0, COMMUNES - 1, 2):
        shift = rng.randint(0, 10)
        per_commune[i] += shift
        per_commune[i + 1] -= shift
    commune_names = _names(rng, COMMUNES, "Xã", set())
    pending_members: list[tuple[Team, str, str, int, int, float]] = []
    for commune_name, team_count in zip(commune_names, per_commune, strict=True):
        commune_path = f"{PROVINCE}/{commune_name}"
        commune_id = conn.execute(
            "INSERT INTO units (parent_id, name, kind, path, households, created_at)"
            " VALUES (?, ?, 'commune', ?, NULL, ?)",
            (province_id, commune_name, commune_path, created),
        ).lastrowid
        officer_ids = []
        for _ in range(rng.choice((1, 2, 2))):
            officer_ids.append(
                conn.execute(
                    "INSERT INTO members (unit_id, role, full_name, locale, active, joined_at)"
                    " VALUES (?, 'officer', ?, 'vi', 1, ?)",
                    (commune_id, _person(rng), created),
                ).lastrowid
            )
        for village in _names(rng, team_count, "Thôn", set()):
            unit_id = conn.execute(
                "INSERT INTO units (parent_id, name, kind, path, households, created_at)"
                " VALUES (?, ?, 'village', ?, ?, ?)",
                (commune_id, village, f"{commune_path}/{village}", rng.randint(100, 400), created),
            ).lastrowid
            team = Team(int(unit_id or 0), [int(o or 0) for o in officer_ids])
            teams.append(team)
            quality = rng.random()
            if quality < 0.70:
                base = rng.uniform(0.90, 0.99)
            elif quality < 0.90:
                base = rng.uniform(0.75, 0.90)
            else:
                base = rng.uniform(0.45, 0.75)
            size = rng.choices(sizes, weights)[0]
            for slot in range(size):
                role = "leader" if slot == 0 else "member"
                if slot == 1 and size >= 4:
                    role = "deputy"
                joined = rng.random()
                if joined < 0.88:  # in before the year starts
                    first = 0
                    joined_on = FIRST_DAY - timedelta(days=rng.randint(1, 540))
                else:
                    first = rng.randint(1, year_days - 20)
                    joined_on = FIRST_DAY + timedelta(days=first)
                last = year_days - 1
                if rng.random() < 0.015 and slot != 0:  # left during the year
                    last = rng.randint(first, year_days - 1)
                diligence = min(0.995, max(0.3, base + rng.uniform(-0.05, 0.05)))
                at = f"{rng.randint(7, 20):02d}:{rng.randint(0, 59):02d}:00"
                joined_at = _stamp(joined_on, at)
                pending_members.append((team, role, joined_at, first, last, diligence))
    stretches: list[tuple[object, ...]] = []
    for team, role, joined_at, first, last, diligence in pending_members:
        active = 0 if last < year_days - 1 else 1
        member_id = conn.execute(
            "INSERT INTO members (unit_id, role, full_name, locale, active, joined_at)"
            " VALUES (?, ?, ?, 'vi', ?, ?)",
            (team.unit_id, role, _person(rng), active, joined_at),
        ).lastrowid
        team.members.append(Member(int(member_id or 0), team.unit_id, first, last, diligence))
        left = None if active else (FIRST_DAY + timedelta(days=last)).isoformat()
        stretches.append((member_id, team.unit_id, role, joined_at[:10], left, joined_at))
    conn.executemany(
        "INSERT INTO members (unit_id, role, full_name, locale, active, joined_at)"
        " VALUES (?, ?, ?, 'vi', ?, ?)",
        member_rows,
    )
    # Every member's stretch of service, as migration 010 and members.create write them:
    # a leaver served until their last reporting day; officers and above from joining.
    conn.executemany(
        "INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        stretches,
    )
    conn.execute(
        "INSERT INTO memberships (member_id, unit_id, role, start_date, end_date, created_at)"
        " SELECT id, unit_id, role, substr(joined_at, 1, 10), NULL, joined_at FROM members"
        " WHERE id NOT IN (SELECT member_id FROM memberships)"
    )
    return teams


def _clock_times() -> list[str]:
    """'HH:MM:SS' for every second of a day, so a row's time is one list lookup."""
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


class _Day:
    """Strings of one report date, computed once for the ~15,000 rows of that day."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.date = FIRST_DAY + timedelta(days=index)
        self.next = self.date + timedelta(days=1)
        self.iso = self.date.isoformat()
        self.next_iso = self.next.isoformat()
        self.edit_same = _stamp(self.date, DEADLINE)
        self.edit_next = _stamp(self.next, DEADLINE)
        self.nil_data = f'{{"date": "{self.iso}"}}'


def _fill_reports(conn: sqlite3.Connection, rng: random.Random, teams: list[Team]) -> None:
    """A year of reports, day by day, written in batches of one day."""
    year_days = (LAST_DAY - FIRST_DAY).days + 1
    clock = _clock_times()
    counters: dict[int, int] = {}
    report_id = 0
    rnd = rng.random
    randint = rng.randint
    extra_kinds = [k for k, _ in EXTRA_KINDS]
    extra_cum = []
    total = 0.0
    for _, w in EXTRA_KINDS:
        total += w
        extra_cum.append(total)
    insert_report = (
        "INSERT INTO reports (id, number, member_id, unit_id, kind, report_date, data, status,"
        " urgent, created_at, updated_at, edit_until, ack_by, ack_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_mate = "INSERT INTO report_participants (report_id, member_id) VALUES (?, ?)"
    route_json = [json.dumps(r, ensure_ascii=False) for r in ROUTES]
    for index in range(year_days):
        day = _Day(index)
        rows: list[tuple[object, ...]] = []
        mates_rows: list[tuple[int, int]] = []
        for team in teams:
            present = [m for m in team.members if m.first_day <= index <= m.last_day]
            for m in present:
                kinds: list[str] = []
                if rnd() < m.diligence:
                    u = rnd()
                    if u < PATROL_SHARE:
                        kinds.append("patrol")
                    elif u < PATROL_SHARE + OUTREACH_SHARE:
                        kinds.append("outreach")
                    else:
                        kinds.append("nil")
                if rnd() < EXTRA_RATE:
                    u = rnd()
                    kinds.append(
                        next(
                            k
                            for k, c in zip(extra_kinds, extra_cum, strict=True)
                            if u <= c or c == extra_cum[-1]
                        )
                    )
                for kind in kinds:
                    report_id += 1
                    # When it was filed: on time (before 21:00) or late (evening / next morning);
                    # a patrol is reported after it ended (start..start+2h).
                    late = rnd() < LATE_RATE
                    start = randint(17, 21) if late else randint(5, 18)
                    if late:
                        if rnd() < 0.65:
                            filed_on, seconds = day.date, randint(75600, 86399)
                        else:
                            filed_on, seconds = day.next, randint(21600, 43199)
                        edit_until = day.edit_next
                    else:
                        low = {"nil": 57600, "patrol": (start + 2) * 3600 + 2700}.get(kind, 25200)
                        filed_on, seconds = day.date, randint(low, 75599)
                        edit_until = day.edit_same
                    created = f"{filed_on.isoformat()}T{clock[seconds]}{OFFSET}"
                    year = filed_on.year
                    counters[year] = counters.get(year, 0) + 1
                    number = f"BC-{year}-{counters[year]:06d}"
                    urgent = 0
                    ack_by: int | None = None
                    ack_at: str | None = None
                    if kind == "nil":
                        data = day.nil_data
                    elif kind == "patrol":
                        others = [o.id for o in present if o is not m]
                        picked = rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2))))
                        picked.sort()
                        mates_rows.extend((report_id, mate) for mate in picked)
                        incidents = 0 if rnd() < 0.9 else randint(1, 3)
                        serious = (
                            f' "serious_accident": {"true" if rnd() < 0.02 else "false"},'
                            if incidents
                            else ""
                        )
                        data = (
                            f'{{"date": "{day.iso}",'
                            f' "start": "{start:02d}:{randint(0, 3) * 15:02d}",'
                            f' "end": "{(start + 2) % 24:02d}:{randint(0, 3) * 15:02d}",'
                            f' "route": {route_json[randint(0, len(ROUTES) - 1)]},'
                            f' "teammates": {json.dumps(picked)},'
                            f' "incidents": {incidents},{serious}'
                            f' "traffic_help": {"true" if rnd() < 0.4 else "false"}}}'
                        )
                    else:
                        data = json.dumps(_answers(rng, kind, day.iso), ensure_ascii=False)
                        if kind in ("tip", "fire_rescue"):
                            urgent = 1
                            ack_by, ack_at = _acknowledgement(rng, team, filed_on, seconds)
                    status = "active"
                    updated = created
                    if rnd() < WITHDRAWN_RATE:
                        status = "withdrawn"
                        later = min(seconds + randint(60, 1800), 86399)
                        updated = f"{filed_on.isoformat()}T{clock[later]}{OFFSET}"
                    rows.append(
                        (
                            report_id,
                            number,
                            m.id,
                            m.unit_id,
                            kind,
                            day.iso,
                            data,
                            status,
                            urgent,
                            created,
                            updated,
                            edit_until,
                            ack_by,
                            ack_at,
                        )
                    )
        conn.executemany(insert_report, rows)
        conn.executemany(insert_mate, mates_rows)
    conn.executemany(
        "INSERT INTO counters (name, value) VALUES (?, ?)",
        [(f"report:{year}", n) for year, n in sorted(counters.items())],
    )


def _acknowledgement(
    rng: random.Random, team: Team, filed_on: date, seconds: int
) -> tuple[int | None, str | None]:
    """Most urgent reports are acknowledged by a commune officer, minutes to hours later."""
    u = rng.random()
    if u < 0.12:
        return None, None
    minutes = rng.randint(2, 60) if u < 0.85 else rng.randint(61, 600)
    filed = datetime.combine(filed_on, datetime.min.time()) + timedelta(seconds=seconds)
    at = filed + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
    return rng.choice(team.officers), f"{at.isoformat(timespec='seconds')}{OFFSET}"


def _answers(rng: random.Random, kind: str, day: str) -> dict[str, object]:
    """The JSON answers of the rarer kinds, shaped as the default forms store them."""
    if kind == "good_deed":
        what, whom = rng.choice(DEEDS)
        return {"date": day, "what": what, "for_whom": whom}
    if kind == "admin_order":
        checked = rng.randint(0, 4)
        admin: dict[str, object] = {
            "date": day,
            "households_informed": rng.randint(40, 150),
            "residence_helped": rng.randint(0, 12),
            "businesses_checked": checked,
            "weapons_handed_in": 0 if rng.random() < 0.95 else rng.randint(1, 3),
            "illegal_weapons": rng.random() < 0.01,
        }
        if checked:
            admin["business_violation"] = rng.random() < 0.03
        return admin
    if kind == "reintegration":
        return {
            "date": day,
            "person": f"{rng.choice('BCDHLMNTV')}{rng.choice('VT')}{rng.choice('ABHLMNST')}"
            f"-{rng.randint(1, 40):02d}",
            "visit_kind": rng.choice(("in_person", "in_person", "family", "phone")),
            "progress": rng.choice(("good", "good", "some", "none")),
            "reoffending_signs": rng.random() < 0.06,
        }
    if kind == "tip":
        tip: dict[str, object] = {
            "date": day,
            "source": rng.choice(("residents", "residents", "own")),
            "kind": rng.choice(("order", "social_evil", "dispute", "traffic", "other")),
        }
        if tip["kind"] == "traffic":
            tip["serious_accident"] = rng.random() < 0.2
        return {
            **tip,
            "urgency": "urgent" if rng.random() < 0.3 else "normal",
            "place": {"text": rng.choice(PLACES)},
            "what": "Phát hiện nhóm thanh niên lạ mặt tụ tập, nghi sử dụng chất cấm",
        }
    if kind == "fire_rescue":
        mobilised = rng.random() < 0.8
        answers: dict[str, object] = {
            "date": day,
            "kind": rng.choice(("fire", "fire", "rescue", "relief")),
            "place": {"text": rng.choice(PLACES)},
            "mobilised": mobilised,
        }
        if mobilised:
            answers["in_time"] = rng.random() < 0.9
        answers["people_helped"] = rng.randint(0, 6)
        answers["outcome"] = "Đã dập tắt đám cháy, không có thiệt hại về người"
        return answers
    if kind == "outreach":
        outreach: dict[str, object] = {
            "date": day,
            "activity": rng.choice(("meeting", "door", "loudspeaker", "online", "model")),
            "audience": rng.randint(10, 300),
            "topic": rng.choice(TOPICS),
        }
        if outreach["activity"] == "model":
            outreach["model_name"] = rng.choice(MODELS)
            outreach["model_level"] = rng.choice(("none", "commune", "commune", "district"))
        return outreach
    raise ValueError(f"no answers for kind {kind!r}")


# ------------------------------------------------------------------ command


def describe(info: BuildInfo) -> Iterator[str]:
    """Lines telling how the database was obtained and what it holds."""
    c = info.counts
    how = (
        f"built in {info.seconds:.1f} s ({info.reason})"
        if info.built
        else "reused from cache (generator and migrations unchanged)"
    )
    yield f"database {info.path} ({info.size_bytes / 2**20:.0f} MiB), {how}"
    yield (
        f"  units {c['units']}: {c.get('units.province', 0)} province, "
        f"{c.get('units.commune', 0)} communes, {c.get('units.village', 0)} teams; "
        f"members {c['members']}: "
        + ", ".join(
            f"{c.get('members.' + r, 0)} {r}"
            for r in ("leader", "deputy", "member", "officer", "supervisor", "admin")
        )
        + f" ({c['members.inactive']} inactive)"
    )
    kinds = sorted(
        (
            k.split(".", 1)[1]
            for k in c
            if k.startswith("reports.")
            and k not in ("reports.withdrawn", "reports.urgent", "reports.acked")
        ),
        key=lambda k: -c["reports." + k],
    )
    yield (
        f"  reports {c['reports']:,} ({FIRST_DAY} .. {LAST_DAY}): "
        + ", ".join(f"{k} {c['reports.' + k]:,}" for k in kinds)
    )
    yield (
        f"    {c['reports.withdrawn']:,} withdrawn, {c['reports.urgent']:,} urgent "
        f"({c['reports.acked']:,} acknowledged); report_participants "
        f"{c['report_participants']:,}"
    )


def main(argv: list[str] | None = None) -> None:
    """Build (or check) the cached province database without running the benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.tally_data",
        description="Build the province-sized benchmark database (cached).",
    )
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"database file (default {DEFAULT_DB})"
    )
    parser.add_argument("--rebuild", action="store_true", help="build even if the cache is current")
    args = parser.parse_args(argv)
    info = ensure_database(args.db, args.rebuild)
    for line in describe(info):
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
