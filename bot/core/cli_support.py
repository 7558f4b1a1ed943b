"""What the operator commands share: finding the database, showing stored times, the
bot's Telegram name for links."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path

from bot.core import dates
from bot.core.clock import Clock, SystemClock
from bot.core.config import Config
from storage.stores import is_postgres, sqlite_path


def clock_for(config: Config) -> Clock:
    """The clock operator commands read 'today' from; tests put a manual one here (call it as
    `cli_support.clock_for`, so that replacing it reaches every command)."""
    return SystemClock(config.bot.timezone)


def existing_database(config: Config, demo: bool) -> str | None:
    """The configured (or demo) database: a PostgreSQL URL as it is, or a SQLite file; None,
    after saying so on stderr, when that file does not exist: an operator command must never
    create an empty database by mistake."""
    location = config.demo.database_path if demo else config.database.location
    if is_postgres(location):
        return location
    path = Path(sqlite_path(location))
    if path.exists():
        return str(path)
    hint = "start `antt-bot demo` once first" if demo else "check [database] url or path"
    print(f"antt-bot: no database at {path} ({hint})", file=sys.stderr)
    return None


def parse_stored(value: object, tz: tzinfo) -> datetime | None:
    """A stored ISO time as an aware datetime (naive ones are taken as local), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def local_time(value: object, tz: tzinfo) -> str:
    """A stored time as dd/mm/yyyy HH:MM in the configured zone; '-' when there is none."""
    moment = parse_stored(value, tz)
    if moment is None:
        return "-" if not value else str(value)
    return dates.shell_stamp(moment.astimezone(tz))


def table(headers: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    """Plain aligned columns, two spaces apart, for listings an operator reads or greps."""
    widths = [max(len(r[i]) for r in [headers, *body]) for i in range(len(headers))]
    return [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in [headers, *body]
    ]


async def bot_username(config: Config, unit_path: str = "") -> str:
    """The @username for deep links of a unit's invites: the listed bot serving the unit
    (`[[telegram.bots]]`, deepest subtree), else the single bot; its configured
    bot_username, else asked of Telegram with its token; '' when neither says."""
    from bot.core.bots import Router

    serving = Router.of(config).serving("telegram", unit_path)
    listed = {bot.subtree: bot for bot in config.telegram.bots}
    bot = listed.get(serving.subtree) if serving and serving.channel != "telegram" else None
    if bot is not None:
        name, secret = bot.bot_username, bot.token
    else:
        name, secret = config.telegram.bot_username, config.telegram.token
    if name:
        return name.lstrip("@")
    if secret is None:
        return ""
    from telegram import Bot
    from telegram.error import TelegramError

    asking = Bot(secret.get_secret_value(), base_url=f"{config.telegram.base_url}/bot")
    try:
        async with asyncio.timeout(10):
            me = await asking.get_me()
    except (TelegramError, TimeoutError):
        return ""
    return me.username or ""
