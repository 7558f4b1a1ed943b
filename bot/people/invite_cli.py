"""`antt-bot invite create|list|revoke`: the invite codes, from the server's shell.

Every code made or revoked here is kept in the audit trail with the operator's login; a
revoked code joins no one (the join dialog says so). The unit is named as in chat.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.core import cli_support, dates
from bot.core.cli_support import local_time, parse_stored, table
from bot.core.clock import iso
from bot.core.config import Config
from bot.core.roles import parse_role
from bot.people.invites import InviteError, create_invite, deep_link, normalize_code
from bot.people.membership import Actor
from bot.units.cli_unit import CliError, resolve_unit
from storage import audit, invites
from storage.db import Row, Store
from storage.stores import open_store

USAGE = "usage: antt-bot invite create|list|revoke ..."


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `invite create|list|revoke` on the main parser."""
    invite = sub.add_parser("invite", help="invite codes").add_subparsers(dest="invite_command")
    create = invite.add_parser("create", help="create an invite code for a unit and role")
    create.add_argument("--unit", required=True, help="unit path, e.g. 'Tỉnh A/Xã B/Thôn C'")
    create.add_argument("--role", required=True, help="member, leader, deputy, officer, ...")
    create.add_argument("--uses", type=int, default=None, help="how many people may use it")
    create.add_argument("--days", type=int, default=None, help="days until it expires")
    listing = invite.add_parser("list", help="the invite codes and what is left of them")
    listing.add_argument("--unit", help="only the codes of this unit and below")
    listing.add_argument(
        "--all", action="store_true", help="also revoked, expired and used-up codes"
    )
    revoke = invite.add_parser("revoke", help="withdraw a code so it joins no one")
    revoke.add_argument("code", metavar="CODE")


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run one `invite` sub-command; returns the process exit code."""
    command = args.invite_command
    if command not in {"create", "list", "revoke"}:
        print(USAGE, file=sys.stderr)
        return 2
    if command == "create":
        return await _create(config, args)
    db = await open_store(config.database.location, read_url=config.database.read_url)
    try:
        if command == "list":
            return await _list(db, config, args)
        return await _revoke(db, config, args)
    except CliError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return err.code
    finally:
        await db.close()


async def _create(config: Config, args: argparse.Namespace) -> int:
    try:
        role = parse_role(args.role)
    except ValueError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    uses = args.uses if args.uses is not None else config.invites.default_uses
    days = args.days if args.days is not None else config.invites.default_days
    db = await open_store(config.database.location, read_url=config.database.read_url)
    try:
        async with db.read() as tx:
            unit = await resolve_unit(tx, args.unit)
        invite = await create_invite(
            db,
            cli_support.clock_for(config),
            unit.path,
            role,
            uses,
            days,
            Actor.command_line().name,
        )
    except CliError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return err.code
    except InviteError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(f"Unit:    {invite.unit_path}")
    print(f"Role:    {invite.role.value}")
    print(f"Uses:    {invite.uses}")
    print(f"Expires: {dates.shell_stamp(invite.expires_at)}")
    username = await cli_support.bot_username(config, invite.unit_path)
    if username:
        print(f"Link:    {deep_link(username, invite.code)}")
    else:
        print("Link:    (set [telegram] bot_username, or ANTT_TELEGRAM_TOKEN, to print it)")
    print(invite.code)
    return 0


def state(row: Row, now: datetime) -> str:
    """Whether a code can still join someone, and if not why: what the operator looks for."""
    if row["revoked_at"] is not None:
        return "revoked"
    expires = parse_stored(row["expires_at"], now.tzinfo or UTC)
    if expires is not None and expires <= now:
        return "expired"
    if int(row["uses_left"]) <= 0:
        return "used up"
    return "open"


async def _list(db: Store, config: Config, args: argparse.Namespace) -> int:
    now = cli_support.clock_for(config).now()
    async with db.read() as tx:
        path = (await resolve_unit(tx, args.unit, open_only=False)).path if args.unit else None
        rows = await invites.listing(tx, path, iso(now), args.all)
    if not rows:
        print("No invite codes" + (" that can still be used." if not args.all else "."))
        return 0
    tz = cli_support.clock_for(config).tz
    body = [
        [
            str(r["code"]),
            str(r["unit_path"]),
            str(r["role"]),
            str(r["uses_left"]),
            local_time(r["expires_at"], tz),
            str(r["for_name"] or "-"),
            state(r, now),
        ]
        for r in rows
    ]
    headers = ["code", "unit", "role", "uses left", "expires", "for", "state"]
    print("\n".join(table(headers, body)))
    return 0


async def _revoke(db: Store, config: Config, args: argparse.Namespace) -> int:
    code = normalize_code(args.code)
    now_iso = iso(cli_support.clock_for(config).now().replace(microsecond=0))
    async with db.transaction() as tx:
        row = await invites.get_with_unit(tx, code)
        if row is None:
            raise CliError(f"no invite code {code!r}; see `antt-bot invite list --all`")
        if not await invites.revoke(tx, code, now_iso):
            raise CliError(f"invite code {code} was already revoked; nothing to do")
        await audit.record(
            tx,
            at=now_iso,
            actor_id=None,
            actor=Actor.command_line().name,
            subject="invite",
            subject_id=code,
            action="revoke",
            unit_id=int(row["unit_id"]),
            effective_on=datetime.fromisoformat(now_iso).date(),
            detail={"role": str(row["role"]), "uses_left": int(row["uses_left"])},
        )
    print(f"Revoked {code} ({row['unit_path']}, {row['role']}): it joins no one from now on.")
    return 0
