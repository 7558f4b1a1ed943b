"""Joining by invite code, as far as who serves where is concerned: a join kept in the
audit trail, a serving member moved by a new code, someone who left coming back.

The invite's maker vouched for the unit and role, so no scope rule applies here; the rest
(stretches, audit, refusals) is `bot.people.membership`'s.
"""

from __future__ import annotations

from datetime import date

from bot.core.roles import Role
from bot.people.membership import Actor, Change, Refused, record_change, serving_stretch
from storage import audit, memberships, units
from storage.db import Tx
from storage.members import Member
from storage.units import Unit


async def take_invite(
    tx: Tx, target: Member, unit: Unit, role: Role, code: str, today: date, now_iso: str
) -> Change:
    """A serving member joined with a new invite code and confirmed: from today they serve
    where and as what the code says (the invite's maker vouched for it, so no scope rule)."""
    if await units.is_closed(tx, unit.id):
        raise Refused("people.unit_closed", unit=unit.name)
    stretch = await serving_stretch(tx, target)
    await memberships.change(tx, stretch, unit.id, role, today, now_iso)
    return await record_change(
        tx,
        Actor.of(target),
        "invite",
        target,
        today,
        now_iso,
        unit_after=unit,
        role_after=str(role),
        extra={"invite": code},
    )


async def record_join(tx: Tx, member: Member, code: str, today: date, now_iso: str) -> int:
    """Keep a join by invite code in the audit trail (who, where, as what, with which code),
    so a member's history starts where they started."""
    return await audit.record(
        tx,
        at=now_iso,
        actor_id=member.id,
        actor=member.full_name,
        subject="member",
        subject_id=member.id,
        action="join",
        unit_id=member.unit_id,
        effective_on=today,
        detail={"unit_after": member.unit_path, "role_after": member.role, "invite": code},
    )


async def return_by_invite(
    tx: Tx, former: Member, unit: Unit, role: Role, code: str, today: date, now_iso: str
) -> Change:
    """Someone who left joins again with an invite code: their record (name, history,
    reports) comes back, serving from today where the code says, instead of a second record
    for the same person."""
    if await units.is_closed(tx, unit.id):
        raise Refused("people.unit_closed", unit=unit.name)
    stretch = await memberships.latest(tx, former.id)
    if stretch is not None and (stretch.end is None or stretch.end >= today):
        raise Refused("people.still_serving", name=former.full_name)
    await memberships.begin(tx, former.id, unit.id, role, today, now_iso)
    return await record_change(
        tx,
        Actor.of(former),
        "return",
        former,
        today,
        now_iso,
        unit_after=unit,
        role_after=str(role),
        extra={"invite": code},
    )
