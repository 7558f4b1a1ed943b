"""Secrets come from the environment only: bot tokens and webhook secrets (and database URLs,
which may carry a password). A config file is copied around and committed: the variables'
names live here, and a secret written in the file is refused."""

from __future__ import annotations

from bot.core.config_cluster import TELEGRAM_SECRET_ENV

TOKEN_ENV = "ANTT_TELEGRAM_TOKEN"
ZALO_TOKEN_ENV = "ANTT_ZALO_TOKEN"
ZALO_SECRET_ENV = "ANTT_ZALO_WEBHOOK_SECRET"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the fix."""


def no_secrets_in(raw: dict[str, object]) -> None:
    """Tokens and webhook secrets come from the environment only: a file is copied around."""
    sections = (
        ("telegram", (("token", TOKEN_ENV), ("webhook_secret", TELEGRAM_SECRET_ENV))),
        ("zalo", (("token", ZALO_TOKEN_ENV), ("webhook_secret", ZALO_SECRET_ENV))),
    )
    for name, keys in sections:
        section = raw.get(name)
        for key, var in keys:
            if isinstance(section, dict) and key in section:
                raise ConfigError(
                    f"{name}.{key}: never put secrets in a file; set the environment "
                    f"variable {var} instead"
                )
