"""The register of people under management (4.5): who sees names, who changes it, visits due.

Chat (/quanly) and the command line (`antt-bot supervised`) both change the register through
the functions here, so the checks and the audit trail are the same wherever a change comes
from. Names are for the team's leader and deputy, the commune police over the team and
admins; everyone else (members, supervisors, other teams and communes) sees codes only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.roles import TEAM_LEAD_ROLES, Role
from storage import audit, supervised
from storage.db import Tx
from storage.members import Member
from storage.subtree import in_scope
from storage.supervised import Person
from storage.units import Unit

CODE_MAX = 20  # as the reintegration report's person field
NAME_MAX = 80
_CODE = re.compile(r"^[\w.\- ]{1,20}$")


class RegisterRefused(Exception):
    """A change the register cannot take; `key` is the locale text saying why (in
    `[supervised]`), `params` fill it."""

    def __init__(self, key: str, **params: object) -> None:
        """Keep the text's key and its parameters for chat and the command line."""
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Editor:
    """Who changes the register: a member (chat), or the command line (id None)."""

    id: int | None
    name: str  # the audit trail's actor

    @classmethod
    def of(cls, member: Member) -> Editor:
        """A member acting in chat."""
        return cls(member.id, member.full_name)


def clean_code(text: str) -> str:
    """A code as stored: spaces squeezed, capitals (codes are compared without case)."""
    return " ".join(text.split()).upper()


def valid_code(code: str) -> bool:
    """A short code or initials: letters, digits, dots, dashes, spaces; at most 20."""
    return bool(_CODE.match(code)) and not code.isdigit()


def sees_names(member: Member, team: Unit) -> bool:
    """Whether `member` may read the full names on `team`'s register: its own leader or
    deputy, an officer whose area holds the team, an admin over it. Supervisors, members
    and everyone outside see codes only."""
    if member.role in TEAM_LEAD_ROLES:
        return member.unit_id == team.id
    if member.role in (Role.OFFICER, Role.ADMIN):
        return in_scope(member.unit_path, team.path)
    return False


def may_edit(member: Member, team: Unit) -> bool:
    """Whether `member` may change `team`'s register: the same people who see its names."""
    return sees_names(member, team)


def may_view(member: Member, team: Unit) -> bool:
    """Whether `member` may list `team`'s register at all (codes at least): those who edit
    it, and supervisors over it."""
    if member.role == Role.SUPERVISOR:
        return in_scope(member.unit_path, team.path)
    return may_edit(member, team)


def next_due(person: Person, every_default: int) -> date:
    """The day the person's next visit falls due: `every` days after their last visit, or
    after the day they were put on the register."""
    every = person.every or every_default
    return (person.last_visit or person.since) + timedelta(days=every)


def due_in(
    since: date,
    until: date | None,
    last_before: date | None,
    every: int,
    start: date,
    end: date,
) -> date | None:
    """The day a person's visit falls due in the period [start, end], or None if none does.

    Visits fall due every `every` days from the last visit before the period (else from
    `since`); the first such day on or after `start` is the period's, when it is within the
    period and the person is still on the register that day. A person overdue before the
    period falls due again `every` days later, so nobody drops out of sight for being missed.
    """
    base = max(since, last_before) if last_before else since
    due = base + timedelta(days=every)
    if due < start:
        due += timedelta(days=every * math.ceil((start - due).days / every))
    if due > end or (until is not None and due > until):
        return None
    return due


async def _audit(
    tx: Tx,
    editor: Editor,
    now_iso: str,
    person: Person,
    action: str,
    on: date | None,
    detail: dict[str, Any],
) -> None:
    """One change in the audit trail: codes only, never a name."""
    await audit.record(
        tx,
        at=now_iso,
        actor_id=editor.id,
        actor=editor.name,
        subject="supervised",
        subject_id=person.id,
        action=action,
        unit_id=person.unit_id,
        effective_on=on,
        detail={"code": person.code, **detail},
    )


async def add(
    tx: Tx,
    editor: Editor,
    now_iso: str,
    team: Unit,
    code: str,
    full_name: str | None,
    since: date,
    today: date,
    every: int | None = None,
) -> Person:
    """Put a person on a team's register; refused for a bad or taken code, a long name or
    a day to come."""
    code = clean_code(code)
    if not valid_code(code):
        raise RegisterRefused("supervised.bad_code", max=CODE_MAX)
    if full_name is not None and len(full_name) > NAME_MAX:
        raise RegisterRefused("supervised.long_name", max=NAME_MAX)
    if since > today:
        raise RegisterRefused("supervised.future_day")
    if await supervised.by_code(tx, team.id, code) is not None:
        raise RegisterRefused("supervised.code_taken", code=code)
    person_id = await supervised.add(
        tx,
        unit_id=team.id,
        code=code,
        full_name=full_name or None,
        since=since,
        every=every,
        by=editor.id,
        now_iso=now_iso,
    )
    person = await supervised.get(tx, person_id)
    assert person is not None
    detail: dict[str, Any] = {"since": since.isoformat(), "named": bool(full_name)}
    if every:
        detail["every"] = every
    await _audit(tx, editor, now_iso, person, "add", since, detail)
    return person


async def end(
    tx: Tx, editor: Editor, now_iso: str, person: Person, last_day: date, today: date
) -> None:
    """End a person's management on `last_day`; refused when already ended, before they
    were put on the register, or a day to come."""
    if person.until is not None:
        raise RegisterRefused("supervised.already_ended", code=person.code)
    if last_day > today:
        raise RegisterRefused("supervised.future_day")
    if last_day < person.since:
        raise RegisterRefused("supervised.before_since", since=person.since.strftime("%d/%m/%Y"))
    await supervised.end(tx, person.id, last_day)
    await _audit(tx, editor, now_iso, person, "end", last_day, {"until": last_day.isoformat()})


async def reoffence(
    tx: Tx, editor: Editor, now_iso: str, person: Person, on: date, today: date
) -> int:
    """Record a reoffence dated `on`; refused for a day to come or outside management."""
    if on > today:
        raise RegisterRefused("supervised.future_day")
    if on < person.since or (person.until is not None and on > person.until):
        raise RegisterRefused("supervised.outside_management")
    reoffence_id = await supervised.add_reoffence(tx, person.id, on, editor.id, now_iso)
    detail = {"reoffence": reoffence_id, "on": on.isoformat()}
    await _audit(tx, editor, now_iso, person, "reoffence", on, detail)
    return reoffence_id


async def withdraw(tx: Tx, editor: Editor, now_iso: str, person: Person, reoffence_id: int) -> None:
    """Withdraw one of the person's standing reoffences entered by mistake (audited)."""
    standing = {r.id: r for r in await supervised.reoffences(tx, person.id)}
    if reoffence_id not in standing:
        raise RegisterRefused("supervised.no_reoffence", code=person.code)
    await supervised.withdraw_reoffence(tx, reoffence_id, editor.id, now_iso)
    on = standing[reoffence_id].on
    detail = {"reoffence": reoffence_id, "on": on.isoformat()}
    await _audit(tx, editor, now_iso, person, "reoffence_withdrawn", on, detail)
