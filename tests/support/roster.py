"""Helpers for roster tests: the unit tree, files, the import, and the rows it may touch."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock, iso
from bot.core.config import OrgImportSection
from bot.people.membership import Actor
from bot.people.roster.importing import RosterResult, Settings, import_roster
from storage import units
from storage.db import Database

PROVINCE = "Tỉnh Lạng Sơn"
COMMUNE = f"{PROVINCE}/Xã Bắc Sơn"
OTHER = f"{PROVINCE}/Xã Hữu Vĩnh"
NA_LENG = f"{COMMUNE}/Thôn Nà Lẹng"
KHUON_PINH = f"{COMMUNE}/Thôn Khuôn Pinh"
OTHER_NA_LENG = f"{OTHER}/Thôn Nà Lẹng"
TREE = [
    (PROVINCE, "province"),
    (COMMUNE, "commune"),
    (NA_LENG, "village"),
    (KHUON_PINH, "village"),
    (OTHER, "commune"),
    (OTHER_NA_LENG, "village"),
]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

HEADER_VI = ["Họ và tên", "Đơn vị", "Vai trò", "Số điện thoại", "Ngày vào"]
GOOD = [
    ["Nguyễn Văn An", "Xã Bắc Sơn/Thôn Nà Lẹng", "tổ trưởng", "0912 345 678", "1/10/2026"],
    ["Lê Thị Hoa", "khuon pinh", "Tổ viên", "", "15/11/2026"],
    ["Trần Thị Bình", "Xã Bắc Sơn/Nà Lẹng", "", "", ""],
    ["Hoàng Văn Thụ", "Bắc Sơn", "công an xã", "", ""],
]
# The tables the import writes to: "nothing imported" means all of them as before.
TABLES = ("members", "memberships", "invites", "audit_trail", "identities", "units")


def clock() -> ManualClock:
    return ManualClock(NOW)


async def seed(db: Database) -> None:
    async with db.transaction() as tx:
        for path, kind in TREE:
            await units.upsert(tx, path, kind, None, iso(NOW))


def csv_file(tmp_path: Path, rows: list[list[str]], name: str = "roster.csv") -> Path:
    target = tmp_path / name
    lines = [",".join(cells) for cells in [HEADER_VI, *rows]]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def settings() -> Settings:
    return Settings(
        limits=OrgImportSection(),
        invite_days=90,
        locale="vi",
        month_starts_on=1,
        actor=Actor(None, "command line (test)"),
    )


async def run(db: Database, path: Path, at: ManualClock | None = None) -> RosterResult:
    return await import_roster(db, path, at or clock(), settings())


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the import may write."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read() as tx:
        for table in TABLES:
            found[table] = [tuple(r) for r in await tx.fetchall(f"SELECT * FROM {table}")]
    return found


async def rows(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    async with db.read() as tx:
        return [dict(r) for r in await tx.fetchall(sql, params)]
