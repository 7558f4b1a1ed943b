"""The `[cluster]` section and Telegram's webhook checks: several processes on one database.

One `antt-bot run` needs none of it. Several share the work when Telegram (and Zalo) post
updates to a load balancer in front of them (`[telegram] mode = "webhook"`): each process
beats a heartbeat in the database, so the others know it lives, take over its work when it
dies, and divide each bot token's rate among those sending through it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, model_validator

TELEGRAM_SECRET_ENV = "ANTT_TELEGRAM_WEBHOOK_SECRET"
# Telegram's rule for secret_token: 1-256 characters, letters, digits, '_' and '-' only.
_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")


class ClusterSection(BaseModel):
    """How often a process says it lives, and when its silence means it died."""

    model_config = ConfigDict(extra="forbid")

    # Seconds between two heartbeats of a process (one small write each).
    heartbeat_seconds: float = Field(default=2.0, gt=0, le=60)
    # A process silent this long is dead: the others re-send what it was sending, replay
    # the updates it received, and take its share of each bot's rate. Longer than a few
    # heartbeats, so a busy process is never taken for dead.
    dead_after_seconds: float = Field(default=10.0, gt=0, le=600)

    @model_validator(mode="after")
    def _after_beats(self) -> ClusterSection:
        if self.dead_after_seconds < 3 * self.heartbeat_seconds:
            raise ValueError(
                f"cluster.dead_after_seconds ({self.dead_after_seconds:g}) must be at least "
                f"three heartbeats ({3 * self.heartbeat_seconds:g} s), or a busy process "
                f"would be taken for dead"
            )
        return self


def telegram_webhook_problem(mode: str, url: str, secret: str) -> str | None:
    """What stops Telegram's webhook mode from starting (None: nothing), said so the operator
    knows what to set."""
    if mode != "webhook":
        return None
    if not _TELEGRAM_SECRET.fullmatch(secret):
        return (
            f"telegram.mode = 'webhook' needs a secret of 8 to 256 letters, digits, '_' or '-' "
            f"in the environment variable {TELEGRAM_SECRET_ENV}"
        )
    if not url.startswith(("https://", "http://")):  # Telegram itself refuses http://
        return (
            "telegram.webhook_url: set the public HTTPS address Telegram should post updates "
            "to (your load balancer), e.g. 'https://bot.example.vn/telegram/webhook'"
        )
    return None
