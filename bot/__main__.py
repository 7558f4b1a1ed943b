"""The command line: run, demo, org import, invite create, tally, outbox, updates."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.channels import updates_cli
from bot.core import dates, logs
from bot.core.cli_support import bot_username
from bot.core.config import TOKEN_ENV, ZALO_TOKEN_ENV, Config, ConfigError, load_config
from bot.outbox import cli as outbox_cli
from bot.people.roster import cli as roster_cli
from bot.reports.forms import FormError
from bot.tally import cli as tally_cli
from bot.units import cli as org_cli

DEFAULT_CONFIG = "config.toml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="antt-bot",
        description=(
            "Daily field reports for grassroots security teams (Telegram, Zalo, terminal demo)."
        ),
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"TOML config file (default: $ANTT_CONFIG, else ./{DEFAULT_CONFIG} if present)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser(
        "run",
        help=f"serve Telegram ({TOKEN_ENV}) and/or Zalo ({ZALO_TOKEN_ENV}); "
        "with neither token, the terminal demo",
    )
    sub.add_parser("demo", help="the terminal demo on its own SQLite file")
    org_cli.add_parser(sub)
    invite = sub.add_parser("invite", help="invite codes").add_subparsers(dest="invite_command")
    create = invite.add_parser("create", help="create an invite code for a unit and role")
    create.add_argument("--unit", required=True, help="unit path, e.g. 'Tỉnh A/Xã B/Thôn C'")
    create.add_argument("--role", required=True, help="member, leader, deputy, officer, ...")
    create.add_argument("--uses", type=int, default=None, help="how many people may use it")
    create.add_argument("--days", type=int, default=None, help="days until it expires")
    roster_cli.add_parser(sub)
    tally_cli.add_parser(sub)
    outbox_cli.add_parser(sub)
    updates_cli.add_parser(sub)
    return parser


def _config_path(arg: str | None) -> str | None:
    if arg:
        return arg
    env = os.environ.get("ANTT_CONFIG")
    if env:
        return env
    return DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None


def main(argv: list[str] | None = None) -> int:
    """Entry point of `antt-bot` and `python -m bot`."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(_config_path(args.config))
    except ConfigError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    command = args.command or "run"
    try:
        if command == "run":
            logs.setup()
            if config.telegram_token or config.zalo_token:
                return asyncio.run(_serve(config))
            print(
                f"{TOKEN_ENV} is not set, nor {ZALO_TOKEN_ENV}: starting the terminal demo.",
                file=sys.stderr,
            )
            return asyncio.run(_demo(config))
        if command == "demo":
            logs.setup("ERROR")  # the terminal is the demo's screen: only real faults
            return asyncio.run(_demo(config))
        runner = _operator_commands().get(command)
        if runner is not None:
            return asyncio.run(runner(config, args))
    except (FormError, ConfigError) as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _operator_commands() -> dict[
    str, Callable[[Config, argparse.Namespace], Coroutine[Any, Any, int]]
]:
    """The operator's commands, each run in its own event loop by `main`."""
    return {
        "org": org_cli.run,
        "invite": _invite,
        "roster": roster_cli.run,
        "tally": tally_cli.run,
        "outbox": outbox_cli.run,
        "updates": updates_cli.run,
    }


async def _serve(config: Config) -> int:
    from bot.app import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return await serve(config, stop)


async def _demo(config: Config) -> int:
    from bot.demo import run_demo

    logs.setup("ERROR")  # the terminal is the demo's screen: only real faults
    await run_demo(config)
    return 0


async def _invite(config: Config, args: argparse.Namespace) -> int:
    from bot.core.clock import SystemClock
    from bot.core.roles import parse_role
    from bot.people.invites import InviteError, create_invite, deep_link
    from storage.db import Database

    if args.invite_command != "create":
        print("usage: antt-bot invite create --unit PATH --role ROLE", file=sys.stderr)
        return 2
    try:
        role = parse_role(args.role)
    except ValueError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    uses = args.uses if args.uses is not None else config.invites.default_uses
    days = args.days if args.days is not None else config.invites.default_days
    db = await Database(config.database.path).open()
    try:
        invite = await create_invite(
            db, SystemClock(config.bot.timezone), args.unit, role, uses, days
        )
    except InviteError as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(f"Unit:    {invite.unit_path}")
    print(f"Role:    {invite.role.value}")
    print(f"Uses:    {invite.uses}")
    print(f"Expires: {dates.shell_stamp(invite.expires_at)}")
    username = await bot_username(config)
    if username:
        print(f"Link:    {deep_link(username, invite.code)}")
    else:
        print("Link:    (set [telegram] bot_username, or ANTT_TELEGRAM_TOKEN, to print it)")
    print(invite.code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
