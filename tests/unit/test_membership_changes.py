"""Moves, role changes, departures and returns write dated stretches and the audit trail."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.i18n import Texts
from bot.core.roles import Role
from bot.people import membership
from bot.people.membership import Actor, Refused
from storage import audit, members, memberships, units
from storage.db import Database

NOW = "2026-11-30T09:00:00+07:00"
TODAY = date(2026, 11, 30)
COMMUNE = "Tỉnh L/Xã A"


@pytest.fixture
async def world(db: Database) -> dict[str, int]:
    """A commune with two teams, an officer, and a member who joined on 1/11."""
    ids: dict[str, int] = {}
    async with db.transaction() as tx:
        await units.upsert(tx, "Tỉnh L", "province", None, NOW)
        ids["commune"], _ = await units.upsert(tx, COMMUNE, "commune", None, NOW)
        ids["t1"], _ = await units.upsert(tx, f"{COMMUNE}/Thôn 1", "village", None, NOW)
        ids["t2"], _ = await units.upsert(tx, f"{COMMUNE}/Thôn 2", "village", None, NOW)
        ids["officer"] = await members.create(tx, ids["commune"], "officer", "CA", "vi", NOW)
        ids["an"] = await members.create(
            tx, ids["t1"], "member", "An", "vi", NOW, serves_from=date(2026, 11, 1)
        )
        await members.link_identity(tx, "telegram", "7", "7", ids["an"], NOW)
    return ids


async def test_move_then_leave_then_return(db: Database, world: dict[str, int]) -> None:
    """Each change ends one stretch the day before the next; the member is told each time."""
    async with db.transaction() as tx:
        officer = Actor.of(await members.get(tx, world["officer"]))  # type: ignore[arg-type]
        an = await members.get(tx, world["an"])
        t2 = await units.get(tx, world["t2"])
        assert an is not None and t2 is not None
        change = await membership.move(tx, officer, an, t2, date(2026, 11, 20), TODAY, NOW)
        assert await membership.tell(tx, Texts.load(), change, NOW)
        an = await members.get(tx, world["an"])
        assert an is not None
        await membership.leave(tx, officer, an, date(2026, 11, 28), TODAY, NOW)
        an = await members.get(tx, world["an"])
        assert an is not None and not an.active
        await membership.come_back(tx, officer, an, TODAY, TODAY, NOW)
        stretches = [(s.unit_id, s.start, s.end) for s in await memberships.history(tx, an.id)]
        trail = [e.action for e in await audit.of_subject(tx, "member", an.id)]
        notice = await tx.fetchone("SELECT payload FROM outbox WHERE member_id = ?", (an.id,))
    assert stretches == [
        (world["t1"], date(2026, 11, 1), date(2026, 11, 19)),
        (world["t2"], date(2026, 11, 20), date(2026, 11, 27)),
        (world["t2"], TODAY, None),
    ]
    assert trail == ["move", "leave", "return"]
    assert notice is not None and "Thôn 2" in str(notice["payload"])


@pytest.mark.parametrize(
    ("on", "key"),
    [(date(2026, 12, 1), "people.date_future"), (date(2026, 10, 31), "people.date_too_early")],
)
async def test_dates_outside_the_open_month_are_refused(
    db: Database, world: dict[str, int], on: date, key: str
) -> None:
    """A future day, or one in a closed month, changes nothing."""
    async with db.transaction() as tx:
        officer = Actor.of(await members.get(tx, world["officer"]))  # type: ignore[arg-type]
        an = await members.get(tx, world["an"])
        assert an is not None
        with pytest.raises(Refused) as refused:
            await membership.set_role(tx, officer, an, Role.LEADER, on, TODAY, NOW)
        assert refused.value.key == key
        assert len(await memberships.history(tx, an.id)) == 1
        assert await audit.of_subject(tx, "member", an.id) == []


async def test_a_leader_cannot_be_made_officer_of_a_team(
    db: Database, world: dict[str, int]
) -> None:
    """Area roles belong above teams; the refusal says so."""
    async with db.transaction() as tx:
        an = await members.get(tx, world["an"])
        assert an is not None
        with pytest.raises(Refused) as refused:
            await membership.set_role(tx, Actor.command_line(), an, Role.OFFICER, TODAY, TODAY, NOW)
        assert refused.value.key == "people.role_not_allowed"


async def test_a_personal_code_follows_its_member(db: Database, world: dict[str, int]) -> None:
    """A roster's code not used yet places the member where they now serve."""
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO invites (code, unit_id, role, uses_left, expires_at, created_at,"
            " member_id) VALUES ('RIENG234', ?, 'member', 1, '2027-01-01T00:00:00+07:00', ?, ?)",
            (world["t1"], NOW, world["an"]),
        )
        officer = Actor.of(await members.get(tx, world["officer"]))  # type: ignore[arg-type]
        an = await members.get(tx, world["an"])
        t2 = await units.get(tx, world["t2"])
        assert an is not None and t2 is not None
        await membership.move(tx, officer, an, t2, TODAY, TODAY, NOW)
        row = await tx.fetchone("SELECT unit_id FROM invites WHERE code = 'RIENG234'")
    assert row is not None and row["unit_id"] == world["t2"]
