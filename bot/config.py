"""Configuration: a TOML file validated by pydantic, secrets only from the environment.

An invalid file stops start-up with a message naming the key and what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

TOKEN_ENV = "ANTT_TELEGRAM_TOKEN"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BotSection(_Section):
    locale: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. 'Asia/Ho_Chi_Minh'") from exc
        return value


class DatabaseSection(_Section):
    path: str = "data/antt-bot.sqlite3"


class TelegramSection(_Section):
    base_url: str = "https://api.telegram.org"
    bot_username: str = ""
    poll_interval: float = Field(default=0.0, ge=0)
    token: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class ReportsSection(_Section):
    deadline: time = time(21, 0)
    edit_deadline: time | None = None
    max_age_days: int = Field(default=7, ge=0, le=366)
    forms_file: str = ""
    recent_limit: int = Field(default=10, ge=1, le=50)

    @property
    def effective_edit_deadline(self) -> time:
        """Edits close at the day's report deadline unless a separate time is set."""
        return self.edit_deadline or self.deadline


class InvitesSection(_Section):
    default_days: int = Field(default=14, ge=1, le=365)
    default_uses: int = Field(default=1, ge=1, le=10000)


class DemoSection(_Section):
    database_path: str = "data/antt-demo.sqlite3"


class Config(_Section):
    bot: BotSection = BotSection()
    database: DatabaseSection = DatabaseSection()
    telegram: TelegramSection = TelegramSection()
    reports: ReportsSection = ReportsSection()
    invites: InvitesSection = InvitesSection()
    demo: DemoSection = DemoSection()

    @property
    def telegram_token(self) -> str | None:
        """The bot token, or None when Telegram is not configured (then the demo runs)."""
        token = self.telegram.token
        return token.get_secret_value() if token else None


def load_config(path: str | Path | None, environ: dict[str, str] | None = None) -> Config:
    """Read and validate the config; a missing default file means all defaults."""
    env = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    if path is not None:
        file = Path(path)
        if not file.exists():
            raise ConfigError(f"config file not found: {file}")
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    if isinstance(raw.get("telegram"), dict) and "token" in raw["telegram"]:  # type: ignore[operator]
        raise ConfigError(
            f"telegram.token: never put the bot token in a file; set the environment "
            f"variable {TOKEN_ENV} instead"
        )
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        config.telegram.token = SecretStr(token)
    return config


def _describe(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against config.example.toml)"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)
