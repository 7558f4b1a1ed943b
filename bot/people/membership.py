"""Changing who serves where, and as what: the rules chat and the command line share.

Leaders see their team; officers manage the members of their commune, supervisors and
admins those of their subtree (an admin placed at the root: everyone), the operator at the
command line everyone. Like every command, the scope is the caller's unit and what is below
it. Nobody changes themselves, nor someone of their own rank or above (admins excepted).
Every change holds from a date that is neither in the future nor in a tally month already
closed (a tally sent up the chain must never change), is kept in the audit trail with who
and when, and is told to the member.

Each function checks, writes the membership stretches, mirrors them on the member and
records the change, all in the caller's transaction; a refusal raises `Refused` with the
catalogue key of the text the person is shown.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.core import dates
from bot.core.i18n import Texts
from bot.core.roles import OVERSIGHT_ROLES, TEAM_LEAD_ROLES, Role, in_scope, role_label
from bot.tally import periods
from storage import audit, members, memberships, outbox, units
from storage.db import Tx
from storage.members import Member
from storage.memberships import Stretch
from storage.units import Unit

Action = Literal["move", "role", "leave", "return", "invite"]

# Who outranks whom: a person manages only people of a lower rank.
RANK: dict[str, int] = {
    Role.MEMBER: 0,
    Role.DEPUTY: 0,
    Role.LEADER: 0,
    Role.OFFICER: 1,
    Role.SUPERVISOR: 2,
    Role.ADMIN: 3,
}
TEAM_ROLES = (Role.MEMBER, Role.DEPUTY, Role.LEADER)
AREA_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)


class Refused(Exception):
    """A change that may not be made; `key` names the text saying why and what to do."""

    def __init__(self, key: str, **params: object) -> None:
        """Keep the catalogue key and the values its text needs."""
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a member in chat, or the operator at the command line (None)."""

    member: Member | None
    name: str

    @classmethod
    def of(cls, member: Member) -> Actor:
        """A member acting in chat."""
        return cls(member, member.full_name)

    @classmethod
    def command_line(cls) -> Actor:
        """The operator at the command line, named by their login for the audit trail."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no login name in a bare container
            user = "?"
        return cls(None, f"{audit.COMMAND_LINE} ({user})")

    @property
    def id(self) -> int | None:
        """The member id the audit trail keeps, None for the command line."""
        return self.member.id if self.member is not None else None


@dataclass(frozen=True)
class Change:
    """A change made: to whom, what, from which day, and where and as what before and after
    (the member's notice and the confirmation are worded from it)."""

    action: Action
    member: Member
    on: date
    unit_before: str
    unit_after: str
    role_before: str
    role_after: str
    by: str
    audit_id: int
    path_after: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def may_see(actor: Actor, unit_path: str) -> bool:
    """Whether the actor may list the people of a unit: leaders and deputies their own team,
    officers and above their area, the command line everything."""
    me = actor.member
    if me is None:
        return True
    if me.role in TEAM_LEAD_ROLES:
        return unit_path == me.unit_path
    return me.role in OVERSIGHT_ROLES and in_scope(me.unit_path, unit_path)


def may_manage(actor: Actor, target: Member) -> bool:
    """Whether the actor may change this person: in their area, of a lower rank (an admin:
    any rank), not themselves; the command line may change anyone."""
    me = actor.member
    if me is None:
        return True
    if me.id == target.id or me.role not in OVERSIGHT_ROLES:
        return False
    if RANK.get(target.role, 0) >= RANK[me.role] and me.role != Role.ADMIN:
        return False
    return in_scope(me.unit_path, target.unit_path)


def may_place_in(actor: Actor, unit: Unit) -> bool:
    """Whether the actor may move someone into this unit: one in their own area."""
    me = actor.member
    if me is None:
        return True
    return me.role in OVERSIGHT_ROLES and in_scope(me.unit_path, unit.path)


def roles_for(actor: Actor, is_team: bool) -> list[Role]:
    """The roles the actor may give in a unit: team roles in a team, area roles above it,
    each of a rank below the actor's (any for an admin or the command line)."""
    offered = TEAM_ROLES if is_team else AREA_ROLES
    me = actor.member
    if me is None or me.role == Role.ADMIN:
        return list(offered)
    return [r for r in offered if RANK[r] < RANK[me.role]]


def earliest(today: date, month_starts_on: int = 1) -> date:
    """The first day a change may hold from: the start of the tally month still open, so a
    month already tallied (and perhaps sent up the chain) never changes."""
    return periods.month(today, month_starts_on).start


async def is_team(tx: Tx, unit: Unit) -> bool:
    """Whether people report in this unit: it has no open unit below it."""
    return not await units.has_open_children(tx, unit.id)


def _check_day(on: date, today: date, month_starts_on: int, not_before: date | None) -> None:
    if on > today:
        raise Refused("people.date_future", today=dates.day(today))
    first = earliest(today, month_starts_on)
    if not_before is not None and not_before > first and on < not_before:
        raise Refused("people.date_before_start", first=dates.day(not_before))
    if on < first:
        raise Refused("people.date_too_early", first=dates.day(first))


async def serving_stretch(tx: Tx, target: Member) -> Stretch:
    """The member's open stretch, or `Refused` when they no longer serve (nothing to change)."""
    stretch = await memberships.latest(tx, target.id)
    if stretch is None or stretch.end is not None or not target.active:
        raise Refused("people.not_serving", name=target.full_name)
    return stretch


async def record_change(
    tx: Tx,
    actor: Actor,
    action: Action,
    target: Member,
    on: date,
    now_iso: str,
    *,
    unit_after: Unit | None,
    role_after: str,
    extra: dict[str, str] | None = None,
) -> Change:
    """Keep a change in the audit trail (before and after) and describe it for the notice
    and the confirmation."""
    after = unit_after
    detail = {
        "unit_before": target.unit_path,
        "unit_after": after.path if after is not None else "",
        "role_before": target.role,
        "role_after": role_after,
        **(extra or {}),
    }
    audit_id = await audit.record(
        tx,
        at=now_iso,
        actor_id=actor.id,
        actor=actor.name,
        subject="member",
        subject_id=target.id,
        action=action,
        unit_id=target.unit_id,
        other_unit_id=after.id if after is not None and after.id != target.unit_id else None,
        effective_on=on,
        detail=detail,
    )
    return Change(
        action=action,
        member=target,
        on=on,
        unit_before=target.unit_name,
        unit_after=after.name if after is not None else "",
        role_before=target.role,
        role_after=role_after,
        by=actor.name,
        audit_id=audit_id,
        path_after=after.path if after is not None else "",
        extra=extra or {},
    )


async def move(
    tx: Tx,
    actor: Actor,
    target: Member,
    unit: Unit,
    on: date,
    today: date,
    now_iso: str,
    month_starts_on: int = 1,
) -> Change:
    """Move a member to another team from `on`, keeping their role (a team role, since only
    teams take members); their reports stay with the team they filed them in."""
    if not may_manage(actor, target) or not may_place_in(actor, unit):
        raise Refused("people.out_of_scope", name=target.full_name)
    if unit.id == target.unit_id:
        raise Refused("people.same_unit", name=target.full_name, unit=unit.name)
    if await units.is_closed(tx, unit.id):
        raise Refused("people.unit_closed", unit=unit.name)
    team = await is_team(tx, unit)
    role = target.role
    if team != (role in TEAM_ROLES):
        raise Refused("people.role_unit_mismatch", unit=unit.name, role=role)
    stretch = await serving_stretch(tx, target)
    _check_day(on, today, month_starts_on, stretch.start)
    await memberships.change(tx, stretch, unit.id, role, on, now_iso)
    return await record_change(
        tx, actor, "move", target, on, now_iso, unit_after=unit, role_after=role
    )


async def set_role(
    tx: Tx,
    actor: Actor,
    target: Member,
    role: Role,
    on: date,
    today: date,
    now_iso: str,
    month_starts_on: int = 1,
) -> Change:
    """Give a member another role in the same unit from `on`."""
    if not may_manage(actor, target):
        raise Refused("people.out_of_scope", name=target.full_name)
    if role == target.role:
        raise Refused("people.same_role", name=target.full_name)
    unit = await units.get(tx, target.unit_id)
    assert unit is not None
    if role not in roles_for(actor, await is_team(tx, unit)):
        raise Refused("people.role_not_allowed", unit=unit.name)
    stretch = await serving_stretch(tx, target)
    _check_day(on, today, month_starts_on, stretch.start)
    await memberships.change(tx, stretch, unit.id, role, on, now_iso)
    return await record_change(
        tx, actor, "role", target, on, now_iso, unit_after=unit, role_after=str(role)
    )


async def leave(
    tx: Tx,
    actor: Actor,
    target: Member,
    on: date,
    today: date,
    now_iso: str,
    month_starts_on: int = 1,
) -> Change:
    """Mark a member as having left on `on`: from that day they count nowhere and the bot
    sends them nothing more (what was queued for them is withdrawn, but this notice)."""
    if not may_manage(actor, target):
        raise Refused("people.out_of_scope", name=target.full_name)
    stretch = await serving_stretch(tx, target)
    _check_day(on, today, month_starts_on, stretch.start)
    await memberships.leave(tx, stretch, on, now_iso)
    await outbox.cancel_member(tx, target.id)
    return await record_change(
        tx, actor, "leave", target, on, now_iso, unit_after=None, role_after=""
    )


async def come_back(
    tx: Tx,
    actor: Actor,
    target: Member,
    on: date,
    today: date,
    now_iso: str,
    month_starts_on: int = 1,
    unit: Unit | None = None,
) -> Change:
    """Bring back a member who left, from `on`, in the unit they left from (or `unit`, e.g.
    when theirs was dissolved) and the role they had."""
    if not may_manage(actor, target):
        raise Refused("people.out_of_scope", name=target.full_name)
    stretch = await memberships.latest(tx, target.id)
    if target.active and (stretch is None or stretch.end is None):
        raise Refused("people.still_serving", name=target.full_name)
    if unit is None:
        unit = await units.get(tx, target.unit_id)
        assert unit is not None
    elif not may_place_in(actor, unit):
        raise Refused("people.out_of_scope", name=target.full_name)
    if await units.is_closed(tx, unit.id):
        raise Refused("people.unit_closed", unit=unit.name)
    if await is_team(tx, unit) != (target.role in TEAM_ROLES):
        raise Refused("people.role_unit_mismatch", unit=unit.name, role=target.role)
    after_end = stretch.end if stretch is not None and stretch.end is not None else None
    not_before = date.fromordinal(after_end.toordinal() + 1) if after_end else None
    _check_day(on, today, month_starts_on, not_before)
    await memberships.begin(tx, target.id, unit.id, target.role, on, now_iso)
    return await record_change(
        tx, actor, "return", target, on, now_iso, unit_after=unit, role_after=target.role
    )


def notice(texts: Texts, change: Change, locale: str) -> str:
    """What the member is told of a change made to them, in their language."""
    day = dates.day(change.on)
    if change.action == "move":
        return texts.t(locale, "people.notice_move", by=change.by, unit=change.unit_after, day=day)
    if change.action == "role":
        role = role_label(change.role_after, locale)
        return texts.t(locale, "people.notice_role", by=change.by, role=role, day=day)
    if change.action == "leave":
        return texts.t(locale, "people.notice_leave", by=change.by, day=day)
    if change.action == "return":
        return texts.t(
            locale, "people.notice_return", by=change.by, unit=change.unit_after, day=day
        )
    role = role_label(change.role_after, locale)
    return texts.t(locale, "people.notice_invite", unit=change.unit_after, role=role, day=day)


async def tell(
    tx: Tx,
    texts: Texts,
    change: Change,
    now_iso: str,
    served: frozenset[str] | set[str] | None = None,
) -> bool:
    """Queue the member's notice where they are reached (any messenger when `served` is
    None: the command line queues for the running bot); False when they cannot be reached
    (e.g. listed from a roster and never joined)."""
    target = await members.get(tx, change.member.id)
    if target is None:
        return False
    contact = await members.contact(tx, target.id, served)
    if contact is None:
        return False
    await outbox.enqueue(
        tx,
        dedupe_key=f"member-change:{change.audit_id}",
        channel=str(contact["channel"]),
        chat_id=str(contact["chat_id"]),
        member_id=target.id,
        payload={"text": notice(texts, change, target.locale), "choices": []},
        not_before_iso=now_iso,
        now_iso=now_iso,
    )
    return True
