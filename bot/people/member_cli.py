"""`antt-bot member list|move|role|leave|return`: managing people from the server's shell.

The operator is `Actor.command_line()`: the rules of bot/people/membership.py apply as in
chat (dates neither in the future nor in a closed tally month, units that fit the role), the
audit trail names the operator's login, and the member's notice is queued in the outbox for
the running bot to deliver. Refusals go to standard error in English, exit code 1; malformed
input exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bot.core import cli_support, dates
from bot.core.cli_support import existing_database, table
from bot.core.clock import iso
from bot.core.config import Config
from bot.core.i18n import Texts
from bot.core.parsing import fold
from bot.core.roles import parse_role
from bot.people import membership
from bot.people.membership import Actor, Change, Refused
from bot.units.cli_unit import CliError, read_day, resolve_unit
from storage import member_lists, members, units
from storage.db import Row, Tx
from storage.members import Member
from storage.stores import open_store

CLI_LOCALE = "en"  # the command line speaks English, as every other operator command


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `member list|move|role|leave|return` on the main parser."""
    member = sub.add_parser(
        "member", help="list, move, re-role, mark as left or bring back members"
    ).add_subparsers(dest="member_command")
    listing = member.add_parser("list", help="the members of a unit and everything below it")
    listing.add_argument("--unit", required=True, help="unit path or unique short name")
    listing.add_argument("--all", action="store_true", help="include those who left")
    on_help = "from which day (default today), e.g. 1/10, 01/10/2026, 2026-10-01, 'hôm nay'"
    who_help = "the member's id from `member list`, or their name with --unit"
    unit_help = "where to look a MEMBER given by name"
    move = member.add_parser("move", help="move a member to another team")
    move.add_argument("member", metavar="MEMBER", help=who_help)
    move.add_argument("--to", required=True, help="the unit to move them to")
    role = member.add_parser("role", help="give a member another role in their unit")
    role.add_argument("member", metavar="MEMBER", help=who_help)
    role.add_argument("role", metavar="ROLE", help="member, deputy, leader, officer, ...")
    leave = member.add_parser("leave", help="record that a member left the force")
    leave.add_argument("member", metavar="MEMBER", help=who_help)
    back = member.add_parser("return", help="bring back a member who left")
    back.add_argument("member", metavar="MEMBER", help=who_help)
    back.add_argument("--to", help="another unit than the one they left from")
    for command in (move, role, leave, back):
        command.add_argument("--on", metavar="DATE", help=on_help)
        command.add_argument("--unit", help=unit_help)


async def run(config: Config, args: argparse.Namespace) -> int:
    """Run one `member` sub-command; returns the process exit code."""
    command = args.member_command
    if command not in {"list", "move", "role", "leave", "return"}:
        print("usage: antt-bot member list|move|role|leave|return ...", file=sys.stderr)
        return 2
    path = existing_database(config, False)
    if path is None:
        return 1
    db = await open_store(str(path))
    try:
        if command == "list":
            async with db.read() as tx:
                return await _list(tx, args)
        async with db.transaction() as tx:
            return await _change(tx, config, args)
    except CliError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return err.code
    except Refused as refused:
        print(f"antt-bot: {refusal(refused)}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return 1
    finally:
        await db.close()


def refusal(refused: Refused) -> str:
    """The text chat shows for a refusal, in the command line's language, without its emoji."""
    text = Texts.load().t(CLI_LOCALE, refused.key, **refused.params)
    return text.split(" ", 1)[1] if text[:1] in {"⚠", "⛔"} else text


async def _list(tx: Tx, args: argparse.Namespace) -> int:
    unit = await resolve_unit(tx, args.unit, open_only=False)
    rows = await member_lists.under(tx, unit.path, args.all)
    if not rows:
        print(f"No members in {unit.path}.", file=sys.stderr)
        return 0
    headers = ["id", "name", "role", "unit", "bot", "phone"]
    if args.all:
        headers += ["since", "left"]
    body = []
    for row in rows:
        cells = [
            str(row["id"]),
            str(row["full_name"]),
            str(row["role"]),
            str(row["unit_path"]),
            "joined" if row["joined"] else "not yet",
            str(row["phone"] or "-"),
        ]
        if args.all:
            cells += [_day(row["since"]), _left(row) if not row["active"] else "-"]
        body.append(cells)
    print("\n".join(table(headers, body)))
    return 0


def _day(value: object) -> str:
    return dates.day(date.fromisoformat(str(value))) if value else "-"


def _left(row: Row) -> str:
    """The day a member left, as chat shows it (the audit trail's, else the day after
    their last stretch)."""
    left_on = row["left_on"]
    return dates.day(date.fromisoformat(str(left_on))) if left_on else "-"


async def find_member(tx: Tx, typed: str, unit_typed: str | None) -> Member:
    """The member an operator names: an id, or a name (diacritics optional) that is unique
    in `--unit` (or the whole tree), so a list need not be read twice."""
    text = typed.strip()
    if text.isdigit():
        member = await members.get(tx, int(text))
        if member is None:
            raise CliError(f"no member with id {text}; see `antt-bot member list --unit UNIT`")
        return member
    scope = (await resolve_unit(tx, unit_typed, open_only=False)).path if unit_typed else None
    wanted = fold(text)
    rows = [r for r in await member_lists.under(tx, scope, True) if fold(r["full_name"]) == wanted]
    if not rows:
        where = f" in {scope}" if scope else ""
        raise CliError(f"no member named {text!r}{where}; see `antt-bot member list --unit UNIT`")
    if len(rows) > 1:
        listed = "\n".join(f"  {r['id']}  {r['full_name']}  {r['unit_path']}" for r in rows)
        raise CliError(f"{text!r} names several members; give one's id:\n{listed}")
    member = await members.get(tx, int(rows[0]["id"]))
    assert member is not None
    return member


async def _change(tx: Tx, config: Config, args: argparse.Namespace) -> int:
    now = cli_support.clock_for(config).now().replace(microsecond=0)
    today, now_iso = now.date(), iso(now)
    on = read_day(args.on, today, "--on") if args.on else today
    target = await find_member(tx, args.member, args.unit)
    actor = Actor.command_line()
    starts = config.tally.month_starts_on
    change: Change
    if args.member_command == "move":
        unit = await resolve_unit(tx, args.to)
        change = await membership.move(tx, actor, target, unit, on, today, now_iso, starts)
    elif args.member_command == "role":
        try:
            role = parse_role(args.role)
        except ValueError as err:
            raise CliError(str(err), code=2) from err
        change = await membership.set_role(tx, actor, target, role, on, today, now_iso, starts)
    elif args.member_command == "leave":
        change = await membership.leave(tx, actor, target, on, today, now_iso, starts)
    else:
        place = await resolve_unit(tx, args.to) if args.to else None
        change = await membership.come_back(
            tx, actor, target, on, today, now_iso, starts, unit=place
        )
    told = await membership.tell(tx, Texts.load(), change, now_iso, served=None)
    print(await _done(tx, change))
    if told:
        print("The member is told by the running bot.", file=sys.stderr)
    else:
        print("The member has not joined the bot yet: nobody to tell.", file=sys.stderr)
    return 0


async def _done(tx: Tx, change: Change) -> str:
    """One line saying what changed, from which day (the audit entry's number to find it)."""
    who = f"{change.member.full_name} (id {change.member.id})"
    day = dates.day(change.on)
    if change.action == "move":
        what = f"moved from {change.member.unit_path} to {change.path_after}"
    elif change.action == "role":
        what = f"role {change.role_before} -> {change.role_after}"
    elif change.action == "leave":
        what = f"left {change.member.unit_path}"
    else:
        back = change.path_after or (await _path(tx, change.member.unit_id))
        what = f"back in {back} as {change.role_after}"
    return f"{who}: {what}, from {day} (audit #{change.audit_id})."


async def _path(tx: Tx, unit_id: int) -> str:
    unit = await units.get(tx, unit_id)
    return unit.path if unit is not None else "?"
