"""Creating and checking invite codes, the only way a new member is tied to a unit and a role.

An admin creates a code for a unit (`antt-bot invite ...`) and passes on the code or a Telegram
deep link; the join dialog calls `check_invite` and, on acceptance, consumes one use.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.core.clock import Clock, iso
from bot.core.roles import Role
from storage import audit, invites, units
from storage.db import Row, Store, Tx

# A–Z and 2–9 without O, I, 0 and 1, so a code read aloud or copied by hand survives.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_MAX_ATTEMPTS = 20

InviteStatus = Literal["ok", "unknown", "revoked", "expired", "used_up"]


class InviteError(Exception):
    """An invite could not be created; the message is meant for the admin who asked."""


@dataclass(frozen=True)
class Invite:
    """A freshly created invite, with what the admin needs to pass it on."""

    code: str
    unit_path: str
    unit_name: str
    role: Role
    uses: int
    expires_at: datetime


def generate_code() -> str:
    """A random code from the unambiguous alphabet, drawn with `secrets` so it is unguessable."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def unused_code(tx: Tx) -> str:
    """A fresh code no invite of any kind holds yet (a clash is all but impossible, yet
    checked, as a code joins whoever holds it); InviteError in the unlikely other case."""
    for _ in range(_MAX_ATTEMPTS):
        code = generate_code()
        if await invites.get(tx, code) is None:
            return code
    raise InviteError("could not generate an unused invite code; try again")


def normalize_code(code: str) -> str:
    """Canonical form of a typed code: upper case, no spaces, so matching ignores case."""
    return "".join(code.split()).upper()


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that opens the bot with the code already filled in."""
    return f"https://t.me/{bot_username.strip().lstrip('@')}?start={normalize_code(code)}"


async def create_invite(
    db: Store,
    clock: Clock,
    unit_path: str,
    role: Role,
    uses: int,
    days: int,
    actor: str = audit.COMMAND_LINE,
) -> Invite:
    """Create an invite for a unit, so an admin can enrol members without typing their ids;
    the audit trail keeps who (`actor`) made it.

    Raises InviteError when uses or days is below 1 or the unit does not exist or is closed.
    """
    if isinstance(uses, bool) or uses < 1:
        raise InviteError(f"uses must be at least 1, got {uses}")
    if isinstance(days, bool) or days < 1:
        raise InviteError(f"days must be at least 1, got {days}")
    now = clock.now().replace(microsecond=0)
    expires_at = now + timedelta(days=days)
    async with db.transaction() as tx:
        unit = await units.get_by_path(tx, unit_path)
        if unit is None:
            raise InviteError(
                f"unknown unit {unit_path!r}; check the path (names from the root joined by '/')"
                " or load the unit tree first with `antt-bot org import <file>`"
            )
        if await units.is_closed(tx, unit.id):
            raise InviteError(
                f"unit {unit.path!r} was closed by an org import (dissolved); nobody can join"
                " it: create the invite for the unit that took over its members"
            )
        code = await unused_code(tx)
        await invites.create(tx, code, unit.id, role.value, uses, iso(expires_at), iso(now))
        await audit.record(
            tx,
            at=iso(now),
            actor_id=None,
            actor=actor,
            subject="invite",
            subject_id=code,
            action="create",
            unit_id=unit.id,
            effective_on=now.date(),
            detail={"role": role.value, "uses": uses, "expires_at": iso(expires_at)},
        )
    return Invite(
        code=code,
        unit_path=unit.path,
        unit_name=unit.name,
        role=role,
        uses=uses,
        expires_at=expires_at,
    )


async def check_invite(tx: Tx, code: str, now: datetime) -> tuple[InviteStatus, Row | None]:
    """Tell the join dialog whether a typed code can be used, and for which unit and role.

    Returns ("unknown", None) when no such code exists; otherwise the status ("revoked" takes
    precedence over "expired", then "used_up", then "ok") and the invite row joined with its
    unit (columns: code, unit_id, role, uses_left, expires_at, revoked_at, unit_name,
    unit_path, unit_kind).
    The code is matched case-insensitively and spaces in it are ignored.
    """
    key = normalize_code(code)
    if not key:
        return "unknown", None
    row = await invites.get_with_unit(tx, key)
    if row is None:
        return "unknown", None
    if row["revoked_at"] is not None:
        return "revoked", row
    if datetime.fromisoformat(str(row["expires_at"])) <= now:
        return "expired", row
    if int(row["uses_left"]) <= 0:
        return "used_up", row
    return "ok", row
