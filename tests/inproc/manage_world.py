"""The people of the /thanhvien tests: police_world's officers and supervisors, a leader and
members in three teams of two communes, all serving since 01/10/2026, on 30/11/2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.inproc.helpers import rows
from tests.inproc.police_world import People, enrol
from tests.support.harness import TEAM_A, TEAM_B, TEAM_C, Harness, TgUser

TODAY = datetime(2026, 11, 30, 9, 0)


@dataclass
class World:
    p: People  # an (TEAM_A), cuong, dung, hai, lan, son (see police_world)
    tu: TgUser  # leader, TEAM_A
    binh: TgUser  # member, TEAM_B
    mai: TgUser  # member, TEAM_C (the other commune)
    ids: dict[str, int]
    unit_ids: dict[str, int]


async def build(h: Harness) -> World:
    """Everyone enrolled, their stretches dated from 01/10/2026, the clock on 30/11/2026."""
    people = await enrol(h)
    ids = dict(people.ids)
    ids["tu"] = await h.add_member(2, "Lò Văn Tú", "leader", TEAM_A)
    ids["binh"] = await h.add_member(3, "Trần Thị Bình", "member", TEAM_B)
    ids["mai"] = await h.add_member(4, "Hà Thị Mai", "member", TEAM_C)
    async with h.db.transaction() as tx:
        await tx.execute("UPDATE memberships SET start_date = '2026-10-01'")
        found = await tx.fetchall("SELECT id, path FROM units")
    h.clock.set(TODAY.replace(tzinfo=h.clock.tz))
    unit_ids = {str(r["path"]): int(r["id"]) for r in found}
    return World(people, h.user(2), h.user(3), h.user(4), ids, unit_ids)


async def saved(h: Harness) -> dict[str, Any]:
    """What a refused or cancelled change must leave as it was."""
    return {
        "memberships": await rows(h, "SELECT * FROM memberships ORDER BY id"),
        "audit": await rows(h, "SELECT * FROM audit_trail ORDER BY id"),
        "members": await rows(h, "SELECT id, unit_id, role, active FROM members ORDER BY id"),
    }


def notices(user: TgUser) -> list[str]:
    """The notices of changes a member got (ℹ️ ... from someone else)."""
    return [m.text for m in user.messages if m.text.startswith("ℹ️")]
