"""A closed period's tally never changes: October's text, XLSX and CSV made on
29/11 are byte for byte those made in December after joins, a move, a role change, a
departure, a new team, renames and a closed unit; and the open month does show them.

The commune: Xã Bắc Sơn with Thôn Nà Lẹng (a1 leader, a2 member), Thôn Khuôn Pinh (b1
leader), Thôn Pác Giáo (no one; closed on 30/11) and Thôn Cũ (closed since 01/09: not a
team of October). In October all three file a nil report every day on time, and a1 files
one patrol with a2 as team-mate: 3/3 reported, patrols 2/3.
"""

from __future__ import annotations

import time
import types
import zipfile
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.roles import Role
from bot.people import membership
from bot.reports.forms import load_forms
from bot.tally.files import csv_bytes, png_bytes, xlsx_bytes
from bot.tally.periods import month_named
from bot.tally.prepared import Prepared, prepare
from storage import members, reports, units
from storage.db import Store
from storage.stores import open_store
from tests.support import backend

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
P = "Tỉnh Lạng Sơn"
X = f"{P}/Xã Bắc Sơn"
A = f"{X}/Thôn Nà Lẹng"
B = f"{X}/Thôn Khuôn Pinh"
G = f"{X}/Thôn Pác Giáo"
OLD = f"{X}/Thôn Cũ"
CONFIG = Config()
FORMS = load_forms(None)
TEXTS = Texts.load()
OCTOBER = month_named(2026, 10, 1)
NOVEMBER = month_named(2026, 11, 1)


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=TZ)


class Commune:
    def __init__(self, db: Store) -> None:
        self.db = db
        self.ids: dict[str, int] = {}
        self.unit_ids: dict[str, int] = {}
        self.seq = 0

    async def unit(self, path: str, kind: str) -> None:
        async with self.db.transaction() as tx:
            self.unit_ids[path], _ = await units.upsert(tx, path, kind, None, "2026-01-01")

    async def member(self, key: str, path: str, role: str, joined: str) -> None:
        async with self.db.transaction() as tx:
            self.ids[key] = await members.create(
                tx, self.unit_ids[path], role, f"Người {key}", "vi", f"{joined}T08:00:00+07:00"
            )

    async def report(
        self, who: str, path: str, kind: str, day: str, mates: tuple[str, ...] = ()
    ) -> None:
        """A report filed at 20:00 on its day (on time) in the team the member was in."""
        self.seq += 1
        created = f"{day}T20:00:00+07:00"
        async with self.db.transaction() as tx:
            rid = await reports.create(
                tx,
                number=f"BC-2026-{self.seq:06d}",
                member_id=self.ids[who],
                unit_id=self.unit_ids[path],
                kind=kind,
                report_date=day,
                data={"date": day},
                urgent=False,
                now_iso=created,
                edit_until_iso=created,
            )
            await reports.set_participants(tx, rid, [self.ids[m] for m in mates])

    async def tally(self, period_month: int, now: datetime) -> tuple[Prepared, bytes, bytes]:
        """What /thongke and `antt-bot tally` make: the text's figures, XLSX and CSV bytes."""
        period = month_named(2026, period_month, 1)
        async with self.db.read() as tx:
            unit = await units.get(tx, self.unit_ids[X])
            assert unit is not None
            ready = await prepare(
                tx, unit, period, config=CONFIG, forms=FORMS, texts=TEXTS, locale="vi", now=now
            )
        xlsx = await xlsx_bytes(self.db, ready.tally, ready.labels, CONFIG, 5000)
        csv = await csv_bytes(ready.tally, ready.labels)
        return ready, xlsx, csv


def days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


@pytest.fixture
async def commune(tmp_path: Path) -> AsyncIterator[Commune]:
    db = await open_store(await backend.location(str(tmp_path / "over_time.sqlite3")))
    c = Commune(db)
    for path, kind in ((P, "province"), (X, "commune"), (A, "village"), (B, "village")):
        await c.unit(path, kind)
    await c.unit(G, "village")
    await c.unit(OLD, "village")
    async with db.transaction() as tx:
        await tx.execute("UPDATE units SET closed_on = '2026-09-01' WHERE path = ?", (OLD,))
    await c.member("a1", A, "leader", "2026-09-01")
    await c.member("a2", A, "member", "2026-09-01")
    await c.member("b1", B, "leader", "2026-09-01")
    for day in days(date(2026, 10, 1), date(2026, 10, 31)):
        for who, path in (("a1", A), ("a2", A), ("b1", B)):
            await c.report(who, path, "nil", day)
    await c.report("a1", A, "patrol", "2026-10-12", mates=("a2",))
    # November as it went: a2 moves to Khuôn Pinh on 15/11, a1 leaves on 25/11, b1 serves on
    for day in days(date(2026, 11, 1), date(2026, 11, 29)):
        if day <= "2026-11-24":
            await c.report("a1", A, "nil", day)
        await c.report("a2", A if day < "2026-11-15" else B, "nil", day)
        await c.report("b1", B, "nil", day)
    yield c
    await db.close()


async def change_everything(c: Commune) -> None:
    """What happened on 30/11, each the way the bot and the org import do it."""
    today, now_iso = date(2026, 11, 30), "2026-11-30T09:00:00+07:00"
    actor = membership.Actor.command_line()
    async with c.db.transaction() as tx:
        # a new member joins Nà Lẹng (serving from today) and reports today
        c.ids["n1"] = await members.create(tx, c.unit_ids[A], "member", "Người n1", "vi", now_iso)

        async def target(key: str) -> members.Member:
            m = await members.get(tx, c.ids[key])
            assert m is not None
            return m

        khuon_pinh = await units.get(tx, c.unit_ids[B])
        assert khuon_pinh is not None
        await membership.move(
            tx, actor, await target("a2"), khuon_pinh, date(2026, 11, 15), today, now_iso
        )
        await membership.set_role(
            tx, actor, await target("b1"), Role.MEMBER, date(2026, 11, 20), today, now_iso
        )
        await membership.leave(tx, actor, await target("a1"), date(2026, 11, 25), today, now_iso)
        # b1 blocked the bot everywhere: today's state, never October's
        await members.link_identity(tx, "telegram", "301", "301", c.ids["b1"], now_iso)
        await members.mark_unreachable(tx, "telegram", "301", now_iso)
        # the org import: a new team, the commune and a village renamed, Pác Giáo closed
        new_id, _ = await units.upsert(tx, f"{X}/Thôn Mới", "village", 80, now_iso)
        c.unit_ids["new"] = new_id
        await tx.execute("UPDATE units SET opened_on = '2026-11-30' WHERE id = ?", (new_id,))
        await tx.execute("UPDATE units SET closed_on = '2026-11-30' WHERE path = ?", (G,))
        for uid, name, path, kind, parent in await tx.fetchall(
            "SELECT id, name, path, kind, parent_id FROM units WHERE id IN (?, ?)",
            (c.unit_ids[X], c.unit_ids[B]),
        ):
            await tx.execute(
                "INSERT INTO unit_history (unit_id, changed_on, name, path, kind, parent_id, at)"
                " VALUES (?, '2026-11-30', ?, ?, ?, ?, ?)",
                (uid, name, path, kind, parent, now_iso),
            )
        await tx.execute(
            "UPDATE units SET name = 'Thôn Khuôn Pinh Trên', path = ? WHERE id = ?",
            (f"{X}/Thôn Khuôn Pinh Trên", c.unit_ids[B]),
        )
        new_x = f"{P}/Phường Bắc Sơn"
        await tx.execute(
            "UPDATE units SET path = ? || substr(path, ?) WHERE path LIKE ?",
            (new_x, len(X) + 1, X + "/%"),
        )
        await tx.execute(
            "UPDATE units SET name = 'Phường Bắc Sơn', kind = 'ward', path = ? WHERE id = ?",
            (new_x, c.unit_ids[X]),
        )
    await c.report("n1", A, "nil", "2026-11-30")
    await c.report("a2", B, "nil", "2026-11-30")
    await c.report("b1", B, "nil", "2026-11-30")


async def test_a_closed_month_is_the_same_file_whatever_changed_since(
    commune: Commune, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, xlsx_before, csv_before = await commune.tally(10, at("2026-11-29"))
    text_before = before.message(50)
    png_before = await png_bytes(before.tally, before.labels)
    root = before.tally.root.figures
    assert (root.members, root.reporters, root.patrol_members) == (3, 3, 2)
    assert "3/3 tổ viên đã báo cáo" in text_before
    assert [t.name for t in before.tally.teams] == [
        "Thôn Khuôn Pinh",
        "Thôn Nà Lẹng",
        "Thôn Pác Giáo",
    ]

    await change_everything(commune)
    # a week later, on another clock: zip entries would carry the time of saving
    later = datetime(2026, 12, 7, 15, 30).timestamp()
    monkeypatch.setattr(
        zipfile,
        "time",
        types.SimpleNamespace(time=lambda: later, localtime=time.localtime),
    )
    after, xlsx_after, csv_after = await commune.tally(10, at("2026-12-07", "15:30"))

    assert after.message(50) == text_before
    assert csv_after == csv_before
    assert xlsx_after == xlsx_before
    assert await png_bytes(after.tally, after.labels) == png_before  # the chat's chart too
    assert after.tally.root.name == "Xã Bắc Sơn" and after.tally.root.kind == "commune"
    assert after.tally.root.figures.unreachable == 0


async def test_the_open_month_counts_each_member_on_their_own_days(commune: Commune) -> None:
    await change_everything(commune)
    now = at("2026-11-30", "10:00")  # still open: days due up to 29/11, 30/11 not yet
    ready, _, _ = await commune.tally(11, now)
    tally = ready.tally
    assert tally.root.name == "Phường Bắc Sơn"
    teams = {t.name: t.figures for t in tally.teams}
    # Pác Giáo was open until 29/11, Thôn Mới from 30/11: both teams of November
    assert sorted(teams) == ["Thôn Khuôn Pinh Trên", "Thôn Mới", "Thôn Nà Lẹng", "Thôn Pác Giáo"]
    na_leng, khuon_pinh = teams["Thôn Nà Lẹng"], teams["Thôn Khuôn Pinh Trên"]
    # Nà Lẹng: a1 1-24/11 (left 25/11), a2 1-14/11 (moved), n1 from 30/11 (joined; reported
    # that day, not yet due)
    assert (na_leng.members, na_leng.reporters) == (3, 3)
    assert na_leng.expected_days == na_leng.on_time_days == 24 + 14 + 0
    # Khuôn Pinh: a2 15-29/11; b1 the whole month, leader then member: one person
    assert (khuon_pinh.members, khuon_pinh.reporters) == (2, 2)
    assert khuon_pinh.expected_days == khuon_pinh.on_time_days == 15 + 29
    assert khuon_pinh.unreachable == 1  # b1 blocked the bot, and the month is still open
    assert teams["Thôn Mới"].members == 0
    # once 30/11's deadline has passed, every day is due and n1 counts for theirs
    ready, _, _ = await commune.tally(11, at("2026-11-30", "22:00"))
    teams = {t.name: t.figures for t in ready.tally.teams}
    assert teams["Thôn Nà Lẹng"].expected_days == 24 + 14 + 1
    assert teams["Thôn Khuôn Pinh Trên"].expected_days == 16 + 30
    assert teams["Thôn Khuôn Pinh Trên"].unreachable == 0  # closed: not today's state
