"""The command line: run, demo, org import, invite, member, supervised, audit, tally, targets,
phase reports, commend, outbox, updates, preset."""

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
from bot.commend import cli as commend_cli
from bot.core import logs
from bot.core.config import TOKEN_ENV, ZALO_TOKEN_ENV, Config, ConfigError, load_config
from bot.database import cli as db_cli
from bot.movement import cli as preset_cli
from bot.outbox import cli as outbox_cli
from bot.people import audit_export, invite_cli, member_cli, supervised_cli
from bot.people.roster import cli as roster_cli
from bot.phasereport import cli as phase_cli
from bot.reports.forms import FormError
from bot.tally import cli as tally_cli
from bot.tally import targets_cli
from bot.units import cli as org_cli

DEFAULT_CONFIG = "config.toml"
Runner = Callable[[Config, argparse.Namespace], Coroutine[Any, Any, int]]
# The operator commands: each module declares its options (add_parser) and runs them.
RUNNERS: dict[str, Runner] = {
    "org": org_cli.run,
    "invite": invite_cli.run,
    "member": member_cli.run,
    "supervised": supervised_cli.run,
    "roster": roster_cli.run,
    "audit": audit_export.run,
    "tally": tally_cli.run,
    "targets": targets_cli.run,
    "phase": phase_cli.run,
    "commend": commend_cli.run,
    "outbox": outbox_cli.run,
    "updates": updates_cli.run,
    "preset": preset_cli.run,
    "db": db_cli.run,
}


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
    invite_cli.add_parser(sub)
    member_cli.add_parser(sub)
    supervised_cli.add_parser(sub)
    roster_cli.add_parser(sub)
    audit_export.add_parser(sub)
    tally_cli.add_parser(sub)
    targets_cli.add_parser(sub)
    phase_cli.add_parser(sub)
    commend_cli.add_parser(sub)
    outbox_cli.add_parser(sub)
    updates_cli.add_parser(sub)
    preset_cli.add_parser(sub)
    db_cli.add_parser(sub)
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
            if (missing := config.missing_bot_token()) is not None:
                raise ConfigError(missing)
            if config.telegram_token or config.zalo_token or config.listed_bots:
                return asyncio.run(_serve(config))
            print(
                f"{TOKEN_ENV} is not set, nor {ZALO_TOKEN_ENV}: starting the terminal demo.",
                file=sys.stderr,
            )
            return asyncio.run(_demo(config))
        if command == "demo":
            logs.setup("ERROR")  # the terminal is the demo's screen: only real faults
            return asyncio.run(_demo(config))
        runner = RUNNERS.get(command)
        if runner is not None:
            return asyncio.run(runner(config, args))
    except (FormError, ConfigError) as err:
        print(f"antt-bot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


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


if __name__ == "__main__":
    sys.exit(main())
