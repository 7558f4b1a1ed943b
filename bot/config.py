"""Configuration: a TOML file validated by pydantic, secrets only from the environment.

An invalid file stops start-up with a message naming the key and what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

TOKEN_ENV = "ANTT_TELEGRAM_TOKEN"
ZALO_TOKEN_ENV = "ANTT_ZALO_TOKEN"
ZALO_SECRET_ENV = "ANTT_ZALO_WEBHOOK_SECRET"


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


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]  # a Bot API root, without trailing '/'


class TelegramSection(_Section):
    base_url: HttpUrl = "https://api.telegram.org"
    bot_username: str = ""
    poll_interval: float = Field(default=0.0, ge=0)
    # The outbox sender's pace, below Telegram's caps (about 30 messages/s, 1/s per chat).
    send_rate: float = Field(default=25.0, gt=0)
    send_rate_per_chat: float = Field(default=1.0, gt=0)
    token: SecretStr | None = Field(default=None, exclude=True)


class ZaloSection(_Section):
    base_url: HttpUrl = "https://bot-api.zaloplatforms.com"
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(default=30, ge=1, le=60)
    media_dir: str = "data/media"
    max_photo_mb: float = Field(default=10, gt=0, le=50)
    send_rate: float = Field(default=10.0, gt=0)
    send_rate_per_chat: float = Field(default=1.0, gt=0)
    webhook_url: str = ""
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)
    webhook_path: str = "/zalo/webhook"
    token: SecretStr | None = Field(default=None, exclude=True)
    webhook_secret: SecretStr | None = Field(default=None, exclude=True)

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/', e.g. '/zalo/webhook'")
        return value


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
    link_minutes: int = Field(default=10, ge=1, le=1440)


class TallyTargets(_Section):
    """The movement's targets (DOMAIN.md); shares are fractions, 0.9 means 90%."""

    good_deeds_per_month: int = Field(default=1, ge=0)
    patrol_participation: float = Field(default=1.0, ge=0, le=1)
    fire_in_time: float = Field(default=1.0, ge=0, le=1)
    tips_acknowledged: float = Field(default=1.0, ge=0, le=1)
    tip_ack_minutes: int = Field(default=60, ge=1)
    tips_acknowledged_in_time: float = Field(default=0.9, ge=0, le=1)
    reoffending_max: int = Field(default=0, ge=0)
    households_checked: float = Field(default=0.9, ge=0, le=1)
    daily_compliance: float = Field(default=0.9, ge=0, le=1)


TARGET_KEYS = (
    "good_deeds",
    "patrol",
    "fire_in_time",
    "tips_acked",
    "tips_in_time",
    "reoffending",
    "households",
    "compliance",
)


Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]  # as in forms files


class TallySources(_Section):
    """Which form kinds and fields feed the targets, so a province's own forms can too."""

    nil_kind: Key = "nil"
    good_deed_kind: Key = "good_deed"
    patrol_kind: Key = "patrol"
    fire_kind: Key = "fire_rescue"
    fire_mobilised_field: Key = "mobilised"
    fire_in_time_field: Key = "in_time"
    tip_kind: Key = "tip"
    reintegration_kind: Key = "reintegration"
    reoffending_field: Key = "reoffending_signs"
    admin_kind: Key = "admin_order"
    households_field: Key = "households_checked"


class RatingRule(_Section):
    """One level of the suggested rating; the first rule a team satisfies is its suggestion."""

    level: Literal["excellent", "good", "done"]
    min_targets_met: float = Field(ge=0, le=1)
    min_compliance: float = Field(default=0.0, ge=0, le=1)
    required: list[str] = []

    @field_validator("required")
    @classmethod
    def _known_targets(cls, value: list[str]) -> list[str]:
        unknown = [k for k in value if k not in TARGET_KEYS]
        if unknown:
            names = ", ".join(TARGET_KEYS)
            raise ValueError(f"unknown target {unknown[0]!r}; use some of: {names}")
        return value


DEFAULT_RATINGS = [
    RatingRule(
        level="excellent",
        min_targets_met=1.0,
        min_compliance=0.95,
        required=["good_deeds", "patrol", "fire_in_time"],
    ),
    RatingRule(level="good", min_targets_met=0.8, min_compliance=0.85),
    RatingRule(level="done", min_targets_met=0.5, min_compliance=0.6),
]


class Phase(_Section):
    """A named emulation phase (đợt thi đua): a tally period, announced when it starts."""

    name: str = Field(min_length=1, max_length=60)
    theme: str = ""
    start: date
    end: date
    units: list[str] = []  # unit paths whose members are told when it starts; [] = everyone


class TallySection(_Section):
    # Day of the month on which a reporting month starts: 1 = calendar months, 15 = the
    # 15th of last month to the 14th of this month (the month is named by its end).
    month_starts_on: int = Field(default=1, ge=1, le=28)
    # Above this many teams, the chat message shows a summary and the files hold the detail.
    phone_team_limit: int = Field(default=12, ge=1, le=60)
    # Raw report rows in a workbook sent in chat (the CLI has no limit).
    raw_rows_limit: int = Field(default=20000, ge=0, le=1_000_000)
    targets: TallyTargets = TallyTargets()
    sources: TallySources = TallySources()
    ratings: list[RatingRule] = DEFAULT_RATINGS
    phases: list[Phase] = []

    @field_validator("phases")
    @classmethod
    def _ordered(cls, value: list[Phase]) -> list[Phase]:
        for phase in value:
            if phase.end < phase.start:
                raise ValueError(f"phase {phase.name!r} ends before it starts")
        return value


class Milestone(_Section):
    """A dated deliverable (a launch ceremony, a phase report) its audience is reminded of."""

    name: str = Field(min_length=1, max_length=120)
    due: date
    roles: list[Literal["leader", "deputy", "officer", "supervisor", "admin"]] = [
        "officer",
        "supervisor",
    ]
    unit: str = ""  # a unit path: its members and those below it; "" = the whole tree
    days_before: list[int] = Field(default=[7, 3, 1, 0], min_length=1)

    @field_validator("days_before")
    @classmethod
    def _sensible_days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 366 for d in value):
            raise ValueError("days before the due date must be between 0 and 366")
        return sorted(set(value), reverse=True)


class RemindersSection(_Section):
    """What the scheduler plans and when (local time of [bot] timezone)."""

    enabled: bool = True
    daily_at: time = time(19, 0)  # members who have filed nothing today
    second_before_minutes: int = Field(default=30, ge=0, le=600)  # 2nd reminder; 0 = none
    digest_delay_minutes: int = Field(default=5, ge=0, le=120)  # leaders' list after deadline
    quiet_start: time = time(21, 30)  # non-urgent messages wait until quiet_end;
    quiet_end: time = time(6, 30)  # equal values mean no quiet hours
    grace_hours: float = Field(default=6.0, ge=0, le=72)  # catch-up window after downtime
    monthly_tally_at: time = time(7, 30)  # on [tally] month_starts_on: last period's tally
    nudge_day: int = Field(default=20, ge=0, le=28)  # good-deed nudge; 0 = never
    nudge_at: time = time(8, 0)
    notices_at: time = time(7, 0)  # milestone reminders and phase starts, daily
    milestones: list[Milestone] = []

    def second_at(self, deadline: time) -> time | None:
        """When the second reminder goes out, or None when there is none."""
        if not self.second_before_minutes:
            return None
        minutes = deadline.hour * 60 + deadline.minute - self.second_before_minutes
        return time(max(0, minutes) // 60, max(0, minutes) % 60)


class OutboxSection(_Section):
    """How the sender retries: transient errors back off, then the message is given up."""

    max_attempts: int = Field(default=8, ge=1, le=100)
    backoff_seconds: float = Field(default=5.0, gt=0)
    backoff_max_seconds: float = Field(default=1800.0, gt=0)
    max_in_flight: int = Field(default=8, ge=1, le=256)


class AnnouncementsSection(_Section):
    max_chars: int = Field(default=2000, ge=50, le=4000)  # Zalo's limit is 2,000
    progress_seconds: float = Field(default=10.0, gt=0)  # how often the sender is told


class DemoSection(_Section):
    database_path: str = "data/antt-demo.sqlite3"


class Config(_Section):
    bot: BotSection = BotSection()
    database: DatabaseSection = DatabaseSection()
    telegram: TelegramSection = TelegramSection()
    zalo: ZaloSection = ZaloSection()
    reports: ReportsSection = ReportsSection()
    invites: InvitesSection = InvitesSection()
    tally: TallySection = TallySection()
    reminders: RemindersSection = RemindersSection()
    outbox: OutboxSection = OutboxSection()
    announcements: AnnouncementsSection = AnnouncementsSection()
    demo: DemoSection = DemoSection()

    @model_validator(mode="after")
    def _reminders_before_deadline(self) -> Config:
        deadline = self.reports.deadline
        rem = self.reminders
        if rem.daily_at >= deadline:
            raise ValueError(
                f"reminders.daily_at ({rem.daily_at:%H:%M}) must be before reports.deadline "
                f"({deadline:%H:%M}): a reminder after the deadline is too late"
            )
        second = rem.second_at(deadline)
        if second is not None and second <= rem.daily_at:
            raise ValueError(
                f"reminders.second_before_minutes ({rem.second_before_minutes}) puts the second "
                f"reminder at {second:%H:%M}, not after daily_at ({rem.daily_at:%H:%M}); "
                f"lower it, or set 0 for no second reminder"
            )
        return self

    @property
    def telegram_token(self) -> str | None:
        """The bot token, or None when Telegram is not configured (then the demo runs)."""
        token = self.telegram.token
        return token.get_secret_value() if token else None

    @property
    def zalo_token(self) -> str | None:
        """The Zalo bot token, or None when Zalo is not configured."""
        token = self.zalo.token
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
    zalo = raw.get("zalo")
    for key, var in (("token", ZALO_TOKEN_ENV), ("webhook_secret", ZALO_SECRET_ENV)):
        if isinstance(zalo, dict) and key in zalo:
            raise ConfigError(
                f"zalo.{key}: never put secrets in a file; set the environment "
                f"variable {var} instead"
            )
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        config.telegram.token = SecretStr(token)
    zalo_token = env.get(ZALO_TOKEN_ENV, "").strip()
    if zalo_token:
        config.zalo.token = SecretStr(zalo_token)
    secret = env.get(ZALO_SECRET_ENV, "").strip()
    if secret:
        config.zalo.webhook_secret = SecretStr(secret)
    _check_zalo(config)
    return config


def _check_zalo(config: Config) -> None:
    """Webhook mode needs a public URL and a secret Zalo can send back; say so at start-up."""
    zalo = config.zalo
    if not config.zalo_token or zalo.mode != "webhook":
        return
    secret = zalo.webhook_secret.get_secret_value() if zalo.webhook_secret else ""
    if not 8 <= len(secret) <= 256:
        raise ConfigError(
            f"zalo.mode = 'webhook' needs a secret of 8 to 256 characters in the environment "
            f"variable {ZALO_SECRET_ENV}"
        )
    if not zalo.webhook_url.startswith("https://") and not zalo.webhook_url.startswith("http://"):
        raise ConfigError(
            "zalo.webhook_url: set the public HTTPS address Zalo should post updates to, "
            "e.g. 'https://bot.example.vn/zalo/webhook'"
        )


def _describe(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "config"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against config.example.toml)"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)
