"""Two Telegram bots on one database: each serves one commune of the province.

The real application as `antt-bot run` builds it from a config listing `[[telegram.bots]]`,
each bot on its own fake Bot API; the province above both communes has no bot of its own,
so its officers and supervisors may use either.
"""

from __future__ import annotations

from pathlib import Path

from bot.app import Runtime, build_services
from bot.channels.telegram import TelegramChannel
from bot.core.bots import bot_channel
from bot.core.clock import ManualClock
from bot.core.config import Config, load_config
from bot.outbox.sender import SendPolicy
from tests.support.fakebot import FakeBotAPI
from tests.support.harness import COMMUNE, OTHER_COMMUNE, START, Harness, seed_units

BAC_SON = "bac-son"  # serves COMMUNE
HUU_VINH = "huu-vinh"  # serves OTHER_COMMUNE
TOKENS = {"TOKEN_BAC_SON": "111111:BAC-SON", "TOKEN_HUU_VINH": "222222:HUU-VINH"}
CONFIG = f"""
[[telegram.bots]]
name = "{BAC_SON}"
subtree = "{COMMUNE}"
token_env = "TOKEN_BAC_SON"
bot_username = "antt_bacson_bot"

[[telegram.bots]]
name = "{HUU_VINH}"
subtree = "{OTHER_COMMUNE}"
token_env = "TOKEN_HUU_VINH"
bot_username = "antt_huuvinh_bot"
send_rate = 20
"""


def two_bot_config(tmp_path: Path) -> Config:
    """The config file an operator writes, read as `antt-bot run` reads it."""
    path = tmp_path / "two-bots.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return load_config(path, dict(TOKENS))


async def make_two_bots(tmp_path: Path) -> tuple[Harness, Harness]:
    """One harness per bot, sharing the runtime, the database and the clock: a user of
    each talks to that bot; `add_member` links them on it."""
    config = two_bot_config(tmp_path)
    clock = ManualClock(START)
    services = await build_services(config, clock, db_path=str(tmp_path / "bots.sqlite3"))
    runtime = Runtime(services)
    sides = []
    for bot in config.telegram.bots:
        assert bot.token is not None
        api = FakeBotAPI()
        channel = TelegramChannel(
            config,
            runtime.engine,
            request=api,
            updates_request=api,
            rate_limit=False,
            name=bot_channel("telegram", bot.name),
            token=bot.token.get_secret_value(),
        )
        sender = runtime.add_channel(channel, SendPolicy())
        await channel.application.initialize()
        sides.append(Harness(config, clock, runtime, api, channel, sender))
    await seed_units(services.db, clock)
    return sides[0], sides[1]


async def close_two(first: Harness, second: Harness) -> None:
    """Shut both bots down, then the shared runtime once."""
    await first.channel.application.shutdown()
    await second.channel.application.shutdown()
    await first.runtime.stop()
