"""Several bots of one messenger on one database: `[[telegram.bots]]` and `[[zalo.bots]]`.

Each listed bot serves a subtree of units (typically a province) under its own token, so a
national deployment stays under each messenger's cap per bot. Only the NAME of the
environment variable holding a token is in the file; the token itself never is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field, SecretStr, field_validator

from bot.core.config_movement import Section

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class BotEntry(Section):
    """One listed bot: its short name, the subtree it serves and where its token is."""

    name: str
    subtree: str = ""  # a unit path ("Tỉnh Lạng Sơn"); "" = the whole tree
    token_env: str
    send_rate: float | None = Field(default=None, gt=0)  # None: the section's send_rate
    bot_username: str = ""  # how members find it: @username on Telegram (invite links)
    token: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError(
                f"{value!r} is not a short name: use lower-case letters, digits and '-', "
                f"e.g. 'lang-son'"
            )
        return value

    @field_validator("subtree")
    @classmethod
    def _path(cls, value: str) -> str:
        parts = [part.strip() for part in value.split("/")]
        if value.strip() and not all(parts):
            raise ValueError(f"{value!r} is not a unit path like 'Tỉnh Lạng Sơn/Xã Bắc Sơn'")
        return "/".join(parts) if value.strip() else ""

    @field_validator("token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV.match(value):
            raise ValueError(
                f"{value!r} is not an environment variable name: write the variable's NAME "
                f"(e.g. 'ANTT_TELEGRAM_TOKEN_LANG_SON'), never the token itself"
            )
        return value


class TelegramBotEntry(BotEntry):
    """A listed Telegram bot; its @username makes the invite links of its subtree."""


class ZaloBotEntry(BotEntry):
    """A listed Zalo bot; in webhook mode Zalo posts to `<webhook_url>/<name>`."""


Entries = list[TelegramBotEntry] | list[ZaloBotEntry]


def check_bots(section: str, bots: Entries, *, single: bool) -> None:
    """Names unique and no two bots on the same subtree: a unit must have one bot of its
    messenger (one subtree inside another is fine: the deepest one serves). The single
    `[section]` bot, when its token is set, serves the whole tree."""
    names: set[str] = set()
    subtrees: dict[str, str] = {}
    envs: set[str] = set()
    for index, bot in enumerate(bots):
        if single and bot.subtree == "":
            raise ValueError(
                f"{section}.bots[{index}].subtree: the whole tree is already served by the "
                f"[{section}] bot; give this bot a unit path, or unset the single bot's token"
            )
        if bot.name in names:
            raise ValueError(f"{section}.bots[{index}].name: {bot.name!r} is listed twice")
        if bot.subtree in subtrees:
            raise ValueError(
                f"{section}.bots[{index}].subtree: {bot.subtree or '(whole tree)'!r} is "
                f"already served by {subtrees[bot.subtree]!r}; give each bot its own subtree"
            )
        if bot.token_env in envs:
            raise ValueError(
                f"{section}.bots[{index}].token_env: {bot.token_env} is used by another bot; "
                f"each bot has its own token"
            )
        names.add(bot.name)
        subtrees[bot.subtree] = bot.name
        envs.add(bot.token_env)


def give_tokens(bots: Entries, env: Mapping[str, str]) -> None:
    """Each listed bot's token, from the environment variable it names (left unset when
    the variable is: the admin commands run without tokens; `run` refuses to start)."""
    for bot in bots:
        token = env.get(bot.token_env, "").strip()
        bot.token = SecretStr(token) if token else None


def missing_token(section: str, bots: Entries) -> str | None:
    """What `antt-bot run` says when a listed bot has no token: the variable to set."""
    for index, bot in enumerate(bots):
        if bot.token is None:
            return (
                f"{section}.bots[{index}].token_env: set the environment variable "
                f"{bot.token_env} to the token of bot {bot.name!r}"
            )
    return None


def token_in_file(raw: Mapping[str, object]) -> str | None:
    """The key of a token written into a listed bot's table (refused), or None."""
    for section in ("telegram", "zalo"):
        table = raw.get(section)
        bots = table.get("bots") if isinstance(table, dict) else None
        for index, bot in enumerate(bots if isinstance(bots, list) else []):
            if isinstance(bot, dict) and "token" in bot:
                return f"{section}.bots[{index}].token"
    return None
